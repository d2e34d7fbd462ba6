//! Reviewers assigned per plan: `GET` and `PUT /plans/{id}/assignees`.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::extract::{read_as, write_as, Bearer, JsonBody};
use super::problem::ApiError;
use crate::app::assignments::{self, Assignee, Request};
use crate::app::App;

#[derive(Serialize)]
struct AssigneeDto<'a> {
    user_id: &'a str,
    name: &'a str,
    due_on: Option<NaiveDate>,
}

/// The assignment as the API answers it: the ids (as they are put), the due date, and each
/// assignee with their name.
fn body(assignees: &[Assignee]) -> serde_json::Value {
    let items: Vec<AssigneeDto> = assignees
        .iter()
        .map(|a| AssigneeDto {
            user_id: &a.user_id,
            name: &a.name,
            due_on: a.due_on,
        })
        .collect();
    serde_json::json!({
        "user_ids": assignees.iter().map(|a| a.user_id.as_str()).collect::<Vec<_>>(),
        // One date for the plan's assignees: they are put together.
        "due_on": assignees.first().and_then(|a| a.due_on),
        "assignees": items,
    })
}

/// `GET /plans/{id}/assignees`: staff, and the plan's reviewers.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (found, _) = read_as(&state, bearer, move |c, me| {
        assignments::list(c, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body(&found)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssigneesBody {
    user_ids: Option<Vec<String>>,
    due_on: Option<String>,
}

/// `PUT /plans/{id}/assignees` `{user_ids, due_on}`: the programme team; 200 with the
/// assignment, the new assignees mailed.
pub async fn put(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(b): JsonBody<AssigneesBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let site = state.public_url.clone();
    let request = Request {
        user_ids: b.user_ids,
        due_on: b.due_on,
    };
    let (found, _) = write_as(&state, bearer, move |tx, me| {
        assignments::assign(tx, &me.actor(), &id, &request, &site)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body(&found)))
}
