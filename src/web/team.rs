//! The programme team's pages: the work list, a plan as staff see it (versions, history,
//! similar plans, the actions of the moment), a question to the applicant, merging, the own
//! evaluation and the pre-advice. The board sees the same plan page with its own actions.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::applicant::{shown_fields, Shown};
use super::form::{Posted, Problems};
use super::public::Flash;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::board::TallyView;
use crate::app::dossier::{dossier, Dossier};
use crate::app::plans::{self, Expected, ListQuery, Listing, PlanView};
use crate::app::{self, assessment, rounds};
use crate::domain::calendar::dutch_date_time;
use crate::domain::evaluation::ScoreInput;
use crate::domain::pre_advice::{default_score, PreAdviceInput, Recommendation};
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::{Account, Actor, Role};
use crate::domain::{DomainError, Eur};
use crate::http::AppState;

/// The programme team only; anyone else signed in gets a 403 page.
pub fn team<'a>(v: &'a Visitor, here: &str) -> Result<&'a Account, WebError> {
    let a = v.require(here)?;
    if a.actor().has(Role::ProgrammeTeam) {
        Ok(a)
    } else {
        Err(WebError::Forbidden(
            "Deze pagina is voor het programmateam.".into(),
        ))
    }
}

/// The programme team and the board.
pub fn staff<'a>(v: &'a Visitor, here: &str) -> Result<&'a Account, WebError> {
    let a = v.require(here)?;
    if a.actor().is_staff() {
        Ok(a)
    } else {
        Err(WebError::Forbidden(
            "Deze pagina is voor het programmateam en het bestuur.".into(),
        ))
    }
}

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

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The next step on a plan for this staff member, and where it is taken.
fn next_step(view: &PlanView, actor: &Actor) -> (String, String) {
    let allowed = view.allowed_actions(actor);
    let id = &view.plan.id;
    for a in [
        Action::StartReview,
        Action::Evaluate,
        Action::OpenVote,
        Action::Vote,
        Action::CloseVote,
        Action::Adopt,
    ] {
        if allowed.contains(&a) {
            let href = match a {
                Action::Evaluate => format!("/plannen/{id}/beoordeling"),
                Action::Vote => format!("/bestuur#plan-{id}"),
                Action::Adopt => format!("/rondes/{}/vaststelling", view.plan.round_id),
                _ => format!("/plannen/{id}"),
            };
            return (capital(a.label_nl()), href);
        }
    }
    let waiting = match view.plan.status {
        PlanStatus::NeedsInfo => "Wacht op antwoord van de indiener",
        PlanStatus::Voting => "Stemming loopt",
        _ => "Geen actie",
    };
    (waiting.to_string(), format!("/plannen/{id}"))
}

// ---- the work list ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct WorkQuery {
    ronde: Option<String>,
    status: Option<String>,
    opgave: Option<String>,
    doel: Option<String>,
    tekst: Option<String>,
    pagina: Option<i64>,
    bericht: Option<String>,
}

pub struct WorkRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub theme: String,
    pub requested: String,
    pub submitted: String,
    pub next: String,
    pub next_href: String,
}

/// A page of the work list, as kept between requests (`WebLists`). A theme renamed since
/// shows its new name once plans change again.
pub struct WorkRows {
    pub rows: Vec<WorkRow>,
    pub total: i64,
    pub page: i64,
}

pub struct StatusCount {
    pub value: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
}

#[derive(Template)]
#[template(path = "web/work_list.html")]
struct WorkList {
    l: Layout,
    p: Problems,
    rounds: Vec<(String, String)>,
    round: String,
    statuses: Vec<StatusCount>,
    status: String,
    themes: Vec<(String, String)>,
    theme: String,
    goals: Vec<(String, String)>,
    goal: String,
    text: String,
    rows: std::sync::Arc<WorkRows>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// The rows of a page of the work list.
fn work_rows(found: &plans::Found, all_rounds: &[Round], actor: &Actor) -> WorkRows {
    let rows = found
        .items
        .iter()
        .map(|view| {
            let plan = &view.plan;
            let round = all_rounds.iter().find(|r| r.id == plan.round_id);
            let (next, next_href) = next_step(view, actor);
            WorkRow {
                id: plan.id.clone(),
                title: plan.content.title.clone(),
                status: plan.status.label_nl(),
                theme: plan
                    .budget_line
                    .as_deref()
                    .and_then(|b| round.and_then(|r| r.spec.catalog.theme(b)))
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| "—".into()),
                requested: match plan.content.funding.without_amount_nl() {
                    Some(text) => text.to_string(),
                    None => plan
                        .content
                        .requested_eur
                        .and_then(|e| Eur::parse(e).ok())
                        .map(|e| e.format_nl())
                        .unwrap_or_else(|| "—".into()),
                },
                submitted: plan.submitted_at.map(dutch_date_time).unwrap_or_default(),
                next,
                next_href,
            }
        })
        .collect();
    WorkRows {
        rows,
        total: found.total,
        page: found.page,
    }
}

