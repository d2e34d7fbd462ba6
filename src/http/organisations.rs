//! Organisations: partners, schools, the municipality… that plans refer to.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{read, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use super::AppState;
use crate::app::organisations;
use crate::domain::organisation::Organisation;

#[derive(Debug, Serialize)]
pub struct OrganisationDto {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub created_at: DateTime<Utc>,
}

fn dto(o: &Organisation) -> OrganisationDto {
    OrganisationDto {
        id: o.id.clone(),
        name: o.name.clone(),
        kind: o.kind.as_str(),
        created_at: o.created_at,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationBody {
    name: Option<String>,
    kind: Option<String>,
}

/// `POST /organisations` (admin and programme team).
pub async fn create(
    state: web::Data<AppState>,
    bearer: Bearer,
    JsonBody(body): JsonBody<OrganisationBody>,
) -> Result<HttpResponse, ApiError> {
    let (o, _) = write_as(&state, bearer, move |tx, me| {
        organisations::create(tx, &me.actor(), body.name.as_deref(), body.kind.as_deref())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organisations/{}", o.id)))
        .json(dto(&o)))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /organisations`: public, so a partner can find their organisation when registering.
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let all = read(&state, organisations::list).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: all.iter().map(dto).collect(),
    }))
}
