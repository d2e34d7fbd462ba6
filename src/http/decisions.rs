//! A round's money and decisions: budget per theme, ranking, the college's adoption.

use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::assessment::require_staff;
use super::extract::{Auth, JsonBody};
use super::plans::{act, owner_of, status_of, Step};
use super::rounds::catalog_of;
use super::AppState;
use crate::db::{self, repo};
use crate::domain::budget::{
    counts_as_granted, counts_as_proposed, counts_as_requested, rank, ranks, remaining, RankInput,
};
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::Role;
use crate::domain::{Eur, FieldErrors};
use crate::error::AppError;
use crate::mail::letters;
use crate::mail::outbox::enqueue;

#[derive(Serialize)]
struct BudgetItem {
    theme: String,
    name: String,
    budget_eur: i64,
    requested_eur: i64,
    proposed_eur: i64,
    granted_eur: i64,
    remaining_eur: i64,
}

/// `GET /rounds/{id}/budget` (programme team, board): per theme the budget, what standing plans
/// request, what standing pre-advice proposes, what is granted, and what remains.
pub async fn budget(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_staff(&auth.actor)?;
    let id = path.into_inner();
    let db = state.db.clone();
    let (round, plans) = web::block(move || {
        db.read(|c| {
            let round = repo::find_round(c, &id)?.ok_or_else(|| AppError::not_found("round"))?;
            let plans = repo::round_plans(c, &round.id)?;
            Ok((round, plans))
        })
    })
    .await??;
    let catalog = catalog_of(&round)?;
    let mut items = Vec::new();
    for theme in &catalog.themes {
        let (mut requested, mut proposed, mut granted) = (Eur::ZERO, Eur::ZERO, Eur::ZERO);
        for p in plans
            .iter()
            .filter(|p| p.budget_line.as_deref() == Some(theme.code.as_str()))
        {
            let s = status_of(p)?;
            if counts_as_requested(s) {
                requested = requested + Eur(p.requested_eur.unwrap_or_default());
            }
            if counts_as_proposed(s) {
                proposed = proposed + Eur(p.proposed_eur.unwrap_or_default());
            }
            if counts_as_granted(s) {
                granted = granted + Eur(p.granted_eur.unwrap_or_default());
            }
        }
        items.push(BudgetItem {
            theme: theme.code.clone(),
            name: theme.name.clone(),
            budget_eur: theme.budget_eur.0,
            requested_eur: requested.0,
            proposed_eur: proposed.0,
            granted_eur: granted.0,
            remaining_eur: remaining(theme.budget_eur, granted).0,
        });
    }
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Serialize)]
struct RankItem {
    plan_id: String,
    title: String,
    theme: String,
    status: PlanStatus,
    total_score: i32,
    proposed_eur: i64,
    running_total_eur: i64,
    budget_eur: i64,
    fits: bool,
}

