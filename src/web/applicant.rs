//! The plan form in the browser: a new plan, editing a draft or a plan with an open question,
//! saving it as a draft, and the form carried through sign-in when the session ended.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::{Problems, WithBody};
use super::plan_form::{
    field, goal_groups, FundingRow, FundingRowView, GoalGroup, PlanFormInput, NAMED,
};
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::plans::{self, ContentChange, Expected};
use crate::app::App;
use crate::app::{self, rounds};
use crate::domain::permission::Permission;
use crate::domain::round::Round;
use crate::domain::state::Action;
use crate::domain::user::Account;
use crate::domain::DomainError;

// ---- the plan form ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/plan_form.html")]
struct PlanFormPage {
    l: Layout,
    p: Problems,
    action: String,
    round_name: String,
    resident: bool,
    /// The programme team files for someone: the form asks for whom.
    team: bool,
    /// The reservation the plan is made from, in words.
    reservation: Option<String>,
    f: PlanFormInput,
    rows: Vec<FundingRowView>,
    groups: Vec<GoalGroup>,
    themes: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
    named: &'static str,
    /// A saved plan's attachments (none on a new plan's form).
    attachments: Option<super::plan_attachments::AttachmentsView>,
    /// Whether the visitor may submit the plan (a co-applicant edits, but the owner submits).
    may_submit: bool,
}

impl PlanFormPage {
    fn checked_goal(&self, code: &str) -> bool {
        self.f.goals.iter().any(|g| g == code)
    }

    /// The hint of a text field, its limit stated (the domain's, so it is written once).
    fn hint(&self, field: &str) -> String {
        use crate::domain::text::Bounded;
        use crate::web::kit::at_most;
        match field {
            "title" => format!(
                "Een korte naam, zoals 'Huiswerkklas in De Heuvel'; {}.",
                at_most(Bounded::TITLE)
            ),
            "description" => format!(
                "Wat gaat u doen, voor wie, en hoe vaak? Nodig om in te dienen; {}.",
                at_most(Bounded::LONG)
            ),
            "summary" => format!(
                "In één of twee zinnen, {}. Dit staat in het openbare overzicht van de acties; laat u het leeg, dan staat daar het begin van de omschrijving.",
                at_most(Bounded::SUMMARY)
            ),
            "lead_partner_name" => format!(
                "Alleen als u hierboven 'Een andere organisatie' koos; {}.",
                at_most(Bounded::NAME)
            ),
            "resident_involvement" => format!(
                "Hoe doen inwoners mee bij het bedenken of uitvoeren? U mag {} gebruiken.",
                at_most(Bounded::LONG)
            ),
            _ => format!(
                "Wat is er nu nog niet in de wijk, of wat doet u anders dan wat er al is? U mag {} gebruiken.",
                at_most(Bounded::LONG)
            ),
        }
    }

    fn checked_partner(&self, id: &str) -> bool {
        self.f.partner_ids.iter().any(|g| g == id)
    }
}

/// The form's page for `round`, with what was typed and what is wrong with it.
async fn form_page(
    state: &web::Data<App>,
    v: &Visitor,
    round: Round,
    action: String,
    title: &str,
    mut f: PlanFormInput,
    p: Problems,
) -> Result<PlanFormPage, WebError> {
    let st = state.clone();
    let orgs = web::block(move || st.read(app::organisations::list)).await??;
    let mut rows = f.funding_rows();
    // Room for more: two empty rows after those filled in, three on an empty form.
    let extra = if rows.is_empty() { 3 } else { 2 };
    rows.extend((0..extra).map(|_| FundingRow::default()));
    f.action.clear();
    let resident = v
        .account()
        .and_then(|a| a.kind)
        .is_some_and(|k| k == crate::domain::user::ApplicantKind::Resident);
    let team = v.allows(Permission::FileForOthers);
    let reservation = match (team, f.reservering.trim()) {
        (true, rid) if !rid.is_empty() => {
            let (st, rid, actor, round_id) = (
                state.clone(),
                rid.to_string(),
                v.account().map(Account::actor),
                round.id.clone(),
            );
            web::block(move || {
                st.read(|c| match &actor {
                    Some(a) => Ok(app::reservations::list(c, a, &round_id)?
                        .into_iter()
                        .find(|r| r.id == rid)),
                    None => Ok(None),
                })
            })
            .await??
        }
        _ => None,
    };
    if let Some(r) = &reservation {
        // A new form from a reservation starts from its purpose, theme and amount.
        if f.title.is_empty() {
            f.title = r.purpose.clone();
        }
        if f.requested_eur.is_empty() {
            f.requested_eur = r.amount.value().to_string();
        }
        f.budget_line = r.theme.clone();
    }
    let reservation = reservation.map(|r| {
        format!(
            "{} voor \"{}\" ({})",
            r.amount.format_nl(),
            r.purpose,
            r.theme
        )
    });
    Ok(PlanFormPage {
        team,
        reservation,
        l: Layout::new(
            if p.is_empty() {
                title.to_string()
            } else {
                format!("Fout: {title}")
            },
            v,
        ),
        p,
        action,
        round_name: round.spec.name.clone(),
        resident,
        rows: FundingRowView::numbered(rows),
        groups: goal_groups(&round.spec.catalog),
        themes: budget_choices(&round, &f),
        organisations: orgs.into_iter().map(|o| (o.id, o.name)).collect(),
        named: NAMED,
        f,
        attachments: None,
        may_submit: true,
    })
}

