//! Plans: filing, editing, submitting, withdrawing, reading, listing; and the one way every
//! transition is applied (load, decide in the domain, store guarded by the version, record).

use std::collections::{HashMap, HashSet};

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use validator::Validate;

use super::cache::Counted;
use super::extract::{Auth, Bearer, JsonBody};
use super::rounds::{catalog_of, spec_of};
use super::users::utc;
use super::AppState;
use crate::db::models::{PlanEventRow, PlanRow, PlanVersionRow, RoundRow};
use crate::db::{self, repo, DbConn};
use crate::domain::plan::{
    budget_line, check_content, parse_submission, OtherFunding, PartyRef, PlanContent,
    SubmissionKind,
};
use crate::domain::round::{phase, RoundPhase};
use crate::domain::state::{
    allowed_actions, decide, Action, PlanRef, PlanStatus, Target, Transition,
};
use crate::domain::text::fold;
use crate::domain::user::{Actor, ApplicantKind, Role};
use crate::domain::visibility::{applicant_sees_decision, applicant_status, may_see};
use crate::domain::{FieldError, FieldErrors};
use crate::error::AppError;
use crate::mail::letters;
use crate::mail::outbox::enqueue;

/// A plan as the API shows it to one caller.
#[derive(Debug, Serialize)]
pub struct PlanDto {
    pub id: String,
    pub round_id: String,
    pub owner_id: String,
    pub title: String,
    pub description: String,
    pub goals: Vec<String>,
    pub budget_line: Option<String>,
    pub applicant_kind: String,
    pub lead_partner: Option<PartyRef>,
    pub partners: Vec<PartyRef>,
    pub payee_id: Option<String>,
    pub continuing: bool,
    pub requested_eur: Option<i64>,
    pub other_funding: Vec<OtherFunding>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub expected_reach: Option<i64>,
    pub resident_involvement: String,
    pub gap_in_offer: String,
    pub status: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub allowed_actions: Vec<Action>,
    /// The programme team's last question to the applicant: `{message, requested_at}`.
    pub info_request: Option<Value>,
    /// Staff always; the applicant once decisions are published.
    pub pre_advice: Option<Value>,
    pub granted_eur: Option<i64>,
    pub decision: Option<Value>,
    pub merged_into: Option<String>,
    /// Plans merged into this one.
    pub merged_from: Vec<String>,
}

/// A plan with what its view needs besides the row.
pub struct Loaded {
    pub plan: PlanRow,
    /// Whether its round's decisions are published (the round is adopted).
    pub published: bool,
    pub merged_from: Vec<String>,
}

/// Completes a plan for its answer (one more query: the plans merged into it).
pub fn loaded(c: &mut DbConn, plan: PlanRow, round: RoundRow) -> Result<Loaded, AppError> {
    let merged_from = repo::merged_into(c, &plan.id)?;
    Ok(Loaded {
        plan,
        published: published(&round),
        merged_from,
    })
}

fn json_column(raw: &Option<String>) -> Option<Value> {
    raw.as_deref().and_then(|s| serde_json::from_str(s).ok())
}

pub fn status_of(row: &PlanRow) -> Result<PlanStatus, AppError> {
    PlanStatus::parse(&row.status)
        .ok_or_else(|| AppError::Internal(format!("plan {} has status {}", row.id, row.status)))
}

pub fn content_of(row: &PlanRow) -> Result<PlanContent, AppError> {
    serde_json::from_str(&row.content)
        .map_err(|e| AppError::Internal(format!("plan {} content: {e}", row.id)))
}

/// The account that filed the plan (letters go to it).
pub fn owner_of(c: &mut DbConn, plan: &PlanRow) -> Result<crate::db::models::UserRow, AppError> {
    repo::find_user(c, &plan.owner_id)?
        .ok_or_else(|| AppError::Internal("plan without owner".into()))
}

/// Whether the caller sees the plan at all (others' plans and others' drafts answer 404).
pub fn visible(row: &PlanRow, actor: &Actor) -> Result<bool, AppError> {
    Ok(may_see(
        status_of(row)?,
        row.owner_id == actor.user_id,
        actor.is_staff(),
    ))
}

/// Whether decisions of this round are published (the college adopted it).
pub fn published(round: &RoundRow) -> bool {
    round.adopted_on.is_some()
}

/// The status this caller sees: applicants see `in_assessment` until publication.
pub fn shown_status(status: PlanStatus, published: bool, actor: &Actor) -> String {
    if actor.is_staff() {
        status.as_str().to_string()
    } else {
        applicant_status(status, published).as_str().to_string()
    }
}

