//! Submitting and withdrawing a plan: the check page that lists what is still missing, the
//! submission itself, and withdrawing with a reason.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::kit::{self, Post};
use super::plan_form::field;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::plans::{self};
use crate::app::App;
use crate::domain::permission::Permission;

// ---- the check before submitting -------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/submit.html")]
struct SubmitPage {
    l: Layout,
    id: String,
    title: String,
    p: Problems,
    blocked: Option<String>,
    /// The plan is past submitting (submitted already, or further).
    submitted: bool,
}

async fn submit_check(
    state: &web::Data<App>,
    v: &Visitor,
    id: &str,
) -> Result<SubmitPage, WebError> {
    let actor = v.may(Permission::HoldPlans, &format!("/plannen/{id}/indienen"))?;
    let st = state.clone();
    let pid = id.to_string();
    let check = web::block(move || st.read(|c| plans::submission_check(c, &actor, &pid))).await??;
    Ok(SubmitPage {
        l: Layout::new("Plan indienen", v),
        id: id.to_string(),
        title: check.plan.plan.content.title.clone(),
        p: Problems::from_fields(&check.problems, field),
        submitted: matches!(
            check.blocked,
            Some(crate::domain::DomainError::NotAllowed { .. })
        ),
        blocked: check.blocked.map(|b| b.message_nl()),
    })
}

/// `GET /plannen/{id}/indienen`: everything still missing, each linking to its field on the
/// form, or the button.
pub async fn submit_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let page = submit_check(&state, &v, &id).await?;
    // Back on this page after submitting: the plan says where it stands.
    if page.submitted {
        return Ok(redirect(&v, &format!("/plannen/{id}?bericht=al-ingediend")));
    }
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct SubmitForm {
    answer: Option<String>,
}

/// `POST /plannen/{id}/indienen`: submits (a resubmission with the answer to the team's
/// question, when given).
pub async fn submit(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<SubmitForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::HoldPlans, &format!("/plannen/{id}/indienen"))?;
    let Post { v, form: f, .. } = post;
    let st = state.clone();
    let pid = id.clone();
    let answer = f.answer.clone().filter(|a| !a.trim().is_empty());
    let outcome =
        web::block(move || st.write(|tx| plans::submit(tx, &actor, &pid, answer.as_deref(), None)))
            .await?;
    match outcome {
        Ok(view) => {
            let key = if view.plan.info_request.is_some() {
                "opnieuw-ingediend"
            } else {
                "ingediend"
            };
            // The team's own action goes on in the work list's plan page.
            if !v.allows(Permission::FilePlans) {
                return Ok(redirect(&v, &format!("/plannen/{id}")));
            }
            Ok(redirect(&v, &format!("/mijn-plannen?bericht={key}")))
        }
        Err(e @ crate::app::Error::Domain(crate::domain::DomainError::NotAllowed { .. })) => {
            Err(WebError::on_plan(&id, e))
        }
        Err(e) => {
            let p = super::applicant::refusal(e)?;
            let mut page = submit_check(&state, &v, &id).await?;
            if page.p.is_empty() && page.blocked.is_none() {
                page.p = p;
            }
            page.l.title = "Fout: Plan indienen".into();
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

// ---- deleting a draft -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/delete_draft.html")]
struct DeleteDraftPage {
    l: Layout,
    id: String,
    title: String,
}

/// `GET /plannen/{id}/verwijderen`: asks first; a plan that is no draft (any more) goes back
/// to its page.
pub async fn delete_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(Permission::HoldPlans, &format!("/plannen/{id}/verwijderen"))?;
    let st = state.clone();
    let (pid, a) = (id.clone(), actor.clone());
    let (view, _) = web::block(move || st.read(|c| plans::read(c, &a, &pid))).await??;
    if !view
        .allowed_actions(&actor)
        .contains(&crate::domain::state::Action::Delete)
    {
        return Err(WebError::Overtaken { plan_id: id });
    }
    let page = DeleteDraftPage {
        l: Layout::new("Concept verwijderen", &v),
        title: if view.plan.content.title.is_empty() {
            "(nog zonder titel)".into()
        } else {
            view.plan.content.title.clone()
        },
        id,
    };
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/verwijderen`: the draft is gone.
pub async fn delete(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<super::account::CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::HoldPlans, &format!("/plannen/{id}/verwijderen"))?;
    let v = post.v;
    let (pid, dir) = (id.clone(), state.attachments.clone());
    kit::write_on_plan(&state, &id, move |tx| {
        plans::delete(tx, &actor, &pid, None, &dir)
    })
    .await?
    .map_err(|_| WebError::Overtaken {
        plan_id: id.clone(),
    })?;
    Ok(redirect(&v, "/mijn-plannen?bericht=concept-verwijderd"))
}

// ---- keeping an answer ------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// `POST /plannen/{id}/antwoord`: keeps the typed answer and goes on to the plan form, so
/// changing the plan loses nothing typed; the plan page shows the answer again after.
pub async fn keep_answer(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<AnswerForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::HoldPlans, &format!("/plannen/{id}"))?;
    let Post { v, form: f, .. } = post;
    let pid = id.clone();
    match kit::write(&state, move |tx| {
        plans::keep_answer(tx, &actor, &pid, &f.answer)
    })
    .await
    {
        Ok(Ok(())) => Ok(redirect(&v, &format!("/plannen/{id}/bewerken"))),
        Ok(Err(errors)) => Err(WebError::Refused(
            errors
                .iter()
                .map(|e| format!("Uw antwoord: {}", e.message_nl))
                .collect::<Vec<_>>()
                .join(" "),
        )),
        // Resubmitted or withdrawn meanwhile: the plan says where it stands.
        Err(WebError::Refused(_)) => Err(WebError::Overtaken { plan_id: id }),
        Err(e) => Err(e),
    }
}

// ---- withdrawing -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/withdraw.html")]
struct WithdrawPage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    reason: String,
}

/// `GET /plannen/{id}/intrekken`.
pub async fn withdraw_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(Permission::FilePlans, &format!("/plannen/{id}/intrekken"))?;
    let st = state.clone();
    let pid = id.clone();
    let (view, _) = web::block(move || st.read(|c| plans::read(c, &actor, &pid))).await??;
    let page = WithdrawPage {
        l: Layout::new("Plan intrekken", &v),
        p: Problems::new(),
        id,
        title: view.plan.content.title.clone(),
        reason: String::new(),
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

/// `POST /plannen/{id}/intrekken`: withdraws, with the reason.
pub async fn withdraw(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<WithdrawForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::FilePlans, &format!("/plannen/{id}/intrekken"))?;
    let Post { v, form: f, .. } = post;
    let pid = id.clone();
    let reason = f.reason.clone();
    let a = actor.clone();
    match kit::write_on_plan(&state, &id, move |tx| {
        plans::withdraw(tx, &a, &pid, Some(&reason), None)
    })
    .await?
    {
        Ok(_) => Ok(redirect(&v, "/mijn-plannen?bericht=ingetrokken")),
        Err(errors) => {
            let p = Problems::from_fields(&errors, |_| ("reason".into(), "Reden".into()));
            let st = state.clone();
            let pid = id.clone();
            let (view, _) = web::block(move || st.read(|c| plans::read(c, &actor, &pid))).await??;
            let page = WithdrawPage {
                l: Layout::new("Fout: Plan intrekken", &v),
                p,
                id,
                title: view.plan.content.title.clone(),
                reason: f.reason,
            };
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}
