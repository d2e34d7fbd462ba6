//! Plans over the API: filing, editing, submitting, withdrawing, reading, listing. Every
//! handler parses the request, calls one use case and renders its answer.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::extract::{
    if_match, no_null, read, read_as, write_as, Bearer, JsonBody, OptionalJsonBody, Query,
};
use super::problem::ApiError;
use crate::app::cache::{CounterCache, Weigh};
use crate::app::plans::{self, ContentChange, ListQuery, PageKey, PlanView};
use crate::app::App;
use crate::app::{self, accounts};
use crate::domain::decision::{Decision, InfoRequest};
use crate::domain::plan::{OtherFunding, PartyRef, PlanContent};
use crate::domain::state::Action;
use crate::domain::user::Actor;
use crate::domain::visibility::ShownStatus;

/// A plan as the API shows it to one caller.
#[derive(Debug, Serialize)]
pub struct PlanDto<'a> {
    pub id: &'a str,
    /// The reference people quote, given at the first submission; null for a draft.
    pub reference: Option<&'a str>,
    pub round_id: &'a str,
    pub owner_id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// The short description the published table prints.
    pub summary: &'a str,
    pub goals: &'a [String],
    pub budget_line: Option<&'a str>,
    pub applicant_kind: &'static str,
    pub lead_partner: Option<&'a PartyRef>,
    pub funding: crate::domain::plan::Funding,
    pub links: &'a [crate::domain::plan::PlanLink],
    pub own_action_of: Option<&'a str>,
    pub linked_from: &'a [crate::domain::plan::PlanLink],
    pub co_leads: &'a [PartyRef],
    pub partners: &'a [PartyRef],
    pub payee_id: Option<&'a str>,
    pub continuing: bool,
    pub requested_eur: Option<i64>,
    pub other_funding: &'a [OtherFunding],
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub expected_reach: Option<i64>,
    pub resident_involvement: &'a str,
    pub gap_in_offer: &'a str,
    pub status: ShownStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub allowed_actions: Vec<Action>,
    /// The programme team's last question to the applicant.
    pub info_request: Option<&'a InfoRequest>,
    /// Staff always; the applicant once decisions are published (without who recorded it).
    pub pre_advice: Option<PreAdviceDto<'a>>,
    pub granted_eur: Option<i64>,
    pub decision: Option<&'a Decision>,
    pub merged_into: Option<&'a str>,
    /// The adoption that covers the plan's decision (publishing it).
    pub adoption_id: Option<&'a str>,
    /// Plans merged into this one.
    pub merged_from: &'a [String],
}

/// A recorded pre-advice; `recorded_by` is a staff member's id, shown to staff only.
#[derive(Debug, Serialize)]
pub struct PreAdviceDto<'a> {
    #[serde(flatten)]
    advice: &'a crate::domain::pre_advice::PreAdvice,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded_by: Option<&'a str>,
    recorded_at: DateTime<Utc>,
}

/// The plan as `actor` may see it (`PlanView::shown_to`), as JSON: every field it reveals,
/// none it does not.
pub fn plan_dto<'a>(v: &'a PlanView, actor: &Actor) -> PlanDto<'a> {
    let shown = v.shown_to(actor);
    let p = shown.plan;
    let c = &p.content;
    PlanDto {
        id: &p.id,
        reference: p.reference.as_deref(),
        round_id: &p.round_id,
        owner_id: &p.owner_id,
        title: &c.title,
        description: &c.description,
        summary: &c.summary,
        goals: &c.goals,
        budget_line: p.budget_line.as_deref(),
        applicant_kind: p.applicant_kind.as_str(),
        lead_partner: c.lead_partner.as_ref(),
        funding: c.funding,
        links: &c.links,
        own_action_of: p.own_action_of.as_deref(),
        linked_from: shown.linked_from,
        co_leads: &c.co_leads,
        partners: &c.partners,
        payee_id: c.payee_id.as_deref(),
        continuing: c.continuing,
        requested_eur: c.requested_eur,
        other_funding: &c.other_funding,
        start_year: c.start_year,
        end_year: c.end_year,
        expected_reach: c.expected_reach,
        resident_involvement: &c.resident_involvement,
        gap_in_offer: &c.gap_in_offer,
        status: shown.status,
        version: shown.version,
        created_at: p.created_at,
        updated_at: shown.updated_at,
        submitted_at: p.submitted_at,
        allowed_actions: shown.allowed_actions,
        info_request: p.info_request.as_ref(),
        pre_advice: shown.pre_advice.map(|r| PreAdviceDto {
            advice: &r.advice,
            recorded_by: shown.pre_advice_by,
            recorded_at: r.recorded_at,
        }),
        granted_eur: shown.granted.map(|g| g.value()),
        decision: shown.decision,
        merged_into: p.merged_into.as_deref(),
        adoption_id: p.adoption_id.as_deref(),
        merged_from: shown.merged_from,
    }
}

