//! `GET /rounds/{id}/plenary`: the round's plans shown to its applicants.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::extract::{read_as, Bearer};
use super::problem::ApiError;
use crate::app::{plenary, App};
use crate::domain::plenary::PlenaryPlan;

#[derive(Serialize)]
struct Coded<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct PlenaryDto<'a> {
    reference: Option<&'a str>,
    title: &'a str,
    summary: &'a str,
    lead_organisation: &'a str,
    goals: Vec<Coded<'a>>,
    theme: Option<Coded<'a>>,
}

impl<'a> From<&'a PlenaryPlan> for PlenaryDto<'a> {
    fn from(p: &'a PlenaryPlan) -> Self {
        PlenaryDto {
            reference: p.reference.as_deref(),
            title: &p.title,
            summary: &p.summary,
            lead_organisation: &p.lead,
            goals: p
                .goals
                .iter()
                .map(|(code, text)| Coded {
                    code,
                    text: Some(text),
                    name: None,
                })
                .collect(),
            theme: p.theme.as_ref().map(|(code, name)| Coded {
                code,
                text: None,
                name: Some(name),
            }),
        }
    }
}

/// `GET /rounds/{id}/plenary`: once the window closed, for applicants with a plan in it.
pub async fn plenary(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (p, _) = read_as(&state, bearer, move |c, me| {
        plenary::plenary(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<PlenaryDto> = p.plans.iter().map(PlenaryDto::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "round_id": p.round.id,
        "items": items,
    })))
}
