//! Sign-in: Argon2id passwords, HS256 tokens, registration and login.

use std::sync::OnceLock;

use actix_web::{web, HttpResponse};
use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::extract::JsonBody;
use super::users::{user_dto, UserDto};
use super::AppState;
use crate::db::{self, models::UserRow, repo};
use crate::domain::user::{check_password, parse_name, ApplicantKind, Email, Role};
use crate::domain::FieldErrors;
use crate::error::AppError;

/// Token lifetime in seconds (one hour).
pub const TOKEN_LIFETIME: i64 = 3600;
/// Issuer and audience of every token.
pub const TOKEN_ISSUER: &str = "planloket";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Signs and checks access tokens with the configured secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Tokens {
    pub fn new(secret: &[u8]) -> Tokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[TOKEN_ISSUER]);
        validation.set_audience(&[TOKEN_ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A token for `user_id`, valid for `TOKEN_LIFETIME` seconds.
    pub fn issue(&self, user_id: &str) -> Result<String, AppError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + TOKEN_LIFETIME,
            iss: TOKEN_ISSUER.into(),
            aud: TOKEN_ISSUER.into(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(format!("cannot sign a token: {e}")))
    }

    /// The user id of a valid token; any other algorithm, key, issuer, audience or an expired
    /// token is refused.
    pub fn verify(&self, token: &str) -> Result<String, AppError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims.sub)
            .map_err(|_| {
                AppError::Unauthorized("the token is invalid or expired; sign in again".into())
            })
    }
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), a fresh salt per password.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash a password: {e}")))
}

/// Runs `f`, Argon2 work (hashing or verifying a password), on a blocking thread, at most one
/// per core at once. Each takes 19 MiB and a core for tens of milliseconds: without a bound a
/// burst of sign-ins took every blocking thread (16) and 300 MiB, and reads waited behind it.
/// Here a burst waits its turn without holding a thread.
pub async fn hashing<T, F>(state: &AppState, f: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|_| AppError::Internal("the password hashing queue is closed".into()))?;
    web::block(f).await?
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same effort for an unknown address as for a known one, so response times do
/// not tell which addresses have an account.
fn burn_verification(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    email: Option<String>,
    password: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    organisation_id: Option<String>,
}

/// `POST /auth/register`: a resident or partner creates their applicant account.
pub async fn register(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::new();
    let email = match body.email.as_deref().map(Email::parse) {
        None => {
            e.add("email", "is required");
            None
        }
        Some(Err(m)) => {
            e.add("email", m);
            None
        }
        Some(Ok(v)) => Some(v),
    };
    match body.password.as_deref() {
        None => e.add("password", "is required"),
        Some(p) => {
            if let Err(m) = check_password(p) {
                e.add("password", m)
            }
        }
    }
    let name = match body.name.as_deref().map(|n| parse_name(n, 200)) {
        None => {
            e.add("name", "is required");
            None
        }
        Some(Err(m)) => {
            e.add("name", m);
            None
        }
        Some(Ok(n)) => Some(n),
    };
    let kind = match body.kind.as_deref() {
        None => {
            e.add("kind", "is required: resident or partner");
            None
        }
        Some(k) => {
            let kind = ApplicantKind::parse(k);
            if kind.is_none() {
                e.add(
                    "kind",
                    format!("unknown kind '{k}'; use resident or partner"),
                );
            }
            kind
        }
    };
    if !e.is_empty() {
        return Err(AppError::Invalid(e.0));
    }
    let password = body.password.unwrap_or_default();
    let hash = hashing(&state, move || hash_password(&password)).await?;
    let now = db::now();
    let row = UserRow {
        id: db::new_id(),
        email: email.map(Email::into_inner).unwrap_or_default(),
        name: name.unwrap_or_default(),
        password_hash: Some(hash),
        roles: Role::Applicant.as_str().into(),
        kind: kind.map(|k| k.as_str().to_string()),
        organisation_id: body.organisation_id,
        active: true,
        created_at: now,
        updated_at: now,
    };
    let db = state.db.clone();
    let row = web::block(move || {
        db.write(|c| {
            if let Some(org) = &row.organisation_id {
                if repo::existing_organisations(c, &[org])?.is_empty() {
                    return Err(AppError::field(
                        "organisation_id",
                        format!("unknown organisation '{org}'"),
                    ));
                }
            }
            if repo::find_user_by_email(c, &row.email)?.is_some() {
                return Err(AppError::Conflict(
                    "an account with this e-mail address exists already".into(),
                    vec![],
                ));
            }
            repo::insert_user(c, &row)?;
            Ok(row)
        })
    })
    .await??;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", row.id)))
        .json(user_dto(&row)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: Option<String>,
    password: Option<String>,
}

/// What a successful sign-in answers.
#[derive(Debug, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserDto,
}