/// The themes "Uit het budget van welke opgave (thema)?" offers: those of the chosen goals when they span
/// several (and the one chosen before, if another), else every theme of the round.
fn budget_choices(round: &Round, f: &PlanFormInput) -> Vec<(String, String)> {
    let catalog = &round.spec.catalog;
    let chosen = crate::domain::plan::themes_of_goals(
        &crate::domain::plan::PlanContent {
            goals: f.goals.clone(),
            ..Default::default()
        },
        catalog,
    );
    catalog
        .themes
        .iter()
        .filter(|t| chosen.len() < 2 || chosen.contains(&t.code) || f.budget_line == t.code)
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect()
}

/// `GET /rondes/{id}/plannen/nieuw`: an empty plan form.
pub async fn new_plan_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<NewPlanQuery>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    v.may(
        Permission::HoldPlans,
        &format!("/rondes/{id}/plannen/nieuw"),
    )?;
    let st = state.clone();
    let rid = id.clone();
    let round = web::block(move || st.read(|c| rounds::get(c, &rid))).await??;
    // A closed round offers no empty form to fill in for nothing: it says why, and what is
    // open instead.
    if round.check_accepts_drafts(chrono::Utc::now()).is_err() {
        let st = state.clone();
        let all = web::block(move || st.read(rounds::list)).await??;
        let page = RoundClosedPage {
            l: Layout::new("Deze ronde is gesloten", &v),
            round: super::public::RoundLine::of(&round),
            open: all
                .iter()
                .filter(|r| r.id != round.id && r.check_accepts_drafts(chrono::Utc::now()).is_ok())
                .map(super::public::RoundLine::of)
                .collect(),
        };
        return render(&v, StatusCode::OK, &page);
    }
    let page = form_page(
        &state,
        &v,
        round,
        format!("/rondes/{id}/plannen/nieuw"),
        "Nieuw projectplan",
        PlanFormInput {
            reservering: q.into_inner().reservering.unwrap_or_default(),
            ..Default::default()
        },
        Problems::new(),
    )
    .await?;
    render(&v, StatusCode::OK, &page)
}

