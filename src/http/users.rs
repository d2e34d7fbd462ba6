//! `GET /me` and the admin's management of users.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::auth::hashing;
use super::extract::{no_null, read_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::accounts;
use crate::app::App;
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

/// `GET /me`.
pub async fn me(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let ((), me) = read_as(&state, bearer, |_, _| Ok(())).await?;
    Ok(HttpResponse::Ok().json(user_dto(&me)))
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
    let (accounts, _) =
        read_as(&state, bearer, |c, me| accounts::list_users(c, &me.actor())).await?;
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
