//! The list of plans: applicants see their own, the programme team and board every non-draft
//! plan; filtered, paged, and kept in memory against the change counter of the round.

use crate::domain::permission::{self, Permission};
use std::sync::{Arc, Mutex};

use super::PlanView;
use crate::app::cache::{CounterCache, Weigh};
use crate::app::Error;
use crate::db::plans::{PageStart, PlanFilter};
use crate::db::{self, DbConn};
use crate::domain::errors::{PAGE, PAGE_SIZE};
use crate::domain::state::PlanStatus;
use crate::domain::text::{fold, Bounded};
use crate::domain::user::{Actor, Role};
use crate::domain::visibility::ShownStatus;
use crate::domain::FieldErrors;

/// The list's filters and page, as a client asks.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub round: Option<String>,
    /// `me`: only the plans assigned to the caller for review.
    pub assigned_to: Option<String>,
    pub status: Option<String>,
    pub theme: Option<String>,
    pub goal: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// What the list keeps in memory, against the change counter of the filtered round: totals
/// per filter (counting every match is the costly part of a page) and where deep pages start.
#[derive(Default)]
pub struct ListCaches {
    totals: CounterCache<PlanFilter, i64>,
    starts: CounterCache<PlanFilter, Arc<Mutex<PageStarts>>>,
}

impl ListCaches {
    /// The bytes kept: the totals, and where deep pages start.
    pub fn bytes(&self) -> (usize, usize) {
        (self.totals.bytes(), self.starts.bytes())
    }
}

impl Weigh for PlanFilter {
    fn weight(&self) -> usize {
        std::mem::size_of::<PlanFilter>()
            + [
                &self.owner_id,
                &self.holder_id,
                &self.assigned_to,
                &self.drafts_of,
                &self.round_id,
                &self.budget_line,
                &self.goal,
                &self.q,
            ]
            .iter()
            .map(|s| s.as_ref().map_or(0, String::len))
            .sum::<usize>()
            + self.statuses.as_ref().map_or(0, Vec::len)
    }
}

impl Weigh for Arc<Mutex<PageStarts>> {
    /// Weighed full: the starts of a filter grow as its pages are read, up to their bound.
    fn weight(&self) -> usize {
        PageStarts::MAX * PageStarts::BYTES_EACH
    }
}

/// Where pages of one filter start, learnt from the pages read: a row position, and the key of
/// the row just before it (the last row of the page that ended there). A page deep in a list
/// is then read from the nearest such key instead of walking every row before it (OFFSET),
/// so walking through a list costs the same on page 600 as on page 1.
#[derive(Default)]
pub struct PageStarts(std::collections::BTreeMap<i64, (chrono::DateTime<chrono::Utc>, String)>);

impl PageStarts {
    /// Starts kept per filter at most: past it, deep pages walk from the last.
    const MAX: usize = 1_000;
    /// A start's bytes: the position, the time and the id (36 characters) in a tree node.
    const BYTES_EACH: usize = 96;

    /// Where the page at row `offset` starts, from the nearest mark at or before it.
    pub fn start(&self, offset: i64) -> PageStart {
        let nearest = (offset > 0)
            .then(|| self.0.range(1..=offset).next_back())
            .flatten();
        match nearest {
            Some((&at, key)) => PageStart {
                after: Some(key.clone()),
                offset: offset - at,
            },
            None => PageStart {
                after: None,
                offset,
            },
        }
    }

    /// Notes that the row at position `end` comes right after the row with key `last`.
    pub fn learn(&mut self, end: i64, last: (chrono::DateTime<chrono::Utc>, String)) {
        if self.0.len() < Self::MAX {
            self.0.insert(end, last);
        }
    }
}

/// What a page of the list depends on: the filter, the page, and the caller
/// (`allowed_actions` depends on their roles, and on whether they filed the plan). A front
/// door may keep its finished page under this key, at the counter of `PageRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    filter: PlanFilter,
    page: i64,
    page_size: i64,
    user_id: String,
    roles: Vec<Role>,
}

impl Weigh for PageKey {
    fn weight(&self) -> usize {
        self.filter.weight() + 16 + self.user_id.weight() + self.roles.len()
    }
}

