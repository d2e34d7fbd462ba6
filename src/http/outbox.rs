//! The mail outbox as admins see it: what was sent, what waits, what failed; and a retry.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::extract::{read_as, write_as, Bearer, Query};
use super::problem::ApiError;
use crate::app::outbox::Mail;
use crate::app::outbox::{self, MailQuery};
use crate::app::App;
use crate::domain::notice::MailStatus;

#[derive(Serialize)]
struct MailDto<'a> {
    id: &'a str,
    kind: &'a str,
    to: &'a str,
    subject: &'a str,
    status: MailStatus,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
    last_error: Option<&'a str>,
    plan_id: Option<&'a str>,
    created_at: DateTime<Utc>,
}

fn dto(m: &Mail) -> MailDto<'_> {
    MailDto {
        id: &m.id,
        kind: &m.kind,
        to: &m.to,
        subject: &m.subject,
        status: m.status,
        attempts: m.attempts,
        next_attempt_at: (m.status == MailStatus::Pending).then_some(m.next_attempt_at),
        sent_at: m.sent_at,
        last_error: m.last_error.as_deref(),
        plan_id: m.plan_id.as_deref(),
        created_at: m.created_at,
    }
}

#[derive(Serialize)]
struct Page<'a> {
    items: Vec<MailDto<'a>>,
    page: i64,
    page_size: i64,
    total: i64,
}

/// `GET /outbox?status=&page=&page_size=`: admins see everything; the programme team sees the
/// same without the recipients' addresses.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    query: Query<MailQuery>,
) -> Result<HttpResponse, ApiError> {
    let problems = query.value.problems();
    let q = query.checked(problems)?;
    let (page, _) = read_as(&state, bearer, move |c, me| {
        outbox::list(c, &me.actor(), &q)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: page.items.iter().map(dto).collect(),
        page: page.page,
        page_size: page.page_size,
        total: page.total,
    }))
}

/// `POST /outbox/{id}/retry` (admin): a dead or waiting mail is due again now, its attempts
/// counted afresh. A sent mail is not sent twice (`409`).
pub async fn retry(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (mail, _) = write_as(&state, bearer, move |tx, me| {
        outbox::retry(tx, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto(&mail)))
}
