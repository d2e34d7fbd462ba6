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
    let hash = web::block(move || hash_password(&password)).await??;
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
    let db = state.db.clone();
    let user = web::block(move || {
        let user = db.read(|c| repo::find_user_by_email(c, &email))?;
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
    .await??;
    let user = user
        .ok_or_else(|| AppError::Unauthorized("the e-mail address or password is wrong".into()))?;
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