/// A page asked for, checked: what it depends on, and the change counter it is current at
/// (read before anything is kept against it, so nothing kept is older than it).
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub key: PageKey,
    pub changes: i64,
}

/// A page of plans found.
#[derive(Debug)]
pub struct Found {
    pub items: Vec<PlanView>,
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
}

struct Checked {
    status: Option<ShownStatus>,
    page: i64,
    page_size: i64,
    q: Option<String>,
}

impl ListQuery {
    /// Every parameter that breaks its rule.
    pub fn problems(&self) -> Vec<crate::domain::FieldError> {
        match check(self) {
            Err(Error::Domain(crate::domain::DomainError::Invalid(e))) => e,
            _ => Vec::new(),
        }
    }
}

fn check(q: &ListQuery) -> Result<Checked, Error> {
    let mut e = FieldErrors::new();
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => match ShownStatus::parse(s) {
            Some(s) => Some(s),
            None => {
                let names: Vec<&str> = ShownStatus::all().iter().map(|s| s.as_str()).collect();
                e.add(
                    "status",
                    (
                        format!("unknown status '{s}'; statuses are {}", names.join(", ")),
                        format!("status '{s}' bestaat niet; kies uit {}", names.join(", ")),
                    ),
                );
                None
            }
        },
    };
    let query = match q.q.as_deref().map(|t| Bounded::NAME.check(t)) {
        Some(Err(m)) => {
            e.add("q", m);
            None
        }
        Some(Ok(t)) => Some(t),
        None => None,
    };
    if let Some(who) = q.assigned_to.as_deref().filter(|w| *w != "me") {
        e.add(
            "assigned_to",
            (
                format!("'{who}' is not known here: the only value is 'me'"),
                "alleen 'me' (aan mij toegewezen) kan hier".to_string(),
            ),
        );
    }
    let page = q.page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        e.add("page", PAGE);
    }
    let page_size = q.page_size.unwrap_or(20);
    if !(1..=100).contains(&page_size) {
        e.add("page_size", PAGE_SIZE);
    }
    e.finish(Checked {
        status,
        page,
        page_size,
        q: query,
    })
    .map_err(Error::from)
}

/// The page of the list the caller asks for, checked, with the change counter of the filtered
/// round: a door that keeps finished pages looks its page up with this before `list`.
pub fn page_request(c: &mut DbConn, actor: &Actor, q: &ListQuery) -> Result<PageRequest, Error> {
    let checked = check(q)?;
    let staff = actor.is_staff();
    let (statuses, published) =
        crate::domain::visibility::status_filter(checked.status, actor.assesses());
    let filter = PlanFilter {
        owner_id: None,
        holder_id: (!staff && !actor.sees_only_assigned()).then(|| actor.user_id.clone()),
        // A reviewer who is not staff lists only the plans assigned to them.
        assigned_to: (q.assigned_to.is_some() || actor.sees_only_assigned())
            .then(|| actor.user_id.clone()),
        exclude_drafts: staff || actor.sees_only_assigned(),
        drafts_of: staff.then(|| actor.user_id.clone()),
        round_id: q.round.clone(),
        statuses,
        published,
        budget_line: q.theme.clone(),
        goal: q.goal.clone(),
        q: checked.q.as_deref().map(fold),
    };
    let changes = db::plans::changes(c, filter.round_id.as_deref())?;
    Ok(PageRequest {
        key: PageKey {
            filter,
            page: checked.page,
            page_size: checked.page_size,
            user_id: actor.user_id.clone(),
            roles: actor.roles.clone(),
        },
        changes,
    })
}

