//! Reservations of a theme's budget (programme team; the board reads them).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{read_as, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::reservations;
use crate::app::App;
use crate::domain::reservation::Reservation;
use crate::domain::Eur;

#[derive(Debug, Serialize)]
struct ReservationDto {
    id: String,
    round_id: String,
    theme: String,
    amount_eur: Eur,
    purpose: String,
    created_by: String,
    created_at: DateTime<Utc>,
    /// The plan it was turned into, for which it holds its money until the grant.
    plan_id: Option<String>,
}

fn dto(r: Reservation) -> ReservationDto {
    ReservationDto {
        id: r.id,
        round_id: r.round_id,
        theme: r.theme,
        amount_eur: r.amount,
        purpose: r.purpose,
        created_by: r.created_by,
        created_at: r.created_at,
        plan_id: r.plan_id,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationBody {
    theme: Option<String>,
    amount_eur: Option<i64>,
    purpose: Option<String>,
}

/// `POST /rounds/{id}/reservations` `{theme, amount_eur, purpose}`: 201; `409` with
/// `remaining_eur` when the theme has not that much left.
pub async fn create(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<ReservationBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (r, _) = write_as(&state, bearer, move |tx, me| {
        reservations::create(
            tx,
            &me.actor(),
            &id,
            body.theme.as_deref(),
            body.amount_eur,
            body.purpose.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/rounds/{}/reservations", r.round_id),
        ))
        .json(dto(r)))
}

/// `GET /rounds/{id}/reservations`: the reservations that stand.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (all, _) = read_as(&state, bearer, move |c, me| {
        reservations::list(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<ReservationDto> = all.into_iter().map(dto).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// `DELETE /reservations/{id}`: releases it (204); `409` when released already.
pub async fn release(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    write_as(&state, bearer, move |tx, me| {
        reservations::release(tx, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
