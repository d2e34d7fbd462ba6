//! The board: votes on the pre-advice, conflicts of interest, the tally, closing the vote.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{no_null, Auth, JsonBody};
use super::plans::{content_of, load_visible, perform, status_of, Step};
use super::users::utc;
use super::AppState;
use crate::db::models::{ConflictRow, PlanRow, RoundRow, VoteRow};
use crate::db::{self, repo, DbConn};
use crate::domain::budget::check_grant;
use crate::domain::conflict::{recusal, Member, PlanParties, Recusal};
use crate::domain::pre_advice::PreAdvice;
use crate::domain::state::{decide, Action, PlanRef, PlanStatus};
use crate::domain::tally::{outcome, tally, Outcome, Seat, Tally, VoteChoice};
use crate::domain::user::Role;
use crate::domain::visibility::applicant_sees_decision;
use crate::domain::{DomainError, Eur, FieldErrors};
use crate::error::AppError;

/// Who sits on the board for this plan, and who of them is recused and why.
pub struct Board {
    pub seats: Vec<Seat>,
    pub recusals: Vec<(String, Recusal)>,
    pub members: Vec<(crate::db::models::UserRow, Option<Recusal>)>,
}

pub fn board_for(c: &mut DbConn, plan: &PlanRow) -> Result<Board, AppError> {
    let content = content_of(plan)?;
    let parties = PlanParties {
        owner_id: &plan.owner_id,
        lead_partner_id: content
            .lead_partner
            .as_ref()
            .and_then(|p| p.organisation_id()),
        partner_ids: content
            .partners
            .iter()
            .filter_map(|p| p.organisation_id())
            .collect(),
        payee_id: content.payee_id.as_deref(),
    };
    let declared = repo::list_conflicts(c, &plan.id)?;
    let mut seats = Vec::new();
    let mut recusals = Vec::new();
    let mut members = Vec::new();
    for u in repo::board_members(c)? {
        let member = Member {
            user_id: &u.id,
            organisation_id: u.organisation_id.as_deref(),
        };
        let r = recusal(
            &member,
            &parties,
            declared.iter().any(|d| d.member_id == u.id),
        );
        if let Some(r) = r {
            recusals.push((u.id.clone(), r));
        }
        seats.push(Seat {
            user_id: u.id.clone(),
            recused: r.is_some(),
        });
        members.push((u, r));
    }
    Ok(Board {
        seats,
        recusals,
        members,
    })
}

fn count(c: &mut DbConn, plan: &PlanRow) -> Result<(Tally, Vec<VoteRow>, Board), AppError> {
    let board = board_for(c, plan)?;
    let votes = repo::list_votes(c, &plan.id)?;
    let cast: Vec<(String, VoteChoice)> = votes
        .iter()
        .filter_map(|v| VoteChoice::parse(&v.vote).map(|choice| (v.member_id.clone(), choice)))
        .collect();
    Ok((tally(&board.seats, &cast), votes, board))
}

#[derive(Serialize)]
struct VoteDto {
    member_id: String,
    vote: String,
    comment: String,
    cast_at: DateTime<Utc>,
    counted: bool,
}

#[derive(Serialize)]
struct RecusalDto {
    member_id: String,
    reason: Recusal,
}

#[derive(Serialize)]
struct TallyAnswer {
    #[serde(rename = "for")]
    for_: u32,
    against: u32,
    abstain: u32,
    cast: u32,
    eligible: u32,
    recused: u32,
    quorum_reached: bool,
    carried: bool,
    votes: Vec<VoteDto>,
    recusals: Vec<RecusalDto>,
}

