//! The board over the API: votes on the pre-advice, conflicts of interest, the tally, closing.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{no_null, read_as, write_as, Bearer, JsonBody};
use super::plans::perform;
use super::problem::ApiError;
use crate::app::board::{self, TallyView};
use crate::app::App;
use crate::domain::conflict::Recusal;
use crate::domain::tally::VoteChoice;

#[derive(Serialize)]
struct VoteDto<'a> {
    member_id: &'a str,
    vote: VoteChoice,
    comment: &'a str,
    cast_at: DateTime<Utc>,
    counted: bool,
}

#[derive(Serialize)]
struct RecusalDto<'a> {
    member_id: &'a str,
    reason: Recusal,
}

#[derive(Serialize)]
struct TallyAnswer<'a> {
    #[serde(rename = "for")]
    for_: u32,
    against: u32,
    abstain: u32,
    cast: u32,
    eligible: u32,
    recused: u32,
    quorum_reached: bool,
    carried: bool,
    votes: Vec<VoteDto<'a>>,
    recusals: Vec<RecusalDto<'a>>,
}

fn tally_answer(v: &TallyView) -> TallyAnswer<'_> {
    let t = &v.tally;
    TallyAnswer {
        for_: t.r#for,
        against: t.against,
        abstain: t.abstain,
        cast: t.cast,
        eligible: t.eligible,
        recused: t.recused,
        quorum_reached: t.quorum_reached,
        carried: t.carried,
        votes: v
            .votes
            .iter()
            .map(|(vote, counted)| VoteDto {
                member_id: &vote.member_id,
                vote: vote.choice,
                comment: &vote.comment,
                cast_at: vote.cast_at,
                counted: *counted,
            })
            .collect(),
        recusals: v
            .recusals
            .iter()
            .map(|(member_id, reason)| RecusalDto {
                member_id,
                reason: *reason,
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    #[serde(default, deserialize_with = "no_null")]
    vote: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    comment: Option<String>,
}

/// `POST /plans/{id}/votes` `{vote, comment}` (board): cast or change one's vote while the vote
/// is open; a recused member is refused with the reason. Answers the tally.
pub async fn vote(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<VoteBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (tally, _) = write_as(&state, bearer, move |tx, me| {
        board::vote(
            tx,
            &me.actor(),
            &id,
            body.vote.as_deref(),
            body.comment.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(tally_answer(&tally)))
}

/// `GET /plans/{id}/votes`: the tally. Staff see every vote and recusal; the applicant sees
/// the counts once decisions are published.
pub async fn votes(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (tally, _) = read_as(&state, bearer, move |c, me| {
        board::votes(c, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(tally_answer(&tally)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictBody {
    #[serde(default, deserialize_with = "no_null")]
    reason: Option<String>,
}

/// `POST /plans/{id}/conflicts` `{reason}` (board): the caller declares a conflict of interest;
/// from then on they are recused from this plan (a vote they cast no longer counts).
pub async fn declare_conflict(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<ConflictBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (conflict, _) = write_as(&state, bearer, move |tx, me| {
        board::declare_conflict(tx, &me.actor(), &id, body.reason.as_deref())
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "plan_id": conflict.plan_id,
        "member_id": conflict.member_id,
        "reason": conflict.reason,
        "declared_at": conflict.declared_at,
    })))
}

/// `POST /plans/{id}/close-vote` (board chair): the tally decides. Carried on a positive or
/// conditional pre-advice: approved with the proposed amount, within the budget cap; carried
/// on a negative one: rejected; not carried: back to review. Without quorum: 409.
pub async fn close_vote(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        board::close_vote(tx, me, &id, expected)
    })
    .await
}
