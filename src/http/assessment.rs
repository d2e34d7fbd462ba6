//! The programme team's work on a plan over the API: review, questions, evaluations,
//! pre-advice, votes opened and cancelled, merging, similar plans.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{read, read_as, write_as, Bearer, JsonBody};
use super::plans::perform;
use super::problem::ApiError;
use crate::app::accounts;
use crate::app::assessment;
use crate::app::App;
use crate::domain::evaluation::{Evaluation, Score, ScoreInput};
use crate::domain::pre_advice::PreAdviceInput;

/// `POST /plans/{id}/start-review` (programme team).
pub async fn start_review(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        assessment::start_review(tx, me, &id, expected)
    })
    .await
}

/// `POST /plans/{id}/revise-pre-advice` (programme team): back to review for a new pre-advice.
pub async fn revise_pre_advice(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        assessment::revise_pre_advice(tx, me, &id, expected)
    })
    .await
}

/// `POST /plans/{id}/cancel-vote` (programme team): the vote is called off, back to review.
pub async fn cancel_vote(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        assessment::cancel_vote(tx, me, &id, expected)
    })
    .await
}

/// `POST /plans/{id}/open-vote` (programme team, board chair): earlier votes are cleared.
pub async fn open_vote(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let site = state.public_url.clone();
    perform(&state, bearer, &req, move |tx, me, expected| {
        assessment::open_vote(tx, me, &id, &site, expected)
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionBody {
    message: Option<String>,
    /// `YYYY-MM-DD`; none: two weeks from today.
    answer_by: Option<String>,
}

/// `POST /plans/{id}/request-info` `{message}` (programme team): the question is kept on the
/// plan and shown to the applicant, who edits and resubmits.
pub async fn request_info(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<QuestionBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let site = state.public_url.clone();
    perform(&state, bearer, &req, move |tx, me, expected| {
        let question = assessment::Question {
            message: body.message.as_deref(),
            answer_by: body.answer_by.as_deref(),
        };
        assessment::request_info(tx, me, &id, question, &site, expected)
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationBody {
    scores: Option<Vec<ScoreInput>>,
}

#[derive(Debug, Serialize)]
pub struct EvaluationDto<'a> {
    reviewer_id: &'a str,
    scores: &'a [Score],
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn evaluation_dto(e: &Evaluation) -> EvaluationDto<'_> {
    EvaluationDto {
        reviewer_id: &e.reviewer_id,
        scores: &e.scores,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

/// `POST /plans/{id}/evaluations` (programme team): the caller's own evaluation; sending it
/// again replaces it, until the pre-advice is recorded.
pub async fn evaluate(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<EvaluationBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let ((evaluation, replaced), _) = write_as(&state, bearer, move |tx, me| {
        assessment::evaluate(tx, &me.actor(), &id, body.scores)
    })
    .await?;
    let mut answer = if replaced {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    Ok(answer.json(evaluation_dto(&evaluation)))
}

/// `GET /plans/{id}/evaluations`: staff see every evaluation side by side with the means and
/// the suggestions from the plan's data; the applicant sees the means once published.
pub async fn evaluations(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (e, _) = read_as(&state, bearer, move |c, me| {
        assessment::evaluations(c, &me.actor(), &id)
    })
    .await?;
    let evaluations: Vec<EvaluationDto> = e.evaluations.iter().map(evaluation_dto).collect();
    Ok(HttpResponse::Ok().json(json!({
        "evaluations": evaluations,
        "means": e.means,
        "suggestions": e.suggestions,
    })))
}

/// `POST /plans/{id}/pre-advice` (programme team): every criterion scored (defaulting to the
/// rounded means of the evaluations), a recommendation, a proposed amount, conditions.
pub async fn pre_advice(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<PreAdviceInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        assessment::record_pre_advice(tx, me, &id, &body, expected)
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    target_id: Option<String>,
    /// The combined plan's amount, when the team sets it.
    #[serde(default)]
    requested_eur: Option<i64>,
}

/// `POST /plans/{id}/merge-into` `{target_id}` (programme team): the plan joins another plan
/// of the same round that is still open to change.
pub async fn merge_into(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<MergeBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        assessment::merge_into(
            tx,
            me,
            &id,
            body.target_id.as_deref(),
            body.requested_eur,
            expected,
        )
    })
    .await
}

/// `GET /plans/{id}/similar` (programme team and board): plans of the same round that
/// overlap, with a score and the reasons.
pub async fn similar_plans(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let st = state.clone();
    let items = read(&state, move |c| {
        let me = accounts::authenticate(c, &bearer.0)?;
        assessment::similar(c, &st.similar, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}
