//! Plans: the rows, their history and versions, the filtered and paged list, and the change
//! counter per round that caches elsewhere are kept against.

use diesel::prelude::*;

use super::rows::{PlanEventRow, PlanRow, PlanVersionRow, RoundRow, UserRow};
use super::schema::{
    plan_assignees, plan_changes, plan_co_applicants, plan_events, plan_links, plan_versions,
    plans, rounds, users,
};
use super::{stored, DbConn, DbError, Tx};
use crate::domain::budget::GRANTED;
use crate::domain::plan::{Plan, PlanEvent, PlanLink, PlanVersion, Relation};
use crate::domain::round::Round;
use crate::domain::state::PlanStatus;
use crate::domain::user::Account;
use crate::domain::Eur;

type Backend = <DbConn as diesel::Connection>::Backend;

const DRAFT: &str = "draft";

pub fn insert(tx: &mut Tx, plan: &Plan) -> Result<(), DbError> {
    diesel::insert_into(plans::table)
        .values(&PlanRow::of(plan)?)
        .execute(&mut **tx)?;
    write_links(tx, plan)?;
    tx.plans_changed(&plan.round_id);
    Ok(())
}

/// Keeps `plan_links` as the plan's content states its links (the content is the record;
/// the table is there for the links pointing the other way). Every plan a link is added to or
/// taken from shows it in `linked_from`, so the round of each such plan changes too (it may be
/// another round than the plan's own).
fn write_links(tx: &mut Tx, plan: &Plan) -> Result<(), DbError> {
    let mut touched: Vec<String> = plan_links::table
        .filter(plan_links::plan_id.eq(&plan.id))
        .select(plan_links::target_id)
        .load(&mut **tx)?;
    diesel::delete(plan_links::table.filter(plan_links::plan_id.eq(&plan.id)))
        .execute(&mut **tx)?;
    // One row at a time: the portable connection has no batch insert on SQLite.
    for l in &plan.content.links {
        diesel::insert_into(plan_links::table)
            .values((
                plan_links::plan_id.eq(&plan.id),
                plan_links::target_id.eq(&l.plan_id),
                plan_links::relation.eq(l.relation.as_str()),
            ))
            .execute(&mut **tx)?;
        touched.push(l.plan_id.clone());
    }
    linked_rounds_changed(tx, &plan.round_id, touched)
}

/// Notes the rounds of `targets` (plans a link was written to or removed from) as changed,
/// but for `own`, which the caller notes itself.
fn linked_rounds_changed(tx: &mut Tx, own: &str, mut targets: Vec<String>) -> Result<(), DbError> {
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        return Ok(());
    }
    let rounds: Vec<String> = plans::table
        .filter(plans::id.eq_any(&targets))
        .filter(plans::round_id.ne(own))
        .select(plans::round_id)
        .distinct()
        .load(&mut **tx)?;
    for r in rounds {
        tx.plans_changed(&r);
    }
    Ok(())
}

/// The links that point at one plan: (from plan, relation), oldest plan first. As
/// `linked_from_many`, with `=` instead of `IN (…)`, so the statement is prepared once.
pub fn linked_from(c: &mut DbConn, target: &str) -> Result<Vec<PlanLink>, DbError> {
    let rows: Vec<(String, String)> = crate::with_backend_conn!(c, c => plan_links::table
        .filter(plan_links::target_id.eq(target))
        .order(plan_links::plan_id.asc())
        .select((plan_links::plan_id, plan_links::relation))
        .load(c))?;
    rows.into_iter()
        .map(|(from, relation)| link(from, relation))
        .collect()
}

fn link(from: String, relation: String) -> Result<PlanLink, DbError> {
    let relation = Relation::parse(&relation).ok_or_else(|| {
        DbError::corrupt(
            "plan_links",
            &from,
            "relation",
            format!("'{relation}' is no relation"),
        )
    })?;
    Ok(PlanLink {
        plan_id: from,
        relation,
    })
}