/// `GET /rounds/{id}/ranking?theme=` (programme team, board): pre-advised and decided plans
/// per theme by total pre-advice score, with the running total against the theme's budget.
pub async fn ranking(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    require_staff(&auth.actor)?;
    let mut theme_filter = None;
    let mut e = FieldErrors::new();
    for (k, v) in query.into_inner() {
        match k.as_str() {
            "theme" if theme_filter.is_none() => theme_filter = Some(v),
            "theme" => e.add("theme", "is given more than once"),
            other => e.add(other, "unknown query parameter; use theme"),
        }
    }
    e.finish(())?;
    let id = path.into_inner();
    let db = state.db.clone();
    let (round, plans) = web::block(move || {
        db.read(|c| {
            let round = repo::find_round(c, &id)?.ok_or_else(|| AppError::not_found("round"))?;
            let plans = repo::round_plans(c, &round.id)?;
            Ok((round, plans))
        })
    })
    .await??;
    let catalog = catalog_of(&round)?;
    if let Some(t) = &theme_filter {
        if catalog.theme(t).is_none() {
            let codes: Vec<_> = catalog.themes.iter().map(|t| t.code.as_str()).collect();
            return Err(AppError::field(
                "theme",
                format!(
                    "unknown theme '{t}'; this round's themes are {}",
                    codes.join(", ")
                ),
            ));
        }
    }
    let mut items = Vec::new();
    for theme in catalog
        .themes
        .iter()
        .filter(|t| theme_filter.as_deref().is_none_or(|f| f == t.code))
    {
        let mut inputs = Vec::new();
        for p in plans
            .iter()
            .filter(|p| p.budget_line.as_deref() == Some(theme.code.as_str()))
        {
            let status = status_of(p)?;
            if ranks(status) {
                inputs.push(RankInput {
                    plan_id: p.id.clone(),
                    title: p.title.clone(),
                    status,
                    total_score: p.total_score.unwrap_or_default(),
                    proposed: Eur(p.proposed_eur.unwrap_or_default()),
                });
            }
        }
        for r in rank(inputs, theme.budget_eur) {
            items.push(RankItem {
                plan_id: r.input.plan_id,
                title: r.input.title,
                theme: theme.code.clone(),
                status: r.input.status,
                total_score: r.input.total_score,
                proposed_eur: r.input.proposed.0,
                running_total_eur: r.running_total.0,
                budget_eur: theme.budget_eur.0,
                fits: r.fits,
            });
        }
    }
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdoptionBody {
    adopted_on: Option<NaiveDate>,
    reference: Option<String>,
}

#[derive(Serialize)]
struct AdoptionAnswer {
    round_id: String,
    adopted_on: NaiveDate,
    reference: String,
    adopted: Vec<String>,
    rejected: Vec<String>,
}

/// `POST /rounds/{id}/adoption` `{adopted_on, reference}` (programme team): the college adopted
/// the plan. Once per round; in one transaction every approved plan becomes adopted and all
/// decisions of the round are published.
pub async fn adopt(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<AdoptionBody>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::ProgrammeTeam)?;
    let mut e = FieldErrors::new();
    if body.adopted_on.is_none() {
        e.add("adopted_on", "is required (YYYY-MM-DD)");
    }
    let reference = body.reference.unwrap_or_default().trim().to_string();
    if reference.is_empty() || reference.chars().count() > 200 {
        e.add(
            "reference",
            "must be 1..200 characters, e.g. the college decision's number",
        );
    }
    e.finish(())?;
    let adopted_on = body
        .adopted_on
        .ok_or_else(|| AppError::Internal("checked above".into()))?;
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let answer = web::block(move || {
        db.write(|c| {
            let mut round =
                repo::find_round(c, &id)?.ok_or_else(|| AppError::not_found("round"))?;
            if round.adopted_on.is_some() {
                return Err(AppError::Conflict(
                    "the round has been adopted already".into(),
                    vec![],
                ));
            }
            round.adopted_on = Some(adopted_on);
            round.adoption_reference = Some(reference.clone());
            round.version += 1;
            round.updated_at = db::now();
            if !repo::update_round(c, &round)? {
                return Err(AppError::Conflict(
                    "the round was changed meanwhile; try again".into(),
                    vec![],
                ));
            }
            let mut adopted = Vec::new();
            let mut rejected = Vec::new();
            let letter_of = letters::Adoption {
                adopted_on,
                reference: &reference,
                sent_on: Utc::now().date_naive(),
            };
            for p in repo::round_plans(c, &round.id)? {
                let status = status_of(&p)?;
                if !matches!(status, PlanStatus::Approved | PlanStatus::Rejected) {
                    continue;
                }
                let owner = owner_of(c, &p)?;
                let decision: serde_json::Value = p
                    .decision
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default();
                let text = |k: &str| decision[k].as_str().unwrap_or_default().to_string();
                if status == PlanStatus::Approved {
                    let reason = format!("adopted by the college on {adopted_on} ({reference})");
                    act(c, &actor, &p.id, Action::Adopt, None, |_, _, _, t| {
                        Step::fixed(&t, Some(reason))
                    })?;
                    let amount = Eur(p.granted_eur.unwrap_or_default());
                    let conditions = text("conditions");
                    enqueue(
                        c,
                        letters::granted(
                            &owner.email,
                            &owner.name,
                            &p.title,
                            &p.id,
                            amount,
                            &conditions,
                            &letter_of,
                        ),
                    )?;
                    adopted.push(p.id);
                } else {
                    let motivation = text("motivation");
                    enqueue(
                        c,
                        letters::rejected(
                            &owner.email,
                            &owner.name,
                            &p.title,
                            &p.id,
                            &motivation,
                            &letter_of,
                        ),
                    )?;
                    rejected.push(p.id);
                }
            }
            Ok(AdoptionAnswer {
                round_id: round.id,
                adopted_on,
                reference,
                adopted,
                rejected,
            })
        })
    })
    .await??;
    state.mail.wake();
    Ok(HttpResponse::Ok().json(answer))
}
