//! The programme team's and the board's view of a plan: the plan as staff see it (versions,
//! history, similar plans, the actions of the moment), one action on it, a question to the
//! applicant, merging. The work list is in `worklist`, evaluation and pre-advice in `scoring`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::applicant::{shown_fields, Shown};
use super::form::Problems;
use super::kit::Post;
use super::public::Flash;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::board::TallyView;
use crate::app::dossier::{dossier, Dossier};
use crate::app::plans::{self, Expected, PlanView};
use crate::app::App;
use crate::app::{self, assessment};
use crate::domain::calendar::dutch_date_time;
use crate::domain::permission::Permission;
use crate::domain::pre_advice::Recommendation;
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::Actor;
use crate::domain::DomainError;

/// A field name of the API as the plan form labels it (for "what changed").
fn field_label(name: &str) -> &str {
    match name {
        "title" => "Titel",
        "description" => "Omschrijving",
        "goals" => "Doelen",
        "budget_line" => "Ten laste van budget",
        "lead_partner" => "Trekker",
        "co_leads" => "Andere trekkers",
        "partners" => "Samenwerkingspartners",
        "payee_id" => "Ontvanger van de bijdrage",
        "requested_eur" => "Gevraagde bijdrage",
        "other_funding" => "Andere financiering",
        "start_year" => "Startjaar",
        "end_year" => "Eindjaar",
        "continuing" => "Doorlopende actie",
        "expected_reach" => "Aantal inwoners dat u bereikt",
        "resident_involvement" => "Betrokkenheid van inwoners",
        "gap_in_offer" => "Aanvulling op bestaand aanbod",
        "applicant_kind" => "Soort indiener",
        other => other,
    }
}

pub(super) fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub(super) fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

// ---- a plan as staff see it ------------------------------------------------------------------

pub struct EventLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub to: &'static str,
    pub reason: String,
}

pub struct VersionLine {
    pub version: i32,
    pub at: String,
    pub changed: String,
    /// Each changed field: its label, what it was and what it became (shortened).
    pub diffs: Vec<(String, String, String)>,
}

