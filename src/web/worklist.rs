//! The work list, `/beoordelen`: for the programme team every submitted plan (or those
//! assigned to them, "Aan mij toegewezen"), for a reviewer the plans assigned to them;
//! filtered, counted per status, with each plan's next step.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::team::{capital, non_empty};
use super::{render, with_visitor, Layout, Pending, Shell, WebError};
use crate::app::cache::Weigh;
use crate::app::plans::{self, ListQuery, PlanView};
use crate::app::rounds;
use crate::app::App;
use crate::domain::calendar::dutch_date_time;
use crate::domain::permission::Permission;
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::Actor;
use crate::domain::Eur;

/// The next step on a plan for this staff member, and where it is taken.
fn next_step(view: &PlanView, actor: &Actor) -> (String, String) {
    let allowed = view.allowed_actions(actor);
    let id = &view.plan.id;
    for a in [
        // An organisation's own action the team member filed waits for them to submit it.
        Action::Submit,
        Action::StartReview,
        Action::Evaluate,
        Action::OpenVote,
        Action::Vote,
        Action::CloseVote,
        Action::Adopt,
    ] {
        if allowed.contains(&a) {
            let href = match a {
                Action::Submit => format!("/plannen/{id}/indienen"),
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

#[derive(Debug, Default, Deserialize, Clone, PartialEq, Eq, Hash)]
pub struct WorkQuery {
    ronde: Option<String>,
    status: Option<String>,
    opgave: Option<String>,
    doel: Option<String>,
    tekst: Option<String>,
    /// `mij`: only the plans assigned to the visitor.
    toegewezen: Option<String>,
    pagina: Option<i64>,
    bericht: Option<String>,
}

pub struct WorkRow {
    pub id: String,
    pub title: String,
    pub reference: Option<String>,
    pub status: &'static str,
    pub theme: String,
    pub requested: String,
    pub submitted: String,
    pub next: String,
    pub next_href: String,
}

/// A page of the work list's rows.
pub struct WorkRows {
    pub rows: Vec<WorkRow>,
    /// The rows as the table shows them.
    pub html: String,
    pub total: i64,
    pub page: i64,
}

/// What the work list's content depends on: the page of plans (filter, page, viewer), the
/// words as typed, and the rounds (their names and themes show in the filters). The content
/// is kept at the round's change counter (`WebLists::work_list`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkKey {
    page: plans::PageKey,
    typed: WorkQuery,
    rounds: rounds::RoundsStamp,
}

impl Weigh for WorkKey {
    fn weight(&self) -> usize {
        let typed: usize = [
            &self.typed.ronde,
            &self.typed.status,
            &self.typed.opgave,
            &self.typed.doel,
            &self.typed.tekst,
            &self.typed.toegewezen,
        ]
        .iter()
        .map(|t| t.weight())
        .sum();
        self.page.weight() + typed + 32
    }
}

/// A page's finished content (the layout is rendered around it for each visitor).
#[derive(Clone)]
pub struct Content(std::sync::Arc<String>);

impl Weigh for Content {
    fn weight(&self) -> usize {
        16 + self.0.len()
    }
}

/// What the work list's blocking call found: the kept content, or what to render it from.
enum Fetched {
    Content(Content),
    /// The page of plans, the counts per status, and where to keep the content made from
    /// them; `None` when the filters are wrong.
    Data(Option<Box<(plans::Found, StatusCounts, WorkKey, i64)>>),
}

type StatusCounts = Vec<(PlanStatus, i64)>;

#[derive(Template)]
#[template(path = "web/_work_rows.html")]
struct RowsHtml<'a> {
    rows: &'a [WorkRow],
}

pub struct StatusCount {
    pub value: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub href: String,
}

/// The work list's content, without the layout (`Shell`): kept as `Content`.
#[derive(Template)]
#[template(path = "web/work_list.html")]
struct WorkList {
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
    /// "Aan mij toegewezen" is ticked.
    mine: bool,
    /// A reviewer sees only their assigned plans (no choice to offer).
    assigned_only: bool,
    rows: WorkRows,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// The rows of a page of the work list.
fn work_rows(found: &plans::Found, all_rounds: &[Round], actor: &Actor) -> WorkRows {
    let rows: Vec<WorkRow> = found
        .items
        .iter()
        .map(|view| {
            let plan = &view.plan;
            let round = all_rounds.iter().find(|r| r.id == plan.round_id);
            let (next, next_href) = next_step(view, actor);
            WorkRow {
                id: plan.id.clone(),
                reference: plan.reference.clone(),
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
    // A row that does not render is a bug in the template, which the tests render: the rows
    // then show empty rather than the page failing.
    let html = RowsHtml { rows: &rows }.render().unwrap_or_default();
    WorkRows {
        rows,
        html,
        total: found.total,
        page: found.page,
    }
}

/// `GET /beoordelen`: every submitted plan, filtered by round, status, theme, goal and text,
/// with the counts per status and each plan's next step; 50 a page.
pub async fn work_list(
    state: web::Data<App>,
    lists: web::Data<super::WebLists>,
    pending: Pending,
    q: web::Query<WorkQuery>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let st = state.clone();
    let kept = lists.clone();
    // The flash message is the layout's, not the content's.
    let typed = WorkQuery {
        bericht: None,
        ..q.clone()
    };
    // The visitor, the rounds, the page of plans and the counts in one blocking call; a page
    // whose content is kept needs no counts.
    let (v, (all_rounds, query, p, found)) = with_visitor(&state, pending, move |c, v| {
        let actor = v.may(Permission::EvaluatePlans, "/beoordelen")?;
        let (stamp, all_rounds) = rounds::list_cached_stamped(c, &st.rounds)?;
        let query = list_query(&typed, all_rounds.first());
        let p = query_problems(&query);
        let found = if p.is_empty() {
            let req = plans::page_request(c, &actor, &query)?;
            let key = WorkKey {
                page: req.key.clone(),
                typed,
                rounds: stamp,
            };
            match kept.work_list.get(&key, req.changes) {
                Some(content) => Fetched::Content(content),
                None => {
                    let found = plans::list(c, &st.lists, &req)?;
                    let counts = plans::status_counts(c, &st.lists, &actor, &query)?;
                    Fetched::Data(Some(Box::new((found, counts, key, req.changes))))
                }
            }
        } else {
            Fetched::Data(None)
        };
        Ok((all_rounds, query, p, found))
    })
    .await?;
    let actor = v.may(Permission::EvaluatePlans, "/beoordelen")?;
    let found = match found {
        Fetched::Content(Content(content)) => {
            let l = Layout::new("Beoordelen", &v).with_flash(super::flash(q.bericht.as_deref()));
            return render(&v, StatusCode::OK, &Shell { l, content });
        }
        Fetched::Data(found) => found,
    };
    let (rows, counts, keep) = match found.map(|b| *b) {
        Some((found, counts, key, changes)) => (
            work_rows(&found, &all_rounds, &actor),
            counts,
            Some((key, changes)),
        ),
        None => (
            WorkRows {
                rows: Vec::new(),
                html: String::new(),
                total: 0,
                page: 1,
            },
            Vec::new(),
            None,
        ),
    };
    let title = if p.is_empty() {
        "Beoordelen"
    } else {
        "Fout: Beoordelen"
    };
    let l = Layout::new(title, &v).with_flash(super::flash(q.bericht.as_deref()));
    let code = if p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page_view = WorkList::new(
        &q,
        &query,
        &all_rounds,
        rows,
        &counts,
        p,
        actor.sees_only_assigned(),
    );
    let content = std::sync::Arc::new(
        page_view
            .render()
            .map_err(|e| WebError::Internal(format!("a page did not render: {e}")))?,
    );
    if let Some((key, changes)) = keep.filter(|_| page_view.p.is_empty()) {
        lists.work_list.put(key, changes, Content(content.clone()));
    }
    render(&v, code, &Shell { l, content })
}

impl WorkList {
    /// The content for what was asked (`q`, read as `query`): the filters with their choices
    /// and counts, the rows, and the links to other pages and statuses.
    fn new(
        q: &WorkQuery,
        query: &ListQuery,
        all_rounds: &[Round],
        rows: WorkRows,
        counts: &[(PlanStatus, i64)],
        p: Problems,
        assigned_only: bool,
    ) -> WorkList {
        let chosen: Option<&Round> = query
            .round
            .as_deref()
            .and_then(|id| all_rounds.iter().find(|r| r.id == id));
        let (total, page) = (rows.total, rows.page);
        let link = |status: Option<&str>, page: i64| {
            let mut parts = vec![(
                "ronde",
                query.round.clone().unwrap_or_else(|| "alle".into()),
            )];
            if let Some(s) = status {
                parts.push(("status", s.to_string()));
            }
            for (k, v) in [
                ("opgave", &q.opgave),
                ("doel", &q.doel),
                ("tekst", &q.tekst),
                ("toegewezen", &q.toegewezen),
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
        WorkList {
            rounds: all_rounds
                .iter()
                .rev()
                .map(|r| (r.id.clone(), r.spec.name.clone()))
                .collect(),
            round: query.round.clone().unwrap_or_else(|| "alle".into()),
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
            mine: query.assigned_to.is_some(),
            assigned_only,
            rows,
            total,
            page,
            pages,
            prev_href: (page > 1).then(|| link(non_empty(&q.status).as_deref(), page - 1)),
            next_href: (page < pages).then(|| link(non_empty(&q.status).as_deref(), page + 1)),
            p,
        }
    }
}

/// The list's query from the page's: the newest round unless another is chosen ("alle" for
/// every round), 50 plans a page.
fn list_query(q: &WorkQuery, newest: Option<&Round>) -> ListQuery {
    let round = match non_empty(&q.ronde) {
        Some(r) if r == "alle" => None,
        Some(r) => Some(r),
        None => newest.map(|r| r.id.clone()),
    };
    ListQuery {
        round,
        status: non_empty(&q.status),
        theme: non_empty(&q.opgave),
        goal: non_empty(&q.doel),
        q: non_empty(&q.tekst),
        assigned_to: (non_empty(&q.toegewezen).as_deref() == Some("mij")).then(|| "me".into()),
        page: Some(q.pagina.unwrap_or(1).clamp(1, 1_000_000)),
        page_size: Some(50),
    }
}

/// Each filter that does not fit, named by the page's own field.
fn query_problems(query: &ListQuery) -> Problems {
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
    p
}
