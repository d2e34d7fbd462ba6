//! The programme team's work on a plan: review, questions, evaluations, pre-advice, votes
//! opened and cancelled, merging; and the similar plans shown while reviewing.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{Auth, JsonBody};
use super::plans::{
    act, content_of, load_visible, owner_of, perform, required_text, status_of, Step,
};
use super::rounds::catalog_of;
use super::users::utc;
use super::AppState;
use crate::db::models::EvaluationRow;
use crate::db::{self, repo, DbConn};
use crate::domain::evaluation::{means, parse_evaluation, CriterionMean, Score, ScoreInput};
use crate::domain::plan::PartyRef;
use crate::domain::pre_advice::{
    parse_pre_advice, suggestions, PreAdvice, PreAdviceInput, Suggestion,
};
use crate::domain::similarity::{Doc, Index};
use crate::domain::state::{Action, PlanStatus};
use crate::domain::text::fold;
use crate::domain::user::Actor;
use crate::domain::visibility::applicant_sees_decision;
use crate::domain::Eur;
use crate::error::AppError;
use crate::mail::letters;
use crate::mail::outbox::enqueue;

/// A transition without a body of its own (start-review, revise-pre-advice, cancel-vote).
async fn simple(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: String,
    action: Action,
) -> Result<HttpResponse, AppError> {
    perform(&state, &auth, &req, id, action, |_, _, _, t| {
        Step::fixed(&t, None)
    })
    .await
}

/// `POST /plans/{id}/start-review` (programme team).
pub async fn start_review(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    simple(state, auth, req, path.into_inner(), Action::StartReview).await
}

/// `POST /plans/{id}/revise-pre-advice` (programme team): back to review for a new pre-advice.
pub async fn revise_pre_advice(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    simple(state, auth, req, path.into_inner(), Action::RevisePreAdvice).await
}

/// `POST /plans/{id}/cancel-vote` (programme team): the vote is called off, back to review.
pub async fn cancel_vote(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    simple(state, auth, req, path.into_inner(), Action::CancelVote).await
}

