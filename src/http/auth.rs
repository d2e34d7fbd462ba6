//! Sign-in over the API: HS256 tokens, registration, login, sign-in links.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::extract::{client_key, JsonBody};
use super::problem::ApiError;
use super::users::{user_dto, UserDto};
use super::AppState;
use crate::app::tokens::TOKEN_LIFETIME;
use crate::app::{self, accounts};
use crate::domain::user::Account;

/// Runs a use case that hashes or verifies a password on a blocking thread, at most one per
/// core at once. Each takes 12 MiB (`accounts::hash_password`) and a core for tens of milliseconds: without a bound a
/// burst of sign-ins took every blocking thread (16) and 300 MiB, and reads waited behind it.
/// Here a burst waits its turn without holding a thread.
pub async fn hashing<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&app::App) -> Result<T, app::Error> + Send + 'static,
    T: Send + 'static,
{
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|_| app::Error::Internal("the password hashing queue is closed".into()))?;
    let st = state.clone();
    Ok(web::block(move || f(&st.app)).await??)
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

/// `POST /auth/register`: a resident or partner creates their applicant account. The answer
/// is the same whether or not the address has an account already.
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let input = accounts::RegisterInput {
        email: body.email,
        password: body.password,
        name: body.name,
        kind: body.kind,
        organisation_id: body.organisation_id,
    };
    let client = client_key(&req);
    hashing(&state, move |app| accounts::register(app, input, &client)).await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "detail": "if this address has no account yet, it has one now: sign in with it; if it had one, a mail to it says so"
    })))
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

/// The sign-in answer for an account.
fn token_answer(state: &AppState, account: &Account) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(TokenAnswer {
        access_token: state.tokens.issue(&account.id, account.session_epoch)?,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME,
        user: user_dto(account),
    }))
}

/// `POST /auth/login`: e-mail and password for a token.
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let mut missing = Vec::new();
    if body.email.as_deref().is_none_or(|s| s.trim().is_empty()) {
        missing.push(crate::domain::FieldError::new(
            "email",
            crate::domain::errors::REQUIRED,
        ));
    }
    if body.password.as_deref().is_none_or(str::is_empty) {
        missing.push(crate::domain::FieldError::new(
            "password",
            crate::domain::errors::REQUIRED,
        ));
    }
    let (Some(email), Some(password)) = (body.email, body.password) else {
        return Err(ApiError::fields(missing));
    };
    if !missing.is_empty() {
        return Err(ApiError::fields(missing));
    }
    let client = client_key(&req);
    let account = hashing(&state, move |app| {
        accounts::login(app, &email, &password, &client)
    })
    .await?;
    token_answer(&state, &account)
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
    req: HttpRequest,
    JsonBody(body): JsonBody<MagicLinkBody>,
) -> Result<HttpResponse, ApiError> {
    let client = client_key(&req);
    let st = state.clone();
    web::block(move || accounts::request_magic_link(&st.app, body.email.as_deref(), &client))
        .await??;
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
    req: HttpRequest,
    JsonBody(body): JsonBody<RedeemBody>,
) -> Result<HttpResponse, ApiError> {
    let client = client_key(&req);
    let st = state.clone();
    let account =
        web::block(move || accounts::redeem_magic_link(&st.app, body.token.as_deref(), &client))
            .await??;
    token_answer(&state, &account)
}
