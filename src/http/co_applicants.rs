//! A plan's co-applicants: `GET`/`POST /plans/{id}/co-applicants`, and
//! `DELETE /plans/{id}/co-applicants/{user_id}`.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{read_as, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::co_applicants::{self, CoApplicant, Invitation};
use crate::app::App;

#[derive(Serialize)]
struct CoApplicantDto<'a> {
    user_id: &'a str,
    name: &'a str,
    email: &'a str,
    invited_at: DateTime<Utc>,
}

impl<'a> From<&'a CoApplicant> for CoApplicantDto<'a> {
    fn from(c: &'a CoApplicant) -> Self {
        CoApplicantDto {
            user_id: &c.user_id,
            name: &c.name,
            email: &c.email,
            invited_at: c.invited_at,
        }
    }
}

/// `GET /plans/{id}/co-applicants`: whoever may see the plan.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (found, _) = read_as(&state, bearer, move |c, me| {
        co_applicants::list(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<CoApplicantDto> = found.iter().map(CoApplicantDto::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    email: Option<String>,
    name: Option<String>,
}

/// `POST /plans/{id}/co-applicants` `{email, name}`: the owner invites; 201 with the
/// co-applicant, who is mailed.
pub async fn invite(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<InvitationBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let site = state.public_url.clone();
    let invitation = Invitation {
        email: body.email,
        name: body.name,
    };
    let (invited, _) = write_as(&state, bearer, move |tx, me| {
        co_applicants::invite(tx, &me.actor(), &id, &invitation, &site)
    })
    .await?;
    Ok(HttpResponse::Created().json(CoApplicantDto::from(&invited)))
}

/// `DELETE /plans/{id}/co-applicants/{user_id}`: the owner, or the co-applicant themselves.
pub async fn remove(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    write_as(&state, bearer, move |tx, me| {
        co_applicants::remove(tx, &me.actor(), &id, &user_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
