//! The team's steps on a plan from its page: one action (start review, open, cancel or close
//! the vote, revise the pre-advice), a question to the applicant, merging into another plan.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::kit::{self, Post};
use super::plan_page::{shown_fields, Shown};
use super::team::non_empty;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::dossier::dossier;
use crate::app::plans::{self, Expected, PlanView};
use crate::app::App;
use crate::app::{self, assessment};
use crate::domain::permission::Permission;
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::Actor;
use crate::domain::DomainError;

// ---- one action on a plan ----------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    /// "ja" once the person saw what closing or cancelling a vote brings and confirmed it.
    #[serde(default)]
    bevestigd: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    versie: String,
}

/// `POST /plannen/{id}/actie`: start review, open, cancel or close the vote, revise the
/// pre-advice: the button on the plan page. The plan must still be at the version the page
/// showed, so a button pressed on an old page changes nothing.
pub async fn plan_action(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ActionForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::SeeAssessment, &format!("/plannen/{id}"))?;
    let Post { v, form: f, .. } = post;
    let action = Action::parse(&f.actie)
        .ok_or_else(|| WebError::Refused("Deze actie bestaat niet.".into()))?;
    if matches!(action, Action::CloseVote | Action::CancelVote) && f.bevestigd != "ja" {
        return confirm_vote_step(&state, &v, &actor, &id, action, &f.versie).await;
    }
    let expected = Expected::Versions(vec![f.versie.clone()]);
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let site = state.public_url.clone();
    let done = web::block(move || {
        st.write(|tx| app::dossier::step(tx, &a, &pid, action, &site, Some(&expected)))
    })
    .await?
    .map_err(|e| WebError::on_plan(&id, e))?;
    let key = match (action, done.plan.status) {
        (Action::CloseVote, PlanStatus::Approved | PlanStatus::Rejected) => "stemming-aangenomen",
        (Action::CloseVote, _) => "stemming-niet-aangenomen",
        (Action::StartReview, _) => "in-behandeling",
        (Action::OpenVote, _) => "stemming-geopend",
        (Action::CancelVote, _) => "stemming-afgebroken",
        _ => "pre-advies-herzien",
    };
    let back = if action == Action::CloseVote {
        format!("/bestuur?bericht={key}")
    } else {
        format!("/plannen/{id}?bericht={key}")
    };
    Ok(redirect(&v, &back))
}

/// The page before closing or cancelling a vote: where the vote stands and what follows.
#[derive(Template)]
#[template(path = "web/confirm_vote.html")]
struct ConfirmVotePage {
    l: Layout,
    id: String,
    title: String,
    version: String,
    action: &'static str,
    closing: bool,
    tally: Option<super::team::TallyLine>,
    /// What happens once confirmed, sentence by sentence.
    follows: Vec<&'static str>,
    /// Closing cannot be done yet (no quorum): said instead of the button.
    blocked: Option<&'static str>,
    /// Where "Terug" goes: the board's agenda for the chair, else the plan.
    back: String,
}

