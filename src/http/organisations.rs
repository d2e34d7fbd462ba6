//! Organisations: partners, schools, the municipality… that plans refer to.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{read, read_as, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use super::users::nullable;
use super::users::{user_dto, UserDto};
use crate::app::organisations;
use crate::app::App;
use crate::domain::organisation::{Organisation, OrganisationChange};
use crate::domain::text::no_null;

#[derive(Debug, Serialize)]
pub struct OrganisationDto {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub created_at: DateTime<Utc>,
    /// Only in the answers to the admin and the team (the list is public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<Option<String>>,
}

fn dto(o: &Organisation) -> OrganisationDto {
    OrganisationDto {
        id: o.id.clone(),
        name: o.name.clone(),
        kind: o.kind.as_str(),
        created_at: o.created_at,
        contact_email: None,
    }
}

/// The organisation with its contact address, for the admin and the team.
fn staff_dto(o: &Organisation) -> OrganisationDto {
    OrganisationDto {
        contact_email: Some(o.contact_email.clone()),
        ..dto(o)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationBody {
    name: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    contact_email: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[serde(default, deserialize_with = "no_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    contact_email: Option<Option<String>>,
}

/// `PATCH /organisations/{id}` (admin and programme team): name, kind, contact address
/// (`null` clears it).
pub async fn patch(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<OrganisationPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let change = OrganisationChange {
        name: body.name,
        kind: body.kind,
        contact_email: body.contact_email,
    };
    let (o, _) = write_as(&state, bearer, move |tx, me| {
        organisations::change(tx, &me.actor(), &id, &change)
    })
    .await?;
    Ok(HttpResponse::Ok().json(staff_dto(&o)))
}

/// `GET /organisations/{id}` (admin and programme team): with its contact address.
pub async fn get(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (o, _) = read_as(&state, bearer, move |c, me| {
        organisations::get(c, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(staff_dto(&o)))
}

/// `POST /organisations` (admin and programme team).
pub async fn create(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<OrganisationBody>,
) -> Result<HttpResponse, ApiError> {
    let (o, _) = write_as(&state, bearer, move |tx, me| {
        organisations::create(
            tx,
            &me.actor(),
            body.name.as_deref(),
            body.kind.as_deref(),
            body.contact_email.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/organisations/{}", o.id)))
        .json(staff_dto(&o)))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /organisations`: public, so a partner can find their organisation when registering.
pub async fn list(state: web::Data<App>) -> Result<HttpResponse, ApiError> {
    let all = read(&state, organisations::list).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: all.iter().map(dto).collect(),
    }))
}

#[derive(Serialize)]
struct MemberDto {
    #[serde(flatten)]
    user: UserDto,
    organisation_confirmed: bool,
}

/// `GET /organisations/{id}/members` (admin and programme team): the accounts that claim or
/// hold membership, with whether it is confirmed.
pub async fn members(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (accounts, _) = read_as(&state, bearer, move |c, me| {
        organisations::members(c, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Items {
        items: accounts
            .iter()
            .map(|a| MemberDto {
                user: user_dto(a),
                organisation_confirmed: a.organisation_confirmed,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    user_id: Option<String>,
}

/// `POST /organisations/{id}/members` `{user_id}` (admin and programme team): confirms an
/// account's claim to belong to the organisation.
pub async fn confirm_member(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<MemberBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (account, _) = write_as(&state, bearer, move |tx, me| {
        organisations::confirm_member(tx, &me.actor(), &id, body.user_id.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(MemberDto {
        user: user_dto(&account),
        organisation_confirmed: account.organisation_confirmed,
    }))
}
