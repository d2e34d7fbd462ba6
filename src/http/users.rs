//! `GET /me` and the admin's management of users.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::auth::{hash_password, hashing};
use super::extract::{no_null, roles_of, Auth, JsonBody};
use super::AppState;
use crate::db::{self, models::UserRow, repo};
use crate::domain::user::{check_password, parse_name, parse_roles, ApplicantKind, Email, Role};
use crate::domain::FieldErrors;
use crate::error::AppError;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub kind: Option<String>,
    pub organisation_id: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn user_dto(row: &UserRow) -> UserDto {
    UserDto {
        id: row.id.clone(),
        email: row.email.clone(),
        name: row.name.clone(),
        roles: roles_of(row),
        kind: row.kind.clone(),
        organisation_id: row.organisation_id.clone(),
        active: row.active,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// `GET /me`.
pub async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(user_dto(&auth.user))
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

/// Lays `body` over `row` (a new user starts empty), checking every field and reporting all
/// errors at once. Returns the new password, if any, still to be hashed.
fn apply(row: &mut UserRow, body: &UserBody, creating: bool) -> Result<Option<String>, AppError> {
    let mut e = FieldErrors::new();
    match &body.email {
        Some(v) => match Email::parse(v) {
            Ok(v) => row.email = v.into_inner(),
            Err(m) => e.add("email", m),
        },
        None if creating => e.add("email", "is required"),
        None => {}
    }
    match &body.name {
        Some(v) => match parse_name(v, 200) {
            Ok(v) => row.name = v,
            Err(m) => e.add("name", m),
        },
        None if creating => e.add("name", "is required"),
        None => {}
    }
    if let Some(p) = &body.password {
        if let Err(m) = check_password(p) {
            e.add("password", m);
        }
    }
    match &body.roles {
        Some(r) => match parse_roles(r) {
            Ok(roles) => {
                row.roles = roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            }
            Err(m) => e.add("roles", m),
        },
        None if creating => e.add("roles", "is required"),
        None => {}
    }
    if let Some(kind) = &body.kind {
        match kind.as_deref() {
            None => row.kind = None,
            Some(k) => match ApplicantKind::parse(k) {
                Some(k) => row.kind = Some(k.as_str().into()),
                None => e.add(
                    "kind",
                    format!("unknown kind '{k}'; use resident or partner"),
                ),
            },
        }
    }
    if let Some(org) = &body.organisation_id {
        row.organisation_id = org.clone();
    }
    if let Some(active) = body.active {
        row.active = active;
    }
    if e.is_empty() && row.roles.split(',').any(|r| r == "applicant") && row.kind.is_none() {
        e.add("kind", "an applicant needs a kind: resident or partner");
    }
    e.finish(())?;
    Ok(body.password.clone())
}

fn check_organisation(c: &mut db::DbConn, row: &UserRow) -> Result<(), AppError> {
    if let Some(org) = &row.organisation_id {
        if repo::existing_organisations(c, &[org])?.is_empty() {
            return Err(AppError::field(
                "organisation_id",
                format!("unknown organisation '{org}'"),
            ));
        }
    }
    Ok(())
}

/// `POST /users` (admin).
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let now = db::now();
    let mut row = UserRow {
        id: db::new_id(),
        email: String::new(),
        name: String::new(),
        password_hash: None,
        roles: String::new(),
        kind: None,
        organisation_id: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    let password = apply(&mut row, &body, true)?;
    if let Some(p) = password {
        row.password_hash = Some(hashing(&state, move || hash_password(&p)).await?);
    }
    let db = state.db.clone();
    let row = web::block(move || {
        db.write(|c| {
            check_organisation(c, &row)?;
            if repo::find_user_by_email(c, &row.email)?.is_some() {
                return Err(AppError::Conflict(
                    "a user with this e-mail address exists already".into(),
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

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /users` (admin).
pub async fn list(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let db = state.db.clone();
    let rows = web::block(move || db.read(repo::list_users)).await??;
    Ok(HttpResponse::Ok().json(Items {
        items: rows.iter().map(user_dto).collect(),
    }))
}

/// `PATCH /users/{id}` (admin). An admin cannot take away their own admin role or deactivate
/// themselves, so the service always keeps someone who can manage users.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let password = match &body.password {
        Some(p) if check_password(p).is_ok() => {
            let p = p.clone();
            Some(hashing(&state, move || hash_password(&p)).await?)
        }
        _ => None,
    };
    let db = state.db.clone();
    let me = auth.user.id.clone();
    let row = web::block(move || {
        db.write(|c| {
            let mut row = repo::find_user(c, &id)?.ok_or_else(|| AppError::not_found("user"))?;
            apply(&mut row, &body, false)?;
            if row.id == me && (!row.active || !row.roles.split(',').any(|r| r == "admin")) {
                return Err(AppError::Conflict(
                    "you cannot remove your own admin role or deactivate yourself".into(),
                    vec![],
                ));
            }
            check_organisation(c, &row)?;
            if body.email.is_some() {
                if let Some(other) = repo::find_user_by_email(c, &row.email)? {
                    if other.id != row.id {
                        return Err(AppError::Conflict(
                            "a user with this e-mail address exists already".into(),
                            vec![],
                        ));
                    }
                }
            }
            if password.is_some() {
                row.password_hash = password;
            }
            row.updated_at = db::now();
            repo::update_user(c, &row)?;
            Ok(row)
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(user_dto(&row)))
}
