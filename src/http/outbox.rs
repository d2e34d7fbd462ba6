//! The mail outbox as admins see it: what was sent, what waits, what failed; and a retry.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::extract::Auth;
use super::users::utc;
use super::AppState;
use crate::db::models::OutboxRow;
use crate::db::{self, repo};
use crate::domain::user::Role;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::mail::mask;

#[derive(Serialize)]
struct MailDto {
    id: String,
    kind: String,
    to: String,
    subject: String,
    status: String,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    plan_id: Option<String>,
    created_at: DateTime<Utc>,
}

fn dto(row: &OutboxRow, show_recipient: bool) -> MailDto {
    let hide = |s: &str| {
        if show_recipient {
            s.to_string()
        } else {
            s.replace(&row.to_address, &mask(&row.to_address))
        }
    };
    MailDto {
        id: row.id.clone(),
        kind: row.kind.clone(),
        to: if show_recipient {
            row.to_address.clone()
        } else {
            mask(&row.to_address)
        },
        subject: row.subject.clone(),
        status: row.status.clone(),
        attempts: row.attempts,
        next_attempt_at: (row.status == "pending").then(|| utc(row.next_attempt_at)),
        sent_at: row.sent_at.map(utc),
        last_error: row.last_error.as_deref().map(hide),
        plan_id: row.plan_id.clone(),
        created_at: utc(row.created_at),
    }
}

#[derive(Serialize)]
struct Page {
    items: Vec<MailDto>,
    page: i64,
    page_size: i64,
    total: i64,
}

/// `GET /outbox?status=&page=&page_size=`: admins see everything; the programme team sees the
/// same without the recipients' addresses.
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    auth.require_any(&[Role::Admin, Role::ProgrammeTeam])?;
    let admin = auth.actor.has(Role::Admin);
    let (mut status, mut page, mut page_size) = (None, 1i64, 50i64);
    let mut e = FieldErrors::new();
    for (k, v) in query.into_inner() {
        match k.as_str() {
            "status" if ["pending", "sent", "dead"].contains(&v.as_str()) => status = Some(v),
            "status" => e.add("status", "must be pending, sent or dead"),
            "page" => match v.parse::<i64>() {
                Ok(n) if (1..=1_000_000).contains(&n) => page = n,
                _ => e.add("page", "must be a whole number from 1"),
            },
            "page_size" => match v.parse::<i64>() {
                Ok(n) if (1..=100).contains(&n) => page_size = n,
                _ => e.add("page_size", "must be a whole number from 1 to 100"),
            },
            other => e.add(
                other,
                "unknown query parameter; use status, page, page_size",
            ),
        }
    }
    e.finish(())?;
    let db = state.db.clone();
    let (rows, total) = web::block(move || {
        db.read(|c| repo::list_outbox(c, status.as_deref(), (page - 1) * page_size, page_size))
    })
    .await??;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.iter().map(|r| dto(r, admin)).collect(),
        page,
        page_size,
        total,
    }))
}

/// `POST /outbox/{id}/retry` (admin): a dead or waiting mail is due again now, its attempts
/// counted afresh. A sent mail is not sent twice (`409`).
pub async fn retry(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let db = state.db.clone();
    let row = web::block(move || {
        db.write(|c| {
            let row = repo::find_outbox(c, &id)?.ok_or_else(|| AppError::not_found("mail"))?;
            if row.status == "sent" {
                return Err(AppError::Conflict(
                    "this mail was sent already".into(),
                    vec![],
                ));
            }
            repo::retry_mail(c, &row.id, db::now())?;
            repo::find_outbox(c, &row.id)?.ok_or_else(|| AppError::not_found("mail"))
        })
    })
    .await??;
    state.mail.wake();
    Ok(HttpResponse::Ok().json(dto(&row, true)))
}
