//! The conversation about a plan: `GET` and `POST /plans/{id}/messages`.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{read_as, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::conversation::Message;
use crate::app::{conversation, App};

#[derive(Serialize)]
struct MessageDto<'a> {
    id: &'a str,
    body: &'a str,
    /// `applicant` or `programme_team`.
    author_role: &'static str,
    author_name: &'a str,
    created_at: DateTime<Utc>,
    /// The plan's attachments sent with the message (none yet: attachments are added to the
    /// plan itself).
    attachments: [(); 0],
}

impl<'a> From<&'a Message> for MessageDto<'a> {
    fn from(m: &'a Message) -> Self {
        MessageDto {
            id: &m.id,
            body: &m.body,
            author_role: m.side.as_str(),
            author_name: &m.author_name,
            created_at: m.created_at,
            attachments: [],
        }
    }
}

/// `GET /plans/{id}/messages`: the plan's applicants and the programme team.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (messages, _) = read_as(&state, bearer, move |c, me| {
        conversation::list(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<MessageDto> = messages.iter().map(MessageDto::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    body: Option<String>,
}

/// `POST /plans/{id}/messages` `{body}`: 201 with the message; the other side is mailed.
pub async fn post(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let site = state.public_url.clone();
    let (message, _) = write_as(&state, bearer, move |tx, me| {
        conversation::post(tx, &me.actor(), &id, body.body.as_deref(), &site)
    })
    .await?;
    Ok(HttpResponse::Created().json(MessageDto::from(&message)))
}