/// The answer for one plan: `status` with the plan and its `ETag`.
pub fn plan_answer(status: StatusCode, v: &PlanView, actor: &Actor) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{}\"", v.version_for(actor))))
        .json(plan_dto(v, actor))
}

/// Runs a plan action (a use case answering the plan) for the token's account in one
/// transaction, with the request's `If-Match`, and answers the plan as it now is.
pub async fn perform<F>(
    state: &web::Data<App>,
    bearer: Bearer,
    req: &HttpRequest,
    action: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(
            &mut crate::app::Tx,
            &Actor,
            Option<&plans::Expected>,
        ) -> Result<PlanView, app::Error>
        + Send
        + 'static,
{
    let expected = if_match(req);
    let (view, me) = write_as(state, bearer, move |tx, me| {
        action(tx, &me.actor(), expected.as_ref())
    })
    .await?;
    Ok(plan_answer(StatusCode::OK, &view, &me.actor()))
}

fn as_object(v: Value) -> Result<Map<String, Value>, ApiError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::field(
            "body",
            ("must be a JSON object", "moet een JSON-object zijn"),
        )),
    }
}

/// A new plan's answer: 201, the plan, and where it lives.
fn created(view: &PlanView, actor: &Actor) -> HttpResponse {
    let mut answer = plan_answer(StatusCode::CREATED, view, actor);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/api/v1/plans/{}", view.plan.id))
    {
        answer.headers_mut().insert(header::LOCATION, location);
    }
    answer
}

/// A new plan's body: its content, and beside it `filed_for`, the programme team's.
fn plan_body(body: Value) -> Result<(Option<plans::FiledFor>, PlanContent), ApiError> {
    let mut object = as_object(body)?;
    let filed_for = match object.remove("filed_for") {
        None | Some(Value::Null) => None,
        Some(v) => Some(filed_for(v)?),
    };
    Ok((filed_for, PlanContent::from_json(object)?))
}

