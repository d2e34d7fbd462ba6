//! After adoption over HTTP: grants, reports and their attachments, the final amount, bank
//! accounts, payments and their batches (with the SEPA file), and a round's results.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::extract::{read, read_as, write_as, Bearer, JsonBody, BODY_TIMEOUT};
use super::overview::pick;
use super::problem::ApiError;
use crate::app::grants::{self, GrantView, ThemeResults};
use crate::app::App;
use crate::domain::grant::conditions::GrantCondition;
use crate::domain::grant::{Grant, Payment, Report, ReportInput, Spent, ATTACHMENT_MAX_BYTES};
use crate::domain::Eur;

#[derive(Debug, Serialize)]
pub struct PaymentDto {
    id: String,
    grant_id: String,
    kind: &'static str,
    amount_eur: Eur,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch_id: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    released_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_at: Option<DateTime<Utc>>,
}

pub(super) fn payment_dto(p: &Payment) -> PaymentDto {
    PaymentDto {
        id: p.id.clone(),
        grant_id: p.grant_id.clone(),
        kind: p.kind.as_str(),
        amount_eur: p.amount,
        status: p.status.as_str(),
        batch_id: p.batch_id.clone(),
        created_at: p.created_at,
        released_at: p.released_at,
        paid_at: p.paid_at,
    }
}

#[derive(Debug, Serialize)]
struct AttachmentDto {
    id: String,
    name: String,
    media_type: &'static str,
    size: i64,
    href: String,
}

#[derive(Debug, Serialize)]
struct ReportDto {
    /// Present once the report is filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    kind: &'static str,
    due_on: NaiveDate,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    filed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    done: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reach: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spent: Option<Vec<Spent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_reason: Option<String>,
    /// The first attachment (as before reports had several).
    #[serde(skip_serializing_if = "Option::is_none")]
    attachment: Option<AttachmentDto>,
    attachments: Vec<AttachmentDto>,
}

fn attachment_dto(report_id: &str, a: &crate::domain::grant::Attachment) -> AttachmentDto {
    AttachmentDto {
        id: a.id.clone(),
        name: a.name.clone(),
        media_type: a.media_type,
        size: a.size,
        href: format!("/api/v1/reports/{report_id}/attachments/{}", a.id),
    }
}

