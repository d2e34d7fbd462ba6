//! Rounds: the call for plans with its catalog, period and open window.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{no_null, Auth, JsonBody};
use super::users::utc;
use super::AppState;
use crate::db::{self, models::RoundRow, repo};
use crate::domain::budget::check_budget_change;
use crate::domain::round::frozen_change;
use crate::domain::round::{
    parse_round, phase, Catalog, Criterion, CriterionInput, GoalInput, RoundInput, RoundPhase,
    RoundSpec, Theme, ThemeInput,
};
use crate::domain::user::Role;
use crate::domain::Eur;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct RoundDto {
    pub id: String,
    pub name: String,
    pub programme: String,
    pub start_year: i32,
    pub end_year: i32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub status: RoundPhase,
    pub themes: Vec<Theme>,
    pub criteria: Vec<Criterion>,
    pub conditions: Vec<String>,
    pub adopted_on: Option<NaiveDate>,
    pub adoption_reference: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The catalog stored with a round.
pub fn catalog_of(row: &RoundRow) -> Result<Catalog, AppError> {
    serde_json::from_str(&row.catalog)
        .map_err(|e| AppError::Internal(format!("round {} catalog: {e}", row.id)))
}

/// The validated round as the domain sees it.
pub fn spec_of(row: &RoundRow) -> Result<RoundSpec, AppError> {
    Ok(RoundSpec {
        name: row.name.clone(),
        programme: row.programme.clone(),
        start_year: row.start_year,
        end_year: row.end_year,
        opens_at: utc(row.opens_at),
        closes_at: utc(row.closes_at),
        catalog: catalog_of(row)?,
    })
}

pub fn dto(row: &RoundRow) -> Result<RoundDto, AppError> {
    let catalog = catalog_of(row)?;
    Ok(RoundDto {
        id: row.id.clone(),
        name: row.name.clone(),
        programme: row.programme.clone(),
        start_year: row.start_year,
        end_year: row.end_year,
        opens_at: utc(row.opens_at),
        closes_at: utc(row.closes_at),
        status: phase(
            utc(row.opens_at),
            utc(row.closes_at),
            row.adopted_on,
            Utc::now(),
        ),
        themes: catalog.themes,
        criteria: catalog.criteria,
        conditions: catalog.conditions,
        adopted_on: row.adopted_on,
        adoption_reference: row.adoption_reference.clone(),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RoundBody {
    #[serde(default, deserialize_with = "no_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    programme: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    start_year: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    end_year: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    opens_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "no_null")]
    closes_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "no_null")]
    themes: Option<Vec<ThemeBody>>,
    #[serde(default, deserialize_with = "no_null")]
    criteria: Option<Vec<CriterionBody>>,
    #[serde(default, deserialize_with = "no_null")]
    conditions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeBody {
    #[serde(default, deserialize_with = "no_null")]
    code: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    budget_eur: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    goals: Option<Vec<GoalBody>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalBody {
    #[serde(default, deserialize_with = "no_null")]
    code: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionBody {
    #[serde(default, deserialize_with = "no_null")]
    code: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    scale_max: Option<i64>,
}

impl RoundBody {
    /// Lays the fields present in this body over `base`.
    pub fn over(self, mut base: RoundInput) -> RoundInput {
        macro_rules! set {
            ($($f:ident),*) => { $( if self.$f.is_some() { base.$f = self.$f; } )* };
        }
        set!(name, programme, start_year, end_year, opens_at, closes_at, conditions);
        if let Some(themes) = self.themes {
            base.themes = Some(
                themes
                    .into_iter()
                    .map(|t| ThemeInput {
                        code: t.code,
                        name: t.name,
                        budget_eur: t.budget_eur,
                        goals: t.goals.map(|gs| {
                            gs.into_iter()
                                .map(|g| GoalInput {
                                    code: g.code,
                                    text: g.text,
                                })
                                .collect()
                        }),
                    })
                    .collect(),
            );
        }
        if let Some(criteria) = self.criteria {
            base.criteria = Some(
                criteria
                    .into_iter()
                    .map(|c| CriterionInput {
                        code: c.code,
                        name: c.name,
                        description: c.description,
                        scale_max: c.scale_max,
                    })
                    .collect(),
            );
        }
        base
    }
}

/// A new round row from a checked spec.
pub fn new_round(spec: &RoundSpec) -> Result<RoundRow, AppError> {
    let now = db::now();
    Ok(RoundRow {
        id: db::new_id(),
        name: spec.name.clone(),
        programme: spec.programme.clone(),
        start_year: spec.start_year,
        end_year: spec.end_year,
        opens_at: db::micros(spec.opens_at.naive_utc()),
        closes_at: db::micros(spec.closes_at.naive_utc()),
        catalog: serde_json::to_string(&spec.catalog)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        adopted_on: None,
        adoption_reference: None,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// Stores a new round with one budget line per theme.
pub fn insert_round(c: &mut db::DbConn, row: &RoundRow, spec: &RoundSpec) -> Result<(), AppError> {
    repo::insert_round(c, row)?;
    repo::sync_budget_lines(c, &row.id, &budget_lines(spec))
}

fn budget_lines(spec: &RoundSpec) -> Vec<(String, i64)> {
    spec.catalog
        .themes
        .iter()
        .map(|t| (t.code.clone(), t.budget_eur.0))
        .collect()
}

/// `POST /rounds` (programme team).
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody<RoundBody>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::ProgrammeTeam)?;
    let spec = parse_round(&body.over(RoundInput::default()))?;
    let row = new_round(&spec)?;
    let db = state.db.clone();
    let row = web::block(move || db.write(|c| insert_round(c, &row, &spec).map(|_| row))).await??;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rounds/{}", row.id)))
        .json(dto(&row)?))
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// `GET /rounds`: public, as a call for plans is.
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let db = state.db.clone();
    let rows = web::block(move || db.read(repo::list_rounds)).await??;
    let items = rows.iter().map(dto).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Items { items }))
}

/// `GET /rounds/{id}`: public.
pub async fn get(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let db = state.db.clone();
    let row = web::block(move || db.read(|c| repo::find_round(c, &id))).await??;
    let row = row.ok_or_else(|| AppError::not_found("round"))?;
    Ok(HttpResponse::Ok().json(dto(&row)?))
}

/// `PATCH /rounds/{id}` (programme team): any subset of the fields of `POST /rounds`; the
/// result is checked as a whole. An adopted round is final.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<RoundBody>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::ProgrammeTeam)?;
    let id = path.into_inner();
    let db = state.db.clone();
    let row = web::block(move || {
        db.write(|c| {
            let mut row = repo::find_round(c, &id)?.ok_or_else(|| AppError::not_found("round"))?;
            if row.adopted_on.is_some() {
                return Err(AppError::Conflict(
                    "the round has been adopted and can no longer change".into(),
                    vec![],
                ));
            }
            let old = spec_of(&row)?;
            let spec = parse_round(&body.over(old.to_input()))?;
            if repo::round_has_submissions(c, &row.id)? {
                if let Some(message) = frozen_change(&old.catalog, &spec.catalog) {
                    return Err(AppError::Conflict(message, vec![]));
                }
            }
            for theme in &spec.catalog.themes {
                let granted = repo::granted_on_line(c, &row.id, &theme.code)?;
                check_budget_change(&theme.code, theme.budget_eur, Eur(granted))?;
            }
            repo::sync_budget_lines(c, &row.id, &budget_lines(&spec))?;
            let fresh = new_round(&spec)?;
            row.name = fresh.name;
            row.programme = fresh.programme;
            row.start_year = fresh.start_year;
            row.end_year = fresh.end_year;
            row.opens_at = fresh.opens_at;
            row.closes_at = fresh.closes_at;
            row.catalog = fresh.catalog;
            row.version += 1;
            row.updated_at = db::now();
            if !repo::update_round(c, &row)? {
                return Err(AppError::Conflict(
                    "the round was changed meanwhile; reload and try again".into(),
                    vec![],
                ));
            }
            Ok(row)
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(dto(&row)?))
}