/// `POST /auth/login`: e-mail and password for a token.
pub async fn login(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::new();
    if body.email.as_deref().is_none_or(|s| s.trim().is_empty()) {
        e.add("email", "is required");
    }
    if body.password.as_deref().is_none_or(str::is_empty) {
        e.add("password", "is required");
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e.0));
    }
    let email = body.email.unwrap_or_default().trim().to_lowercase();
    let password = body.password.unwrap_or_default();
    let (by_address, by_client) = (
        format!("login:address:{email}"),
        format!("login:client:{}", client_key(&req)),
    );
    let keys = [
        (by_address.as_str(), throttle::LOGIN_FAILURES_PER_ADDRESS),
        (by_client.as_str(), throttle::LOGIN_FAILURES_PER_CLIENT),
    ];
    check_throttle(&state, &keys)?;
    let db = state.db.clone();
    let user = hashing(&state, move || {
        // No stored address holds a control character; such input is simply unknown.
        let user = if email.chars().any(char::is_control) {
            None
        } else {
            db.read(|c| repo::find_user_by_email(c, &email))?
        };
        let ok = match user
            .as_ref()
            .and_then(|u| u.password_hash.as_deref().filter(|_| u.active))
        {
            Some(hash) => verify_password(&password, hash),
            None => {
                burn_verification(&password);
                false
            }
        };
        Ok::<_, AppError>(if ok { user } else { None })
    })
    .await?;
    let Some(user) = user else {
        record_attempt(&state, &keys);
        return Err(AppError::Unauthorized(
            "the e-mail address or password is wrong".into(),
        ));
    };
    clear_attempts(&state, &by_address);
    token_answer(&state, &user)
}

