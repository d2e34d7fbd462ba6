//! Sign-in over the API: HS256 tokens, registration, login, sign-in links.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::extract::JsonBody;
use super::problem::ApiError;
use super::users::{user_dto, UserDto};
use crate::app::sign_in::{Factor, SignIn};
use crate::app::tokens::TOKEN_LIFETIME;
use crate::app::App;
use crate::app::{self, accounts};
use crate::front::client_key;

/// `front::hashing`, its refusal as the API's.
pub async fn hashing<T, F>(state: &web::Data<App>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&app::App) -> Result<T, app::Error> + Send + 'static,
    T: Send + 'static,
{
    Ok(crate::front::hashing(state, f).await?)
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
    state: web::Data<App>,
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
    // The same answer whether or not the address had an account.
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
    /// The code of the account's second factor, or one of its recovery codes.
    otp: Option<String>,
}

/// What a successful sign-in answers.
#[derive(Debug, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserDto,
}

/// The sign-in answer for an account that signed in (with its second factor, when it has
/// one); a sign-in still waiting for the code is 401 `otp-required`.
fn token_answer(api: &super::Api, signed: &SignIn) -> Result<HttpResponse, ApiError> {
    if signed.factor == Factor::Awaited {
        return Err(app::Error::Unauthorized(app::Unauthorized::OtpRequired).into());
    }
    let account = &signed.account;
    Ok(HttpResponse::Ok().json(TokenAnswer {
        access_token: api.tokens.issue(
            &account.id,
            account.session_epoch,
            signed.second_factor(),
        )?,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME,
        user: user_dto(account),
    }))
}

/// `POST /auth/login`: e-mail and password for a token.
pub async fn login(
    state: web::Data<App>,
    api: web::Data<super::Api>,
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
    let otp = body.otp;
    let signed = hashing(&state, move |app| {
        crate::app::sign_in::login(app, &email, &password, otp.as_deref(), &client)
    })
    .await?;
    token_answer(&api, &signed)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkBody {
    email: Option<String>,
}

/// `POST /auth/magic-link` `{email}`: answers 202 whether or not the address has an account
/// (so it tells nobody which addresses do), and mails an active user a one-time link.
pub async fn magic_link(
    state: web::Data<App>,
    req: HttpRequest,
    JsonBody(body): JsonBody<MagicLinkBody>,
) -> Result<HttpResponse, ApiError> {
    let client = client_key(&req);
    let st = state.clone();
    let asked = web::block(move || {
        crate::app::sign_in::request_magic_link(&st, body.email.as_deref(), &client)
    })
    .await??;
    crate::front::after_answer(&state, "mailing a sign-in link", move |app| {
        crate::app::sign_in::send_magic_link(app, asked)
    });
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "detail": "if this address has an account, a sign-in link is on its way; it works once, within 15 minutes"
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    token: Option<String>,
    /// The code of the account's second factor, when it has one.
    otp: Option<String>,
}

/// `POST /auth/magic-link/redeem` `{token}`: a valid, unused, unexpired token for a token,
/// as login answers; any other token is 401.
pub async fn redeem(
    state: web::Data<App>,
    api: web::Data<super::Api>,
    req: HttpRequest,
    JsonBody(body): JsonBody<RedeemBody>,
) -> Result<HttpResponse, ApiError> {
    let client = client_key(&req);
    let st = state.clone();
    let signed = web::block(move || {
        crate::app::sign_in::redeem_magic_link(
            &st,
            body.token.as_deref(),
            body.otp.as_deref(),
            &client,
        )
    })
    .await??;
    token_answer(&api, &signed)
}