/// The links that point at these plans: (target, from plan, relation), oldest plan first.
pub fn linked_from_many(
    c: &mut DbConn,
    targets: &[String],
) -> Result<Vec<(String, PlanLink)>, DbError> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String)> = plan_links::table
        .filter(plan_links::target_id.eq_any(targets))
        .order((plan_links::target_id.asc(), plan_links::plan_id.asc()))
        .select((
            plan_links::target_id,
            plan_links::plan_id,
            plan_links::relation,
        ))
        .load(c)?;
    rows.into_iter()
        .map(|(target, from, relation)| Ok((target, link(from, relation)?)))
        .collect()
}

/// Which of these plan ids exist.
pub fn existing(
    c: &mut DbConn,
    ids: &[&str],
) -> Result<std::collections::HashSet<String>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(plans::table
        .filter(plans::id.eq_any(ids))
        .select(plans::id)
        .load::<String>(c)?
        .into_iter()
        .collect())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Plan>, DbError> {
    // On the backend's own connection: a page reads it on every request (see `with_backend_conn!`).
    let row: Option<PlanRow> = crate::with_backend_conn!(c, c => plans::table
        .find(id)
        .select(PlanRow::as_select())
        .first(c)
        .optional())?;
    let Some(mut plan) = row.map(PlanRow::parse).transpose()? else {
        return Ok(None);
    };
    super::co_applicants::fill(c, std::slice::from_mut(&mut plan))?;
    Ok(Some(plan))
}

/// A plan with its round, in one query.
pub fn find_with_round(c: &mut DbConn, id: &str) -> Result<Option<(Plan, Round)>, DbError> {
    let row: Option<(PlanRow, RoundRow)> = plans::table
        .inner_join(rounds::table)
        .filter(plans::id.eq(id))
        .select((PlanRow::as_select(), RoundRow::as_select()))
        .first(c)
        .optional()?;
    let Some((p, r)) = row else {
        return Ok(None);
    };
    let mut plan = p.parse()?;
    super::co_applicants::fill(c, std::slice::from_mut(&mut plan))?;
    Ok(Some((plan, r.parse()?)))
}

/// Stores `plan` if the stored plan still has `expected_version`; false when another change
/// won. This guard is what makes two concurrent transitions of one plan impossible.
pub fn update(tx: &mut Tx, plan: &Plan, expected_version: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        plans::table
            .filter(plans::id.eq(&plan.id))
            .filter(plans::version.eq(expected_version)),
    )
    .set(&PlanRow::of(plan)?)
    .execute(&mut **tx)?;
    if n == 1 {
        write_links(tx, plan)?;
        tx.plans_changed(&plan.round_id);
    }
    Ok(n == 1)
}

/// Deletes a plan if it is still at its version; false when another change won.
pub fn delete(tx: &mut Tx, plan: &Plan) -> Result<bool, DbError> {
    // Its own links go with it (SQLite does not enforce the cascade unless told to).
    let targets: Vec<String> = plan_links::table
        .filter(plan_links::plan_id.eq(&plan.id))
        .select(plan_links::target_id)
        .load(&mut **tx)?;
    diesel::delete(plan_links::table.filter(plan_links::plan_id.eq(&plan.id)))
        .execute(&mut **tx)?;
    linked_rounds_changed(tx, &plan.round_id, targets)?;
    let n = diesel::delete(
        plans::table
            .filter(plans::id.eq(&plan.id))
            .filter(plans::version.eq(plan.version)),
    )
    .execute(&mut **tx)?;
    if n == 1 {
        tx.plans_changed(&plan.round_id);
    }
    Ok(n == 1)
}

/// Takes the plan's row lock until the transaction ends (PostgreSQL; on SQLite the write
/// transaction holds the write lock already), so actions on one plan, votes included, happen
/// one after the other.
pub fn lock(tx: &mut Tx, id: &str) -> Result<bool, DbError> {
    let n = diesel::update(plans::table.filter(plans::id.eq(id)))
        .set(plans::version.eq(plans::version))
        .execute(&mut **tx)?;
    Ok(n == 1)
}

