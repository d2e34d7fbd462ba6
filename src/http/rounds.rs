//! Rounds: the call for plans with its catalog, period and open window.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{no_null, read, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::rounds;
use crate::app::App;
use crate::domain::round::{Criterion, Round, RoundInput, RoundPhase, Theme};

#[derive(Debug, Serialize)]
pub struct RoundDto {
    pub id: String,
    pub name: String,
    pub programme: String,
    pub start_year: i32,
    pub end_year: i32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub status: RoundPhase,
    pub themes: Vec<Theme>,
    pub criteria: Vec<Criterion>,
    pub conditions: Vec<String>,
    /// Who decides, on which legal basis, and where an objection goes ("" until set).
    pub authority: String,
    pub legal_basis: String,
    pub objection_address: String,
    /// The share of each grant paid in advance, a whole percentage.
    pub advance_share: i32,
    /// The prefix its references start with (`SVN`), its own or the programme's initials.
    pub reference_prefix: String,
    pub adopted_on: Option<NaiveDate>,
    pub adoption_reference: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn dto(r: &Round) -> RoundDto {
    RoundDto {
        id: r.id.clone(),
        name: r.spec.name.clone(),
        programme: r.spec.programme.clone(),
        start_year: r.spec.start_year,
        end_year: r.spec.end_year,
        opens_at: r.spec.opens_at,
        closes_at: r.spec.closes_at,
        status: r.phase(Utc::now()),
        themes: r.spec.catalog.themes.clone(),
        criteria: r.spec.catalog.criteria.clone(),
        conditions: r.spec.catalog.conditions.clone(),
        authority: r.spec.legal.authority.clone(),
        legal_basis: r.spec.legal.legal_basis.clone(),
        objection_address: r.spec.legal.objection_address.clone(),
        advance_share: r.spec.advance_share,
        reference_prefix: crate::domain::plan::reference::prefix(&r.spec),
        adopted_on: r.adopted_on,
        adoption_reference: r.adoption_reference.clone(),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CopyBody {
    #[serde(default, deserialize_with = "no_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    start_year: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    end_year: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    opens_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "no_null")]
    closes_at: Option<DateTime<Utc>>,
}

/// `POST /rounds/{id}/copy` (programme team): the next period's round, with every adopted
/// continuing action as a draft for its owner.
pub async fn copy(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<CopyBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let ((round, _), _) = write_as(&state, bearer, move |tx, me| {
        rounds::copy(
            tx,
            &me.actor(),
            &id,
            rounds::CopyInput {
                name: body.name,
                start_year: body.start_year,
                end_year: body.end_year,
                opens_at: body.opens_at,
                closes_at: body.closes_at,
            },
        )
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rounds/{}", round.id)))
        .json(dto(&round)))
}

/// `POST /rounds` (programme team).
pub async fn create(
    state: web::Data<App>,
    bearer: Bearer,
    JsonBody(body): JsonBody<RoundInput>,
) -> Result<HttpResponse, ApiError> {
    let (round, _) = write_as(&state, bearer, move |tx, me| {
        rounds::create(tx, &me.actor(), body)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rounds/{}", round.id)))
        .json(dto(&round)))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /rounds`: public, as a call for plans is.
pub async fn list(state: web::Data<App>) -> Result<HttpResponse, ApiError> {
    let all = read(&state, rounds::list).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: all.iter().map(dto).collect(),
    }))
}

/// `GET /rounds/{id}`: public.
pub async fn get(state: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let round = read(&state, move |c| rounds::get(c, &id)).await?;
    Ok(HttpResponse::Ok().json(dto(&round)))
}

/// `PATCH /rounds/{id}` (programme team): any subset of the fields of `POST /rounds`; the
/// result is checked as a whole. An adopted round is final.
pub async fn update(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<RoundInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (round, _) = write_as(&state, bearer, move |tx, me| {
        rounds::update(tx, &me.actor(), &id, body)
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(&round)))
}
