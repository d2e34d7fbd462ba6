//! Organisations: partners, schools, the municipality… that plans refer to.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{Auth, JsonBody};
use super::users::utc;
use super::AppState;
use crate::db::{self, models::OrganisationRow, repo};
use crate::domain::user::{organisation_key, parse_name, parse_organisation_kind, Role};
use crate::domain::FieldErrors;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct OrganisationDto {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

fn dto(row: &OrganisationRow) -> OrganisationDto {
    OrganisationDto {
        id: row.id.clone(),
        name: row.name.clone(),
        kind: row.kind.clone(),
        created_at: utc(row.created_at),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationBody {
    name: Option<String>,
    kind: Option<String>,
}

/// Checks and builds a new organisation row.
pub fn new_organisation(
    name: Option<&str>,
    kind: Option<&str>,
) -> Result<OrganisationRow, AppError> {
    let mut e = FieldErrors::new();
    let name = match name.map(|n| parse_name(n, 200)) {
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
    let kind = match kind.map(parse_organisation_kind) {
        None => {
            e.add("kind", "is required");
            None
        }
        Some(Err(m)) => {
            e.add("kind", m);
            None
        }
        Some(Ok(k)) => Some(k),
    };
    e.finish(())?;
    let name = name.unwrap_or_default();
    Ok(OrganisationRow {
        id: db::new_id(),
        name_key: organisation_key(&name),
        name,
        kind: kind.unwrap_or_default(),
        created_at: db::now(),
    })
}

/// Stores a new organisation unless one with the same name exists (409).
pub fn insert_new(c: &mut db::DbConn, row: &OrganisationRow) -> Result<(), AppError> {
    if repo::find_organisation_by_key(c, &row.name_key)?.is_some() {
        return Err(AppError::Conflict(
            format!("an organisation named '{}' exists already", row.name),
            vec![],
        ));
    }
    repo::insert_organisation(c, row)
}

/// `POST /organisations` (admin and programme team).
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<OrganisationBody>,
) -> Result<HttpResponse, AppError> {
    auth.require_any(&[Role::Admin, Role::ProgrammeTeam])?;
    let row = new_organisation(body.name.as_deref(), body.kind.as_deref())?;
    let db = state.db.clone();
    let row = web::block(move || db.write(|c| insert_new(c, &row).map(|_| row))).await??;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organisations/{}", row.id)))
        .json(dto(&row)))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /organisations`: public, so a partner can find their organisation when registering.
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let db = state.db.clone();
    let rows = web::block(move || db.read(repo::list_organisations)).await??;
    Ok(HttpResponse::Ok().json(Items {
        items: rows.iter().map(dto).collect(),
    }))
}