pub fn insert_event(c: &mut DbConn, event: &PlanEvent) -> Result<(), DbError> {
    diesel::insert_into(plan_events::table)
        .values(&PlanEventRow::of(event))
        .execute(c)?;
    Ok(())
}

pub fn events(c: &mut DbConn, plan_id: &str) -> Result<Vec<PlanEvent>, DbError> {
    plan_events::table
        .filter(plan_events::plan_id.eq(plan_id))
        .order((plan_events::at.asc(), plan_events::id.asc()))
        .select(PlanEventRow::as_select())
        .load(c)?
        .into_iter()
        .map(PlanEventRow::parse)
        .collect()
}

/// Keeps a submitted version of a plan; answers its number (1 for the first).
pub fn insert_version(
    c: &mut DbConn,
    plan_id: &str,
    submitted_at: chrono::DateTime<chrono::Utc>,
    snapshot: &serde_json::Value,
    submitted_by: &str,
) -> Result<i32, DbError> {
    let count: i64 = plan_versions::table
        .filter(plan_versions::plan_id.eq(plan_id))
        .count()
        .get_result(c)?;
    let number = i32::try_from(count + 1).map_err(|e| DbError::Other(e.to_string()))?;
    diesel::insert_into(plan_versions::table)
        .values(&PlanVersionRow {
            plan_id: plan_id.to_string(),
            version: number,
            submitted_at: stored(submitted_at),
            snapshot: snapshot.to_string(),
            submitted_by: Some(submitted_by.to_string()),
        })
        .execute(c)?;
    Ok(number)
}

pub fn versions(c: &mut DbConn, plan_id: &str) -> Result<Vec<PlanVersion>, DbError> {
    plan_versions::table
        .filter(plan_versions::plan_id.eq(plan_id))
        .order(plan_versions::version.asc())
        .select(PlanVersionRow::as_select())
        .load(c)?
        .into_iter()
        .map(PlanVersionRow::parse)
        .collect()
}

/// What the plan list filters on; `None` leaves a filter out.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct PlanFilter {
    pub owner_id: Option<String>,
    /// Plans this user holds: owns, or was invited to as a co-applicant.
    pub holder_id: Option<String>,
    /// Plans assigned to this user for review.
    pub assigned_to: Option<String>,
    pub exclude_drafts: bool,
    /// With `exclude_drafts`: still the drafts this user holds (a team member's own
    /// actions filed for an organisation, waiting to be submitted).
    pub drafts_of: Option<String>,
    pub round_id: Option<String>,
    pub statuses: Option<Vec<PlanStatus>>,
    /// Only plans an adoption covers, their decisions published (`Some(true)`), or not yet.
    pub published: Option<bool>,
    pub budget_line: Option<String>,
    pub goal: Option<String>,
    /// Already folded (lower case, accents removed).
    pub q: Option<String>,
}

