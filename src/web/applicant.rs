//! An applicant's pages: their plans, the plan form, the check before submitting, a plan with
//! the team's question and the outcome, withdrawing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::{Problems, WithBody};
use super::kit::Post;
use super::plan_form::{
    field, goal_groups, FundingRow, FundingRowView, GoalGroup, PlanFormInput, NAMED,
};
use super::public::Flash;
use super::{redirect, render, with_visitor, Layout, Pending, Visitor, WebError};
use crate::app::cache::Weigh;
use crate::app::plans::{self, ContentChange, Expected, ListQuery, PlanView};
use crate::app::App;
use crate::app::{self, rounds};
use crate::domain::calendar::{dutch_date, dutch_date_time};
use crate::domain::permission::{self, Permission};
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::Account;
use crate::domain::visibility::ShownStatus;
use crate::domain::DomainError;

// ---- my plans --------------------------------------------------------------------------------

/// A plan in the applicant's list.
pub struct PlanLine {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    /// What to do next, in a few words, and where.
    pub next: &'static str,
    pub next_href: String,
}

fn next_step(v: &PlanView, actor: &crate::domain::user::Actor) -> (&'static str, String) {
    let id = &v.plan.id;
    match v.status_for(actor) {
        ShownStatus::Actual(PlanStatus::Draft) => {
            ("Aanvullen en indienen", format!("/plannen/{id}/bewerken"))
        }
        ShownStatus::Actual(PlanStatus::NeedsInfo) => (
            "Beantwoord de vraag van het programmateam",
            format!("/plannen/{id}"),
        ),
        ShownStatus::Actual(PlanStatus::Submitted | PlanStatus::InReview)
        | ShownStatus::InAssessment => ("Wacht op de beoordeling", format!("/plannen/{id}")),
        ShownStatus::Actual(PlanStatus::Adopted | PlanStatus::Rejected) => {
            ("Lees het besluit", format!("/plannen/{id}"))
        }
        ShownStatus::Actual(PlanStatus::Merged) => (
            "Samengevoegd met een ander plan: bekijk dat plan",
            match &v.plan.merged_into {
                Some(t) => format!("/plannen/{t}"),
                None => format!("/plannen/{id}"),
            },
        ),
        ShownStatus::Actual(_) => ("Bekijken", format!("/plannen/{id}")),
    }
}

#[derive(Template)]
#[template(path = "web/my_plans.html")]
struct MyPlans {
    l: Layout,
    plans: std::sync::Arc<MyPlanRows>,
    rounds: Vec<super::public::RoundLine>,
    page: i64,
}

/// A page of the applicant's list, as kept between requests (`WebLists`).
pub struct MyPlanRows {
    pub lines: Vec<PlanLine>,
    /// Whether a next page follows.
    pub more: bool,
}

impl Weigh for std::sync::Arc<MyPlanRows> {
    fn weight(&self) -> usize {
        self.lines
            .iter()
            .map(|l| {
                std::mem::size_of::<PlanLine>() + l.id.len() + l.title.len() + l.next_href.len()
            })
            .sum::<usize>()
            + 32
    }
}

#[derive(Debug, Deserialize)]
pub struct MyPlansQuery {
    bericht: Option<String>,
    pagina: Option<i64>,
}