/// Instead of the form of a round that takes no new plans.
#[derive(Template)]
#[template(path = "web/round_closed.html")]
struct RoundClosedPage {
    l: Layout,
    round: super::public::RoundLine,
    /// Rounds that do take plans (open now, or soon).
    open: Vec<super::public::RoundLine>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewPlanQuery {
    /// The programme team makes the plan from this reservation.
    reservering: Option<String>,
}

/// The form's sections a "Tussendoor opslaan" button comes back to.
const SECTIONS: [&str; 4] = ["deel-plan", "goals", "deel-wie", "deel-geld"];

/// Where a saved form goes: the check page to submit, back to the form's section that was
/// saved ("Tussendoor opslaan"), or the plan.
fn after_save(f: &PlanFormInput, id: &str) -> String {
    if f.action == "indienen" {
        return format!("/plannen/{id}/indienen");
    }
    match f.action.strip_prefix("opslaan#") {
        Some(section) if SECTIONS.contains(&section) => {
            format!("/plannen/{id}/bewerken?bericht=opgeslagen#{section}")
        }
        _ => format!("/plannen/{id}?bericht=opgeslagen"),
    }
}

/// `POST /rondes/{id}/plannen/nieuw`: saves a draft ("Concept opslaan"), or saves it and goes
/// on to the check before submitting ("Plan indienen"). A refused form comes back whole.
pub async fn create_plan(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    WithBody { form: f, raw }: WithBody<PlanFormInput>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/rondes/{id}/plannen/nieuw");
    if v.account().is_none() {
        return super::account::session_ended(&v, &here, raw);
    }
    v.check_csrf(f.csrf.as_deref())?;
    save_new(&state, &v, &id, f).await
}

/// Saves the form of a new plan as a draft, or brings it back with what is wrong.
async fn save_new(
    state: &web::Data<App>,
    v: &Visitor,
    id: &str,
    f: PlanFormInput,
) -> Result<HttpResponse, WebError> {
    let id = id.to_string();
    let here = format!("/rondes/{id}/plannen/nieuw");
    v.may(Permission::HoldPlans, &here)?;
    let me = v.require(&here)?.clone();
    let st = state.clone();
    let rid = id.clone();
    let round = web::block(move || st.read(|c| rounds::get(c, &rid))).await??;
    let (content, p) = f.content();
    let (mut p, savable) = every_mistake(state, &me, &id, None, &content, p, &f).await?;
    let team = v.allows(Permission::FileForOthers);
    let filed_for = if team {
        match f.filed_for() {
            Ok(ff) => Some(ff),
            Err(missing) => {
                p.extend(missing);
                None
            }
        }
    } else {
        None
    };
    if savable && p.is_empty() {
        let st = state.clone();
        let rid = id.clone();
        let public_url = state.public_url.clone();
        let reservation = Some(f.reservering.trim().to_string()).filter(|r| !r.is_empty());
        let who = me.clone();
        match web::block(move || {
            st.write(|tx| match (filed_for, reservation) {
                (None, _) => plans::create_draft(tx, &who, &rid, content),
                (Some(ff), None) => {
                    plans::file_for(tx, &who.actor(), &rid, ff, content, &public_url)
                }
                (Some(ff), Some(r)) => app::reservations::turn_into_plan(
                    tx,
                    &who.actor(),
                    &r,
                    ff,
                    content,
                    &public_url,
                ),
            })
        })
        .await?
        {
            // A plan filed for a person is theirs to read and submit: the team goes back to
            // its work list; anything else goes on as the form's button said.
            Ok(view) if view.plan.owner_id != me.id => {
                return Ok(redirect(v, "/beoordelen?bericht=klaargezet"))
            }
            Ok(view) => return Ok(redirect(v, &after_save(&f, &view.plan.id))),
            Err(e) => p.extend(refusal(e)?),
        }
    }
    let status = if p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = form_page(
        state,
        v,
        round,
        format!("/rondes/{id}/plannen/nieuw"),
        "Nieuw projectplan",
        f,
        p,
    )
    .await?;
    render(v, status, &page)
}

/// After signing in again on a plan form whose session had ended: the form as it was posted is
/// saved now (or comes back with what is wrong), so nothing typed is lost. `None` when `to` is
/// not a plan form's path.
pub async fn resume_form(
    state: &web::Data<App>,
    v: &Visitor,
    to: &str,
    raw: &str,
) -> Option<Result<HttpResponse, WebError>> {
    let f = match super::form::read::<PlanFormInput>(raw.as_bytes()) {
        Ok(f) => f,
        Err(e) => return Some(Err(e)),
    };
    if let Some(round) = to
        .strip_prefix("/rondes/")
        .and_then(|r| r.strip_suffix("/plannen/nieuw"))
        .filter(|r| !r.contains('/'))
    {
        return Some(save_new(state, v, round, f).await);
    }
    if let Some(plan) = to
        .strip_prefix("/plannen/")
        .and_then(|r| r.strip_suffix("/bewerken"))
        .filter(|r| !r.contains('/'))
    {
        return Some(save_edit(state, v, plan, f).await);
    }
    None
}

/// Every mistake of a posted plan form in one pass: what could not be read as typed (kept in
/// `p`), then what the rules say of the rest, each field named once; with "Plan indienen" also
/// what submitting would refuse. Whether the draft may be stored as it stands comes back too
/// (what only submission asks does not stop saving: the check page lists it).
async fn every_mistake(
    state: &web::Data<App>,
    me: &Account,
    round_id: &str,
    plan_id: Option<&str>,
    content: &crate::domain::plan::PlanContent,
    mut p: Problems,
    f: &PlanFormInput,
) -> Result<(Problems, bool), WebError> {
    let (st, a, rid, pid, c) = (
        state.clone(),
        me.clone(),
        round_id.to_string(),
        plan_id.map(str::to_string),
        content.clone(),
    );
    let submitting = f.action == "indienen";
    let check = web::block(move || {
        st.read(|conn| plans::form_check(conn, &a, &rid, pid.as_deref(), &c, submitting))
    })
    .await??;
    let savable = p.is_empty() && check.saving.is_empty();
    if savable {
        return Ok((p, true));
    }
    let mut named = Problems::from_fields(&check.saving, field);
    named.extend(Problems::from_fields(&check.submitting, field));
    for problem in named.items {
        if !p.has(&problem.field) {
            p.items.push(problem);
        }
    }
    p.items
        .sort_by_key(|problem| super::plan_form::position(&problem.field));
    Ok((p, false))
}

/// A use case's refusal of a form, as the form's problems; anything else is the page's error.
pub(super) fn refusal(e: app::Error) -> Result<Problems, WebError> {
    match e {
        app::Error::Domain(DomainError::Invalid(errors)) => {
            Ok(Problems::from_fields(&errors, field))
        }
        app::Error::Domain(DomainError::RoundNotOpen { message, errors }) => {
            let mut p = Problems::from_fields(&errors, field);
            p.add("title", "Ronde", message.nl);
            Ok(p)
        }
        app::Error::Domain(other) => {
            let mut p = Problems::new();
            p.add("title", "Plan", other.message_nl());
            Ok(p)
        }
        app::Error::Stale { .. } | app::Error::Changed(_) => {
            let mut p = Problems::new();
            p.add(
                "title",
                "Plan",
                "Het plan is intussen gewijzigd (misschien in een ander venster). Wat u typte staat hieronder; kopieer wat u wilt bewaren en laad de pagina opnieuw.",
            );
            Ok(p)
        }
        other => Err(other.into()),
    }
}

/// `GET /plannen/{id}/bewerken`: the form on a draft or on a plan the team asked about.
pub async fn edit_plan_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<super::public::Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let me = v.may(Permission::HoldPlans, &format!("/plannen/{id}/bewerken"))?;
    let st = state.clone();
    let pid = id.clone();
    let a = me.clone();
    let (view, round, files) =
        web::block(move || st.read(|c| app::dossier::for_editing(c, &a, &pid))).await??;
    if !view.allowed_actions(&me).contains(&Action::Edit) {
        // Back on the form after submitting (or an old link): the plan says where it stands.
        return Ok(redirect(
            &v,
            &format!("/plannen/{id}?bericht=niet-bewerkbaar"),
        ));
    }
    let f = PlanFormInput::of(&view.plan.content, view.plan.shown_version);
    let mut page = form_page(
        &state,
        &v,
        round,
        format!("/plannen/{id}/bewerken"),
        "Projectplan bewerken",
        f,
        Problems::new(),
    )
    .await?;
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    page.may_submit = view.allowed_actions(&me).contains(&Action::Submit);
    let mut files = super::plan_attachments::shown(
        &id,
        &files,
        &me.user_id,
        crate::domain::plan::attachments::check_changeable(view.plan.status).is_ok(),
    );
    files.on_form = true;
    page.attachments = Some(files);
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/bewerken`: saves the whole form over the plan, unless someone changed the
/// plan since the form was opened.
pub async fn edit_plan(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    WithBody { form: f, raw }: WithBody<PlanFormInput>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/plannen/{id}/bewerken");
    if v.account().is_none() {
        return super::account::session_ended(&v, &here, raw);
    }
    v.check_csrf(f.csrf.as_deref())?;
    save_edit(&state, &v, &id, f).await
}

/// Saves the plan form over a plan, or brings it back with what is wrong.
async fn save_edit(
    state: &web::Data<App>,
    v: &Visitor,
    id: &str,
    f: PlanFormInput,
) -> Result<HttpResponse, WebError> {
    let id = id.to_string();
    let actor = v.may(Permission::HoldPlans, &format!("/plannen/{id}/bewerken"))?;
    let me = v.require(&format!("/plannen/{id}/bewerken"))?.clone();
    let st = state.clone();
    let pid = id.clone();
    let a = actor.clone();
    let (view, round) = web::block(move || st.read(|c| plans::read(c, &a, &pid))).await??;
    let may_submit = view.allowed_actions(&actor).contains(&Action::Submit);
    let (content, p) = f.content();
    let (mut p, savable) = every_mistake(state, &me, &round.id, Some(&id), &content, p, &f).await?;
    if savable {
        let st = state.clone();
        let pid = id.clone();
        let a = actor.clone();
        let expected = Expected::Versions(vec![f.version.clone()]);
        match web::block(move || {
            st.write(|tx| {
                plans::edit(
                    tx,
                    &a,
                    &pid,
                    ContentChange::Whole(Box::new(content)),
                    Some(&expected),
                )
            })
        })
        .await?
        {
            Ok(view) => return Ok(redirect(v, &after_save(&f, &view.plan.id))),
            Err(e) => p.extend(refusal(e)?),
        }
    }
    let status = if p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut page = form_page(
        state,
        v,
        round,
        format!("/plannen/{id}/bewerken"),
        "Projectplan bewerken",
        f,
        p,
    )
    .await?;
    page.may_submit = may_submit;
    render(v, status, &page)
}