/// Escapes LIKE's wildcards so user text matches literally.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn filtered(f: &PlanFilter) -> plans::BoxedQuery<'static, Backend> {
    let mut q = plans::table.into_boxed::<Backend>();
    if let Some(owner) = &f.owner_id {
        q = q.filter(plans::owner_id.eq(owner.clone()));
    }
    if let Some(me) = &f.holder_id {
        q = q.filter(
            plans::owner_id.eq(me.clone()).or(plans::id.eq_any(
                plan_co_applicants::table
                    .filter(plan_co_applicants::user_id.eq(me.clone()))
                    .select(plan_co_applicants::plan_id),
            )),
        );
    }
    if let Some(me) = &f.assigned_to {
        q = q.filter(
            plans::id.eq_any(
                plan_assignees::table
                    .filter(plan_assignees::user_id.eq(me.clone()))
                    .select(plan_assignees::plan_id),
            ),
        );
    }
    if f.exclude_drafts {
        q = match &f.drafts_of {
            Some(me) => q.filter(plans::status.ne(DRAFT).or(plans::owner_id.eq(me.clone()))),
            None => q.filter(plans::status.ne(DRAFT)),
        };
    }
    if let Some(round) = &f.round_id {
        q = q.filter(plans::round_id.eq(round.clone()));
    }
    match f.statuses.as_deref() {
        // One status as `=`, not `= ANY(…)`: PostgreSQL then reads a page in index order and
        // stops after it, instead of sorting every match (1 s against 1 ms at 100k plans).
        Some([one]) => q = q.filter(plans::status.eq(one.as_str())),
        Some(many) => {
            q = q.filter(plans::status.eq_any(many.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
        }
        None => {}
    }
    match f.published {
        Some(true) => q = q.filter(plans::adoption_id.is_not_null()),
        Some(false) => q = q.filter(plans::adoption_id.is_null()),
        None => {}
    }
    if let Some(line) = &f.budget_line {
        q = q.filter(plans::budget_line.eq(line.clone()));
    }
    if let Some(goal) = &f.goal {
        q = q.filter(
            plans::goals_index
                .like(format!("%,{},%", like_escape(goal)))
                .escape('\\'),
        );
    }
    if let Some(text) = &f.q {
        q = q.filter(
            plans::search_text
                .like(format!("%{}%", like_escape(text)))
                .escape('\\'),
        );
    }
    q
}

/// How many plans match.
pub fn count(c: &mut DbConn, f: &PlanFilter) -> Result<i64, DbError> {
    Ok(filtered(f).count().get_result(c)?)
}

/// Where a page of the plans that match starts: `offset` rows after the plan with key `after`
/// (`created_at`, `id`: the last of an earlier page), or after the first plan if `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageStart {
    pub after: Option<(chrono::DateTime<chrono::Utc>, String)>,
    pub offset: i64,
}

/// One page of the plans that match, newest first.
pub fn page(
    c: &mut DbConn,
    f: &PlanFilter,
    start: &PageStart,
    limit: i64,
) -> Result<Vec<Plan>, DbError> {
    let mut q = filtered(f);
    if let Some((at, id)) = &start.after {
        let at = stored(*at);
        // Written so that `created_at <= at` bounds the index range: the page is read from
        // that key on, instead of walking every row before it.
        q = q
            .filter(plans::created_at.le(at))
            .filter(plans::created_at.lt(at).or(plans::id.lt(id.clone())));
    }
    let q = q.order((plans::created_at.desc(), plans::id.desc()));
    let rows: Vec<PlanRow> = if start.offset == 0 {
        q.limit(limit).select(PlanRow::as_select()).load(c)?
    } else {
        // The rows an OFFSET skips are read from the index alone, then the page's rows by id:
        // PostgreSQL reads every skipped row in full (30,000 at page 600 of 100k plans).
        let ids: Vec<String> = q
            .offset(start.offset)
            .limit(limit)
            .select(plans::id)
            .load(c)?;
        let mut rows: Vec<PlanRow> = plans::table
            .filter(plans::id.eq_any(&ids))
            .select(PlanRow::as_select())
            .load(c)?;
        rows.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        rows
    };
    parsed(c, rows)
}

/// Plans from their rows, each with its co-applicants.
fn parsed(c: &mut DbConn, rows: Vec<PlanRow>) -> Result<Vec<Plan>, DbError> {
    let mut plans = rows
        .into_iter()
        .map(PlanRow::parse)
        .collect::<Result<Vec<_>, _>>()?;
    super::co_applicants::fill(c, &mut plans)?;
    Ok(plans)
}

/// Plans merged into `target`, oldest first.
pub fn merged_into(c: &mut DbConn, target: &str) -> Result<Vec<String>, DbError> {
    Ok(crate::with_backend_conn!(c, c => plans::table
        .filter(plans::merged_into.eq(target))
        .order(plans::created_at.asc())
        .select(plans::id)
        .load(c))?)
}

/// (merged plan, its owner, its title) for every plan merged into `target`.
pub fn merged_into_with_owners(
    c: &mut DbConn,
    target: &str,
) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(plans::table
        .filter(plans::merged_into.eq(target))
        .order(plans::created_at.asc())
        .select((plans::id, plans::owner_id, plans::title))
        .load(c)?)
}