pub fn plan_dto(
    row: &PlanRow,
    published: bool,
    merged_from: &[String],
    actor: &Actor,
) -> Result<PlanDto, AppError> {
    let c = content_of(row)?;
    let status = status_of(row)?;
    let reveal = actor.is_staff() || applicant_sees_decision(status, published);
    Ok(PlanDto {
        id: row.id.clone(),
        round_id: row.round_id.clone(),
        owner_id: row.owner_id.clone(),
        title: c.title,
        description: c.description,
        goals: c.goals,
        budget_line: row.budget_line.clone(),
        applicant_kind: row.applicant_kind.clone(),
        lead_partner: c.lead_partner,
        partners: c.partners,
        payee_id: c.payee_id,
        continuing: c.continuing,
        requested_eur: c.requested_eur,
        other_funding: c.other_funding,
        start_year: c.start_year,
        end_year: c.end_year,
        expected_reach: c.expected_reach,
        resident_involvement: c.resident_involvement,
        gap_in_offer: c.gap_in_offer,
        status: shown_status(status, published, actor),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        submitted_at: row.submitted_at.map(utc),
        allowed_actions: allowed_actions(
            PlanRef {
                status,
                owner_id: &row.owner_id,
            },
            actor,
        ),
        info_request: json_column(&row.info_request),
        pre_advice: if reveal {
            json_column(&row.pre_advice)
        } else {
            None
        },
        granted_eur: if reveal { row.granted_eur } else { None },
        decision: if reveal {
            json_column(&row.decision)
        } else {
            None
        },
        merged_into: row.merged_into.clone(),
        merged_from: merged_from.to_vec(),
    })
}

fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The answer for one plan: 200 (or `status`) with the plan and its `ETag`.
pub fn plan_answer(
    status: actix_web::http::StatusCode,
    l: &Loaded,
    actor: &Actor,
) -> Result<HttpResponse, AppError> {
    let dto = plan_dto(&l.plan, l.published, &l.merged_from, actor)?;
    Ok(HttpResponse::build(status)
        .insert_header((header::ETAG, etag(l.plan.version)))
        .json(dto))
}

/// The `If-Match` of a request, if it sent one.
#[derive(Debug, Clone)]
pub enum IfMatch {
    Any,
    Versions(Vec<String>),
}

pub fn if_match(req: &HttpRequest) -> Option<IfMatch> {
    let raw = req
        .headers()
        .get(header::IF_MATCH)?
        .to_str()
        .unwrap_or("")
        .trim()
        .to_string();
    if raw == "*" {
        return Some(IfMatch::Any);
    }
    Some(IfMatch::Versions(
        raw.split(',')
            .map(|t| {
                t.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .to_string()
            })
            .collect(),
    ))
}

fn check_if_match(row: &PlanRow, cond: Option<&IfMatch>) -> Result<(), AppError> {
    match cond {
        Some(IfMatch::Versions(v)) if !v.contains(&row.version.to_string()) => {
            Err(AppError::PreconditionFailed(format!(
                "the plan has changed: it is at version {}; reload it and try again",
                row.version
            )))
        }
        _ => Ok(()),
    }
}

/// Loads a plan the caller may see, with its round; 404 otherwise.
pub fn load_visible(
    c: &mut DbConn,
    actor: &Actor,
    plan_id: &str,
) -> Result<(PlanRow, RoundRow), AppError> {
    let (plan, round) =
        repo::find_plan_with_round(c, plan_id)?.ok_or_else(|| AppError::not_found("plan"))?;
    if !visible(&plan, actor)? {
        return Err(AppError::not_found("plan"));
    }
    Ok((plan, round))
}

/// What a transition did, as the closure passed to `act` decides it.
pub struct Step {
    pub to: PlanStatus,
    pub reason: Option<String>,
}

impl Step {
    /// The table's fixed target for `t`, with the reason kept on the event.
    pub fn fixed(t: &Transition, reason: Option<String>) -> Result<Step, AppError> {
        Ok(Step {
            to: fixed_target(t)?,
            reason,
        })
    }
}