/// `POST /plans/{id}/open-vote` (programme team, board chair): earlier votes are cleared.
pub async fn open_vote(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::OpenVote,
        move |c, plan, _, t| {
            repo::clear_votes(c, &plan.id)?;
            let advice: PreAdvice = plan
                .pre_advice
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .ok_or_else(|| {
                    AppError::Internal("a pre-advised plan without a pre-advice".into())
                })?;
            // Only eligible members hear of it: a recused member gets no invitation.
            for (member, recusal) in super::board::board_for(c, plan)?.members {
                if recusal.is_none() {
                    let letter = letters::vote_opened(
                        &member.email,
                        &member.name,
                        &plan.title,
                        &plan.id,
                        advice.recommendation,
                        advice.proposed_eur,
                    );
                    enqueue(c, letter)?;
                }
            }
            Step::fixed(&t, None)
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    message: Option<String>,
}

/// `POST /plans/{id}/request-info` `{message}` (programme team): the question is kept on the
/// plan and shown to the applicant, who edits and resubmits.
pub async fn request_info(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<HttpResponse, AppError> {
    let message = required_text("message", body.message.as_deref())?;
    let id = path.into_inner();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::RequestInfo,
        move |c, plan, _, t| {
            plan.info_request =
                Some(json!({"message": message, "requested_at": Utc::now()}).to_string());
            let owner = owner_of(c, plan)?;
            enqueue(
                c,
                letters::question(&owner.email, &owner.name, &plan.title, &plan.id, &message),
            )?;
            Step::fixed(&t, Some(message))
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationBody {
    scores: Option<Vec<ScoreInput>>,
}

#[derive(Debug, Serialize)]
pub struct EvaluationDto {
    reviewer_id: String,
    scores: Vec<Score>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn evaluation_dto(row: &EvaluationRow) -> Result<EvaluationDto, AppError> {
    Ok(EvaluationDto {
        reviewer_id: row.reviewer_id.clone(),
        scores: serde_json::from_str(&row.scores).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// `POST /plans/{id}/evaluations` (programme team): the caller's own evaluation; sending it
/// again replaces it, until the pre-advice is recorded.
pub async fn evaluate(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<EvaluationBody>,
) -> Result<HttpResponse, AppError> {
    let scores_in = body
        .scores
        .ok_or_else(|| AppError::field("scores", "is required"))?;
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let (row, replaced) = web::block(move || {
        db.write(|c| {
            let mut outcome = None;
            // Through `act` so an evaluation and a pre-advice of the same plan never interleave.
            act(
                c,
                &actor,
                &id,
                Action::Evaluate,
                None,
                |c, plan, round, t| {
                    let scores = parse_evaluation(&scores_in, &catalog_of(round)?.criteria)?;
                    let now = db::now();
                    let existing = repo::find_evaluation(c, &plan.id, &actor.user_id)?;
                    let row = EvaluationRow {
                        plan_id: plan.id.clone(),
                        reviewer_id: actor.user_id.clone(),
                        scores: serde_json::to_string(&scores)
                            .map_err(|e| AppError::Internal(e.to_string()))?,
                        created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
                        updated_at: now,
                    };
                    repo::save_evaluation(c, &row, existing.is_some())?;
                    outcome = Some((row, existing.is_some()));
                    Step::fixed(&t, None)
                },
            )?;
            outcome.ok_or_else(|| AppError::Internal("evaluation not stored".into()))
        })
    })
    .await??;
    let status = if replaced {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    Ok(HttpResponse::build(status).json(evaluation_dto(&row)?))
}

/// Per-criterion means over the plan's stored evaluations.
fn plan_means(
    c: &mut DbConn,
    plan_id: &str,
    criteria: &[crate::domain::round::Criterion],
) -> Result<(Vec<EvaluationRow>, Vec<CriterionMean>), AppError> {
    let rows = repo::list_evaluations(c, plan_id)?;
    let mut all = Vec::with_capacity(rows.len());
    for r in &rows {
        all.push(
            serde_json::from_str::<Vec<Score>>(&r.scores)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        );
    }
    let m = means(&all, criteria);
    Ok((rows, m))
}

#[derive(Serialize)]
struct EvaluationsAnswer {
    evaluations: Vec<EvaluationDto>,
    means: Vec<CriterionMean>,
    suggestions: Vec<Suggestion>,
}

/// `GET /plans/{id}/evaluations`: staff see every evaluation side by side with the means and
/// the suggestions from the plan's data; the applicant sees the means once published.
pub async fn evaluations(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let (rows, means, suggestions, staff) = web::block(move || {
        db.read(|c| {
            let (plan, round) = load_visible(c, &actor, &id)?;
            let staff = actor.is_staff();
            if !staff && !applicant_sees_decision(status_of(&plan)?, round.adopted_on.is_some()) {
                return Err(AppError::Forbidden(
                    "the assessment is shown once decisions are published".into(),
                ));
            }
            let catalog = catalog_of(&round)?;
            let (rows, means) = plan_means(c, &plan.id, &catalog.criteria)?;
            let suggestions = suggestions(&content_of(&plan)?, &catalog);
            Ok((rows, means, suggestions, staff))
        })
    })
    .await??;
    let answer = if staff {
        EvaluationsAnswer {
            evaluations: rows.iter().map(evaluation_dto).collect::<Result<_, _>>()?,
            means,
            suggestions,
        }
    } else {
        EvaluationsAnswer {
            evaluations: Vec::new(),
            means,
            suggestions: Vec::new(),
        }
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// `POST /plans/{id}/pre-advice` (programme team): every criterion scored (defaulting to the
/// rounded means of the evaluations), a recommendation, a proposed amount, conditions.
pub async fn pre_advice(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<PreAdviceInput>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = auth.actor.clone();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::RecordPreAdvice,
        move |c, plan, round, t| {
            let catalog = catalog_of(round)?;
            let (_, means) = plan_means(c, &plan.id, &catalog.criteria)?;
            let requested = Eur(plan.requested_eur.unwrap_or_default());
            let advice = parse_pre_advice(&body, &catalog, requested, &means)?;
            plan.proposed_eur = Some(advice.proposed_eur.0);
            plan.total_score = Some(advice.total_score);
            let mut stored =
                serde_json::to_value(&advice).map_err(|e| AppError::Internal(e.to_string()))?;
            stored["recorded_by"] = json!(actor.user_id);
            stored["recorded_at"] = json!(Utc::now());
            plan.pre_advice = Some(stored.to_string());
            let reason = format!(
                "{}, proposed {}",
                advice.recommendation.as_str(),
                advice.proposed_eur.format_nl()
            );
            Step::fixed(&t, Some(reason))
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    target_id: Option<String>,
}

/// `POST /plans/{id}/merge-into` `{target_id}` (programme team): the plan joins another plan
/// of the same round that is still open to change.
pub async fn merge_into(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<MergeBody>,
) -> Result<HttpResponse, AppError> {
    let target_id = body
        .target_id
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::field("target_id", "is required"))?;
    let id = path.into_inner();
    let actor = auth.actor.clone();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::MergeInto,
        move |c, plan, _, t| {
            if target_id == plan.id {
                return Err(AppError::field(
                    "target_id",
                    "a plan cannot be merged into itself",
                ));
            }
            let target = match repo::find_plan(c, &target_id)? {
                Some(t) if super::plans::visible(&t, &actor)? => t,
                _ => {
                    return Err(AppError::field(
                        "target_id",
                        format!("unknown plan '{target_id}'"),
                    ))
                }
            };
            if target.round_id != plan.round_id {
                return Err(AppError::field(
                    "target_id",
                    "the target plan belongs to another round",
                ));
            }
            let target_status = status_of(&target)?;
            if target_status.is_terminal() {
                return Err(AppError::Conflict(
                    format!(
                        "the target plan is {} and can take nothing more",
                        target_status.as_str()
                    ),
                    vec![],
                ));
            }
            plan.merged_into = Some(target.id.clone());
            Step::fixed(
                &t,
                Some(format!("merged into '{}' ({})", target.title, target.id)),
            )
        },
    )
    .await
}

/// The parties of a plan, read without the rest of its content.
#[derive(Deserialize)]
struct Parties {
    #[serde(default)]
    lead_partner: Option<PartyRef>,
    #[serde(default)]
    partners: Vec<PartyRef>,
}

/// The partners of a plan as similarity keys them, named for the reasons.
fn partner_keys(content: &str, names: &HashMap<String, String>) -> Vec<(String, String)> {
    let Ok(parties) = serde_json::from_str::<Parties>(content) else {
        return Vec::new();
    };
    parties
        .lead_partner
        .iter()
        .chain(parties.partners.iter())
        .map(|p| match p {
            PartyRef::Registered { organisation_id } => (
                format!("id:{organisation_id}"),
                names
                    .get(organisation_id)
                    .cloned()
                    .unwrap_or_else(|| organisation_id.clone()),
            ),
            PartyRef::Named { name } => (
                format!("name:{}", fold(name.trim())),
                name.trim().to_string(),
            ),
        })
        .collect()
}

/// Each round's similarity index, kept while the round's change counter is unchanged
/// (weight: one per round).
pub type SimilarIndexes = super::cache::Counted<String, Arc<Index>>;
/// Rounds whose index is kept at most.
pub const SIMILAR_ROUNDS: usize = 64;

/// Builds the index over a round's comparable plans (withdrawn and merged ones are left out,
/// unless `keep` names one of them).
fn build_index(c: &mut DbConn, round_id: &str, keep: Option<&str>) -> Result<Index, AppError> {
    let names: HashMap<String, String> = repo::list_organisations(c)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut docs = Vec::new();
    for p in repo::round_plans(c, round_id)? {
        let status = status_of(&p)?;
        if Some(p.id.as_str()) != keep
            && matches!(status, PlanStatus::Withdrawn | PlanStatus::Merged)
        {
            continue;
        }
        docs.push(Doc {
            partners: partner_keys(&p.content, &names),
            goals: p
                .goals_index
                .split(',')
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect(),
            text: p.search_text,
            title: p.title,
            id: p.id,
        });
    }
    Ok(Index::build(docs))
}

/// `GET /plans/{id}/similar` (programme team and board): plans of the same round that
/// overlap, with a score and the reasons. The round's index is kept in memory and rebuilt
/// when any of its plans changes, so a question costs one indexed query and the comparison.
pub async fn similar_plans(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let st = state.clone();
    let items = web::block(move || {
        st.db.read(|c| {
            let (plan, _) = load_visible(c, &actor, &id)?;
            require_staff(&actor)?;
            let stamp = repo::plan_changes(c, Some(&plan.round_id))?;
            let index = match st.similar.get(&plan.round_id, stamp) {
                Some(index) => index,
                None => {
                    let index = Arc::new(build_index(c, &plan.round_id, None)?);
                    st.similar
                        .put(plan.round_id.clone(), stamp, index.clone(), 1);
                    index
                }
            };
            Ok(match index.position(&plan.id) {
                Some(i) => index.similar_to(i),
                // A withdrawn or merged plan is not in the shared index: compare it on its own.
                None => {
                    let index = build_index(c, &plan.round_id, Some(&plan.id))?;
                    index
                        .position(&plan.id)
                        .map(|i| index.similar_to(i))
                        .unwrap_or_default()
                }
            })
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// 403 unless the caller is on the programme team or the board.
pub fn require_staff(actor: &Actor) -> Result<(), AppError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "this is for the programme team and the board".into(),
        ))
    }
}
