//! A round's money and decisions: budget per theme, ranking, the college's adoption.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{read_as, Bearer, Query};
use super::problem::ApiError;
use crate::app::rounds;
use crate::app::App;
use crate::domain::state::PlanStatus;
use crate::domain::Eur;

#[derive(Serialize)]
struct BudgetItem {
    theme: String,
    name: String,
    budget_eur: Eur,
    requested_eur: Eur,
    proposed_eur: Eur,
    granted_eur: Eur,
    reserved_eur: Eur,
    remaining_eur: Eur,
}

/// `GET /rounds/{id}/budget` (programme team, board): per theme the budget, what standing plans
/// request, what standing pre-advice proposes, what is granted, and what remains.
pub async fn budget(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (lines, _) = read_as(&state, bearer, move |c, me| {
        rounds::budget(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<BudgetItem> = lines
        .into_iter()
        .map(|l| BudgetItem {
            theme: l.theme,
            name: l.name,
            budget_eur: l.budget,
            requested_eur: l.requested,
            proposed_eur: l.proposed,
            granted_eur: l.granted,
            reserved_eur: l.reserved,
            remaining_eur: l.remaining,
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Serialize)]
struct RankItem {
    plan_id: String,
    title: String,
    theme: String,
    status: PlanStatus,
    total_score: i32,
    proposed_eur: Eur,
    running_total_eur: Eur,
    budget_eur: Eur,
    reserved_eur: Eur,
    fits: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingQuery {
    theme: Option<String>,
}

/// `GET /rounds/{id}/ranking?theme=` (programme team, board): pre-advised and decided plans
/// per theme by total pre-advice score, with the running total against the theme's budget.
pub async fn ranking(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    query: Query<RankingQuery>,
) -> Result<HttpResponse, ApiError> {
    let theme = query.checked(Vec::new())?.theme;
    let id = path.into_inner();
    let (ranked, _) = read_as(&state, bearer, move |c, me| {
        rounds::ranking(c, &me.actor(), &id, theme.as_deref())
    })
    .await?;
    let items: Vec<RankItem> = ranked
        .into_iter()
        .map(|r| RankItem {
            plan_id: r.plan_id,
            title: r.title,
            theme: r.theme,
            status: r.status,
            total_score: r.total_score,
            proposed_eur: r.proposed,
            running_total_eur: r.running_total,
            budget_eur: r.budget,
            reserved_eur: r.reserved,
            fits: r.fits,
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}