/// `POST /rounds/{id}/plans`: an applicant starts a draft.
pub async fn create(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<HttpResponse, ApiError> {
    let (filed_for, content) = plan_body(body)?;
    let round_id = path.into_inner();
    let public_url = state.public_url.clone();
    let (view, me) = write_as(&state, bearer, move |tx, me| match filed_for {
        None => plans::create_draft(tx, me, &round_id, content),
        Some(f) => plans::file_for(tx, &me.actor(), &round_id, f, content, &public_url),
    })
    .await?;
    Ok(created(&view, &me.actor()))
}

/// `POST /reservations/{id}/plan`: the programme team turns a reservation into a plan filed
/// for someone (`filed_for` required), charged to the reservation's theme; 201 with the plan.
pub async fn from_reservation(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<HttpResponse, ApiError> {
    let (filed_for, content) = plan_body(body)?;
    let filed_for = filed_for.ok_or_else(|| {
        app::Error::Domain(crate::domain::DomainError::Invalid(vec![
            crate::domain::FieldError::new("filed_for", crate::domain::errors::REQUIRED),
        ]))
    })?;
    let id = path.into_inner();
    let public_url = state.public_url.clone();
    let (view, me) = write_as(&state, bearer, move |tx, me| {
        crate::app::reservations::turn_into_plan(
            tx,
            &me.actor(),
            &id,
            filed_for,
            content,
            &public_url,
        )
    })
    .await?;
    Ok(created(&view, &me.actor()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FiledForBody {
    organisation_id: Option<String>,
    email: Option<String>,
    name: Option<String>,
    kind: Option<String>,
}

/// Reads `filed_for`: a person when it names an address, name or kind; else an organisation.
fn filed_for(v: Value) -> Result<plans::FiledFor, ApiError> {
    let b: FiledForBody = serde_json::from_value(v).map_err(|e| {
        app::Error::Domain(crate::domain::DomainError::Invalid(vec![
            crate::domain::FieldError::from_parser("filed_for", &e.to_string()),
        ]))
    })?;
    Ok(
        if b.email.is_some() || b.name.is_some() || b.kind.is_some() {
            plans::FiledFor::Person {
                email: b.email,
                name: b.name,
                kind: b.kind,
                organisation_id: b.organisation_id,
            }
        } else {
            plans::FiledFor::Organisation {
                organisation_id: b.organisation_id,
            }
        },
    )
}

/// `GET /plans/{id}`: the account and the plan are read in one query.
pub async fn get(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let st = state.clone();
    let (me, view) = read(&state, move |c| plans::get(c, &st.reads, &bearer.0, &id)).await?;
    Ok(plan_answer(StatusCode::OK, &view, &me.actor()))
}

/// `PATCH /plans/{id}`: the owner edits a draft or a plan that needs information. The body
/// is a JSON merge patch of the plan's content; `If-Match` is honoured.
pub async fn update(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<HttpResponse, ApiError> {
    let patch = ContentChange::MergePatch(as_object(body)?);
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        plans::edit(tx, me, &id, patch, expected)
    })
    .await
}

/// `DELETE /plans/{id}`: the owner deletes a draft (204); `If-Match` is honoured.
pub async fn delete(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req);
    let dir = state.attachments.clone();
    write_as(&state, bearer, move |tx, me| {
        plans::delete(tx, &me.actor(), &id, expected.as_ref(), &dir)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    #[serde(default, deserialize_with = "no_null")]
    answer: Option<String>,
}

/// `POST /plans/{id}/submit` (no body, or `{answer}` with a resubmission): every submission
/// rule, every error at once; outside the round's open period, or after its adoption, 409. A
/// new version of the plan is kept on every submission.
pub async fn submit(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
    OptionalJsonBody(body): OptionalJsonBody<SubmitBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        plans::submit(tx, me, &id, body.answer.as_deref(), expected)
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    reason: Option<String>,
}

/// `POST /plans/{id}/withdraw` `{reason}`: the owner withdraws a submitted plan.
pub async fn withdraw(
    state: web::Data<App>,
    bearer: Bearer,
    req: HttpRequest,
    path: web::Path<String>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    perform(&state, bearer, &req, move |tx, me, expected| {
        plans::withdraw(tx, me, &id, body.reason.as_deref(), expected)
    })
    .await
}

#[derive(Serialize)]
struct EventDto<'a> {
    actor_id: Option<&'a str>,
    action: Action,
    from: Option<ShownStatus>,
    to: ShownStatus,
    at: DateTime<Utc>,
    reason: Option<&'a str>,
}

/// `GET /plans/{id}/events`: the history; applicants see it as they see the status, so a
/// decision is not revealed before publication.
pub async fn events(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (events, _) = read_as(&state, bearer, move |c, me| {
        plans::events(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<EventDto> = events
        .iter()
        .map(|e| EventDto {
            actor_id: e.actor_id.as_deref(),
            action: e.action,
            from: e.from,
            to: e.to,
            at: e.at,
            reason: e.reason.as_deref(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Serialize)]
struct VersionDto<'a> {
    version: i32,
    submitted_at: DateTime<Utc>,
    /// Who submitted it, by name (`null` for versions kept before this was recorded).
    submitted_by: Option<&'a str>,
    /// Who changed the plan for this version, by name.
    changed_by: &'a [String],
    plan: &'a Value,
}

/// `GET /plans/{id}/versions`: every submitted version, as submitted.
pub async fn versions(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (versions, _) = read_as(&state, bearer, move |c, me| {
        plans::versions(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<VersionDto> = versions
        .iter()
        .map(|v| VersionDto {
            version: v.version.version,
            submitted_at: v.version.submitted_at,
            submitted_by: v.submitted_by.as_deref(),
            changed_by: &v.changed_by,
            plan: &v.version.snapshot,
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

#[derive(Serialize)]
struct PlanPage<'a> {
    items: Vec<PlanDto<'a>>,
    page: i64,
    page_size: i64,
    total: i64,
}

/// Finished pages of `GET /plans`: the same page for the same caller is the same bytes until
/// a plan of the filtered round changes.
pub type ListPages = CounterCache<PageKey, Body>;

/// A finished JSON body.
#[derive(Clone)]
pub struct Body(web::Bytes);

impl Weigh for Body {
    fn weight(&self) -> usize {
        32 + self.0.len()
    }
}

/// What the list's blocking call found: the page kept, or the plans to make it from.
enum Page {
    Cached(Body),
    Found(Box<(plans::Found, plans::PageRequest)>),
}

/// `GET /plans`: applicants see their own plans, the programme team and board every
/// non-draft plan; filters `round`, `status`, `theme`, `goal`, `q`; pages of `page_size`.
pub async fn list(
    state: web::Data<App>,
    api: web::Data<super::Api>,
    bearer: Bearer,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let problems = query.value.problems();
    let q = query.checked(problems)?;
    let st = state.clone();
    let pages = api.clone();
    // The account and the page are read in one database session.
    let (page, me) = read(&state, move |c| {
        let me = accounts::authenticate(c, &bearer.0)?;
        let req = plans::page_request(c, &me.actor(), &q)?;
        if let Some(body) = pages.list_pages.get(&req.key, req.changes) {
            return Ok((Page::Cached(body), me));
        }
        Ok((
            Page::Found(Box::new((plans::list(c, &st.lists, &req)?, req))),
            me,
        ))
    })
    .await?;
    let (found, req) = match page {
        Page::Cached(body) => return Ok(json_body(body.0)),
        Page::Found(found) => *found,
    };
    let actor = me.actor();
    let body = web::Bytes::from(
        serde_json::to_vec(&PlanPage {
            items: found.items.iter().map(|v| plan_dto(v, &actor)).collect(),
            page: found.page,
            page_size: found.page_size,
            total: found.total,
        })
        .map_err(|e| app::Error::Internal(format!("list page: {e}")))?,
    );
    api.list_pages.put(req.key, req.changes, Body(body.clone()));
    Ok(json_body(body))
}

fn json_body(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .body(body)
}