/// Applies one action to a plan inside the caller's transaction: load what the caller may
/// see, check `If-Match`, let the domain decide, let `apply` make the action's own changes,
/// then store guarded by the version (a concurrent change makes this fail with 409) and
/// record the event.
pub fn act<F>(
    c: &mut DbConn,
    actor: &Actor,
    plan_id: &str,
    action: Action,
    cond: Option<&IfMatch>,
    apply: F,
) -> Result<Loaded, AppError>
where
    F: FnOnce(&mut DbConn, &mut PlanRow, &RoundRow, Transition) -> Result<Step, AppError>,
{
    // The row lock first (PostgreSQL): concurrent actions on this plan, votes included, wait
    // here rather than interleave; SQLite serialises writes already.
    repo::lock_plan(c, plan_id)?;
    let (mut plan, round) = load_visible(c, actor, plan_id)?;
    let status = status_of(&plan)?;
    let transition = decide(
        PlanRef {
            status,
            owner_id: &plan.owner_id,
        },
        action,
        actor,
    )?;
    let read_version = plan.version;
    let step = apply(c, &mut plan, &round, transition)?;
    // Preconditions come after the request's own checks (RFC 9110, 13.2.1): a bad body is
    // 400 whatever the If-Match; the transaction rolls back what `apply` did.
    if let Some(cond) = cond {
        let mut as_read = plan.clone();
        as_read.version = read_version;
        check_if_match(&as_read, Some(cond))?;
    }
    let now = db::now();
    plan.status = step.to.as_str().to_string();
    plan.version = read_version + 1;
    plan.updated_at = now;
    if !repo::update_plan_guarded(c, &plan, read_version)? {
        return Err(AppError::Conflict(
            "the plan was changed by someone else meanwhile; reload it and try again".into(),
            vec![],
        ));
    }
    if step.to != transition.from || matches!(transition.to, Target::ByTally) {
        repo::insert_event(
            c,
            &PlanEventRow {
                id: db::new_id(),
                plan_id: plan.id.clone(),
                actor_id: actor.user_id.clone(),
                action: action.as_str().to_string(),
                from_status: Some(transition.from.as_str().to_string()),
                to_status: step.to.as_str().to_string(),
                at: now,
                reason: step.reason,
            },
        )?;
    }
    loaded(c, plan, round)
}

/// Runs one action on a plan in a transaction of its own (see `act`) and answers the plan as
/// it now is. Wakes the mail worker, since most actions write a letter.
pub async fn perform<F>(
    state: &web::Data<AppState>,
    auth: &Auth,
    req: &HttpRequest,
    id: String,
    action: Action,
    apply: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConn, &mut PlanRow, &RoundRow, Transition) -> Result<Step, AppError>
        + Send
        + 'static,
{
    let cond = if_match(req);
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let l = web::block(move || db.write(|c| act(c, &actor, &id, action, cond.as_ref(), apply)))
        .await??;
    state.mail.wake();
    plan_answer(actix_web::http::StatusCode::OK, &l, &auth.actor)
}

/// The target state of a transition with a fixed target.
fn fixed_target(t: &Transition) -> Result<PlanStatus, AppError> {
    match t.to {
        Target::State(s) => Ok(s),
        _ => Err(AppError::Internal(format!(
            "{} has no fixed target",
            t.action.as_str()
        ))),
    }
}

// ---- content --------------------------------------------------------------------------------

/// Reads plan content from a JSON object, naming the field that does not fit.
fn content_from(object: Map<String, Value>) -> Result<PlanContent, AppError> {
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|err| {
        let path = err.path().to_string();
        AppError::Invalid(vec![FieldError::new(
            if path == "." {
                "body".to_string()
            } else {
                path
            },
            err.into_inner().to_string(),
        )])
    })
}

fn as_object(v: Value) -> Result<Map<String, Value>, AppError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(AppError::field("body", "must be a JSON object")),
    }
}

/// RFC 7396 merge of a patch into stored content: a member set to null is removed (and so
/// takes its default), any other member replaces the stored one.
fn merge(stored: &PlanContent, patch: Map<String, Value>) -> Result<PlanContent, AppError> {
    let mut base = match serde_json::to_value(stored) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for (k, v) in patch {
        if v.is_null() {
            base.remove(&k);
        } else {
            base.insert(k, v);
        }
    }
    content_from(base)
}

fn known_organisations(c: &mut DbConn, content: &PlanContent) -> Result<HashSet<String>, AppError> {
    repo::existing_organisations(c, &content.organisation_ids())
}

/// Sets the row's content and the columns derived from it.
fn store_content(
    row: &mut PlanRow,
    content: &PlanContent,
    round: &RoundRow,
) -> Result<(), AppError> {
    let catalog = catalog_of(round)?;
    let mut content = content.clone();
    content.title = content.title.trim().to_string();
    row.title = content.title.clone();
    row.budget_line = budget_line(&content, &catalog);
    row.goals_index = format!(",{},", content.goals.join(","));
    row.search_text = fold(&format!("{}\n{}", content.title, content.description));
    row.requested_eur = content.requested_eur;
    row.content = serde_json::to_string(&content).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(())
}