/// `/mijn-plannen`: the applicant's own plans, the status each shows them, and what to do next.
pub async fn my_plans(
    state: web::Data<App>,
    lists: web::Data<super::WebLists>,
    pending: Pending,
    q: web::Query<MyPlansQuery>,
) -> Result<HttpResponse, WebError> {
    let page = q.pagina.unwrap_or(1).clamp(1, 10_000);
    let st = state.clone();
    let kept = lists.clone();
    let (v, (rows, open)) = with_visitor(&state, pending, move |c, v| {
        let actor = v.may(Permission::FilePlans, "/mijn-plannen")?;
        // Rows of a page read before are kept until plans change (as the API keeps its
        // finished pages), and the rounds until a round changes.
        let req = plans::page_request(
            c,
            &actor,
            &ListQuery {
                page: Some(page),
                page_size: Some(50),
                ..Default::default()
            },
        )?;
        let rows = match kept.my_plans.get(&req.key, req.changes) {
            Some(rows) => rows,
            None => {
                let found = plans::list(c, &st.lists, &req)?;
                let rows = std::sync::Arc::new(my_plan_rows(&found, &actor));
                kept.my_plans.put(req.key, req.changes, rows.clone());
                rows
            }
        };
        Ok((rows, rounds::list_cached(c, &st.rounds)?))
    })
    .await?;
    let page_view = MyPlans {
        l: Layout::new("Mijn plannen", &v).with_flash(super::flash(q.bericht.as_deref())),
        plans: rows,
        rounds: open
            .iter()
            .map(super::public::RoundLine::of)
            .filter(|r| r.is_open())
            .collect(),
        page,
    };
    render(&v, StatusCode::OK, &page_view)
}

/// The rows of a page of the applicant's list.
fn my_plan_rows(found: &plans::Found, actor: &crate::domain::user::Actor) -> MyPlanRows {
    let lines = found
        .items
        .iter()
        .map(|p| {
            let (next, next_href) = next_step(p, actor);
            PlanLine {
                id: p.plan.id.clone(),
                title: if p.plan.content.title.is_empty() {
                    "(nog zonder titel)".into()
                } else {
                    p.plan.content.title.clone()
                },
                status: p.status_for(actor).label_nl(),
                next,
                next_href,
            }
        })
        .collect();
    MyPlanRows {
        lines,
        more: found.page * found.page_size < found.total,
    }
}

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
}

impl PlanFormPage {
    fn checked_goal(&self, code: &str) -> bool {
        self.f.goals.iter().any(|g| g == code)
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
        themes: round
            .spec
            .catalog
            .themes
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect(),
        organisations: orgs.into_iter().map(|o| (o.id, o.name)).collect(),
        named: NAMED,
        f,
    })
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

#[derive(Debug, Default, Deserialize)]
pub struct NewPlanQuery {
    /// The programme team makes the plan from this reservation.
    reservering: Option<String>,
}