/// Shows what closing (or cancelling) the vote on plan `id` will do, with the button that does
/// it; nothing changes until that button is pressed.
async fn confirm_vote_step(
    state: &web::Data<App>,
    v: &Visitor,
    actor: &Actor,
    id: &str,
    action: Action,
    version: &str,
) -> Result<HttpResponse, WebError> {
    let st = state.clone();
    let (a, pid) = (actor.clone(), id.to_string());
    let d = web::block(move || st.read(|c| dossier(c, &st.similar, &st.reads, &a, &pid))).await??;
    if !d.view.allowed_actions(actor).contains(&action) {
        return Err(WebError::Overtaken {
            plan_id: id.to_string(),
        });
    }
    let tally = super::team::tally_line(&d);
    let closing = action == Action::CloseVote;
    let (follows, blocked) = match (&tally, closing) {
        (_, false) => (
            vec![
                "De stemmen die al zijn uitgebracht vervallen.",
                "Het plan is weer in behandeling bij het programmateam; dat kan het pre-advies aanpassen en een nieuwe stemming openen.",
                "De indiener merkt hier niets van.",
            ],
            None,
        ),
        (Some(t), true) if !t.quorum => (
            Vec::new(),
            Some("Sluiten kan pas als meer dan de helft van de stemgerechtigden heeft gestemd."),
        ),
        (Some(t), true) if t.carried => (
            vec![
                "Het bestuur volgt het pre-advies. Dat besluit staat dan vast.",
                "Het plan gaat mee in de vaststelling door het college.",
                "De indiener hoort de uitkomst pas na die vaststelling, met de besluitbrief.",
            ],
            None,
        ),
        (_, true) => (
            vec![
                "Het bestuur volgt het pre-advies niet (bij staken van stemmen evenmin).",
                "Het plan gaat terug naar het programmateam voor een nieuw pre-advies.",
                "De indiener merkt hier niets van.",
            ],
            None,
        ),
    };
    let title = d.view.plan.content.title.clone();
    let page = ConfirmVotePage {
        l: Layout::new(
            if closing {
                format!("Stemming sluiten: {title}")
            } else {
                format!("Stemming afbreken: {title}")
            },
            v,
        ),
        id: id.to_string(),
        title,
        version: version.to_string(),
        action: action.as_str(),
        closing,
        tally,
        follows,
        blocked,
        back: if closing && v.allows(Permission::Vote) {
            format!("/bestuur#plan-{id}")
        } else {
            format!("/plannen/{id}")
        },
    };
    render(v, StatusCode::OK, &page)
}

// ---- a question to the applicant ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/question.html")]
struct QuestionPage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    version: i64,
    message: String,
    /// The answer date as the date field holds it (`YYYY-MM-DD`).
    answer_by: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    answer_by: String,
    #[serde(default)]
    versie: String,
}

pub(super) async fn read_plan(
    state: &web::Data<App>,
    actor: &Actor,
    id: &str,
) -> Result<(PlanView, Round), WebError> {
    let st = state.clone();
    let a = actor.clone();
    let pid = id.to_string();
    Ok(web::block(move || st.read(|c| plans::read(c, &a, &pid))).await??)
}