fn check(c: &mut DbConn, content: &PlanContent, round: &RoundRow) -> Result<(), AppError> {
    let known = known_organisations(c, content)?;
    let errors = check_content(content, &catalog_of(round)?, &known);
    errors.finish(()).map_err(AppError::from)
}

// ---- handlers -------------------------------------------------------------------------------

/// `POST /rounds/{id}/plans`: an applicant starts a draft.
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Applicant)?;
    let kind = auth
        .user
        .kind
        .as_deref()
        .and_then(ApplicantKind::parse)
        .ok_or_else(|| {
            AppError::Conflict(
                "your account has no applicant kind (resident or partner); ask an admin".into(),
                vec![],
            )
        })?;
    let content = content_from(as_object(body)?)?;
    let round_id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let (row, round) = web::block(move || {
        db.write(|c| {
            let round =
                repo::find_round(c, &round_id)?.ok_or_else(|| AppError::not_found("round"))?;
            match phase(
                utc(round.opens_at),
                utc(round.closes_at),
                round.adopted_on,
                Utc::now(),
            ) {
                RoundPhase::Closed | RoundPhase::Adopted => {
                    return Err(AppError::Conflict(
                        "the round is closed: no new plans can be filed in it".into(),
                        vec![],
                    ))
                }
                RoundPhase::Upcoming | RoundPhase::Open => {}
            }
            check(c, &content, &round)?;
            let now = db::now();
            let mut row = PlanRow {
                id: db::new_id(),
                round_id: round.id.clone(),
                owner_id: actor.user_id.clone(),
                applicant_kind: kind.as_str().to_string(),
                status: PlanStatus::Draft.as_str().to_string(),
                version: 1,
                title: String::new(),
                budget_line: None,
                goals_index: String::new(),
                search_text: String::new(),
                requested_eur: None,
                content: String::new(),
                created_at: now,
                updated_at: now,
                submitted_at: None,
                pre_advice: None,
                proposed_eur: None,
                total_score: None,
                granted_eur: None,
                decision: None,
                merged_into: None,
                info_request: None,
            };
            store_content(&mut row, &content, &round)?;
            repo::insert_plan(c, &row)?;
            Ok((row, round))
        })
    })
    .await??;
    let id = row.id.clone();
    let l = Loaded {
        plan: row,
        published: published(&round),
        merged_from: Vec::new(),
    };
    let mut answer = plan_answer(actix_web::http::StatusCode::CREATED, &l, &auth.actor)?;
    answer.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&format!("/api/v1/plans/{id}"))
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(answer)
}

/// `GET /plans/{id}`.
pub async fn get(
    state: web::Data<AppState>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let db = state.db.clone();
    // The account and the plan are read in one database session.
    let (actor, l) = web::block(move || {
        db.read(|c| {
            // The hot path: one query. Of the round only its adoption matters here.
            let (account, found) = match repo::account_and_plan(c, &bearer.0, &id)? {
                Some((account, found)) => (Some(account), found),
                None => (None, None),
            };
            let auth = Auth::of(account)?;
            let found = found.ok_or_else(|| AppError::not_found("plan"))?;
            if !visible(&found.plan, &auth.actor)? {
                return Err(AppError::not_found("plan"));
            }
            Ok((
                auth.actor,
                Loaded {
                    plan: found.plan,
                    published: found.adopted_on.is_some(),
                    merged_from: found.merged_from,
                },
            ))
        })
    })
    .await??;
    plan_answer(actix_web::http::StatusCode::OK, &l, &actor)
}

/// `PATCH /plans/{id}`: the owner edits a draft or a plan that needs information. The body
/// is a JSON merge patch of the plan's content; `If-Match` is honoured.
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<HttpResponse, AppError> {
    let patch = as_object(body)?;
    let id = path.into_inner();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::Edit,
        move |c, plan, round, t| {
            let content = merge(&content_of(plan)?, patch)?;
            check(c, &content, round)?;
            store_content(plan, &content, round)?;
            Step::fixed(&t, None)
        },
    )
    .await
}