/// `GET /beoordelen`: every submitted plan, filtered by round, status, theme, goal and text,
/// with the counts per status and each plan's next step; 50 a page.
pub async fn work_list(
    state: web::Data<AppState>,
    v: Visitor,
    q: web::Query<WorkQuery>,
) -> Result<HttpResponse, WebError> {
    let actor = team(&v, "/beoordelen")?.actor();
    let all_rounds = {
        let st = state.clone();
        web::block(move || st.app.read(rounds::list)).await??
    };
    // The newest round unless another is chosen; "alle" for every round.
    let round = match non_empty(&q.ronde) {
        Some(r) if r == "alle" => None,
        Some(r) => Some(r),
        None => all_rounds.last().map(|r| r.id.clone()),
    };
    let chosen: Option<&Round> = round
        .as_deref()
        .and_then(|id| all_rounds.iter().find(|r| r.id == id));
    let query = ListQuery {
        round: round.clone(),
        status: non_empty(&q.status),
        theme: non_empty(&q.opgave),
        goal: non_empty(&q.doel),
        q: non_empty(&q.tekst),
        page: Some(q.pagina.unwrap_or(1).clamp(1, 1_000_000)),
        page_size: Some(50),
    };
    let mut p = Problems::new();
    for e in query.problems() {
        let (field, label) = match e.field.as_str() {
            "status" => ("status", "Status"),
            "q" => ("tekst", "Zoeken"),
            "page" => ("pagina", "Pagina"),
            _ => ("ronde", "Filter"),
        };
        p.add(field, label, e.message_nl.clone());
    }
    let (rows, counts) = if p.is_empty() {
        let st = state.clone();
        let a = actor.clone();
        let qq = query.clone();
        let (listing, counts) = web::block(move || {
            st.app.read(|c| {
                let listing = plans::list(c, &st.app.lists, &st.web_lists.work_list, &a, &qq)?;
                let counts = plans::status_counts(c, &st.app.lists, &a, &qq)?;
                Ok((listing, counts))
            })
        })
        .await??;
        let rows = match listing {
            Listing::Kept(rows) => rows,
            Listing::Found(found) => {
                let rows = std::sync::Arc::new(work_rows(&found, &all_rounds, &actor));
                if let Some((key, changes)) = found.keep {
                    state.web_lists.work_list.put(key, changes, rows.clone(), 1);
                }
                rows
            }
        };
        (rows, counts)
    } else {
        (
            std::sync::Arc::new(WorkRows {
                rows: Vec::new(),
                total: 0,
                page: 1,
            }),
            Vec::new(),
        )
    };
    let (total, page) = (rows.total, rows.page);
    let link = |status: Option<&str>, page: i64| {
        let mut parts = vec![("ronde", round.clone().unwrap_or_else(|| "alle".into()))];
        if let Some(s) = status {
            parts.push(("status", s.to_string()));
        }
        for (k, v) in [
            ("opgave", &q.opgave),
            ("doel", &q.doel),
            ("tekst", &q.tekst),
        ] {
            if let Some(v) = non_empty(v) {
                parts.push((k, v));
            }
        }
        if page > 1 {
            parts.push(("pagina", page.to_string()));
        }
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(parts)
            .finish();
        format!("/beoordelen?{encoded}")
    };
    let status = non_empty(&q.status).unwrap_or_default();
    let pages = ((total + 49) / 50).max(1);
    let catalog = chosen.map(|r| &r.spec.catalog);
    let page_view = WorkList {
        l: Layout::new(
            if p.is_empty() {
                "Beoordelen".to_string()
            } else {
                "Fout: Beoordelen".to_string()
            },
            &v,
        )
        .with_flash(super::flash(q.bericht.as_deref())),
        rounds: all_rounds
            .iter()
            .rev()
            .map(|r| (r.id.clone(), r.spec.name.clone()))
            .collect(),
        round: round.clone().unwrap_or_else(|| "alle".into()),
        statuses: counts
            .iter()
            .map(|(s, n)| StatusCount {
                value: s.as_str(),
                label: s.label_nl(),
                count: *n,
                href: link(Some(s.as_str()), 1),
            })
            .collect(),
        status: status.clone(),
        themes: catalog
            .map(|c| {
                c.themes
                    .iter()
                    .map(|t| (t.code.clone(), t.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        theme: non_empty(&q.opgave).unwrap_or_default(),
        goals: catalog
            .map(|c| {
                c.themes
                    .iter()
                    .flat_map(|t| t.goals.iter())
                    .map(|g| (g.code.clone(), format!("{} — {}", g.code, g.text)))
                    .collect()
            })
            .unwrap_or_default(),
        goal: non_empty(&q.doel).unwrap_or_default(),
        text: q.tekst.clone().unwrap_or_default(),
        rows: rows.clone(),
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| link(non_empty(&q.status).as_deref(), page - 1)),
        next_href: (page < pages).then(|| link(non_empty(&q.status).as_deref(), page + 1)),
        p,
    };
    let code = if page_view.p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(&v, code, &page_view)
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
    state: web::Data<AppState>,
    v: Visitor,
    id: String,
    q: Flash,
) -> Result<HttpResponse, WebError> {
    let actor = staff(&v, &format!("/plannen/{id}"))?.actor();
    let st = state.clone();
    let a = actor.clone();
    let pid = id.clone();
    let d = web::block(move || st.app.read(|c| dossier(c, &st.app.similar, &a, &pid))).await??;
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
    csrf: Option<String>,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    versie: String,
}

/// `POST /plannen/{id}/actie`: start review, open, cancel or close the vote, revise the
/// pre-advice: the button on the plan page. The plan must still be at the version the page
/// showed, so a button pressed on an old page changes nothing.
pub async fn plan_action(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
    Posted(f): Posted<ActionForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = staff(&v, &format!("/plannen/{id}"))?.actor();
    v.check_csrf(f.csrf.as_deref())?;
    let action = Action::parse(&f.actie)
        .ok_or_else(|| WebError::Refused("Deze actie bestaat niet.".into()))?;
    let expected = Expected::Versions(vec![f.versie.clone()]);
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let done = web::block(move || {
        st.app.write(|tx| match action {
            Action::StartReview => assessment::start_review(tx, &a, &pid, Some(&expected)),
            Action::OpenVote => assessment::open_vote(tx, &a, &pid, Some(&expected)),
            Action::CancelVote => assessment::cancel_vote(tx, &a, &pid, Some(&expected)),
            Action::RevisePreAdvice => assessment::revise_pre_advice(tx, &a, &pid, Some(&expected)),
            Action::CloseVote => app::board::close_vote(tx, &a, &pid, Some(&expected)),
            _ => Err(app::Error::Domain(DomainError::Forbidden { action })),
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
    csrf: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    versie: String,
}

async fn read_plan(
    state: &web::Data<AppState>,
    actor: &Actor,
    id: &str,
) -> Result<(PlanView, Round), WebError> {
    let st = state.clone();
    let a = actor.clone();
    let pid = id.to_string();
    Ok(web::block(move || st.app.read(|c| plans::read(c, &a, &pid))).await??)
}

/// `GET /plannen/{id}/vraag`: the team asks the applicant a question (the plan goes to
/// "aanvulling gevraagd").
pub async fn question_page(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/vraag"))?.actor();
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
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
    Posted(f): Posted<QuestionForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/vraag"))?.actor();
    v.check_csrf(f.csrf.as_deref())?;
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let message = f.message.clone();
    let expected = Expected::Versions(vec![f.versie.clone()]);
    match web::block(move || {
        st.app
            .write(|tx| assessment::request_info(tx, &a, &pid, Some(&message), Some(&expected)))
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
    csrf: Option<String>,
    #[serde(default)]
    doel: String,
    /// The combined plan's amount, when the team sets it (empty: the target's stays).
    #[serde(default)]
    requested_eur: String,
    #[serde(default)]
    versie: String,
}

async fn merge_page_for(
    state: &web::Data<AppState>,
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
        st.app.read(|c| {
            let d = dossier(c, &st.app.similar, &a, &pid)?;
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
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<MergeQuery>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/samenvoegen"))?.actor();
    let target = non_empty(&q.doel);
    let page = merge_page_for(&state, &v, &actor, &id, target, Problems::new()).await?;
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/samenvoegen`: merges, once confirmed.
pub async fn merge(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
    Posted(f): Posted<MergeForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/samenvoegen"))?.actor();
    v.check_csrf(f.csrf.as_deref())?;
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
        st.app.write(|tx| {
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

// ---- the own evaluation ------------------------------------------------------------------------

pub struct CriterionRow {
    pub code: String,
    pub name: String,
    pub description: String,
    /// The options: value and label ("n.v.t." for not applicable).
    pub options: Vec<(String, String)>,
    pub chosen: String,
    pub motivation: String,
    /// The computed suggestion, if any, and why.
    pub suggestion: Option<String>,
    /// The evaluations' mean (pre-advice page).
    pub mean: Option<String>,
    /// Each reviewer's score (pre-advice page).
    pub others: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "web/evaluation.html")]
struct EvaluationPage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    rows: Vec<CriterionRow>,
}

/// Per criterion code: the score chosen (as posted, "nvt" for not applicable) and the
/// motivation.
type ChosenScores = HashMap<String, (String, String)>;

fn options(scale_max: i32) -> Vec<(String, String)> {
    let mut o = vec![("nvt".to_string(), "niet van toepassing".to_string())];
    o.extend((0..=scale_max).map(|n| (n.to_string(), n.to_string())));
    o
}

fn criterion_rows(d: &Dossier, chosen: &ChosenScores) -> Vec<CriterionRow> {
    let means: HashMap<&str, Option<f64>> = d
        .evaluations
        .means
        .iter()
        .map(|m| (m.criterion.as_str(), m.mean))
        .collect();
    d.round
        .spec
        .catalog
        .criteria
        .iter()
        .map(|c| {
            let (score, motivation) = chosen.get(&c.code).cloned().unwrap_or_default();
            CriterionRow {
                code: c.code.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                options: options(c.scale_max),
                chosen: score,
                motivation,
                suggestion: d
                    .evaluations
                    .suggestions
                    .iter()
                    .find(|s| s.criterion == c.code)
                    .map(|s| format!("{} — {}", s.score, s.reason_nl)),
                mean: means
                    .get(c.code.as_str())
                    .copied()
                    .flatten()
                    .map(|m| format!("{m:.1}").replace('.', ",")),
                others: d
                    .evaluations
                    .evaluations
                    .iter()
                    .map(|e| {
                        (
                            d.people
                                .get(&e.reviewer_id)
                                .cloned()
                                .unwrap_or_else(|| "beoordelaar".into()),
                            e.scores
                                .iter()
                                .find(|s| s.criterion == c.code)
                                .map(|s| {
                                    s.score
                                        .map(|n| n.to_string())
                                        .unwrap_or_else(|| "n.v.t.".into())
                                })
                                .unwrap_or_else(|| "—".into()),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Reads a posted score list (`score_<CODE>`, `motivatie_<CODE>`) in the round's criteria's
/// order; "nvt" is not applicable, anything else not a number is kept as typed and named.
fn posted_scores(
    round: &Round,
    form: &HashMap<String, String>,
    p: &mut Problems,
) -> (Vec<ScoreInput>, ChosenScores) {
    let mut scores = Vec::new();
    let mut kept = HashMap::new();
    for c in &round.spec.catalog.criteria {
        let raw = form
            .get(&format!("score_{}", c.code))
            .cloned()
            .unwrap_or_default();
        let motivation = form
            .get(&format!("motivatie_{}", c.code))
            .cloned()
            .unwrap_or_default();
        let score = match raw.as_str() {
            "nvt" => None,
            "" => {
                p.add(
                    format!("score_{}", c.code),
                    c.name.clone(),
                    "Kies een score, of niet van toepassing.",
                );
                None
            }
            n => match n.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    p.add(
                        format!("score_{}", c.code),
                        c.name.clone(),
                        "Kies een score uit de lijst.",
                    );
                    None
                }
            },
        };
        kept.insert(c.code.clone(), (raw, motivation.clone()));
        scores.push(ScoreInput {
            criterion: c.code.clone(),
            score,
            motivation,
        });
    }
    (scores, kept)
}

async fn load_dossier(
    state: &web::Data<AppState>,
    actor: &Actor,
    id: &str,
) -> Result<Dossier, WebError> {
    let st = state.clone();
    let a = actor.clone();
    let pid = id.to_string();
    Ok(web::block(move || st.app.read(|c| dossier(c, &st.app.similar, &a, &pid))).await??)
}

/// `GET /plannen/{id}/beoordeling`: the reviewer's own scores, with the suggestions.
pub async fn evaluation_page(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/beoordeling"))?.actor();
    let d = load_dossier(&state, &actor, &id).await?;
    let mine: ChosenScores = d
        .evaluations
        .evaluations
        .iter()
        .find(|e| e.reviewer_id == actor.user_id)
        .map(|e| {
            e.scores
                .iter()
                .map(|s| {
                    (
                        s.criterion.clone(),
                        (
                            s.score
                                .map(|n| n.to_string())
                                .unwrap_or_else(|| "nvt".into()),
                            s.motivation.clone(),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = EvaluationPage {
        l: Layout::new("Beoordeling", &v),
        p: Problems::new(),
        id,
        title: d.view.plan.content.title.clone(),
        rows: criterion_rows(&d, &mine),
    };
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/beoordeling`: saves (or replaces) the reviewer's evaluation.
pub async fn evaluate(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/beoordeling"))?.actor();
    v.check_csrf(form.get("csrf").map(String::as_str))?;
    let d = load_dossier(&state, &actor, &id).await?;
    let mut p = Problems::new();
    let (scores, kept) = posted_scores(&d.round, &form, &mut p);
    if p.is_empty() {
        let st = state.clone();
        let pid = id.clone();
        let a = actor.clone();
        match web::block(move || {
            st.app
                .write(|tx| assessment::evaluate(tx, &a, &pid, Some(scores)))
        })
        .await?
        {
            Ok(_) => return Ok(redirect(&v, &format!("/plannen/{id}?bericht=beoordeeld"))),
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |path| {
                    score_field(&d.round, path)
                }));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = EvaluationPage {
        l: Layout::new("Fout: Beoordeling", &v),
        rows: criterion_rows(&d, &kept),
        p,
        id,
        title: d.view.plan.content.title.clone(),
    };
    render(&v, StatusCode::BAD_REQUEST, &page)
}

/// The form field of a domain error's path in a score list (`scores[2].score`).
fn score_field(round: &Round, path: &str) -> (String, String) {
    let criteria = &round.spec.catalog.criteria;
    let index = path
        .strip_prefix("scores[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok());
    match index.and_then(|i| criteria.get(i)) {
        Some(c) if path.ends_with("motivation") => {
            (format!("motivatie_{}", c.code), c.name.clone())
        }
        Some(c) => (format!("score_{}", c.code), c.name.clone()),
        None => match path {
            "recommendation" => ("recommendation".into(), "Advies".into()),
            "proposed_eur" => ("proposed_eur".into(), "Voorgesteld bedrag (€)".into()),
            "motivation" => ("motivation".into(), "Motivering".into()),
            "conditions" => ("conditions".into(), "Voorwaarden".into()),
            "requested_eur" => ("proposed_eur".into(), "Gevraagde bijdrage".into()),
            other => (
                criteria
                    .first()
                    .map(|c| format!("score_{}", c.code))
                    .unwrap_or_else(|| other.to_string()),
                "Scores".into(),
            ),
        },
    }
}

// ---- the pre-advice ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/pre_advice.html")]
struct PreAdvicePage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    version: i64,
    reviewers: Vec<String>,
    rows: Vec<CriterionRow>,
    recommendation: String,
    proposed: String,
    /// Beside the amount: what was asked, and what is left of the theme's budget.
    amount_hint: String,
    motivation: String,
    conditions: String,
}

async fn pre_advice_page_for(
    state: &web::Data<AppState>,
    v: &Visitor,
    actor: &Actor,
    id: &str,
    posted: Option<(ChosenScores, &HashMap<String, String>)>,
    p: Problems,
) -> Result<PreAdvicePage, WebError> {
    let d = load_dossier(state, actor, id).await?;
    let st = state.clone();
    let a = actor.clone();
    let rid = d.round.id.clone();
    let budget = web::block(move || st.app.read(|c| rounds::budget(c, &a, &rid))).await??;
    let line = d
        .view
        .plan
        .budget_line
        .as_deref()
        .and_then(|t| budget.iter().find(|b| b.theme == t));
    let requested = d
        .view
        .plan
        .content
        .requested_eur
        .and_then(|e| Eur::parse(e).ok());
    // Prefilled: the scores from the evaluations' means, the amount asked for.
    let (chosen, form) = match posted {
        Some((kept, form)) => (kept, Some(form)),
        None => (
            d.evaluations
                .means
                .iter()
                .map(|m| {
                    (
                        m.criterion.clone(),
                        (
                            default_score(m).map(|n| n.to_string()).unwrap_or_default(),
                            String::new(),
                        ),
                    )
                })
                .collect(),
            None,
        ),
    };
    let get = |k: &str, default: String| form.and_then(|f| f.get(k).cloned()).unwrap_or(default);
    let mut reviewers: Vec<String> = d
        .evaluations
        .evaluations
        .iter()
        .map(|e| {
            d.people
                .get(&e.reviewer_id)
                .cloned()
                .unwrap_or_else(|| "beoordelaar".into())
        })
        .collect();
    reviewers.dedup();
    Ok(PreAdvicePage {
        l: Layout::new(
            if p.is_empty() {
                "Pre-advies".to_string()
            } else {
                "Fout: Pre-advies".to_string()
            },
            v,
        ),
        id: id.to_string(),
        title: d.view.plan.content.title.clone(),
        version: d.view.version_for(actor),
        reviewers,
        rows: criterion_rows(&d, &chosen),
        recommendation: get("recommendation", String::new()),
        proposed: get(
            "proposed_eur",
            requested.map(|e| e.value().to_string()).unwrap_or_default(),
        ),
        amount_hint: format!(
            "Gevraagd: {}. Hoogstens het gevraagde bedrag. Nog vrij in het budget{}: {}.",
            requested
                .map(|e| e.format_nl())
                .unwrap_or_else(|| "—".into()),
            line.map(|b| format!(" van {}", b.name)).unwrap_or_default(),
            line.map(|b| b.remaining.format_nl())
                .unwrap_or_else(|| "—".into()),
        ),
        motivation: get("motivation", String::new()),
        conditions: get("conditions", String::new()),
        p,
    })
}

/// `GET /plannen/{id}/pre-advies`: every evaluation side by side with the means, and the
/// pre-advice form prefilled from them.
pub async fn pre_advice_page(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/pre-advies"))?.actor();
    let page = pre_advice_page_for(&state, &v, &actor, &id, None, Problems::new()).await?;
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/pre-advies`: records the pre-advice.
pub async fn pre_advise(
    state: web::Data<AppState>,
    v: Visitor,
    path: web::Path<String>,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = team(&v, &format!("/plannen/{id}/pre-advies"))?.actor();
    v.check_csrf(form.get("csrf").map(String::as_str))?;
    let (view, round) = read_plan(&state, &actor, &id).await?;
    let mut p = Problems::new();
    let (scores, kept) = posted_scores(&round, &form, &mut p);
    let proposed = form
        .get("proposed_eur")
        .map(|s| s.trim().replace(['.', ' ', '€'], ""))
        .unwrap_or_default();
    let proposed_eur = if proposed.is_empty() {
        None
    } else {
        match proposed.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.add(
                    "proposed_eur",
                    "Voorgesteld bedrag (€)",
                    "Vul een bedrag in hele euro's in, bijvoorbeeld 7500.",
                );
                None
            }
        }
    };
    if p.is_empty() {
        let input = PreAdviceInput {
            recommendation: form
                .get("recommendation")
                .cloned()
                .filter(|r| !r.is_empty()),
            proposed_eur,
            motivation: form.get("motivation").cloned().unwrap_or_default(),
            conditions: form.get("conditions").cloned().unwrap_or_default(),
            scores,
        };
        let st = state.clone();
        let pid = id.clone();
        let a = actor.clone();
        let expected = Expected::Versions(vec![form.get("versie").cloned().unwrap_or_default()]);
        match web::block(move || {
            st.app
                .write(|tx| assessment::record_pre_advice(tx, &a, &pid, &input, Some(&expected)))
        })
        .await?
        {
            Ok(_) => return Ok(redirect(&v, &format!("/plannen/{id}?bericht=pre-advies"))),
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |path| {
                    score_field(&round, path)
                }));
            }
            Err(app::Error::Domain(d)) => p.add("recommendation", "Pre-advies", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    let _ = view;
    let page = pre_advice_page_for(&state, &v, &actor, &id, Some((kept, &form)), p).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}
