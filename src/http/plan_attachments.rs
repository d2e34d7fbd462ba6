//! A plan's attachments: `POST`/`GET /plans/{id}/attachments`, `GET`/`DELETE
//! /attachments/{id}`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::extract::{read_as, write_as, Bearer, Query};
use super::grants::{read_limited, AttachmentQuery};
use super::problem::ApiError;
use crate::app::plan_attachments::PlanAttachment;
use crate::app::{plan_attachments, App};
use crate::domain::plan::attachments::{self as rules, DOCX, ODS, ODT, XLSX};

#[derive(Serialize)]
struct AttachmentDto<'a> {
    id: &'a str,
    name: &'a str,
    size: i64,
    content_type: &'a str,
    added_at: DateTime<Utc>,
}

impl<'a> From<&'a PlanAttachment> for AttachmentDto<'a> {
    fn from(a: &'a PlanAttachment) -> Self {
        AttachmentDto {
            id: &a.file.id,
            name: &a.file.name,
            size: a.file.size,
            content_type: a.file.media_type,
            added_at: a.added_at,
        }
    }
}

/// The types a file may be sent as (its real type is read from its bytes).
const SENT_AS: [&str; 8] = [
    "application/octet-stream",
    "application/pdf",
    "image/jpeg",
    "image/png",
    ODT,
    ODS,
    DOCX,
    XLSX,
];

/// `POST /plans/{id}/attachments?name=…`: the raw body, at most 10 MB, its type read from
/// its bytes (anything but the accepted types `415`); `201` with what was stored.
pub async fn add(
    state: web::Data<App>,
    req: HttpRequest,
    bearer: Bearer,
    path: web::Path<String>,
    query: Query<AttachmentQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let q = query.checked(Vec::new())?;
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !essence.as_deref().is_some_and(|t| SENT_AS.contains(&t)) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the file as {} (its type is read from its bytes)",
            SENT_AS.join(", ")
        )));
    }
    let bytes = read_limited(payload, rules::MAX_BYTES).await?;
    let id = path.into_inner();
    let st = state.clone();
    let (a, _) = write_as(&state, bearer, move |tx, me| {
        plan_attachments::add(
            tx,
            &me.actor(),
            &id,
            q.name.as_deref().unwrap_or("bijlage"),
            &bytes,
            &st.attachments,
        )
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/attachments/{}", a.file.id),
        ))
        .json(AttachmentDto::from(&a)))
}

/// `GET /plans/{id}/attachments`: for whoever may see the plan.
pub async fn list(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (items, _) = read_as(&state, bearer, move |c, me| {
        plan_attachments::list(c, &me.actor(), &id)
    })
    .await?;
    let items: Vec<AttachmentDto> = items.iter().map(AttachmentDto::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": items })))
}

/// `GET /attachments/{id}`: the file as stored, offered for download, named by its type.
pub async fn download(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let st = state.clone();
    let ((a, bytes), _) = read_as(&state, bearer, move |c, me| {
        plan_attachments::read(c, &me.actor(), &id, &st.attachments)
    })
    .await?;
    Ok(crate::front::attachment(&a, bytes))
}

/// `DELETE /attachments/{id}`: its uploader, while the plan is a draft or needs info.
pub async fn remove(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let st = state.clone();
    write_as(&state, bearer, move |tx, me| {
        plan_attachments::remove(tx, &me.actor(), &id, &st.attachments)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
