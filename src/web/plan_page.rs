//! `/plannen/{id}` as its applicant sees it: the plan, the team's question with an answer box
//! while it is open, and the outcome once published (staff see `team::plan_page`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::public::Flash;
use super::{render, with_visitor, Layout, Pending, WebError};
use crate::app::plans::PlanView;
use crate::app::App;
use crate::domain::calendar::{dutch_date, dutch_date_time};
use crate::domain::permission::{self, Permission};
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};

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
    status: String,
    fields: Vec<Shown>,
    /// The question, the day it was asked, and the date the answer is asked by.
    question: Option<(String, String, Option<String>)>,
    answer: Option<String>,
    may_answer: bool,
    /// The answer typed before and kept while the plan was changed.
    kept: String,
    outcome: Option<Outcome>,
    merged_into: Option<String>,
    may_edit: bool,
    may_submit: bool,
    may_withdraw: bool,
    may_delete: bool,
    conversation: Option<super::conversation::ConversationView>,
    attachments: Option<super::plan_attachments::AttachmentsView>,
    applicants: super::co_applicants::ApplicantsView,
    /// The round's plans are shown to its applicants (its window has closed).
    plenary: bool,
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
            label: "Kenmerk",
            value: view.plan.reference.clone().unwrap_or_else(|| {
                "nog geen: het plan krijgt een kenmerk als het is ingediend".into()
            }),
        },
        Shown {
            label: "Korte omschrijving",
            value: dash(c.summary.clone()),
        },
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
            label: "Uit het budget van de opgave (thema)",
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
            label: "Trekker (voert het plan uit)",
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
        if permission::allows(&actor, Permission::ReadDossiers) {
            return Ok(None);
        }
        Ok(Some(crate::app::dossier::applicant_dossier(
            c, &st.rounds, &actor, &pid,
        )?))
    })
    .await?;
    let Some(crate::app::dossier::ApplicantDossier {
        view,
        round,
        organisations: names,
        kept_answer: kept,
        conversation: talk,
        attachments: files,
        owner_name,
        co_applicants,
        versions,
    }) = found
    else {
        return super::team::plan_page(state, v, id, q.into_inner()).await;
    };
    let actor = v.require(&format!("/plannen/{id}"))?.actor();
    let allowed = view.allowed_actions(&actor);
    let plan = &view.plan;
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
        status: view.status_line_nl(&actor),
        fields: shown_fields(&view, &round, &names),
        question: plan.info_request.as_ref().map(|q| {
            (
                q.message.clone(),
                dutch_date(crate::domain::calendar::amsterdam_date(q.requested_at)),
                q.answer_by.map(dutch_date),
            )
        }),
        kept,
        answer: plan.info_request.as_ref().and_then(|q| q.answer.clone()),
        may_answer: plan.status == PlanStatus::NeedsInfo && allowed.contains(&Action::Submit),
        outcome,
        merged_into: plan.merged_into.clone(),
        may_edit: allowed.contains(&Action::Edit),
        may_submit: plan.status == PlanStatus::Draft && allowed.contains(&Action::Submit),
        may_withdraw: allowed.contains(&Action::Withdraw),
        may_delete: allowed.contains(&Action::Delete),
        conversation: talk
            .as_ref()
            .map(|c| super::conversation::shown(c, &plan.id)),
        plenary: crate::domain::plenary::may_see(
            round.spec.closes_at,
            chrono::Utc::now(),
            crate::domain::plenary::shows(plan.status),
        ),
        attachments: Some(super::plan_attachments::shown(
            &plan.id,
            &files,
            &actor.user_id,
            crate::domain::plan::attachments::check_changeable(plan.status).is_ok(),
        )),
        applicants: super::co_applicants::shown(
            plan,
            &owner_name,
            &co_applicants,
            &versions,
            &actor.user_id,
        ),
    };
    render(&v, StatusCode::OK, &page)
}