/// The plans of a page the caller may list (`page_request`), filtered by `round`, `status`,
/// `theme`, `goal` and text, newest first.
pub fn list(c: &mut DbConn, caches: &ListCaches, req: &PageRequest) -> Result<Found, Error> {
    let (key, changes) = (&req.key, req.changes);
    let (page, page_size) = (key.page, key.page_size);
    // The total is counted again only after plans changed.
    let total = match caches.totals.get(&key.filter, changes) {
        Some(total) => total,
        None => {
            let total = db::plans::count(c, &key.filter)?;
            caches.totals.put(key.filter.clone(), changes, total);
            total
        }
    };
    let offset = (page - 1) * page_size;
    let starts = caches
        .starts
        .get_or_put(key.filter.clone(), changes, Default::default);
    // A page may be read from a mark learnt from data a little newer than the counter read
    // here (never older): as with any paging while plans change.
    let start = starts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .start(offset);
    let plans = db::plans::page(c, &key.filter, &start, page_size)?;
    if let Some(last) = plans.last() {
        starts.lock().unwrap_or_else(|p| p.into_inner()).learn(
            offset + plans.len() as i64,
            (last.created_at, last.id.clone()),
        );
    }
    // A page of the list shows each plan: staff read each (a page served again unchanged from
    // memory is the same reading).
    if key.roles.iter().any(|r| {
        matches!(
            r,
            Role::ProgrammeTeam | Role::BoardMember | Role::BoardChair | Role::Reviewer
        )
    }) {
        let actor = Actor {
            user_id: key.user_id.clone(),
            roles: key.roles.clone(),
            organisation_id: None,
        };
        for p in plans.iter().filter(|p| !p.is_held_by(&actor.user_id)) {
            super::super::processing::note_plan_read(&actor, p);
        }
    }
    let ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
    let merged = db::plans::merged_into_many(c, &ids)?;
    let linked = db::plans::linked_from_many(c, &ids)?;
    let mut items = Vec::with_capacity(plans.len());
    for plan in plans {
        let merged_from = merged
            .iter()
            .filter(|(target, _)| target == &plan.id)
            .map(|(_, id)| id.clone())
            .collect();
        let linked_from = linked
            .iter()
            .filter(|(target, _)| target == &plan.id)
            .map(|(_, l)| l.clone())
            .collect();
        items.push(PlanView {
            plan,
            merged_from,
            linked_from,
        });
    }
    Ok(Found {
        items,
        page,
        page_size,
        total,
    })
}

