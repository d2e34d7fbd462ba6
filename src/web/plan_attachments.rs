//! A plan's attachments on its pages: listed on the plan page and the plan form with a
//! download link each, added with a file field (`POST /plannen/{id}/bijlagen`), read
//! (`GET /bijlagen/{id}`), removed by whoever added them (`POST /bijlagen/{id}/verwijderen`).

use actix_web::{web, HttpResponse};

use super::attachments::{read_attachment, size_nl};
use super::kit::Post;
use super::session::Pending;
use super::{redirect, with_visitor, Visitor, WebError};
use crate::app::plan_attachments::PlanAttachment;
use crate::app::{plan_attachments, App};
use crate::domain::calendar::dutch_date_time;
use crate::domain::plan::attachments::{ACCEPTED_NL, MAX_BYTES};

/// One attachment as the pages list it.
pub struct AttachmentView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub added: String,
    /// The visitor added it, and may remove it now.
    pub removable: bool,
}

/// The attachments section of a plan's pages.
pub struct AttachmentsView {
    pub plan_id: String,
    pub items: Vec<AttachmentView>,
    /// Whether the visitor may add one now (and so remove their own).
    pub may_add: bool,
    pub accepted: &'static str,
    /// Shown on the plan form (which the forms go back to), rather than on the plan's page.
    pub on_form: bool,
}

/// The section for `items`, for a visitor (`user_id`) who may add files when `may_add`.
pub fn shown(
    plan_id: &str,
    items: &[PlanAttachment],
    user_id: &str,
    may_add: bool,
) -> AttachmentsView {
    AttachmentsView {
        plan_id: plan_id.to_string(),
        may_add,
        accepted: ACCEPTED_NL,
        on_form: false,
        items: items
            .iter()
            .map(|a| AttachmentView {
                id: a.file.id.clone(),
                name: a.file.name.clone(),
                size: size_nl(a.file.size),
                added: dutch_date_time(a.added_at),
                removable: may_add && a.uploader_id == user_id,
            })
            .collect(),
    }
}

/// `POST /plannen/{id}/bijlagen`: an applicant adds a file (multipart, field `bestand`).
pub async fn add(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.require(&format!("/plannen/{id}"))?.actor();
    let up = read_attachment(payload, MAX_BYTES).await?;
    v.check_csrf(up.csrf.as_deref())?;
    let (name, bytes) = (up.name, up.bytes);
    if bytes.is_empty() && name.is_empty() {
        return Err(WebError::Refused(
            "Kies eerst een bestand om toe te voegen.".into(),
        ));
    }
    let (st, pid) = (state.clone(), id.clone());
    web::block(move || {
        st.write(|tx| plan_attachments::add(tx, &actor, &pid, &name, &bytes, &st.attachments))
    })
    .await??;
    // Back to the form when it was sent from there, else to the plan's page.
    let page = if up.back.as_deref() == Some("formulier") {
        format!("/plannen/{id}/bewerken")
    } else {
        format!("/plannen/{id}")
    };
    Ok(redirect(
        &v,
        &format!("{page}?bericht=bijlage-toegevoegd#bijlagen"),
    ))
}

/// `GET /bijlagen/{id}`: the file, for whoever may see its plan.
pub async fn download(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let st = state.clone();
    let (_, (a, bytes)) = with_visitor(&state, pending, move |c, v| {
        let actor = v.require(&format!("/bijlagen/{id}"))?.actor();
        Ok(plan_attachments::read(c, &actor, &id, &st.attachments)?)
    })
    .await?;
    Ok(crate::front::attachment(&a, bytes))
}

/// `POST /bijlagen/{id}/verwijderen` (field `plan`, where to go back to): whoever added it
/// removes it, while the plan may be changed.
pub async fn remove(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<BackTo>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.signed_in("/mijn-plannen")?;
    let Post { v, form, .. } = post;
    let st = state.clone();
    web::block(move || st.write(|tx| plan_attachments::remove(tx, &actor, &id, &st.attachments)))
        .await??;
    // Back to the plan's page or form: its id is only used in a path of this site.
    let plan: String = form
        .plan
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let page = if form.terug == "formulier" {
        format!("/plannen/{plan}/bewerken")
    } else {
        format!("/plannen/{plan}")
    };
    Ok(redirect(
        &v,
        &format!("{page}?bericht=bijlage-verwijderd#bijlagen"),
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct BackTo {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    terug: String,
}