/// Where a saved form goes: the check page to submit, or the plan.
fn after_save(f: &PlanFormInput, id: &str) -> String {
    if f.action == "indienen" {
        format!("/plannen/{id}/indienen")
    } else {
        format!("/plannen/{id}?bericht=opgeslagen")
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
    let (content, mut p) = f.content();
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
    if p.is_empty() {
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

/// A use case's refusal of a form, as the form's problems; anything else is the page's error.
fn refusal(e: app::Error) -> Result<Problems, WebError> {
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
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let me = v.may(Permission::HoldPlans, &format!("/plannen/{id}/bewerken"))?;
    let st = state.clone();
    let pid = id.clone();
    let a = me.clone();
    let (view, round) = web::block(move || st.read(|c| plans::read(c, &a, &pid))).await??;
    if !view.allowed_actions(&me).contains(&Action::Edit) {
        return Err(WebError::Refused(
            "Dit plan kan niet meer worden bewerkt: het is ingediend. Trek het in als u het wilt wijzigen, of wacht op een vraag van het programmateam."
                .into(),
        ));
    }
    let f = PlanFormInput::of(&view.plan.content, view.plan.shown_version);
    let page = form_page(
        &state,
        &v,
        round,
        format!("/plannen/{id}/bewerken"),
        "Projectplan bewerken",
        f,
        Problems::new(),
    )
    .await?;
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
    let (content, mut p) = f.content();
    if p.is_empty() {
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
    let st = state.clone();
    let pid = id.clone();
    let (_, round) = web::block(move || st.read(|c| plans::read(c, &actor, &pid))).await??;
    let status = if p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = form_page(
        state,
        v,
        round,
        format!("/plannen/{id}/bewerken"),
        "Projectplan bewerken",
        f,
        p,
    )
    .await?;
    render(v, status, &page)
}

// ---- the check before submitting -------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/submit.html")]
struct SubmitPage {
    l: Layout,
    id: String,
    title: String,
    p: Problems,
    blocked: Option<String>,
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
    let page = submit_check(&state, &v, &path.into_inner()).await?;
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
        Err(e) => {
            let p = refusal(e)?;
            let mut page = submit_check(&state, &v, &id).await?;
            if page.p.is_empty() && page.blocked.is_none() {
                page.p = p;
            }
            page.l.title = "Fout: Plan indienen".into();
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

// ---- a plan ----------------------------------------------------------------------------------

/// A plan's field as the plan page lists it.
pub struct Shown {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "web/plan.html")]
struct PlanPage {
    l: Layout,
    id: String,
    title: String,
    round_id: String,
    round_name: String,
    status: &'static str,
    fields: Vec<Shown>,
    question: Option<(String, String)>,
    answer: Option<String>,
    may_answer: bool,
    outcome: Option<Outcome>,
    merged_into: Option<String>,
    may_edit: bool,
    may_submit: bool,
    may_withdraw: bool,
}

/// The published decision as the applicant reads it.
pub struct Outcome {
    pub granted: bool,
    /// What the grant is, labelled: an amount from the programme, or how it is paid otherwise.
    pub amount: Option<(&'static str, String)>,
    pub motivation: String,
    pub conditions: String,
}

pub fn shown_fields(
    view: &PlanView,
    round: &Round,
    names: &std::collections::HashMap<String, String>,
) -> Vec<Shown> {
    let c = &view.plan.content;
    let catalog = &round.spec.catalog;
    let party = |p: &crate::domain::plan::PartyRef| match p {
        crate::domain::plan::PartyRef::Registered { organisation_id } => names
            .get(organisation_id)
            .cloned()
            .unwrap_or_else(|| organisation_id.clone()),
        crate::domain::plan::PartyRef::Named { name } => name.clone(),
    };
    let dash = |s: String| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            s
        }
    };
    vec![
        Shown {
            label: "Omschrijving",
            value: dash(c.description.clone()),
        },
        Shown {
            label: "Doelen",
            value: dash(
                c.goals
                    .iter()
                    .map(|g| {
                        catalog
                            .theme_of_goal(g)
                            .and_then(|t| t.goals.iter().find(|x| &x.code == g))
                            .map(|x| format!("{g} — {}", x.text))
                            .unwrap_or_else(|| g.clone())
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        },
        Shown {
            label: "Ten laste van budget",
            value: dash(
                view.plan
                    .budget_line
                    .as_deref()
                    .and_then(|b| catalog.theme(b))
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
            ),
        },
        Shown {
            label: "Trekker",
            value: dash(
                c.lead_partner
                    .iter()
                    .chain(c.co_leads.iter())
                    .map(party)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        },
        Shown {
            label: "Samenwerkingspartners",
            value: dash(c.partners.iter().map(party).collect::<Vec<_>>().join("\n")),
        },
        Shown {
            label: "Ontvanger van de bijdrage",
            value: dash(
                c.payee_id
                    .as_ref()
                    .map(|p| names.get(p).cloned().unwrap_or_else(|| p.clone()))
                    .unwrap_or_default(),
            ),
        },
        Shown {
            label: "Gevraagde bijdrage",
            value: match c.funding.without_amount_nl() {
                Some(text) => text.to_string(),
                None => c
                    .requested_eur
                    .and_then(|r| crate::domain::Eur::parse(r).ok())
                    .map(|e| e.format_nl())
                    .unwrap_or_else(|| "—".into()),
            },
        },
        Shown {
            label: "Andere financiering",
            value: dash(
                c.other_funding
                    .iter()
                    .map(|f| {
                        format!(
                            "{}: {}",
                            f.source,
                            crate::domain::Eur::parse(f.amount_eur)
                                .map(|e| e.format_nl())
                                .unwrap_or_else(|_| f.amount_eur.to_string())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        },
        Shown {
            label: "Looptijd",
            value: match (c.start_year, c.end_year) {
                (Some(s), Some(e)) if s != e => format!("{s} tot en met {e}"),
                (Some(s), _) => s.to_string(),
                (None, Some(e)) => e.to_string(),
                (None, None) => "—".into(),
            },
        },
        Shown {
            label: "Doorlopende actie",
            value: if c.continuing { "Ja" } else { "Nee" }.into(),
        },
        Shown {
            label: "Aantal inwoners dat u bereikt",
            value: c
                .expected_reach
                .map(|r| r.to_string())
                .unwrap_or_else(|| "—".into()),
        },
        Shown {
            label: "Betrokkenheid van inwoners",
            value: dash(c.resident_involvement.clone()),
        },
        Shown {
            label: "Aanvulling op bestaand aanbod",
            value: dash(c.gap_in_offer.clone()),
        },
        Shown {
            label: "Ingediend op",
            value: view
                .plan
                .submitted_at
                .map(dutch_date_time)
                .unwrap_or_else(|| "Nog niet ingediend".into()),
        },
    ]
}

/// `/plannen/{id}`: the plan as the visitor may see it: its content, the team's question with
/// a form to answer it, and the outcome once published.
pub async fn plan_page(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let pid = id.clone();
    // The visitor and, for an applicant, the plan in one blocking call; the team's page reads
    // more (`team::plan_page`).
    let st = state.clone();
    let (v, found) = with_visitor(&state, pending, move |c, v| {
        let actor = v.require(&format!("/plannen/{pid}"))?.actor();
        if permission::allows(&actor, Permission::SeeAssessment) {
            return Ok(None);
        }
        Ok(Some(plans::read_named(c, &st.rounds, &actor, &pid)?))
    })
    .await?;
    let Some((view, round, names)) = found else {
        return super::team::plan_page(state, v, id, q.into_inner()).await;
    };
    let actor = v.require(&format!("/plannen/{id}"))?.actor();
    let allowed = view.allowed_actions(&actor);
    let plan = &view.plan;
    let shown = view.status_for(&actor);
    let outcome = view
        .reveals_assessment(&actor)
        .then_some(plan.decision.as_ref())
        .flatten()
        .map(|d| Outcome {
            granted: plan.status == PlanStatus::Adopted || plan.status == PlanStatus::Approved,
            amount: match plan.content.funding.without_amount_nl() {
                Some(text) => Some(("Financiering", text.to_string())),
                None => plan
                    .granted
                    .map(|g| ("Bijdrage uit het programma", g.format_nl())),
            },
            motivation: d.motivation.clone(),
            conditions: d.conditions.clone(),
        });
    let page = PlanPage {
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
        title: if plan.content.title.is_empty() {
            "(nog zonder titel)".into()
        } else {
            plan.content.title.clone()
        },
        round_id: round.id.clone(),
        round_name: round.spec.name.clone(),
        status: shown.label_nl(),
        fields: shown_fields(&view, &round, &names),
        question: plan.info_request.as_ref().map(|q| {
            (
                q.message.clone(),
                dutch_date(crate::domain::calendar::amsterdam_date(q.requested_at)),
            )
        }),
        answer: plan.info_request.as_ref().and_then(|q| q.answer.clone()),
        may_answer: plan.status == PlanStatus::NeedsInfo && allowed.contains(&Action::Submit),
        outcome,
        merged_into: plan.merged_into.clone(),
        may_edit: allowed.contains(&Action::Edit),
        may_submit: plan.status == PlanStatus::Draft && allowed.contains(&Action::Submit),
        may_withdraw: allowed.contains(&Action::Withdraw),
    };
    render(&v, StatusCode::OK, &page)
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
    let st = state.clone();
    let pid = id.clone();
    let reason = f.reason.clone();
    let a = actor.clone();
    match web::block(move || st.write(|tx| plans::withdraw(tx, &a, &pid, Some(&reason), None)))
        .await?
    {
        Ok(_) => Ok(redirect(&v, "/mijn-plannen?bericht=ingetrokken")),
        Err(e) => {
            let p = match e {
                app::Error::Domain(DomainError::Invalid(errors)) => {
                    Problems::from_fields(&errors, |_| ("reason".into(), "Reden".into()))
                }
                other => return Err(other.into()),
            };
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