fn tally_answer(t: Tally, votes: &[VoteRow], board: &Board, detailed: bool) -> TallyAnswer {
    TallyAnswer {
        for_: t.r#for,
        against: t.against,
        abstain: t.abstain,
        cast: t.cast,
        eligible: t.eligible,
        recused: t.recused,
        quorum_reached: t.quorum_reached,
        carried: t.carried,
        votes: if detailed {
            votes
                .iter()
                .map(|v| VoteDto {
                    member_id: v.member_id.clone(),
                    vote: v.vote.clone(),
                    comment: v.comment.clone(),
                    cast_at: utc(v.cast_at),
                    counted: board
                        .seats
                        .iter()
                        .any(|s| s.user_id == v.member_id && !s.recused),
                })
                .collect()
        } else {
            Vec::new()
        },
        recusals: if detailed {
            board
                .recusals
                .iter()
                .map(|(m, r)| RecusalDto {
                    member_id: m.clone(),
                    reason: *r,
                })
                .collect()
        } else {
            Vec::new()
        },
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

/// Most characters in a vote's comment or a conflict's reason.
const COMMENT_MAX: usize = 2000;

/// `POST /plans/{id}/votes` `{vote, comment}` (board): cast or change one's vote while the vote
/// is open; a recused member is refused with the reason. Answers the tally.
pub async fn vote(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<VoteBody>,
) -> Result<HttpResponse, AppError> {
    let mut e = FieldErrors::new();
    let choice = match body.vote.as_deref() {
        None => {
            e.add("vote", "is required: for, against or abstain");
            None
        }
        Some(v) => {
            let c = VoteChoice::parse(v);
            if c.is_none() {
                e.add(
                    "vote",
                    format!("unknown vote '{v}'; use for, against or abstain"),
                );
            }
            c
        }
    };
    let comment = body.comment.unwrap_or_default().trim().to_string();
    if comment.chars().count() > COMMENT_MAX {
        e.add(
            "comment",
            format!("must be at most {COMMENT_MAX} characters"),
        );
    }
    e.finish(())?;
    let choice = choice.ok_or_else(|| AppError::Internal("vote checked above".into()))?;
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let answer = web::block(move || {
        db.write(|c| {
            repo::lock_plan(c, &id)?;
            let (plan, _) = load_visible(c, &actor, &id)?;
            decide(
                PlanRef {
                    status: status_of(&plan)?,
                    owner_id: &plan.owner_id,
                },
                Action::Vote,
                &actor,
            )?;
            let board = board_for(c, &plan)?;
            if let Some((_, r)) = board.recusals.iter().find(|(m, _)| m == &actor.user_id) {
                return Err(DomainError::Recused {
                    reason: r.message().to_string(),
                }
                .into());
            }
            repo::save_vote(
                c,
                &VoteRow {
                    plan_id: plan.id.clone(),
                    member_id: actor.user_id.clone(),
                    vote: choice.as_str().to_string(),
                    comment: comment.clone(),
                    cast_at: db::now(),
                },
            )?;
            let (t, votes, board) = count(c, &plan)?;
            Ok(tally_answer(t, &votes, &board, true))
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(answer))
}

/// `GET /plans/{id}/votes`: the tally. Staff see every vote and recusal; the applicant sees
/// the counts once decisions are published.
pub async fn votes(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let answer = web::block(move || {
        db.read(|c| {
            let (plan, round) = load_visible(c, &actor, &id)?;
            let staff = actor.is_staff();
            if !staff && !applicant_sees_decision(status_of(&plan)?, round.adopted_on.is_some()) {
                return Err(AppError::Forbidden(
                    "the board's vote is shown once decisions are published".into(),
                ));
            }
            let (t, votes, board) = count(c, &plan)?;
            Ok(tally_answer(t, &votes, &board, staff))
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(answer))
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
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<ConflictBody>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::BoardMember)?;
    let reason = body.reason.unwrap_or_default().trim().to_string();
    if reason.chars().count() > COMMENT_MAX {
        return Err(AppError::field(
            "reason",
            format!("must be at most {COMMENT_MAX} characters"),
        ));
    }
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let row = web::block(move || {
        db.write(|c| {
            repo::lock_plan(c, &id)?;
            let (plan, _) = load_visible(c, &actor, &id)?;
            let status = status_of(&plan)?;
            if status.is_terminal() || status == PlanStatus::Approved {
                return Err(AppError::Conflict(
                    format!("the plan is {}: its vote is over", status.as_str()),
                    vec![],
                ));
            }
            if repo::list_conflicts(c, &plan.id)?
                .iter()
                .any(|d| d.member_id == actor.user_id)
            {
                return Err(AppError::Conflict(
                    "you declared a conflict for this plan already".into(),
                    vec![],
                ));
            }
            let row = ConflictRow {
                plan_id: plan.id.clone(),
                member_id: actor.user_id.clone(),
                reason,
                declared_at: db::now(),
            };
            repo::insert_conflict(c, &row)?;
            Ok(row)
        })
    })
    .await??;
    Ok(HttpResponse::Created().json(json!({
        "plan_id": row.plan_id,
        "member_id": row.member_id,
        "reason": row.reason,
        "declared_at": utc(row.declared_at),
    })))
}

/// Charges a grant to its budget line: locks the line, then checks the cap against what is
/// granted already, so two decisions racing for the last of a line cannot both succeed.
fn charge(c: &mut DbConn, plan: &PlanRow, round: &RoundRow, amount: Eur) -> Result<(), AppError> {
    let theme = plan
        .budget_line
        .clone()
        .ok_or_else(|| AppError::Conflict("the plan has no budget line".into(), vec![]))?;
    let budget = repo::lock_budget_line(c, &round.id, &theme)?.ok_or_else(|| {
        AppError::Conflict(format!("the round has no budget line {theme}"), vec![])
    })?;
    let granted = repo::granted_on_line(c, &round.id, &theme)?;
    check_grant(&theme, Eur(budget), Eur(granted), amount)?;
    Ok(())
}

/// `POST /plans/{id}/close-vote` (board chair): the tally decides. Carried on a positive or
/// conditional pre-advice: approved with the proposed amount, within the budget cap; carried
/// on a negative one: rejected; not carried: back to review. Without quorum: 409.
pub async fn close_vote(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    // `act` takes the plan's row lock first: no vote lands between the count and the decision.
    perform(&state, &auth, &req, id, Action::CloseVote, move |c, plan, round, _| {
                let advice: PreAdvice = plan
                    .pre_advice
                    .as_deref()
                    .and_then(|s| serde_json::from_str(s).ok())
                    .ok_or_else(|| AppError::Internal("a plan in a vote without a pre-advice".into()))?;
                let (t, _, _) = count(c, plan)?;
                let result = outcome(&t, advice.recommendation, advice.proposed_eur)?;
                let counts = format!("for {}, against {}, abstain {} of {} eligible", t.r#for, t.against, t.abstain, t.eligible);
                let decided = |outcome: &str, granted: Option<i64>| {
                    json!({
                        "outcome": outcome,
                        "decided_at": Utc::now(),
                        "granted_eur": granted,
                        "recommendation": advice.recommendation,
                        "motivation": advice.motivation,
                        "conditions": advice.conditions,
                        "tally": {"for": t.r#for, "against": t.against, "abstain": t.abstain, "cast": t.cast, "eligible": t.eligible, "recused": t.recused},
                    })
                    .to_string()
                };
                let to = match result {
                    Outcome::Approved { granted } => {
                        charge(c, plan, round, granted)?;
                        plan.granted_eur = Some(granted.0);
                        plan.decision = Some(decided("approved", Some(granted.0)));
                        PlanStatus::Approved
                    }
                    Outcome::Rejected => {
                        plan.granted_eur = None;
                        plan.decision = Some(decided("rejected", None));
                        PlanStatus::Rejected
                    }
                    Outcome::BackToReview => PlanStatus::InReview,
                };
                let reason = match result {
                    Outcome::BackToReview => format!("not carried ({counts}): back to review"),
                    _ => format!("carried ({counts})"),
                };
                Ok(Step { to, reason: Some(reason) })
    })
    .await
}
