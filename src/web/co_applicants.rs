//! The plan's applicants on its page (`/plannen/{id}`, section "Indieners"): the owner, the
//! co-applicants with a way to take one off (the owner) or to step out (a co-applicant), the
//! owner's invitation form (`POST /plannen/{id}/mede-indieners`), and the submitted versions
//! with who made them.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::kit::{self, Post};
use super::{redirect, WebError};
use crate::app::co_applicants::{CoApplicant, Invitation};
use crate::app::plans::ShownVersion;
use crate::app::App;
use crate::domain::calendar::dutch_date_time;

/// A co-applicant as the section lists them.
pub struct CoApplicantView {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// The visitor may take them off: "Verwijderen" for the owner, "Uit dit plan stappen" for
    /// the co-applicant themselves; empty otherwise.
    pub remove_label: &'static str,
}

/// The section "Indieners".
pub struct ApplicantsView {
    pub plan_id: String,
    pub owner: String,
    pub co: Vec<CoApplicantView>,
    pub may_invite: bool,
    /// Each submitted version: number, date, and who made it.
    pub versions: Vec<(i32, String, String)>,
}

/// Who submitted a version and who changed the plan for it, in words ("ingediend door Anna;
/// gewijzigd door Anna en Bob"); empty when nothing was recorded.
pub fn made_by(v: &ShownVersion) -> String {
    let mut parts = Vec::new();
    if let Some(by) = &v.submitted_by {
        parts.push(format!("ingediend door {by}"));
    }
    if !v.changed_by.is_empty() {
        parts.push(format!("gewijzigd door {}", names_nl(&v.changed_by)));
    }
    parts.join("; ")
}

/// The co-applicants' names in words, for the team's page.
pub fn names_of(co: &[CoApplicant]) -> String {
    names_nl(&co.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
}

/// "Anna", "Anna en Bob", "Anna, Bob en Carla".
fn names_nl(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// The section for a plan whose owner is `owner`, seen by `user_id`.
pub fn shown(
    plan: &crate::domain::plan::Plan,
    owner: &str,
    co: &[CoApplicant],
    versions: &[ShownVersion],
    user_id: &str,
) -> ApplicantsView {
    let is_owner = plan.owner_id == user_id;
    ApplicantsView {
        plan_id: plan.id.clone(),
        owner: owner.to_string(),
        may_invite: crate::domain::plan::co_applicants::check_inviter(plan, user_id).is_ok(),
        co: co
            .iter()
            .map(|c| CoApplicantView {
                remove_label: match crate::domain::plan::co_applicants::check_remover(
                    plan, user_id, &c.user_id,
                ) {
                    Ok(()) if is_owner => "Verwijderen",
                    Ok(()) => "Uit dit plan stappen",
                    Err(_) => "",
                },
                user_id: c.user_id.clone(),
                name: c.name.clone(),
                email: c.email.clone(),
            })
            .collect(),
        versions: versions
            .iter()
            .map(|v| {
                (
                    v.version.version,
                    dutch_date_time(v.version.submitted_at),
                    made_by(v),
                )
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    naam: String,
}

/// `POST /plannen/{id}/mede-indieners`: the owner invites someone; back to the section.
pub async fn invite(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<InvitationForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.signed_in(&format!("/plannen/{id}"))?;
    let Post { v, form: f, .. } = post;
    let (pid, site) = (id.clone(), state.public_url.clone());
    let invitation = Invitation {
        email: Some(f.email),
        name: Some(f.naam),
    };
    match kit::write(&state, move |tx| {
        crate::app::co_applicants::invite(tx, &actor, &pid, &invitation, &site)
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/plannen/{id}?bericht=uitgenodigd#indieners"),
        )),
        Err(errors) => Err(WebError::Refused(
            errors
                .iter()
                .map(|e| {
                    let field = match e.field.as_str() {
                        "email" => "E-mailadres",
                        "name" => "Naam",
                        _ => "Uitnodiging",
                    };
                    format!("{field}: {}", e.message_nl)
                })
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RemoveForm {}

/// `POST /plannen/{id}/mede-indieners/{user_id}/verwijderen`: the owner takes a co-applicant
/// off, or a co-applicant steps out (and then no longer sees the plan: to their plans).
pub async fn remove(
    state: web::Data<App>,
    path: web::Path<(String, String)>,
    post: Post<RemoveForm>,
) -> Result<HttpResponse, WebError> {
    let (id, user_id) = path.into_inner();
    let actor = post.signed_in(&format!("/plannen/{id}"))?;
    let stepped_out = actor.user_id == user_id;
    let (pid, uid) = (id.clone(), user_id.clone());
    match kit::write(&state, move |tx| {
        crate::app::co_applicants::remove(tx, &actor, &pid, &uid)
    })
    .await?
    {
        Ok(()) if stepped_out => Ok(redirect(&post.v, "/mijn-plannen?bericht=uitgestapt")),
        Ok(()) => Ok(redirect(
            &post.v,
            &format!("/plannen/{id}?bericht=mede-indiener-verwijderd#indieners"),
        )),
        Err(errors) => Err(WebError::Refused(
            errors
                .iter()
                .map(|e| e.message_nl.clone())
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}