/// The sign-in answer for `user` (shared by login and, later, magic-link redemption).
pub fn token_answer(state: &AppState, user: &UserRow) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(TokenAnswer {
        access_token: state.tokens.issue(&user.id)?,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME,
        user: user_dto(user),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_from_another_key_are_refused() {
        let a = Tokens::new(&[1u8; 32]);
        let b = Tokens::new(&[2u8; 32]);
        let t = a.issue("user-1").unwrap();
        assert_eq!(a.verify(&t).unwrap(), "user-1");
        assert!(b.verify(&t).is_err());
    }
}

// ---- throttling and magic links ------------------------------------------------------------

use crate::domain::throttle::{self, Limit};

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The client as throttling sees it: the peer address (proxies are not trusted).
pub fn client_key(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// 429 with `Retry-After` when any of these keys has used up its limit.
pub fn check_throttle(state: &AppState, keys: &[(&str, Limit)]) -> Result<(), AppError> {
    let counter = state.throttle.lock().unwrap_or_else(|p| p.into_inner());
    let now = now_secs();
    let wait = keys
        .iter()
        .filter_map(|(k, l)| counter.blocked(k, *l, now))
        .max();
    match wait {
        Some(s) => Err(AppError::TooManyRequests(s)),
        None => Ok(()),
    }
}

pub fn record_attempt(state: &AppState, keys: &[(&str, Limit)]) {
    let mut counter = state.throttle.lock().unwrap_or_else(|p| p.into_inner());
    let now = now_secs();
    for (k, l) in keys {
        counter.record(k, *l, now);
    }
}

pub fn clear_attempts(state: &AppState, key: &str) {
    state
        .throttle
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear(key);
}

/// A magic link is valid this long.
pub const MAGIC_LINK_MINUTES: i64 = 15;

/// Only a hash of a sign-in token is stored, so a leaked database signs nobody in.
pub fn token_hash(token: &str) -> String {
    use blake2::{Blake2s256, Digest};
    Blake2s256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkBody {
    email: Option<String>,
}

/// `POST /auth/magic-link` `{email}`: answers 202 whether or not the address has an account
/// (so it tells nobody which addresses do), and mails an active user a one-time link.
pub async fn magic_link(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    JsonBody(body): JsonBody<MagicLinkBody>,
) -> Result<HttpResponse, AppError> {
    let email = match body.email.as_deref().map(Email::parse) {
        None => return Err(AppError::field("email", "is required")),
        Some(Err(m)) => return Err(AppError::field("email", m)),
        Some(Ok(e)) => e.into_inner(),
    };
    let (by_address, by_client) = (
        format!("magic:address:{email}"),
        format!("magic:client:{}", client_key(&req)),
    );
    let keys = [
        (by_address.as_str(), throttle::MAGIC_LINKS_PER_ADDRESS),
        (by_client.as_str(), throttle::MAGIC_LINKS_PER_CLIENT),
    ];
    check_throttle(&state, &keys)?;
    record_attempt(&state, &keys);
    let token = crate::config::random_token();
    let link = format!("{}/aanmelden?token={token}", state.public_url);
    let db = state.db.clone();
    web::block(move || {
        db.write(|c| {
            let Some(user) = repo::find_user_by_email(c, &email)?.filter(|u| u.active) else {
                return Ok(());
            };
            let now = db::now();
            repo::insert_magic_link(
                c,
                &crate::db::models::MagicLinkRow {
                    token_hash: token_hash(&token),
                    user_id: user.id.clone(),
                    expires_at: now + chrono::Duration::minutes(MAGIC_LINK_MINUTES),
                    used_at: None,
                    created_at: now,
                },
            )?;
            crate::mail::outbox::enqueue(
                c,
                crate::mail::letters::magic_link(&user.email, &user.name, &link),
            )
        })
    })
    .await??;
    state.mail.wake();
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "detail": "if this address has an account, a sign-in link is on its way; it works once, within 15 minutes"
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    token: Option<String>,
}

/// `POST /auth/magic-link/redeem` `{token}`: a valid, unused, unexpired token for a token,
/// as login answers; any other token is 401.
pub async fn redeem(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    JsonBody(body): JsonBody<RedeemBody>,
) -> Result<HttpResponse, AppError> {
    let token = body
        .token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::field("token", "is required"))?;
    let by_client = format!("redeem:client:{}", client_key(&req));
    let keys = [(by_client.as_str(), throttle::REDEEM_FAILURES_PER_CLIENT)];
    check_throttle(&state, &keys)?;
    let hash = token_hash(token.trim());
    let db = state.db.clone();
    let user = web::block(move || {
        db.write(|c| match repo::use_magic_link(c, &hash, db::now())? {
            Some(user_id) => Ok(repo::find_user(c, &user_id)?.filter(|u| u.active)),
            None => Ok(None),
        })
    })
    .await??;
    match user {
        Some(user) => token_answer(&state, &user),
        None => {
            record_attempt(&state, &keys);
            Err(AppError::Unauthorized(
                "this sign-in link is invalid, expired or used already; ask for a new one".into(),
            ))
        }
    }
}
