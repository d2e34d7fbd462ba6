//! `GET /me` and the admin's management of users.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::auth::hashing;
use super::extract::{no_null, read_as, read_as_enrolling, write_as_enrolling, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::App;
use crate::app::{account_self, accounts, second_factor};
use crate::domain::user::{Account, AccountChange, Role};

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub kind: Option<&'static str>,
    pub organisation_id: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn user_dto(a: &Account) -> UserDto {
    UserDto {
        id: a.id.clone(),
        email: a.email.clone(),
        name: a.name.clone(),
        roles: a.roles.clone(),
        kind: a.kind.map(|k| k.as_str()),
        organisation_id: a.organisation_id.clone(),
        active: a.active,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// `GET /me`: also for a staff account still to enrol its second factor.
pub async fn me(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let ((), me) = read_as_enrolling(&state, bearer, |_, _| Ok(())).await?;
    Ok(HttpResponse::Ok().json(user_dto(&me)))
}

/// `GET /me/totp`: whether the second factor is on, and the recovery codes left.
pub async fn totp_status(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let (s, _) = read_as_enrolling(&state, bearer, second_factor::status).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "enabled": s.on,
        "recovery_codes_left": s.recovery_codes_left,
    })))
}

/// `POST /me/totp`: a new secret for the authenticator app, `201`; confirmed by
/// `POST /me/totp/confirm`.
pub async fn begin_totp(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let (e, _) = write_as_enrolling(&state, bearer, second_factor::begin).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "secret": e.secret,
        "otpauth_uri": e.otpauth_uri,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpBody {
    otp: Option<String>,
}

/// `POST /me/totp/confirm {"otp"}`: the factor is on; the ten recovery codes, shown once.
/// The token used here was issued without the factor: sign in again with a code.
pub async fn confirm_totp(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<ConfirmTotpBody>,
) -> Result<HttpResponse, ApiError> {
    let (codes, _) = write_as_enrolling(&state, bearer, move |tx, me| {
        second_factor::confirm(tx, me, body.otp.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "recovery_codes": codes })))
}

/// `DELETE /users/{id}/totp` (admin): resets a lost second factor; the account's tokens and
/// sessions end and its holder is mailed. `204`.
pub async fn reset_totp(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let public_url = state.public_url.clone();
    super::extract::write_as(&state, bearer, move |tx, me| {
        second_factor::reset(tx, me, &id, &public_url)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeBody {
    name: Option<String>,
}

/// `PATCH /me {"name"}`: the holder's own name.
pub async fn patch_me(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<MeBody>,
) -> Result<HttpResponse, ApiError> {
    let (account, _) = super::extract::write_as(&state, bearer, move |tx, me| {
        account_self::rename(tx, me, body.name.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(user_dto(&account)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `POST /me/password {"current_password", "new_password"}`: every token of the account ends
/// (this one too): sign in again with the new password.
pub async fn change_password(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let ((), me) = read_as(&state, bearer, |_, _| Ok(())).await?;
    hashing(&state, move |app| {
        account_self::change_password(
            app,
            &me,
            body.current_password.as_deref(),
            body.new_password.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    password: Option<String>,
}

/// `DELETE /me {"password"}`: erases the account where the law allows: `{"outcome":
/// "erased"}` (only drafts: the account and its drafts are gone) or `"closed"` (a file is
/// kept: no sign-in any more; a letter says what is kept until when); `409` while a plan is
/// assessed or a grant runs.
pub async fn erase_me(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<EraseBody>,
) -> Result<HttpResponse, ApiError> {
    let ((), me) = read_as(&state, bearer, |_, _| Ok(())).await?;
    let step = hashing(&state, move |app| {
        account_self::erase(app, &me, body.password.as_deref())
    })
    .await?;
    let outcome = match step {
        crate::domain::erasure::Erasure::Erase => "erased",
        crate::domain::erasure::Erasure::Close => "closed",
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({ "outcome": outcome })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    email: Option<String>,
    password: Option<String>,
}

/// `POST /me/email {"email", "password"}`: a link goes to the new address; `202`.
pub async fn request_email_change(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<EmailBody>,
) -> Result<HttpResponse, ApiError> {
    let ((), me) = read_as(&state, bearer, |_, _| Ok(())).await?;
    hashing(&state, move |app| {
        account_self::request_email_change(
            app,
            &me,
            body.email.as_deref(),
            body.password.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    token: Option<String>,
}

/// `POST /me/email/confirm {"token"}` (no bearer: the link is the proof): the account moves
/// to the new address; every token of the account ends.
pub async fn confirm_email_change(
    state: web::Data<App>,
    JsonBody(body): JsonBody<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let account =
        web::block(move || account_self::confirm_email_change(&st, body.token.as_deref()))
            .await??;
    Ok(HttpResponse::Ok().json(user_dto(&account)))
}

/// Tells "absent" (`None`) from "explicitly null" (`Some(None)`) in a PATCH body.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[serde(default, deserialize_with = "no_null")]
    email: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    password: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    roles: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    kind: Option<Option<String>>,
    #[serde(default, deserialize_with = "no_null")]
    active: Option<bool>,
}

impl From<UserBody> for AccountChange {
    fn from(b: UserBody) -> AccountChange {
        AccountChange {
            email: b.email,
            name: b.name,
            password: b.password,
            roles: b.roles,
            organisation_id: b.organisation_id,
            kind: b.kind,
            active: b.active,
        }
    }
}

/// `POST /users` (admin).
pub async fn create(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<HttpResponse, ApiError> {
    let account = hashing(&state, move |app| {
        accounts::create_user(app, &bearer.0, body.into())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", account.id)))
        .json(user_dto(&account)))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /users` (admin).
pub async fn list(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let (accounts, _) = {
        let st = state.clone();
        read_as(&state, bearer, move |c, me| {
            accounts::list_users(c, &st.reads, &me.actor())
        })
        .await?
    };
    Ok(HttpResponse::Ok().json(Items {
        items: accounts.iter().map(user_dto).collect(),
    }))
}

/// `PATCH /users/{id}` (admin). An admin cannot take away their own admin role or deactivate
/// themselves, so the service always keeps someone who can manage users.
pub async fn update(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let account = hashing(&state, move |app| {
        accounts::update_user(app, &bearer.0, &id, body.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(user_dto(&account)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /processing-log?from=YYYY-MM-DD&to=YYYY-MM-DD` (admin): the processing log of that
/// period (both days included, UTC), the oldest first, each entry with who did it, for the
/// privacy officer.
pub async fn processing_log(
    state: web::Data<App>,
    bearer: Bearer,
    query: super::extract::Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.checked(Vec::new())?;
    let (found, _) = read_as(&state, bearer, move |c, me| {
        crate::app::processing::export(c, &me.actor(), q.from.as_deref(), q.to.as_deref())
    })
    .await?;
    let items: Vec<serde_json::Value> = found
        .iter()
        .map(|(e, name)| {
            serde_json::json!({
                "at": e.at,
                "actor_id": e.actor_id,
                "actor_name": name,
                "role": e.role.as_str(),
                "activity": e.activity.code(),
                "label": e.activity.label_nl(),
                "record_kind": e.record_kind,
                "record_id": e.record_id,
                "subject_id": e.subject_id,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /me/data`: everything planloket holds about the caller, as data (also offered as a
/// file: `Content-Disposition: attachment`).
pub async fn my_data(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let (data, _) = read_as(&state, bearer, crate::app::my_data::export).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mijn-gegevens.json\"",
        ))
        .json(data))
}
