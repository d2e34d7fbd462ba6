//! Reviewers on the staff's plan page (`/plannen/{id}`, section "Beoordelaars"): who is
//! assigned and by when, and for the programme team the form to assign
//! (`POST /plannen/{id}/beoordelaars`).

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::kit::{self, Post};
use super::{redirect, WebError};
use crate::app::assignments::{Assignee, Request};
use crate::app::App;
use crate::domain::calendar::dutch_date;
use crate::domain::permission::Permission;

/// Someone the team may assign, as the form offers them.
pub struct Candidate {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

/// The section "Beoordelaars".
pub struct AssigneesView {
    pub plan_id: String,
    /// Each assignee: name, and the due date in words (empty without one).
    pub assigned: Vec<(String, String)>,
    /// The form's choices, for the programme team while reviewers can be assigned.
    pub candidates: Option<Vec<Candidate>>,
    /// The due date as the form's date field holds it.
    pub due_on: String,
}

pub fn shown(
    plan_id: &str,
    assignees: &[Assignee],
    candidates: Option<&[(String, String, &'static str)]>,
) -> AssigneesView {
    AssigneesView {
        plan_id: plan_id.to_string(),
        assigned: assignees
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.due_on
                        .map(|d| format!("uiterlijk {}", dutch_date(d)))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        candidates: candidates.map(|all| {
            all.iter()
                .map(|(id, name, role)| Candidate {
                    id: id.clone(),
                    label: format!("{name} ({role})"),
                    checked: assignees.iter().any(|a| &a.user_id == id),
                })
                .collect()
        }),
        due_on: assignees
            .first()
            .and_then(|a| a.due_on)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    beoordelaar: Vec<String>,
    #[serde(default)]
    datum: String,
}

/// `POST /plannen/{id}/beoordelaars`: the team sets the plan's reviewers and due date.
pub async fn assign(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<AssignForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::ReviewPlans, &format!("/plannen/{id}"))?;
    let Post { v, form: f, .. } = post;
    let (pid, site) = (id.clone(), state.public_url.clone());
    let request = Request {
        user_ids: Some(f.beoordelaar),
        due_on: Some(f.datum),
    };
    match kit::write_on_plan(&state, &id, move |tx| {
        crate::app::assignments::assign(tx, &actor, &pid, &request, &site)
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/plannen/{id}?bericht=toegewezen#beoordelaars"),
        )),
        Err(errors) => Err(WebError::Refused(
            errors
                .iter()
                .map(|e| {
                    let field = if crate::domain::assignment::is_user_field(e) {
                        "Beoordelaars"
                    } else {
                        "Uiterlijk op"
                    };
                    format!("{field}: {}", e.message_nl)
                })
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}
