//! `/mijn-plannen`: an applicant's own plans, each with the status they may see and what to
//! do next.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{render, with_visitor, Layout, Pending, WebError};
use crate::app::cache::Weigh;
use crate::app::plans::{self, ListQuery, PlanView};
use crate::app::rounds;
use crate::app::App;
use crate::domain::permission::Permission;
use crate::domain::state::PlanStatus;
use crate::domain::visibility::ShownStatus;

// ---- my plans --------------------------------------------------------------------------------

/// A plan in the applicant's list.
pub struct PlanLine {
    pub id: String,
    pub title: String,
    /// The reference, once submitted.
    pub reference: Option<String>,
    /// The round it is filed in (its name is looked up when the page is shown, so a kept
    /// page follows a renamed round).
    pub round_id: String,
    /// "toegekend: € 3.850", "afgewezen", "in beoordeling", …
    pub status: String,
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
    /// Each line's round, by name, in the order of the lines.
    round_of: Vec<String>,
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
                std::mem::size_of::<PlanLine>()
                    + l.id.len()
                    + l.title.len()
                    + l.next_href.len()
                    + l.round_id.len()
                    + l.status.len()
                    + l.reference.as_ref().map_or(0, String::len)
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
    let round_of = rows
        .lines
        .iter()
        .map(|p| {
            open.iter()
                .find(|r| r.id == p.round_id)
                .map(|r| r.spec.name.clone())
                .unwrap_or_default()
        })
        .collect();
    let page_view = MyPlans {
        l: Layout::new("Mijn plannen", &v).with_flash(super::flash(q.bericht.as_deref())),
        round_of,
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
                reference: p.plan.reference.clone(),
                round_id: p.plan.round_id.clone(),
                title: if p.plan.content.title.is_empty() {
                    "(nog zonder titel)".into()
                } else {
                    p.plan.content.title.clone()
                },
                status: p.status_line_nl(actor),
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