/// `DELETE /plans/{id}`: the owner deletes a draft (204); `If-Match` is honoured.
pub async fn delete(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let cond = if_match(&req);
    let actor = auth.actor.clone();
    let db = state.db.clone();
    web::block(move || {
        db.write(|c| {
            let (plan, _) = load_visible(c, &actor, &id)?;
            check_if_match(&plan, cond.as_ref())?;
            decide(
                PlanRef {
                    status: status_of(&plan)?,
                    owner_id: &plan.owner_id,
                },
                Action::Delete,
                &actor,
            )?;
            if !repo::delete_plan_guarded(c, &plan.id, &plan.round_id, plan.version)? {
                return Err(AppError::Conflict(
                    "the plan was changed meanwhile; reload it and try again".into(),
                    vec![],
                ));
            }
            Ok(())
        })
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /plans/{id}/submit`: every submission rule, every error at once; outside the round's
/// open period 409. A new version of the plan is kept on every submission.
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let kind = auth.user.kind.clone();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::Submit,
        move |c, plan, round, t| {
            let content = content_of(plan)?;
            let kind = ApplicantKind::parse(&plan.applicant_kind)
                .or_else(|| kind.as_deref().and_then(ApplicantKind::parse))
                .unwrap_or(ApplicantKind::Resident);
            let known = known_organisations(c, &content)?;
            let first = if t.from == PlanStatus::Draft {
                SubmissionKind::First
            } else {
                SubmissionKind::Resubmission
            };
            let submission =
                parse_submission(&content, kind, &spec_of(round)?, &known, Utc::now(), first)?;
            store_content(plan, &submission.content, round)?;
            let owner = owner_of(c, plan)?;
            enqueue(
                c,
                letters::receipt(
                    &owner.email,
                    &owner.name,
                    &plan.title,
                    &plan.id,
                    &round.name,
                    Utc::now().date_naive(),
                ),
            )?;
            let now = db::now();
            plan.submitted_at = Some(now);
            let number = repo::count_versions(c, &plan.id)? + 1;
            let mut snapshot = serde_json::to_value(&submission.content)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            snapshot["budget_line"] = Value::String(submission.budget_line.clone());
            snapshot["applicant_kind"] = Value::String(plan.applicant_kind.clone());
            repo::insert_version(
                c,
                &PlanVersionRow {
                    plan_id: plan.id.clone(),
                    version: number as i32,
                    submitted_at: now,
                    snapshot: snapshot.to_string(),
                },
            )?;
            Step::fixed(&t, None)
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    reason: Option<String>,
}

/// Longest reason or message, in characters.
pub const REASON_MAX: usize = 5000;

pub fn required_text(field: &str, value: Option<&str>) -> Result<String, AppError> {
    let v = value.unwrap_or("").trim();
    let mut e = FieldErrors::new();
    if v.is_empty() {
        e.add(field, "is required");
    } else if v.chars().count() > REASON_MAX {
        e.add(field, format!("must be at most {REASON_MAX} characters"));
    } else if v
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        e.add(
            field,
            "must not contain control characters other than line breaks and tabs",
        );
    }
    e.finish(v.to_string()).map_err(AppError::from)
}

/// `POST /plans/{id}/withdraw` `{reason}`: the owner withdraws a submitted plan.
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<HttpResponse, AppError> {
    let reason = required_text("reason", body.reason.as_deref())?;
    let id = path.into_inner();
    perform(
        &state,
        &auth,
        &req,
        id,
        Action::Withdraw,
        move |_, _, _, t| Step::fixed(&t, Some(reason)),
    )
    .await
}

#[derive(Serialize)]
struct EventDto {
    actor_id: String,
    action: String,
    from: Option<String>,
    to: String,
    at: DateTime<Utc>,
    reason: Option<String>,
}

/// `GET /plans/{id}/events`: the history; applicants see it as they see the status, so a
/// decision is not revealed before publication.
pub async fn events(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let (rows, round) = web::block(move || {
        db.read(|c| {
            let (plan, round) = load_visible(c, &actor, &id)?;
            Ok((repo::list_events(c, &plan.id)?, round))
        })
    })
    .await??;
    let show = |s: &str| {
        PlanStatus::parse(s)
            .map(|s| shown_status(s, published(&round), &auth.actor))
            .unwrap_or_else(|| s.to_string())
    };
    let items: Vec<EventDto> = rows
        .iter()
        .map(|e| EventDto {
            actor_id: e.actor_id.clone(),
            action: e.action.clone(),
            from: e.from_status.as_deref().map(show),
            to: show(&e.to_status),
            at: utc(e.at),
            reason: e.reason.clone(),
        })
        // A step inside the hidden assessment (pre_advised → voting) is not news to the applicant.
        .filter(|e| auth.actor.is_staff() || e.from.as_deref() != Some(e.to.as_str()))
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /plans/{id}/versions`: every submitted version, as submitted.
pub async fn versions(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = auth.actor.clone();
    let db = state.db.clone();
    let rows = web::block(move || {
        db.read(|c| {
            let (plan, _) = load_visible(c, &actor, &id)?;
            repo::list_versions(c, &plan.id)
        })
    })
    .await??;
    let items: Vec<Value> = rows
        .iter()
        .map(|v| {
            serde_json::json!({
                "version": v.version,
                "submitted_at": utc(v.submitted_at),
                "plan": serde_json::from_str::<Value>(&v.snapshot).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// The query of `GET /plans`, checked with `validator`.
#[derive(Debug, Default, Validate)]
struct ListQuery {
    round: Option<String>,
    status: Option<String>,
    theme: Option<String>,
    goal: Option<String>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    q: Option<String>,
    #[validate(range(min = 1, max = 1_000_000, message = "must be a whole number from 1"))]
    page: Option<i64>,
    #[validate(range(min = 1, max = 100, message = "must be a whole number from 1 to 100"))]
    page_size: Option<i64>,
}

/// Statuses a client may filter on; `in_assessment` is what applicants see before publication.
const FILTER_STATUSES: [&str; 12] = [
    "draft",
    "submitted",
    "in_review",
    "needs_info",
    "pre_advised",
    "voting",
    "approved",
    "rejected",
    "withdrawn",
    "merged",
    "adopted",
    "in_assessment",
];

fn parse_list_query(pairs: Vec<(String, String)>) -> Result<ListQuery, AppError> {
    let mut e = FieldErrors::new();
    let mut q = ListQuery::default();
    let mut seen = HashSet::new();
    for (k, v) in pairs {
        if v.chars().any(char::is_control) {
            e.add(k.clone(), "must not contain control characters");
            continue;
        }
        if !seen.insert(k.clone()) {
            e.add(k.clone(), "is given more than once");
            continue;
        }
        let int = |e: &mut FieldErrors, v: &str| match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.add(k.clone(), "must be a whole number");
                None
            }
        };
        match k.as_str() {
            "round" => q.round = Some(v),
            "status" => {
                if FILTER_STATUSES.contains(&v.as_str()) {
                    q.status = Some(v)
                } else {
                    e.add(
                        "status",
                        format!(
                            "unknown status '{v}'; statuses are {}",
                            FILTER_STATUSES.join(", ")
                        ),
                    )
                }
            }
            "theme" => q.theme = Some(v),
            "goal" => q.goal = Some(v),
            "q" => q.q = Some(v),
            "page" => q.page = int(&mut e, &v),
            "page_size" => q.page_size = int(&mut e, &v),
            other => e.add(
                other,
                "unknown query parameter; use round, status, theme, goal, q, page, page_size",
            ),
        }
    }
    if let Err(errors) = q.validate() {
        for (field, errs) in errors.field_errors() {
            for err in errs {
                e.add(
                    field.to_string(),
                    err.message.as_deref().unwrap_or("is invalid").to_string(),
                );
            }
        }
    }
    e.finish(q).map_err(AppError::from)
}

#[derive(Serialize)]
struct PlanPage {
    items: Vec<PlanDto>,
    page: i64,
    page_size: i64,
    total: i64,
}

/// Most plans an applicant's list is filtered over in memory (their own plans only).
const OWN_PLANS_MAX: i64 = 10_000;

/// Totals of `GET /plans` per filter (weight: one per filter).
pub type ListTotals = Counted<repo::PlanFilter, i64>;
/// Filters whose totals are kept at most.
pub const LIST_TOTALS_MAX: usize = 1_000;

/// Rendered staff pages of `GET /plans`: the same page for the same caller is the same bytes
/// until a plan of the filtered round changes (weight: bytes).
pub type ListPages = Counted<PageKey, web::Bytes>;
/// Bytes of rendered pages kept at most (a page of 50 plans is 50-100 KB: some 50 pages).
pub const LIST_PAGES_MAX_BYTES: usize = 4 << 20;

/// Where pages of one filter start, learnt from the pages read: a row position, and the key of
/// the row just before it (the last row of the page that ended there). A page deep in a list
/// is then read from the nearest such key instead of walking every row before it (OFFSET),
/// so walking through a list costs the same on page 600 as on page 1. Kept per filter against
/// the change counter like everything here (weight: one per filter).
pub type ListMarks = Counted<repo::PlanFilter, std::sync::Arc<std::sync::Mutex<PageMarks>>>;
/// Filters whose marks are kept at most.
pub const LIST_MARKS_FILTERS: usize = 64;

#[derive(Default)]
pub struct PageMarks(std::collections::BTreeMap<i64, (chrono::NaiveDateTime, String)>);

impl PageMarks {
    /// Marks kept per filter at most (some 80 KB): past it, deep pages walk from the last.
    const MAX: usize = 1_000;

    /// Where the page at row `offset` starts, from the nearest mark at or before it.
    pub fn start(&self, offset: i64) -> repo::PageStart {
        let nearest = (offset > 0)
            .then(|| self.0.range(1..=offset).next_back())
            .flatten();
        match nearest {
            Some((&at, key)) => repo::PageStart {
                after: Some(key.clone()),
                offset: offset - at,
            },
            None => repo::PageStart {
                after: None,
                offset,
            },
        }
    }

    /// Notes that the row at position `end` comes right after the row with key `last`.
    pub fn learn(&mut self, end: i64, last: (chrono::NaiveDateTime, String)) {
        if self.0.len() < Self::MAX {
            self.0.insert(end, last);
        }
    }
}

/// What a staff page depends on besides the plans: the filter, the page, and the caller
/// (`allowed_actions` depends on their roles, and on whether they filed the plan).
#[derive(PartialEq, Eq, Hash)]
pub struct PageKey {
    filter: repo::PlanFilter,
    page: i64,
    page_size: i64,
    user_id: String,
    roles: Vec<Role>,
}

/// What the database part of `GET /plans` found.
enum Listed {
    /// A staff page rendered at the current change counter.
    Cached(web::Bytes),
    Rows(Box<Found>),
}

/// The plans of a page to render, with what their views need.
struct Found {
    actor: Actor,
    rows: Vec<PlanRow>,
    rounds: HashMap<String, RoundRow>,
    merged: Vec<(String, String)>,
    total: i64,
    /// Where to keep the rendered page (staff only), and the counter it is current at.
    keep: Option<(PageKey, i64)>,
}

/// `GET /plans`: applicants see their own plans, the programme team and board every
/// non-draft plan; filters `round`, `status`, `theme`, `goal`, `q`; pages of `page_size`.
pub async fn list(
    state: web::Data<AppState>,
    bearer: Bearer,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let q = parse_list_query(query.into_inner())?;
    let page = q.page.unwrap_or(1);
    let page_size = q.page_size.unwrap_or(20);
    let st = state.clone();
    let status_filter = q.status.clone();
    // The account and the page are read in one database session.
    let listed = web::block(move || {
        st.db.read(|c| {
            let actor = Auth::load(c, &bearer.0)?.actor;
            let staff = actor.is_staff();
            let filter = repo::PlanFilter {
                owner_id: (!staff).then(|| actor.user_id.clone()),
                exclude_drafts: staff,
                round_id: q.round.clone(),
                statuses: if staff {
                    q.status.clone().map(|s| vec![s])
                } else {
                    None
                },
                budget_line: q.theme.clone(),
                goal: q.goal.clone(),
                q: q.q.as_deref().map(fold),
            };
            let (rows, total, keep) = if staff {
                // Read before what is kept against it, so nothing kept is older than it.
                let changes = repo::plan_changes(c, filter.round_id.as_deref())?;
                let key = PageKey {
                    filter,
                    page,
                    page_size,
                    user_id: actor.user_id.clone(),
                    roles: actor.roles.clone(),
                };
                if let Some(body) = st.list_pages.get(&key, changes) {
                    return Ok(Listed::Cached(body));
                }
                // Counting every match is the costly part of a page (30,000 index entries
                // at 100k plans); the total is counted again only after plans changed.
                let total = match st.list_totals.get(&key.filter, changes) {
                    Some(total) => total,
                    None => {
                        let total = repo::count_plans(c, &key.filter)?;
                        st.list_totals.put(key.filter.clone(), changes, total, 1);
                        total
                    }
                };
                let offset = (page - 1) * page_size;
                let marks = st
                    .list_marks
                    .get_or_put(key.filter.clone(), changes, Default::default);
                // A page may be read from a mark learnt from data a little newer than the
                // counter read here (never older): as with any paging while plans change.
                let start = marks
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .start(offset);
                let rows = repo::page_plans(c, &key.filter, &start, page_size)?;
                if let Some(last) = rows.last() {
                    marks.lock().unwrap_or_else(|p| p.into_inner()).learn(
                        offset + rows.len() as i64,
                        (last.created_at, last.id.clone()),
                    );
                }
                (rows, total, Some((key, changes)))
            } else {
                let all = repo::PageStart::default();
                (repo::page_plans(c, &filter, &all, OWN_PLANS_MAX)?, 0, None)
            };
            let mut ids: Vec<String> = rows.iter().map(|r| r.round_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let rounds: HashMap<String, RoundRow> = repo::rounds_by_id(c, &ids)?
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect();
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let merged = repo::merged_into_many(c, &ids)?;
            Ok(Listed::Rows(Box::new(Found {
                actor,
                rows,
                rounds,
                merged,
                total,
                keep,
            })))
        })
    })
    .await??;
    let found = match listed {
        Listed::Cached(body) => return Ok(json_body(body)),
        Listed::Rows(found) => *found,
    };
    let mut items = Vec::with_capacity(found.rows.len());
    for row in &found.rows {
        let round = found
            .rounds
            .get(&row.round_id)
            .ok_or_else(|| AppError::Internal("plan without round".into()))?;
        let from: Vec<String> = found
            .merged
            .iter()
            .filter(|(target, _)| target == &row.id)
            .map(|(_, id)| id.clone())
            .collect();
        items.push(plan_dto(row, published(round), &from, &found.actor)?);
    }
    let (items, total) = if found.actor.is_staff() {
        (items, found.total)
    } else {
        // Applicants filter on the status they see, which depends on publication.
        let mine: Vec<PlanDto> = items
            .into_iter()
            .filter(|p| status_filter.as_deref().is_none_or(|s| p.status == s))
            .collect();
        let total = mine.len() as i64;
        let start = ((page - 1) * page_size).min(total) as usize;
        (
            mine.into_iter()
                .skip(start)
                .take(page_size as usize)
                .collect(),
            total,
        )
    };
    let body = web::Bytes::from(
        serde_json::to_vec(&PlanPage {
            items,
            page,
            page_size,
            total,
        })
        .map_err(|e| AppError::Internal(format!("list page: {e}")))?,
    );
    if let Some((key, changes)) = found.keep {
        let weight = body.len();
        state.list_pages.put(key, changes, body.clone(), weight);
    }
    Ok(json_body(body))
}

fn json_body(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_used_only_at_the_change_counter_it_was_built_at() {
        let totals = ListTotals::new(LIST_TOTALS_MAX);
        let f = repo::PlanFilter {
            round_id: Some("r".into()),
            ..Default::default()
        };
        assert_eq!(totals.get(&f, 3), None);
        totals.put(f.clone(), 3, 40, 1);
        assert_eq!(totals.get(&f, 3), Some(40));
        assert_eq!(totals.get(&f, 4), None, "plans changed since");
        let other = repo::PlanFilter {
            exclude_drafts: true,
            ..f.clone()
        };
        assert_eq!(totals.get(&other, 3), None, "another filter");
        // A slower request's older value does not replace a newer one.
        totals.put(f.clone(), 5, 41, 1);
        totals.put(f.clone(), 4, 39, 1);
        assert_eq!(totals.get(&f, 5), Some(41));
    }

    fn key(id: &str, second: u32) -> (chrono::NaiveDateTime, String) {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(12, 0, second))
            .unwrap();
        (at, id.to_string())
    }

    #[test]
    fn a_page_starts_from_the_nearest_mark_before_it() {
        let mut marks = PageMarks::default();
        assert_eq!(
            marks.start(40),
            repo::PageStart {
                after: None,
                offset: 40
            }
        );
        marks.learn(2, key("b", 8));
        marks.learn(22, key("d", 4));
        assert_eq!(
            marks.start(0),
            repo::PageStart {
                after: None,
                offset: 0
            }
        );
        assert_eq!(
            marks.start(1),
            repo::PageStart {
                after: None,
                offset: 1
            }
        );
        let after_b = Some(key("b", 8));
        assert_eq!(
            marks.start(2),
            repo::PageStart {
                after: after_b.clone(),
                offset: 0
            }
        );
        assert_eq!(
            marks.start(21),
            repo::PageStart {
                after: after_b,
                offset: 19
            }
        );
        let after_d = Some(key("d", 4));
        assert_eq!(
            marks.start(22),
            repo::PageStart {
                after: after_d.clone(),
                offset: 0
            }
        );
        assert_eq!(
            marks.start(70),
            repo::PageStart {
                after: after_d,
                offset: 48
            }
        );
    }

    #[test]
    fn marks_kept_are_bounded() {
        let mut marks = PageMarks::default();
        for i in 0..PageMarks::MAX as i64 + 10 {
            marks.learn(i + 1, key("x", 1));
        }
        assert_eq!(marks.0.len(), PageMarks::MAX);
    }
}
