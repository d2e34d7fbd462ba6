//! The college's adoptions of a round: record one, list them, read one, correct one.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{no_null, read_as, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::adoptions::{self, AdoptionInput, AdoptionView};
use crate::app::App;

/// An adoption as the API shows it.
#[derive(Serialize)]
pub struct AdoptionDto<'a> {
    id: &'a str,
    round_id: &'a str,
    /// 1 for the round's adoption, 2 and on for supplementary ones.
    sequence: i32,
    adopted_on: NaiveDate,
    reference: &'a str,
    /// The plans it covers: their decisions are published by it.
    plans: &'a [String],
    deferred: &'a [String],
    letters_sent: bool,
    recorded_by: &'a str,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn dto(v: &AdoptionView) -> AdoptionDto<'_> {
    let a = &v.adoption;
    AdoptionDto {
        id: &a.id,
        round_id: &a.round_id,
        sequence: a.seq,
        adopted_on: a.adopted_on,
        reference: &a.reference,
        plans: &v.covered,
        deferred: &a.deferred,
        letters_sent: v.letters_sent,
        recorded_by: &a.recorded_by,
        version: a.version,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdoptionBody {
    adopted_on: Option<NaiveDate>,
    reference: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    deferred: Option<Vec<String>>,
}

/// `POST /rounds/{id}/adoption` `{adopted_on, reference, deferred?}` (programme team): the
/// college adopted the round, or (a supplementary adoption) the plans decided since. 201 with
/// the adoption, and which plans it adopted and which rejections it published; 409 listing
/// `plan_ids` while a plan is still being assessed and not deferred; 400 for a date in the
/// future.
pub async fn adopt(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<AdoptionBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let input = AdoptionInput {
        adopted_on: body.adopted_on,
        reference: body.reference,
        deferred: body.deferred.unwrap_or_default(),
    };
    let (a, _) = write_as(&state, bearer, move |tx, me| {
        adoptions::adopt(tx, &me.actor(), &id, input)
    })
    .await?;
    let mut answer = serde_json::to_value(dto(&a.view)).map_err(|e| {
        ApiError::App(crate::app::Error::Internal(format!(
            "an adoption did not serialise: {e}"
        )))
    })?;
    answer["adopted"] = json!(a.adopted);
    answer["rejected"] = json!(a.rejected);
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            header::LOCATION,
            format!(
                "/api/v1/rounds/{}/adoptions/{}",
                a.view.adoption.round_id, a.view.adoption.id
            ),
        ))
        .json(answer))
}

/// `GET /rounds/{id}/adoptions` (programme team, board): each adoption, the first first, with
/// its date, reference and the plans it covers.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (views, _) = read_as(&state, bearer, move |c, me| {
        adoptions::list(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<_> = views.iter().map(dto).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// `GET /rounds/{id}/adoptions/{adoption_id}` (programme team, board).
pub async fn get(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (round, adoption) = path.into_inner();
    let (view, _) = read_as(&state, bearer, move |c, me| {
        adoptions::get(c, &me.actor(), &round, &adoption)
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(&view)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    #[serde(default, deserialize_with = "no_null")]
    adopted_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "no_null")]
    reference: Option<String>,
}

/// `PATCH /rounds/{id}/adoptions/{adoption_id}` `{adopted_on?, reference?}` (programme team):
/// corrects the date or reference while none of its letters is sent (409 after).
pub async fn correct(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
    JsonBody(body): JsonBody<CorrectionBody>,
) -> Result<HttpResponse, ApiError> {
    let (round, adoption) = path.into_inner();
    let (view, _) = write_as(&state, bearer, move |tx, me| {
        adoptions::correct(
            tx,
            &me.actor(),
            &round,
            &adoption,
            body.adopted_on,
            body.reference.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(&view)))
}
