//! The plan as the programme team and the board see it: its versions with what changed, the
//! history, similar plans, the pre-advice and the vote, and the buttons of the moment. The steps
//! those buttons take are in `review`, the work list in `worklist`, evaluation and pre-advice in
//! `scoring`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::plan_page::{shown_fields, Shown};
use super::public::Flash;
use super::{render, Layout, Visitor, WebError};
use crate::app::board::TallyView;
use crate::app::dossier::{dossier, Dossier};
use crate::app::App;
use crate::domain::calendar::dutch_date_time;
use crate::domain::permission::Permission;
use crate::domain::round::Round;
use crate::domain::state::Action;

/// A field name of the API as the plan form labels it (for "what changed").
fn field_label(name: &str) -> &str {
    match name {
        "title" => "Titel",
        "description" => "Omschrijving",
        "goals" => "Doelen",
        "budget_line" => "Uit het budget van de opgave (thema)",
        "lead_partner" => "Trekker (voert het plan uit)",
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
    /// Who submitted it and who changed the plan for it, in words (empty when not recorded).
    pub by: String,
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
    /// "Schriftelijke toestemming van Vidomes (vóór het voorschot)".
    pub payment_conditions: Vec<String>,
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
    /// The note on the plan's row of the overview, for the team to edit (`None`: not theirs).
    note: Option<String>,
    /// The applicant's name and e-mail address, for the team.
    applicant: Option<(String, String)>,
    /// The co-applicants' names, joined ("Bob en Carla"); empty without any.
    co_applicants: String,
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
    conversation: Option<super::conversation::ConversationView>,
    a: super::assignments::AssigneesView,
    attachments: Option<super::plan_attachments::AttachmentsView>,
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
/// The pre-advice as pages show it; a plan funded otherwise proposes no amount, so its
/// funding is said instead of "€ 0".
pub fn advice_of(
    a: &crate::domain::pre_advice::PreAdvice,
    round: &Round,
    funding: crate::domain::plan::Funding,
) -> AdviceView {
    AdviceView {
        recommendation: a.recommendation.label_nl(),
        proposed: funding.amount_nl(a.proposed_eur),
        total: a.total_score,
        motivation: a.motivation.clone(),
        conditions: a.conditions.clone(),
        payment_conditions: a
            .payment_conditions
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    c.text,
                    crate::domain::grant::conditions::before_nl(c.before)
                )
            })
            .collect(),
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
    Some(advice_of(a, &d.round, d.view.plan.content.funding))
}

/// `/plannen/{id}` for the programme team, the board, and a plan's assigned reviewers.
pub async fn plan_page(
    state: web::Data<App>,
    v: Visitor,
    id: String,
    q: Flash,
) -> Result<HttpResponse, WebError> {
    let actor = v.may(Permission::ReadDossiers, &format!("/plannen/{id}"))?;
    let st = state.clone();
    let a = actor.clone();
    let pid = id.clone();
    let may_note = v.allows(Permission::ReviewPlans);
    let (d, note) = web::block(move || {
        st.read(|c| {
            let d = dossier(c, &st.similar, &st.reads, &a, &pid)?;
            let note = if may_note {
                Some(crate::app::rounds::note_of(c, &a, &pid)?.unwrap_or_default())
            } else {
                None
            };
            Ok((d, note))
        })
    })
    .await??;
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
        note,
        applicant: d.applicant.clone(),
        co_applicants: super::co_applicants::names_of(&d.co_applicants),
        a: super::assignments::shown(&plan.id, &d.assignees, d.candidates.as_deref()),
        conversation: d
            .conversation
            .as_ref()
            .map(|c| super::conversation::shown(c, &plan.id)),
        attachments: Some(super::plan_attachments::shown(
            &plan.id,
            &d.attachments,
            &actor.user_id,
            false,
        )),
        tally: tally_line(&d),
        fields: shown_fields(&d.view, &d.round, &d.organisations),
        versions: {
            // What a diff shows of a value: a theme and an organisation by name, not code.
            let shown = |f: &str, v: Option<&serde_json::Value>| {
                let named = v.and_then(|v| v.as_str()).and_then(|code| match f {
                    "budget_line" => d.round.spec.catalog.theme(code).map(|t| t.name.clone()),
                    "payee_id" => d.organisations.get(code).cloned(),
                    _ => None,
                });
                named.unwrap_or_else(|| short(v))
            };
            d.versions
                .iter()
                .enumerate()
                .map(|(i, (shown_v, changed))| (i, shown_v, &shown_v.version, changed))
                .map(|(i, shown_v, v, changed)| VersionLine {
                    by: super::co_applicants::made_by(shown_v),
                    // Newest first: the version before is the next in the list.
                    diffs: d
                        .versions
                        .get(i + 1)
                        .map(|(before, _)| {
                            let before = &before.version;
                            changed
                                .iter()
                                .map(|f| {
                                    (
                                        field_label(f).to_string(),
                                        shown(f, before.snapshot.get(f)),
                                        shown(f, v.snapshot.get(f)),
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
                .collect()
        },
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

#[derive(Debug, Default, serde::Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// `POST /plannen/{id}/opmerking` (programme team): the note on the plan's row of the
/// overview.
pub async fn set_note(
    state: web::Data<App>,
    path: web::Path<String>,
    post: super::kit::Post<NoteForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/plannen/{id}");
    let actor = post.may(Permission::ReviewPlans, &here)?;
    let super::kit::Post { v, form, .. } = post;
    let st = state.clone();
    match web::block(move || {
        st.write(|tx| crate::app::rounds::set_note(tx, &actor, &id, &form.note))
    })
    .await?
    {
        Ok(_) => Ok(super::redirect(&v, &format!("{here}?bericht=opmerking"))),
        Err(crate::app::Error::Domain(d)) => Err(WebError::Refused(format!(
            "Opmerking in het overzicht: {}",
            d.message_nl()
        ))),
        Err(e) => Err(e.into()),
    }
}