/// How many plans the staff member's filter (round, theme, goal, text; not the status) finds
/// in each state but draft: the work list's counts. Each count is kept against the round's
/// change counter like the list's totals.
pub fn status_counts(
    c: &mut DbConn,
    caches: &ListCaches,
    actor: &Actor,
    q: &ListQuery,
) -> Result<Vec<(PlanStatus, i64)>, Error> {
    permission::check(actor, Permission::EvaluatePlans)?;
    let checked = check(q)?;
    let changes = db::plans::changes(c, q.round.as_deref())?;
    let mut counts = Vec::new();
    for status in PlanStatus::ALL
        .into_iter()
        .filter(|s| *s != PlanStatus::Draft)
    {
        let filter = PlanFilter {
            owner_id: None,
            holder_id: None,
            assigned_to: (q.assigned_to.is_some() || actor.sees_only_assigned())
                .then(|| actor.user_id.clone()),
            exclude_drafts: true,
            drafts_of: None,
            round_id: q.round.clone(),
            statuses: Some(vec![status]),
            published: None,
            budget_line: q.theme.clone(),
            goal: q.goal.clone(),
            q: checked.q.as_deref().map(fold),
        };
        let n = match caches.totals.get(&filter, changes) {
            Some(n) => n,
            None => {
                let n = db::plans::count(c, &filter)?;
                caches.totals.put(filter, changes, n);
                n
            }
        };
        counts.push((status, n));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::plan::PlanContent;

    fn key(id: &str, second: u32) -> (chrono::DateTime<chrono::Utc>, String) {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(12, 0, second))
            .unwrap()
            .and_utc();
        (at, id.to_string())
    }

    #[test]
    fn a_page_starts_from_the_nearest_mark_before_it() {
        let mut marks = PageStarts::default();
        assert_eq!(
            marks.start(40),
            PageStart {
                after: None,
                offset: 40
            }
        );
        marks.learn(2, key("b", 8));
        marks.learn(22, key("d", 4));
        assert_eq!(
            marks.start(0),
            PageStart {
                after: None,
                offset: 0
            }
        );
        assert_eq!(
            marks.start(1),
            PageStart {
                after: None,
                offset: 1
            }
        );
        let after_b = Some(key("b", 8));
        assert_eq!(
            marks.start(2),
            PageStart {
                after: after_b.clone(),
                offset: 0
            }
        );
        assert_eq!(
            marks.start(21),
            PageStart {
                after: after_b,
                offset: 19
            }
        );
        let after_d = Some(key("d", 4));
        assert_eq!(
            marks.start(22),
            PageStart {
                after: after_d.clone(),
                offset: 0
            }
        );
        assert_eq!(
            marks.start(70),
            PageStart {
                after: after_d,
                offset: 48
            }
        );
    }

    #[test]
    fn page_starts_kept_are_bounded() {
        let mut marks = PageStarts::default();
        for i in 0..PageStarts::MAX as i64 + 10 {
            marks.learn(i + 1, key("x", 1));
        }
        assert_eq!(marks.0.len(), PageStarts::MAX);
    }

    #[test]
    fn the_team_lists_every_submitted_plan_and_an_applicant_their_own() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let bob = t.resident();
        t.submitted(&anna, &round);
        t.submitted(&bob, &round);
        t.draft(
            &anna,
            &round,
            PlanContent {
                title: "Concept".into(),
                ..Default::default()
            },
        );
        let team = t.account(&[Role::ProgrammeTeam]);
        let q = ListQuery {
            round: Some(round.id.clone()),
            ..Default::default()
        };
        let page = |who: &crate::domain::user::Account| {
            t.app
                .read(|c| {
                    let req = page_request(c, &who.actor(), &q)?;
                    Ok((req.clone(), list(c, &t.app.lists, &req)?))
                })
                .unwrap()
        };
        let (req, found) = page(&team);
        assert_eq!((found.total, found.items.len()), (2, 2));
        // A door keeps its page against the request's counter: current until a plan changes.
        let pages: CounterCache<PageKey, String> = CounterCache::default();
        pages.put(req.key.clone(), req.changes, "rendered".into());
        assert_eq!(
            pages.get(&page(&team).0.key, req.changes).as_deref(),
            Some("rendered")
        );
        t.submitted(&bob, &round);
        let (after, _) = page(&team);
        assert!(
            after.changes > req.changes,
            "the counter moved with the new plan"
        );
        assert_eq!(pages.get(&after.key, after.changes), None);
        let (mine, found) = page(&anna);
        assert_ne!(mine.key, req.key, "each caller's page is their own");
        assert_eq!(found.total, 2, "her plan and her draft");
        let bad = ListQuery {
            status: Some("decided".into()),
            page_size: Some(500),
            ..Default::default()
        };
        match t.app.read(|c| page_request(c, &anna.actor(), &bad)) {
            Err(Error::Domain(crate::domain::DomainError::Invalid(f))) => assert_eq!(f.len(), 2),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a bad query is refused"),
        }
    }

    #[test]
    fn a_link_into_another_round_changes_that_round_too() {
        use crate::domain::plan::{PlanLink, Relation};
        let t = TestApp::new();
        let (first, second) = (t.open_round(), t.open_round());
        let anna = t.resident();
        let target = t.submitted(&anna, &first);
        let changes = |round: &str| {
            t.app
                .read(|c| Ok(db::plans::changes(c, Some(round))?))
                .unwrap()
        };
        let before = changes(&first.id);
        // A plan of the second round links to the first round's plan: that plan's
        // `linked_from` changed, so the first round's kept pages must go.
        let linking = t.draft(
            &anna,
            &second,
            PlanContent {
                title: "Vervolg".into(),
                links: vec![PlanLink {
                    plan_id: target.id.clone(),
                    relation: Relation::Continues,
                }],
                ..Default::default()
            },
        );
        let linked = changes(&first.id);
        assert!(
            linked > before,
            "adding the link changes the linked plan's round"
        );
        // Taking the link away again (here: deleting the draft) changes it once more.
        t.app
            .write(|tx| {
                super::super::delete(tx, &anna.actor(), &linking.id, None, &t.app.attachments)
            })
            .unwrap();
        assert!(
            changes(&first.id) > linked,
            "removing the link changes it again"
        );
    }
}