fn report_dto(r: &Report) -> ReportDto {
    let f = r.filed.as_ref();
    ReportDto {
        id: f.map(|_| r.id.clone()),
        kind: r.kind.as_str(),
        due_on: r.due_on,
        status: r.status().as_str(),
        filed_at: f.map(|f| f.filed_at),
        done: f.map(|f| f.done.clone()),
        reach: f.map(|f| f.reach),
        spent: f.map(|f| f.spent.clone()),
        stopped_reason: f.and_then(|f| f.stopped_reason.clone()),
        attachment: r.attachments.first().map(|a| AttachmentDto {
            href: format!("/api/v1/reports/{}/attachment", r.id),
            ..attachment_dto(&r.id, a)
        }),
        attachments: r
            .attachments
            .iter()
            .map(|a| attachment_dto(&r.id, a))
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub struct GrantDto {
    id: String,
    plan_id: String,
    round_id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    theme: Option<String>,
    amount_eur: Eur,
    payee_id: Option<String>,
    payee_name: Option<String>,
    status: &'static str,
    paid_eur: Eur,
    spent_eur: Eur,
    reach: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_eur: Option<Eur>,
    #[serde(skip_serializing_if = "Option::is_none")]
    final_motivation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim_eur: Option<Eur>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_reason: Option<String>,
    payments: Vec<PaymentDto>,
    reports: Vec<ReportDto>,
    conditions: Vec<ConditionDto>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A payment condition of a grant: met once `met_on` is set.
#[derive(Debug, Serialize)]
pub struct ConditionDto {
    id: String,
    text: String,
    before: &'static str,
    met_on: Option<NaiveDate>,
    met_by: Option<String>,
    note: String,
}

pub fn condition_dto(c: &GrantCondition) -> ConditionDto {
    ConditionDto {
        id: c.id.clone(),
        text: c.text.clone(),
        before: c.before.as_str(),
        met_on: c.met_on,
        met_by: c.met_by.clone(),
        note: c.note.clone(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetBody {
    #[serde(default)]
    note: String,
}

/// `POST /grants/{id}/conditions/{condition_id}/met`: the programme team records a payment
/// condition as met.
pub async fn condition_met(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
    JsonBody(body): JsonBody<MetBody>,
) -> Result<HttpResponse, ApiError> {
    let (grant, condition) = path.into_inner();
    let (c, _) = write_as(&state, bearer, move |tx, me| {
        crate::app::payments::meet_condition(tx, &me.actor(), &grant, &condition, &body.note)
    })
    .await?;
    Ok(HttpResponse::Ok().json(condition_dto(&c)))
}

pub fn grant_dto(v: &GrantView) -> GrantDto {
    let g: &Grant = &v.grant;
    let progress = v.progress();
    GrantDto {
        id: g.id.clone(),
        plan_id: g.plan_id.clone(),
        round_id: g.round_id.clone(),
        title: v.title.clone(),
        theme: v.theme.clone(),
        amount_eur: g.amount,
        payee_id: g.payee_id.clone(),
        payee_name: v.payee_name.clone(),
        status: g.status.as_str(),
        paid_eur: progress.paid,
        spent_eur: progress.spent,
        reach: progress.reach,
        final_eur: g.final_amount,
        final_motivation: g.final_motivation.clone(),
        claim_eur: g.claim,
        stopped_reason: g.stopped_reason.clone(),
        payments: v.payments.iter().map(payment_dto).collect(),
        reports: v.reports.iter().map(report_dto).collect(),
        conditions: v.conditions.iter().map(condition_dto).collect(),
        version: g.version,
        created_at: g.created_at,
        updated_at: g.updated_at,
    }
}

#[derive(Serialize)]
pub(super) struct Items<T> {
    pub items: Vec<T>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantsQuery {
    round: Option<String>,
}

/// `GET /grants?round=`: the grants the caller may read.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    query: super::extract::Query<GrantsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.checked(Vec::new())?;
    let (all, _) = read_as(&state, bearer, move |c, me| {
        grants::list(c, &me.actor(), q.round.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Items {
        items: all.iter().map(grant_dto).collect(),
    }))
}

/// `GET /grants/{id}`.
pub async fn get(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (v, _) = read_as(&state, bearer, move |c, me| {
        grants::get(c, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(grant_dto(&v)))
}

/// `POST /grants/{id}/reports`: the applicant files a report; `201` with the grant.
pub async fn file_report(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<ReportInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (v, _) = write_as(&state, bearer, move |tx, me| {
        grants::file_report(tx, &me.actor(), &id, &body)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/grants/{}", v.grant.id)))
        .json(grant_dto(&v)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentQuery {
    pub(super) name: Option<String>,
}

/// Reads a body of at most `limit` bytes (one more is read, so the rule can say it is too
/// large), giving up on a body that trickles in.
pub(super) async fn read_limited(
    mut payload: web::Payload,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let read = async {
        let mut out = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| ApiError::Malformed("the body could not be read".into()))?;
            let room = (limit + 1).saturating_sub(out.len());
            out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if out.len() > limit {
                break;
            }
        }
        Ok(out)
    };
    actix_web::rt::time::timeout(BODY_TIMEOUT * 5, read)
        .await
        .map_err(|_| ApiError::RequestTimeout)?
}

/// The body of an attachment upload: sent as one of the types a report takes (or as plain
/// bytes), at most `ATTACHMENT_MAX_BYTES`; its real type is read from its bytes later.
async fn upload(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !essence.as_deref().is_some_and(|t| {
        [
            "image/jpeg",
            "image/png",
            "application/pdf",
            "application/octet-stream",
        ]
        .contains(&t)
    }) {
        return Err(ApiError::UnsupportedMediaType(
            "send the file as image/jpeg, image/png, application/pdf or application/octet-stream"
                .into(),
        ));
    }
    read_limited(payload, ATTACHMENT_MAX_BYTES).await
}

/// `PUT /reports/{id}/attachment?name=`: the applicant puts a photo (JPEG, PNG) or a PDF of
/// at most 5 MB over the report's first attachment (or adds it when there is none), as the
/// raw body; its type is read from its bytes.
pub async fn put_attachment(
    state: web::Data<App>,
    req: HttpRequest,
    bearer: Bearer,
    path: web::Path<String>,
    query: super::extract::Query<AttachmentQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let q = query.checked(Vec::new())?;
    let bytes = upload(&req, payload).await?;
    let id = path.into_inner();
    let st = state.clone();
    let (v, _) = write_as(&state, bearer, move |tx, me| {
        grants::replace_first(
            tx,
            &me.actor(),
            &id,
            q.name.as_deref().unwrap_or("bijlage"),
            &bytes,
            &st.attachments,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(grant_dto(&v)))
}

/// `POST /reports/{id}/attachments?name=`: the applicant adds a file after those the report
/// has (at most 10), as the raw body.
pub async fn add_attachment(
    state: web::Data<App>,
    req: HttpRequest,
    bearer: Bearer,
    path: web::Path<String>,
    query: super::extract::Query<AttachmentQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let q = query.checked(Vec::new())?;
    let bytes = upload(&req, payload).await?;
    let id = path.into_inner();
    let rid = id.clone();
    let st = state.clone();
    let ((_, a), _) = write_as(&state, bearer, move |tx, me| {
        grants::attach(
            tx,
            &me.actor(),
            &rid,
            q.name.as_deref().unwrap_or("bijlage"),
            &bytes,
            &st.attachments,
        )
    })
    .await?;
    let dto = attachment_dto(&id, &a);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, dto.href.clone()))
        .json(dto))
}

/// `GET /reports/{id}/attachments`: what the report carries, for those who may read the grant.
pub async fn list_attachments(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let rid = id.clone();
    let (v, _) = read_as(&state, bearer, move |c, me| {
        grants::of_report(c, &me.actor(), &rid)
    })
    .await?;
    let items: Vec<AttachmentDto> = v
        .reports
        .iter()
        .filter(|r| r.id == id)
        .flat_map(|r| r.attachments.iter().map(|a| attachment_dto(&r.id, a)))
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /reports/{id}/attachments/{attachment_id}`: one file.
pub async fn get_one_attachment(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, aid) = path.into_inner();
    let st = state.clone();
    let ((a, bytes), _) = read_as(&state, bearer, move |c, me| {
        grants::attachment(c, &me.actor(), &id, Some(&aid), &st.attachments)
    })
    .await?;
    Ok(crate::front::attachment(&a, bytes))
}

/// `DELETE /reports/{id}/attachments/{attachment_id}`: the applicant removes a file while
/// files may still be added.
pub async fn delete_attachment(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, aid) = path.into_inner();
    let st = state.clone();
    write_as(&state, bearer, move |tx, me| {
        grants::detach(tx, &me.actor(), &id, &aid, &st.attachments)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /reports/{id}/attachment`: the file, for those who may read the grant.
pub async fn get_attachment(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let st = state.clone();
    let ((a, bytes), _) = read_as(&state, bearer, move |c, me| {
        grants::attachment(c, &me.actor(), &id, None, &st.attachments)
    })
    .await?;
    Ok(crate::front::attachment(&a, bytes))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalBody {
    amount_eur: Option<i64>,
    motivation: Option<String>,
}

/// `POST /grants/{id}/final-amount`: the programme team sets the final amount.
pub async fn final_amount(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<FinalBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (v, _) = write_as(&state, bearer, move |tx, me| {
        grants::set_final_amount(
            tx,
            &me.actor(),
            &id,
            body.amount_eur,
            body.motivation.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(grant_dto(&v)))
}

#[derive(Debug, Serialize)]
struct ThemeResultsDto {
    code: String,
    name: String,
    granted_eur: Eur,
    paid_eur: Eur,
    spent_eur: Eur,
    reach: i64,
    actions: Vec<PublishedActionDto>,
}

/// An action in the public results: only what the public page shows.
#[derive(Debug, Serialize)]
struct PublishedActionDto {
    plan_id: String,
    title: String,
    theme: Option<String>,
    status: &'static str,
    amount_eur: Eur,
    final_eur: Option<Eur>,
    paid_eur: Eur,
    spent_eur: Eur,
    reach: i64,
    reports: Vec<PublishedReportDto>,
}

#[derive(Debug, Serialize)]
struct PublishedReportDto {
    kind: &'static str,
    filed_at: chrono::DateTime<chrono::Utc>,
    done: String,
    reach: i64,
    spent: Vec<crate::domain::grant::Spent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_reason: Option<String>,
}

fn published_dto(a: &crate::app::grants::PublishedAction) -> PublishedActionDto {
    PublishedActionDto {
        plan_id: a.plan_id.clone(),
        title: a.title.clone(),
        theme: a.theme.clone(),
        status: a.status.as_str(),
        amount_eur: a.granted,
        final_eur: a.final_amount,
        paid_eur: a.paid,
        spent_eur: a.spent,
        reach: a.reach,
        reports: a
            .reports
            .iter()
            .map(|r| PublishedReportDto {
                kind: r.kind.as_str(),
                filed_at: r.filed_at,
                done: r.done.clone(),
                reach: r.reach,
                spent: r.spent.clone(),
                stopped_reason: r.stopped_reason.clone(),
            })
            .collect(),
    }
}

fn theme_dto(t: &ThemeResults) -> ThemeResultsDto {
    ThemeResultsDto {
        code: t.code.clone(),
        name: t.name.clone(),
        granted_eur: t.granted,
        paid_eur: t.paid,
        spent_eur: t.spent,
        reach: t.reach,
        actions: t.actions.iter().map(published_dto).collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultsFormat {
    Json,
    Html,
}

/// `GET /rounds/{id}/results`: per theme granted, paid, spent and reach with each action's
/// reports; JSON, or with `Accept: text/html` a printable Dutch page. Public, like the
/// overview.
pub async fn results(
    state: web::Data<App>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format = pick(
        &req,
        &[
            (ResultsFormat::Json, "application/json"),
            (ResultsFormat::Html, "text/html"),
        ],
    )
    .ok_or_else(|| {
        ApiError::NotAcceptable("the results are served as application/json or text/html".into())
    })?;
    let id = path.into_inner();
    let (round, themes) = read(&state, move |c| grants::results(c, &id)).await?;
    let mut answer = HttpResponse::Ok();
    answer.insert_header((header::VARY, "Accept"));
    Ok(match format {
        ResultsFormat::Json => answer.json(serde_json::json!({
            "round_id": round.id,
            "name": round.spec.name,
            "themes": themes.iter().map(theme_dto).collect::<Vec<_>>(),
        })),
        ResultsFormat::Html => answer
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(crate::publish::results::page(&round, &themes)?),
    })
}
