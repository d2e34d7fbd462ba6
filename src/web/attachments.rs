//! A report's attachments in the browser: adding one (a multipart form), reading one,
//! removing one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::form::Problems;
use super::grants::{grant_page, FinalForm, ReportForm};
use super::kit::Post;
use super::session::Pending;
use super::{redirect, render, with_visitor, Visitor, WebError};
use crate::app;
use crate::app::grants;
use crate::app::App;
use crate::domain::grant as rules;
use crate::domain::DomainError;

/// Reads the attachment form (`multipart/form-data`): its token and the chosen file, at most
/// one byte over `limit` (the rule then says it is too large).
pub(super) async fn read_attachment(
    mut payload: actix_multipart::Multipart,
    limit: usize,
) -> Result<Uploaded, WebError> {
    use futures_util::StreamExt;
    let bad = || {
        WebError::Refused(
            "Het formulier kwam niet goed aan. Kies het bestand en probeer het opnieuw.".into(),
        )
    };
    let mut up = Uploaded::default();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| bad())?;
        let field_name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename().map(str::to_string));
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| bad())?;
            let room = (limit + 1).saturating_sub(data.len());
            data.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match field_name.as_str() {
            "csrf" => up.csrf = String::from_utf8(data).ok(),
            "terug" => up.back = String::from_utf8(data).ok(),
            "bestand" => {
                up.name = file_name.unwrap_or_default();
                up.bytes = data;
            }
            _ => {}
        }
    }
    Ok(up)
}

/// What an attachment form sent: its token, the file's name and bytes, and where the page
/// that sent it wants to go back to (`terug`), if it says.
#[derive(Default)]
pub(super) struct Uploaded {
    pub csrf: Option<String>,
    pub name: String,
    pub bytes: Vec<u8>,
    pub back: Option<String>,
}

/// `POST /verslagen/{id}/bijlage`: the applicant adds a photo or a PDF to a filed report.
pub async fn attach(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, WebError> {
    let report_id = path.into_inner();
    let actor = v.require("/subsidies")?.actor();
    let Uploaded {
        csrf, name, bytes, ..
    } = read_attachment(payload, rules::ATTACHMENT_MAX_BYTES).await?;
    v.check_csrf(csrf.as_deref())?;
    let st = state.clone();
    let rid = report_id.clone();
    let outcome = web::block(move || {
        st.write(|tx| grants::attach(tx, &actor, &rid, &name, &bytes, &st.attachments))
    })
    .await?;
    match outcome {
        Ok((view, _)) => Ok(redirect(
            &v,
            &format!("/subsidies/{}?bericht=bijlage", view.grant.id),
        )),
        Err(app::Error::Domain(d)) => {
            let st = state.clone();
            let a = v.require("/subsidies")?.actor();
            let rid = report_id.clone();
            let view = web::block(move || st.read(|c| grants::of_report(c, &a, &rid))).await??;
            let mut p = Problems::new();
            let message = match &d {
                DomainError::Invalid(e) => e
                    .iter()
                    .map(|e| e.message_nl.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.message_nl(),
            };
            p.add(format!("bestand-{report_id}"), "Bijlage", message);
            let page = grant_page(&v, view, p, ReportForm::default(), FinalForm::default());
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /verslagen/{id}/bijlage`: the report's first attachment (links of before reports had
/// several), for those who may read the grant.
pub async fn attachment(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let st = state.clone();
    let (_, (a, bytes)) = with_visitor(&state, pending, move |c, v| {
        let actor = v.require("/subsidies")?.actor();
        Ok(grants::attachment(c, &actor, &id, None, &st.attachments)?)
    })
    .await?;
    Ok(crate::front::attachment(&a, bytes))
}

/// `GET /verslagen/{id}/bijlagen/{bijlage}`: one attachment.
pub async fn one_attachment(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (id, aid) = path.into_inner();
    let st = state.clone();
    let (_, (a, bytes)) = with_visitor(&state, pending, move |c, v| {
        let actor = v.require("/subsidies")?.actor();
        Ok(grants::attachment(
            c,
            &actor,
            &id,
            Some(&aid),
            &st.attachments,
        )?)
    })
    .await?;
    Ok(crate::front::attachment(&a, bytes))
}

/// `POST /verslagen/{id}/bijlagen/{bijlage}/verwijderen`: the applicant removes an attachment
/// (the button names the file; nothing else is lost, and another can be added).
pub async fn detach(
    state: web::Data<App>,
    path: web::Path<(String, String)>,
    post: Post<super::account::CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    let (id, aid) = path.into_inner();
    let actor = post.signed_in("/subsidies")?;
    let v = post.v;
    let st = state.clone();
    let view =
        web::block(move || st.write(|tx| grants::detach(tx, &actor, &id, &aid, &st.attachments)))
            .await??;
    Ok(redirect(
        &v,
        &format!("/subsidies/{}?bericht=bijlage-verwijderd", view.grant.id),
    ))
}

/// A file's size as people read it: "240 kB", "1,2 MB".
pub(super) fn size_nl(bytes: i64) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", (bytes + 999) / 1000)
    } else {
        let tenths = (bytes + 50_000) / 100_000;
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}