/// A stored field's value as a reviewer reads it in a list of changes.
fn short(v: Option<&serde_json::Value>) -> String {
    let text = match v {
        None | Some(serde_json::Value::Null) => "—".to_string(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "—".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Bool(b)) => if *b { "ja" } else { "nee" }.to_string(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

pub struct SimilarLine {
    pub id: String,
    pub title: String,
    pub score: String,
    pub reasons: String,
}

/// A button that posts one plan action (`/plannen/{id}/actie`).
pub struct ActionButton {
    pub action: &'static str,
    pub label: &'static str,
    pub primary: bool,
}

pub struct ScoreLine {
    pub criterion: String,
    pub score: String,
    pub motivation: String,
}

pub struct AdviceView {
    pub recommendation: &'static str,
    pub proposed: String,
    pub total: i32,
    pub motivation: String,
    pub conditions: String,
    pub scores: Vec<ScoreLine>,
}

#[derive(Clone)]
pub struct TallyLine {
    pub r#for: u32,
    pub against: u32,
    pub abstain: u32,
    pub cast: u32,
    pub eligible: u32,
    pub recused: u32,
    pub quorum: bool,
    pub carried: bool,
    pub votes: Vec<(String, &'static str, String, bool)>,
    pub recusals: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "web/plan_staff.html")]
struct StaffPlanPage {
    l: Layout,
    id: String,
    title: String,
    round_id: String,
    round_name: String,
    status: &'static str,
    version: i64,
    buttons: Vec<ActionButton>,
    may_ask: bool,
    may_evaluate: bool,
    may_pre_advise: bool,
    may_merge: bool,
    may_vote: bool,
    question: Option<(String, Option<String>)>,
    advice: Option<AdviceView>,
    tally: Option<TallyLine>,
    fields: Vec<Shown>,
    versions: Vec<VersionLine>,
    events: Vec<EventLine>,
    similar: Vec<SimilarLine>,
    evaluations: usize,
    links: Vec<(&'static str, String, String)>,
}

fn recommendation_nl(r: Recommendation) -> &'static str {
    match r {
        Recommendation::Positive => "positief",
        Recommendation::Conditional => "positief onder voorwaarden",
        Recommendation::Negative => "negatief",
    }
}

fn criterion_name(round: &Round, code: &str) -> String {
    round
        .spec
        .catalog
        .criteria
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn choice_nl(c: crate::domain::tally::VoteChoice) -> &'static str {
    match c.as_str() {
        "for" => "voor",
        "against" => "tegen",
        _ => "onthouding",
    }
}

/// A vote's count as the pages show it; `people` names the voters.
pub fn tally_line_of(t: &TallyView, people: &HashMap<String, String>) -> TallyLine {
    let name = |id: &str| people.get(id).cloned().unwrap_or_else(|| id.to_string());
    TallyLine {
        r#for: t.tally.r#for,
        against: t.tally.against,
        abstain: t.tally.abstain,
        cast: t.tally.cast,
        eligible: t.tally.eligible,
        recused: t.tally.recused,
        quorum: t.tally.quorum_reached,
        carried: t.tally.carried,
        votes: t
            .votes
            .iter()
            .map(|(v, counts)| {
                (
                    name(&v.member_id),
                    choice_nl(v.choice),
                    v.comment.clone(),
                    *counts,
                )
            })
            .collect(),
        recusals: t
            .recusals
            .iter()
            .map(|(m, r)| (name(m), r.reason_nl()))
            .collect(),
    }
}

pub fn tally_line(d: &Dossier) -> Option<TallyLine> {
    d.tally.as_ref().map(|t| tally_line_of(t, &d.people))
}

/// A pre-advice as the pages show it, its criteria named as the round names them.
pub fn advice_of(a: &crate::domain::pre_advice::PreAdvice, round: &Round) -> AdviceView {
    AdviceView {
        recommendation: recommendation_nl(a.recommendation),
        proposed: a.proposed_eur.format_nl(),
        total: a.total_score,
        motivation: a.motivation.clone(),
        conditions: a.conditions.clone(),
        scores: a
            .scores
            .iter()
            .map(|s| ScoreLine {
                criterion: criterion_name(round, &s.criterion),
                score: s
                    .score
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "n.v.t.".into()),
                motivation: s.motivation.clone(),
            })
            .collect(),
    }
}

pub fn advice_view(d: &Dossier) -> Option<AdviceView> {
    let a = &d.view.plan.pre_advice.as_ref()?.advice;
    Some(advice_of(a, &d.round))
}

/// `/plannen/{id}` for the programme team and the board.
pub async fn plan_page(
    state: web::Data<App>,
    v: Visitor,
    id: String,
    q: Flash,
) -> Result<HttpResponse, WebError> {
    let actor = v.may(Permission::SeeAssessment, &format!("/plannen/{id}"))?;
    let st = state.clone();
    let a = actor.clone();
    let pid = id.clone();
    let d = web::block(move || st.read(|c| dossier(c, &st.similar, &a, &pid))).await??;
    let allowed = d.view.allowed_actions(&actor);
    let plan = &d.view.plan;
    let name = |id: &str| {
        d.people
            .get(id)
            .cloned()
            .unwrap_or_else(|| "iemand".to_string())
    };
    let mut buttons = Vec::new();
    for (action, label, primary) in [
        (Action::StartReview, "In behandeling nemen", true),
        (Action::OpenVote, "Stemming openen", true),
        (Action::CloseVote, "Stemming sluiten", true),
        (Action::RevisePreAdvice, "Pre-advies herzien", false),
        (Action::CancelVote, "Stemming afbreken", false),
    ] {
        if allowed.contains(&action) {
            buttons.push(ActionButton {
                action: action.as_str(),
                label,
                primary,
            });
        }
    }
    let page = StaffPlanPage {
        l: Layout::new(
            if plan.content.title.is_empty() {
                "Projectplan".to_string()
            } else {
                plan.content.title.clone()
            },
            &v,
        )
        .with_flash(super::flash(q.bericht.as_deref())),
        id: plan.id.clone(),
        title: plan.content.title.clone(),
        round_id: d.round.id.clone(),
        round_name: d.round.spec.name.clone(),
        status: plan.status.label_nl(),
        version: d.view.version_for(&actor),
        buttons,
        // After the adoption no answer could be submitted, so no question is offered.
        may_ask: allowed.contains(&Action::RequestInfo)
            && d.round.check_accepts_questions().is_ok(),
        may_evaluate: allowed.contains(&Action::Evaluate),
        may_pre_advise: allowed.contains(&Action::RecordPreAdvice),
        may_merge: allowed.contains(&Action::MergeInto),
        may_vote: allowed.contains(&Action::Vote) || allowed.contains(&Action::DeclareConflict),
        question: plan
            .info_request
            .as_ref()
            .map(|r| (r.message.clone(), r.answer.clone())),
        advice: advice_view(&d),
        tally: tally_line(&d),
        fields: shown_fields(&d.view, &d.round, &d.organisations),
        versions: d
            .versions
            .iter()
            .enumerate()
            .map(|(i, (v, changed))| VersionLine {
                // Newest first: the version before is the next in the list.
                diffs: d
                    .versions
                    .get(i + 1)
                    .map(|(before, _)| {
                        changed
                            .iter()
                            .map(|f| {
                                (
                                    field_label(f).to_string(),
                                    short(before.snapshot.get(f)),
                                    short(v.snapshot.get(f)),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                version: v.version,
                at: dutch_date_time(v.submitted_at),
                changed: if v.version == 1 {
                    "Eerste indiening".into()
                } else if changed.is_empty() {
                    "Niets gewijzigd".into()
                } else {
                    format!(
                        "Gewijzigd: {}",
                        changed
                            .iter()
                            .map(|f| field_label(f))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            })
            .collect(),
        events: d
            .events
            .iter()
            .map(|e| EventLine {
                at: dutch_date_time(e.at),
                who: e.actor_id.as_deref().map(name).unwrap_or_default(),
                what: capital(e.action.label_nl()),
                to: e.to.label_nl(),
                reason: e.reason.clone().unwrap_or_default(),
            })
            .collect(),
        similar: d
            .similar
            .iter()
            .map(|s| SimilarLine {
                id: s.plan_id.clone(),
                title: s.title.clone(),
                score: format!("{:.0} %", s.score * 100.0),
                reasons: s.reasons_nl.join("; "),
            })
            .collect(),
        evaluations: d.evaluations.evaluations.len(),
        links: d.links.clone(),
    };
    render(&v, StatusCode::OK, &page)
}

// ---- one action on a plan ----------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
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
    let expected = Expected::Versions(vec![f.versie.clone()]);
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let done = web::block(move || {
        st.write(|tx| match action {
            Action::StartReview => assessment::start_review(tx, &a, &pid, Some(&expected)),
            Action::OpenVote => assessment::open_vote(tx, &a, &pid, Some(&expected)),
            Action::CancelVote => assessment::cancel_vote(tx, &a, &pid, Some(&expected)),
            Action::RevisePreAdvice => assessment::revise_pre_advice(tx, &a, &pid, Some(&expected)),
            Action::CloseVote => app::board::close_vote(tx, &a, &pid, Some(&expected)),
            _ => Err(crate::domain::state::forbidden(action).into()),
        })
    })
    .await??;
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
}

#[derive(Debug, Default, Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    message: String,
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
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let message = f.message.clone();
    let expected = Expected::Versions(vec![f.versie.clone()]);
    match web::block(move || {
        st.write(|tx| assessment::request_info(tx, &a, &pid, Some(&message), Some(&expected)))
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/plannen/{id}?bericht=vraag-gesteld"),
        )),
        Err(app::Error::Domain(DomainError::Invalid(errors))) => {
            let (view, _) = read_plan(&state, &actor, &id).await?;
            let page = QuestionPage {
                l: Layout::new("Fout: Vraag aan de indiener", &v),
                p: Problems::from_fields(&errors, |_| ("message".into(), "Vraag".into())),
                id,
                title: view.plan.content.title.clone(),
                version: view.version_for(&actor),
                message: f.message,
            };
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
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
            let d = dossier(c, &st.similar, &a, &pid)?;
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