/// `GET /plannen/{id}/vraag`: the team asks the applicant a question (the plan goes to
/// "aanvulling gevraagd").
pub async fn question_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(Permission::ReviewPlans, &format!("/plannen/{id}/vraag"))?;
    let (view, _) = read_plan(&state, &actor, &id).await?;
    let page = QuestionPage {
        l: Layout::new("Vraag aan de indiener", &v),
        p: Problems::new(),
        id,
        title: view.plan.content.title.clone(),
        version: view.version_for(&actor),
        message: String::new(),
        // Two weeks unless the team chooses another date.
        answer_by: (crate::domain::calendar::amsterdam_date(chrono::Utc::now())
            + chrono::Duration::days(crate::domain::decision::ANSWER_DAYS))
        .to_string(),
    };
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/vraag`.
pub async fn ask(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<QuestionForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::ReviewPlans, &format!("/plannen/{id}/vraag"))?;
    let Post { v, form: f, .. } = post;
    let pid = id.clone();
    let a = actor.clone();
    let (message, answer_by) = (f.message.clone(), f.answer_by.clone());
    let expected = Expected::Versions(vec![f.versie.clone()]);
    let site = state.public_url.clone();
    match kit::write_on_plan(&state, &id, move |tx| {
        let question = assessment::Question {
            message: Some(&message),
            answer_by: Some(&answer_by),
        };
        assessment::request_info(tx, &a, &pid, question, &site, Some(&expected))
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/plannen/{id}?bericht=vraag-gesteld"),
        )),
        Err(errors) => {
            let (view, _) = read_plan(&state, &actor, &id).await?;
            let page = QuestionPage {
                l: Layout::new("Fout: Vraag aan de indiener", &v),
                p: Problems::from_fields(&errors, |f| match f {
                    "answer_by" => ("answer_by".into(), "Antwoord graag uiterlijk".into()),
                    _ => ("message".into(), "Vraag".into()),
                }),
                id,
                title: view.plan.content.title.clone(),
                version: view.version_for(&actor),
                message: f.message,
                answer_by: f.answer_by,
            };
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

// ---- merging -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/merge.html")]
struct MergePage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    version: i64,
    /// Plans it could go into: similar ones first.
    candidates: Vec<(String, String)>,
    /// The chosen target, shown beside this plan before confirming.
    target: Option<(String, String, Vec<Shown>)>,
    fields: Vec<Shown>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MergeQuery {
    doel: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    doel: String,
    /// The combined plan's amount, when the team sets it (empty: the target's stays).
    #[serde(default)]
    requested_eur: String,
    #[serde(default)]
    versie: String,
}

async fn merge_page_for(
    state: &web::Data<App>,
    v: &Visitor,
    actor: &Actor,
    id: &str,
    target: Option<String>,
    p: Problems,
) -> Result<MergePage, WebError> {
    let st = state.clone();
    let a = actor.clone();
    let pid = id.to_string();
    let (d, target) = web::block(move || {
        st.read(|c| {
            let d = dossier(c, &st.similar, &st.reads, &a, &pid)?;
            let target = match target {
                Some(t) => Some(plans::read(c, &a, &t)?),
                None => None,
            };
            Ok((d, target))
        })
    })
    .await??;
    let mut candidates: Vec<(String, String)> = d
        .similar
        .iter()
        .map(|s| {
            (
                s.plan_id.clone(),
                format!("{} (lijkt {:.0} %)", s.title, s.score * 100.0),
            )
        })
        .collect();
    candidates.truncate(20);
    Ok(MergePage {
        l: Layout::new(
            if p.is_empty() {
                "Samenvoegen".to_string()
            } else {
                "Fout: Samenvoegen".to_string()
            },
            v,
        ),
        id: id.to_string(),
        title: d.view.plan.content.title.clone(),
        version: d.view.version_for(actor),
        candidates,
        target: target.map(|(tv, tr)| {
            (
                tv.plan.id.clone(),
                tv.plan.content.title.clone(),
                shown_fields(&tv, &tr, &d.organisations),
            )
        }),
        fields: shown_fields(&d.view, &d.round, &d.organisations),
        p,
    })
}

/// `GET /plannen/{id}/samenvoegen[?doel=]`: choose the plan to merge into, then confirm with
/// both plans side by side.
pub async fn merge_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<MergeQuery>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(
        Permission::ReviewPlans,
        &format!("/plannen/{id}/samenvoegen"),
    )?;
    let target = non_empty(&q.doel);
    let page = merge_page_for(&state, &v, &actor, &id, target, Problems::new()).await?;
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/samenvoegen`: merges, once confirmed.
pub async fn merge(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<MergeForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(
        Permission::ReviewPlans,
        &format!("/plannen/{id}/samenvoegen"),
    )?;
    let Post { v, form: f, .. } = post;
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let target = f.doel.clone();
    let expected = Expected::Versions(vec![f.versie.clone()]);
    let raw = f.requested_eur.trim().replace(['.', ' ', '€'], "");
    let requested = if raw.is_empty() {
        None
    } else {
        match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let mut p = Problems::new();
                p.add(
                    "requested_eur",
                    "Gevraagde bijdrage van het samengevoegde plan (€)",
                    "Vul een bedrag in hele euro's in, of laat het leeg.",
                );
                let page = merge_page_for(&state, &v, &actor, &id, Some(f.doel.clone()), p).await?;
                return render(&v, StatusCode::BAD_REQUEST, &page);
            }
        }
    };
    match web::block(move || {
        st.write(|tx| {
            assessment::merge_into(tx, &a, &pid, Some(&target), requested, Some(&expected))
        })
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/plannen/{}?bericht=samengevoegd", f.doel),
        )),
        Err(app::Error::Domain(DomainError::Invalid(errors))) => {
            let p = Problems::from_fields(&errors, |f| {
                if f == "requested_eur" {
                    (
                        "requested_eur".into(),
                        "Gevraagde bijdrage van het samengevoegde plan (€)".into(),
                    )
                } else {
                    ("doel".into(), "Samenvoegen met".into())
                }
            });
            let page = merge_page_for(&state, &v, &actor, &id, Some(f.doel.clone()), p).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(app::Error::Domain(d)) => {
            let mut p = Problems::new();
            p.add("doel", "Samenvoegen met", d.message_nl());
            let page = merge_page_for(&state, &v, &actor, &id, None, p).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}