/// (target, merged plan) for every plan merged into one of `targets`.
pub fn merged_into_many(
    c: &mut DbConn,
    targets: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<String>, String)> = plans::table
        .filter(plans::merged_into.eq_any(targets))
        .order(plans::created_at.asc())
        .select((plans::merged_into, plans::id))
        .load(c)?;
    // The filter matched on `merged_into`, so it is set on every row.
    Ok(rows
        .into_iter()
        .filter_map(|(t, id)| t.map(|t| (t, id)))
        .collect())
}

/// Every plan of a round that is not a draft (for budgets, rankings, similarity, adoption).
pub fn of_round(c: &mut DbConn, round_id: &str) -> Result<Vec<Plan>, DbError> {
    let rows = plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::status.ne(DRAFT))
        .order((plans::created_at.asc(), plans::id.asc()))
        .select(PlanRow::as_select())
        .load(c)?;
    parsed(c, rows)
}

/// How many drafts a round holds (plans begun and never submitted).
pub fn drafts_in_round(c: &mut DbConn, round_id: &str) -> Result<i64, DbError> {
    Ok(plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::status.eq(DRAFT))
        .count()
        .get_result(c)?)
}

/// A page of the plans open for a vote in any round, the longest waiting first.
pub fn voting(c: &mut DbConn, offset: i64, limit: i64) -> Result<Vec<Plan>, DbError> {
    let rows = plans::table
        .filter(plans::status.eq(PlanStatus::Voting.as_str()))
        .order((plans::created_at.asc(), plans::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(PlanRow::as_select())
        .load(c)?;
    parsed(c, rows)
}

/// What is granted already on a line: the plans whose status counts as granted.
pub fn granted_on_line(c: &mut DbConn, round_id: &str, theme: &str) -> Result<Eur, DbError> {
    // Summed here, not in SQL: SUM(BIGINT) is NUMERIC on PostgreSQL and a line has few grants.
    let granted: Vec<&str> = GRANTED.iter().map(|s| s.as_str()).collect();
    let amounts: Vec<(String, Option<i64>)> = plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::budget_line.eq(theme))
        .filter(plans::status.eq_any(granted))
        .select((plans::id, plans::granted_eur))
        .load(c)?;
    let mut sum = Eur::ZERO;
    for (id, amount) in amounts {
        if let Some(a) = amount {
            sum = sum
                + Eur::parse(a).map_err(|m| DbError::corrupt("plans", &id, "granted_eur", m))?;
        }
    }
    Ok(sum)
}

/// Raises the round's change counter (`Db::write` does, before the commit).
pub(super) fn bump_changes(c: &mut DbConn, round_id: &str) -> Result<(), DbError> {
    diesel::update(plan_changes::table.find(round_id))
        .set(plan_changes::changes.eq(plan_changes::changes + 1))
        .execute(c)?;
    Ok(())
}

/// The change counter of one round's plans, or of all plans (the sum over the rounds: it
/// rises with every change of any round). A cache built at this value is current while it
/// holds; read it before what is cached, so what is cached is never older than the counter.
pub fn changes(c: &mut DbConn, round_id: Option<&str>) -> Result<i64, DbError> {
    let mut q = plan_changes::table
        .select(plan_changes::changes)
        .into_boxed::<Backend>();
    if let Some(round) = round_id {
        q = q.filter(plan_changes::round_id.eq(round.to_string()));
    }
    // Summed here: SUM(BIGINT) is NUMERIC on PostgreSQL, and there are few rounds.
    Ok(q.load::<i64>(c)?.into_iter().sum())
}

/// A plan with its round's adoption date and the plans merged into it.
pub struct PlanWithMerged {
    pub plan: Plan,
    pub merged_from: Vec<String>,
}

/// What `GET /plans/{id}` reads, in one query: the caller's account and the plan with the
/// plans merged into it (one row per merged plan). `None` when there is no such account; the
/// plan part is `None` when there is no such plan.
pub fn account_and_plan(
    c: &mut DbConn,
    user_id: &str,
    plan_id: &str,
) -> Result<Option<(Account, Option<PlanWithMerged>)>, DbError> {
    let merged = diesel::alias!(plans as merged);
    type Row = (UserRow, Option<PlanRow>, Option<String>);
    let rows: Vec<Row> = crate::with_backend_conn!(c, c => users::table
        .left_join(plans::table.on(plans::id.eq(plan_id.to_string())))
        .left_join(merged.on(merged.field(plans::merged_into).eq(plans::id.nullable())))
        .filter(users::id.eq(user_id))
        .order(merged.field(plans::created_at).asc())
        .select((
            UserRow::as_select(),
            Option::<PlanRow>::as_select(),
            merged.field(plans::id).nullable(),
        ))
        .load(c))?;
    let mut rows = rows.into_iter();
    let Some((user, plan, first)) = rows.next() else {
        return Ok(None);
    };
    let plan = match plan {
        None => None,
        Some(plan) => Some(PlanWithMerged {
            plan: {
                let mut plan = plan.parse()?;
                super::co_applicants::fill(c, std::slice::from_mut(&mut plan))?;
                plan
            },
            merged_from: first.into_iter().chain(rows.filter_map(|r| r.2)).collect(),
        }),
    };
    Ok(Some((user.parse()?, plan)))
}

/// The next number under a reference key (`domain::plan::reference::counter_key`): 1, 2, …,
/// never the same twice. The counter's row is locked until the transaction ends (PostgreSQL's
/// row lock of the upsert; SQLite's write lock), so two first submissions at once get two
/// numbers.
pub fn next_reference_number(c: &mut DbConn, key: &str) -> Result<i64, DbError> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Last {
        #[diesel(sql_type = BigInt)]
        last: i64,
    }
    let row = match c {
        DbConn::Pg(c) => {
            diesel::sql_query(
                "INSERT INTO reference_counters (key, last) VALUES ($1, 1) \
                 ON CONFLICT (key) DO UPDATE SET last = reference_counters.last + 1",
            )
            .bind::<Text, _>(key)
            .execute(c)?;
            diesel::sql_query("SELECT last FROM reference_counters WHERE key = $1")
                .bind::<Text, _>(key)
                .get_result::<Last>(c)?
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query(
                "INSERT INTO reference_counters (key, last) VALUES (?, 1) \
                 ON CONFLICT (key) DO UPDATE SET last = reference_counters.last + 1",
            )
            .bind::<Text, _>(key)
            .execute(c)?;
            diesel::sql_query("SELECT last FROM reference_counters WHERE key = ?")
                .bind::<Text, _>(key)
                .get_result::<Last>(c)?
        }
    };
    Ok(row.last)
}

/// Gives every submitted plan made before references were given its reference, in the order
/// they were submitted (run after the migrations, under their lock: the reference is made in
/// Rust from the round's programme and year).
pub fn give_missing_references(c: &mut DbConn) -> Result<usize, DbError> {
    let missing: Vec<String> = plans::table
        .filter(plans::reference.is_null())
        .filter(plans::submitted_at.is_not_null())
        .order((plans::submitted_at.asc(), plans::id.asc()))
        .select(plans::id)
        .load(c)?;
    for id in &missing {
        let Some(mut plan) = find(c, id)? else {
            continue;
        };
        let Some(round) = super::rounds::find(c, &plan.round_id)? else {
            continue;
        };
        let key = crate::domain::plan::reference::counter_key(&round.spec);
        let n = next_reference_number(c, &key)?;
        plan.reference = Some(crate::domain::plan::reference::format(&key, n));
        let row = PlanRow::of(&plan)?;
        diesel::update(plans::table.find(id))
            .set((
                plans::reference.eq(row.reference),
                plans::search_text.eq(row.search_text),
            ))
            .execute(c)?;
    }
    Ok(missing.len())
}
