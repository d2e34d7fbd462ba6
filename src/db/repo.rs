//! Repository functions: `fn(&mut DbConn, …) -> Result<_, AppError>`, one query each where possible.

use std::collections::HashSet;

use diesel::prelude::*;

use super::models::{OrganisationRow, RoundRow, UserRow};
use super::schema::{organisations, plan_changes, rounds, users};
use super::DbConn;
use crate::error::AppError;

pub fn insert_user(conn: &mut DbConn, row: &UserRow) -> Result<(), AppError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_user(conn: &mut DbConn, id: &str) -> Result<Option<UserRow>, AppError> {
    // Every authenticated request makes this query: run natively (see `native!`).
    Ok(crate::native!(conn, c => users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional())?)
}

pub fn find_user_by_email(conn: &mut DbConn, email: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_users(conn: &mut DbConn) -> Result<Vec<UserRow>, AppError> {
    Ok(users::table
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

pub fn count_users(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn update_user(conn: &mut DbConn, row: &UserRow) -> Result<(), AppError> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_organisation(conn: &mut DbConn, row: &OrganisationRow) -> Result<(), AppError> {
    diesel::insert_into(organisations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_organisation_by_key(
    conn: &mut DbConn,
    key: &str,
) -> Result<Option<OrganisationRow>, AppError> {
    Ok(organisations::table
        .filter(organisations::name_key.eq(key))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_organisations(conn: &mut DbConn) -> Result<Vec<OrganisationRow>, AppError> {
    Ok(organisations::table
        .order(organisations::name_key.asc())
        .select(OrganisationRow::as_select())
        .load(conn)?)
}

/// Which of these organisation ids exist.
pub fn existing_organisations(
    conn: &mut DbConn,
    ids: &[&str],
) -> Result<HashSet<String>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(organisations::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

pub fn insert_round(conn: &mut DbConn, row: &RoundRow) -> Result<(), AppError> {
    diesel::insert_into(rounds::table)
        .values(row)
        .execute(conn)?;
    diesel::insert_into(plan_changes::table)
        .values((
            plan_changes::round_id.eq(&row.id),
            plan_changes::changes.eq(0i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// Raises the round's change counter (see `Db::write`, which calls this before the commit).
pub fn bump_plan_changes(conn: &mut DbConn, round_id: &str) -> Result<(), AppError> {
    diesel::update(plan_changes::table.find(round_id))
        .set(plan_changes::changes.eq(plan_changes::changes + 1))
        .execute(conn)?;
    Ok(())
}

/// The change counter of one round's plans, or of all plans (the sum over the rounds: it
/// rises with every change of any round). A cache built at this value is current while it
/// holds; read it before what is cached, so what is cached is never older than the counter.
pub fn plan_changes(conn: &mut DbConn, round_id: Option<&str>) -> Result<i64, AppError> {
    let mut q = plan_changes::table
        .select(plan_changes::changes)
        .into_boxed::<Backend>();
    if let Some(round) = round_id {
        q = q.filter(plan_changes::round_id.eq(round.to_string()));
    }
    // Summed here: SUM(BIGINT) is NUMERIC on PostgreSQL, and there are few rounds.
    Ok(q.load::<i64>(conn)?.into_iter().sum())
}

pub fn find_round(conn: &mut DbConn, id: &str) -> Result<Option<RoundRow>, AppError> {
    Ok(rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_rounds(conn: &mut DbConn) -> Result<Vec<RoundRow>, AppError> {
    Ok(rounds::table
        .order(rounds::opens_at.desc())
        .select(RoundRow::as_select())
        .load(conn)?)
}

pub fn count_rounds(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(rounds::table.count().get_result(conn)?)
}

/// Stores a changed round if nobody changed it since it was read (`row.version` is the new
/// version, one past the one read); false when another change won.
pub fn update_round(conn: &mut DbConn, row: &RoundRow) -> Result<bool, AppError> {
    let n = diesel::update(
        rounds::table
            .filter(rounds::id.eq(&row.id))
            .filter(rounds::version.eq(row.version - 1)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}

// ---- plans -------------------------------------------------------------------------------

use super::models::{PlanEventRow, PlanRow, PlanVersionRow};
use super::schema::{plan_events, plan_versions, plans};

type Backend = <DbConn as diesel::Connection>::Backend;

pub fn insert_plan(conn: &mut DbConn, row: &PlanRow) -> Result<(), AppError> {
    diesel::insert_into(plans::table)
        .values(row)
        .execute(conn)?;
    super::plans_changed(&row.round_id);
    Ok(())
}

pub fn find_plan(conn: &mut DbConn, id: &str) -> Result<Option<PlanRow>, AppError> {
    Ok(plans::table
        .find(id)
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores `row` if the stored plan still has `expected_version`; false when another change
/// won. This guard is what makes two concurrent transitions of one plan impossible.
pub fn update_plan_guarded(
    conn: &mut DbConn,
    row: &PlanRow,
    expected_version: i64,
) -> Result<bool, AppError> {
    let n = diesel::update(
        plans::table
            .filter(plans::id.eq(&row.id))
            .filter(plans::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    if n == 1 {
        super::plans_changed(&row.round_id);
    }
    Ok(n == 1)
}

/// Deletes a draft of `round_id` if it is still at `expected_version`.
pub fn delete_plan_guarded(
    conn: &mut DbConn,
    id: &str,
    round_id: &str,
    expected_version: i64,
) -> Result<bool, AppError> {
    let n = diesel::delete(
        plans::table
            .filter(plans::id.eq(id))
            .filter(plans::version.eq(expected_version)),
    )
    .execute(conn)?;
    if n == 1 {
        super::plans_changed(round_id);
    }
    Ok(n == 1)
}

pub fn insert_event(conn: &mut DbConn, row: &PlanEventRow) -> Result<(), AppError> {
    diesel::insert_into(plan_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn list_events(conn: &mut DbConn, plan_id: &str) -> Result<Vec<PlanEventRow>, AppError> {
    Ok(plan_events::table
        .filter(plan_events::plan_id.eq(plan_id))
        .order((plan_events::at.asc(), plan_events::id.asc()))
        .select(PlanEventRow::as_select())
        .load(conn)?)
}

pub fn insert_version(conn: &mut DbConn, row: &PlanVersionRow) -> Result<(), AppError> {
    diesel::insert_into(plan_versions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn count_versions(conn: &mut DbConn, plan_id: &str) -> Result<i64, AppError> {
    Ok(plan_versions::table
        .filter(plan_versions::plan_id.eq(plan_id))
        .count()
        .get_result(conn)?)
}

pub fn list_versions(conn: &mut DbConn, plan_id: &str) -> Result<Vec<PlanVersionRow>, AppError> {
    Ok(plan_versions::table
        .filter(plan_versions::plan_id.eq(plan_id))
        .order(plan_versions::version.asc())
        .select(PlanVersionRow::as_select())
        .load(conn)?)
}

/// What `GET /plans` filters on; `None` leaves a filter out.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct PlanFilter {
    pub owner_id: Option<String>,
    pub exclude_drafts: bool,
    pub round_id: Option<String>,
    pub statuses: Option<Vec<String>>,
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
    if f.exclude_drafts {
        q = q.filter(plans::status.ne("draft"));
    }
    if let Some(round) = &f.round_id {
        q = q.filter(plans::round_id.eq(round.clone()));
    }
    match f.statuses.as_deref() {
        // One status as `=`, not `= ANY(…)`: PostgreSQL then reads a page in index order and
        // stops after it, instead of sorting every match (1 s against 1 ms at 100k plans).
        Some([one]) => q = q.filter(plans::status.eq(one.clone())),
        Some(many) => q = q.filter(plans::status.eq_any(many.to_vec())),
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
pub fn count_plans(conn: &mut DbConn, f: &PlanFilter) -> Result<i64, AppError> {
    Ok(filtered(f).count().get_result(conn)?)
}

/// Where a page of the plans that match starts: `offset` rows after the plan with key `after`
/// (`created_at`, `id`: the last of an earlier page), or after the first plan if `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageStart {
    pub after: Option<(chrono::NaiveDateTime, String)>,
    pub offset: i64,
}

/// One page of the plans that match, newest first.
pub fn page_plans(
    conn: &mut DbConn,
    f: &PlanFilter,
    start: &PageStart,
    limit: i64,
) -> Result<Vec<PlanRow>, AppError> {
    let mut q = filtered(f);
    if let Some((at, id)) = &start.after {
        // Written so that `created_at <= at` bounds the index range: the page is read from
        // that key on, instead of walking every row before it.
        q = q
            .filter(plans::created_at.le(*at))
            .filter(plans::created_at.lt(*at).or(plans::id.lt(id.clone())));
    }
    let q = q.order((plans::created_at.desc(), plans::id.desc()));
    if start.offset == 0 {
        return Ok(q.limit(limit).select(PlanRow::as_select()).load(conn)?);
    }
    // The rows an OFFSET skips are read from the index alone, then the page's rows by id:
    // PostgreSQL reads every skipped row in full (30,000 at page 600 of 100k plans).
    let ids: Vec<String> = q
        .offset(start.offset)
        .limit(limit)
        .select(plans::id)
        .load(conn)?;
    let mut rows: Vec<PlanRow> = plans::table
        .filter(plans::id.eq_any(&ids))
        .select(PlanRow::as_select())
        .load(conn)?;
    rows.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    Ok(rows)
}

/// Rounds by id, for building several plans' views with one query.
pub fn rounds_by_id(conn: &mut DbConn, ids: &[String]) -> Result<Vec<RoundRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(rounds::table
        .filter(rounds::id.eq_any(ids))
        .select(RoundRow::as_select())
        .load(conn)?)
}

// ---- assessment ----------------------------------------------------------------------------

use super::models::{BudgetLineRow, ConflictRow, EvaluationRow, VoteRow};
use super::schema::{budget_lines, conflicts, evaluations, votes};

pub fn find_evaluation(
    conn: &mut DbConn,
    plan_id: &str,
    reviewer_id: &str,
) -> Result<Option<EvaluationRow>, AppError> {
    Ok(evaluations::table
        .find((plan_id, reviewer_id))
        .select(EvaluationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a reviewer's evaluation, replacing their earlier one.
pub fn save_evaluation(
    conn: &mut DbConn,
    row: &EvaluationRow,
    replace: bool,
) -> Result<(), AppError> {
    if replace {
        diesel::update(evaluations::table.find((&row.plan_id, &row.reviewer_id)))
            .set((
                evaluations::scores.eq(&row.scores),
                evaluations::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(evaluations::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn list_evaluations(conn: &mut DbConn, plan_id: &str) -> Result<Vec<EvaluationRow>, AppError> {
    Ok(evaluations::table
        .filter(evaluations::plan_id.eq(plan_id))
        .order(evaluations::created_at.asc())
        .select(EvaluationRow::as_select())
        .load(conn)?)
}

pub fn list_votes(conn: &mut DbConn, plan_id: &str) -> Result<Vec<VoteRow>, AppError> {
    Ok(votes::table
        .filter(votes::plan_id.eq(plan_id))
        .order(votes::cast_at.asc())
        .select(VoteRow::as_select())
        .load(conn)?)
}

/// Records a member's vote, replacing an earlier one on the same plan.
pub fn save_vote(conn: &mut DbConn, row: &VoteRow) -> Result<(), AppError> {
    let n = diesel::update(votes::table.find((&row.plan_id, &row.member_id)))
        .set((
            votes::vote.eq(&row.vote),
            votes::comment.eq(&row.comment),
            votes::cast_at.eq(row.cast_at),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(votes::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear_votes(conn: &mut DbConn, plan_id: &str) -> Result<(), AppError> {
    diesel::delete(votes::table.filter(votes::plan_id.eq(plan_id))).execute(conn)?;
    Ok(())
}

pub fn list_conflicts(conn: &mut DbConn, plan_id: &str) -> Result<Vec<ConflictRow>, AppError> {
    Ok(conflicts::table
        .filter(conflicts::plan_id.eq(plan_id))
        .select(ConflictRow::as_select())
        .load(conn)?)
}

pub fn insert_conflict(conn: &mut DbConn, row: &ConflictRow) -> Result<(), AppError> {
    diesel::insert_into(conflicts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Every active board member and chair (the users a vote counts over).
pub fn board_members(conn: &mut DbConn) -> Result<Vec<UserRow>, AppError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::roles.like("%board_%"))
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Plans merged into `target`.
pub fn merged_into(conn: &mut DbConn, target: &str) -> Result<Vec<String>, AppError> {
    Ok(plans::table
        .filter(plans::merged_into.eq(target))
        .order(plans::created_at.asc())
        .select(plans::id)
        .load(conn)?)
}

/// Every plan of a round that is not a draft (for budgets, rankings, similarity, adoption).
pub fn round_plans(conn: &mut DbConn, round_id: &str) -> Result<Vec<PlanRow>, AppError> {
    Ok(plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::status.ne("draft"))
        .order((plans::created_at.asc(), plans::id.asc()))
        .select(PlanRow::as_select())
        .load(conn)?)
}

pub fn budget_lines_of(conn: &mut DbConn, round_id: &str) -> Result<Vec<BudgetLineRow>, AppError> {
    Ok(budget_lines::table
        .filter(budget_lines::round_id.eq(round_id))
        .select(BudgetLineRow::as_select())
        .load(conn)?)
}

/// Makes the round's budget lines match its catalog's themes.
pub fn sync_budget_lines(
    conn: &mut DbConn,
    round_id: &str,
    lines: &[(String, i64)],
) -> Result<(), AppError> {
    let existing = budget_lines_of(conn, round_id)?;
    for (theme, budget) in lines {
        if existing.iter().any(|l| &l.theme == theme) {
            diesel::update(budget_lines::table.find((round_id, theme)))
                .set(budget_lines::budget_eur.eq(budget))
                .execute(conn)?;
        } else {
            diesel::insert_into(budget_lines::table)
                .values(&BudgetLineRow {
                    round_id: round_id.into(),
                    theme: theme.clone(),
                    budget_eur: *budget,
                })
                .execute(conn)?;
        }
    }
    for old in existing
        .iter()
        .filter(|l| !lines.iter().any(|(t, _)| t == &l.theme))
    {
        diesel::delete(budget_lines::table.find((round_id, &old.theme))).execute(conn)?;
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct LockedBudget {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    budget_eur: i64,
}

/// Locks a budget line until the transaction ends and answers its budget. On PostgreSQL the
/// row lock makes a concurrent decision on the same line (from any instance) wait until this
/// one commits; on SQLite writes are serialised already (see `Db::write`).
pub fn lock_budget_line(
    conn: &mut DbConn,
    round_id: &str,
    theme: &str,
) -> Result<Option<i64>, AppError> {
    use diesel::sql_types::Text;
    let row = match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "SELECT budget_eur FROM budget_lines WHERE round_id = $1 AND theme = $2 FOR UPDATE",
        )
        .bind::<Text, _>(round_id)
        .bind::<Text, _>(theme)
        .get_result::<LockedBudget>(pg)
        .optional()?,
        DbConn::Sqlite(lite) => diesel::sql_query(
            "SELECT budget_eur FROM budget_lines WHERE round_id = ? AND theme = ?",
        )
        .bind::<Text, _>(round_id)
        .bind::<Text, _>(theme)
        .get_result::<LockedBudget>(lite)
        .optional()?,
    };
    Ok(row.map(|r| r.budget_eur))
}

/// What is granted already on a line: approved and adopted plans charged to it.
pub fn granted_on_line(conn: &mut DbConn, round_id: &str, theme: &str) -> Result<i64, AppError> {
    // Summed here, not in SQL: SUM(BIGINT) is NUMERIC on PostgreSQL and a line has few grants.
    let amounts: Vec<Option<i64>> = plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::budget_line.eq(theme))
        .filter(plans::status.eq_any(["approved", "adopted"]))
        .select(plans::granted_eur)
        .load(conn)?;
    Ok(amounts.into_iter().flatten().sum())
}

/// Whether the round has plans beyond drafts (its catalog is then fixed).
pub fn round_has_submissions(conn: &mut DbConn, round_id: &str) -> Result<bool, AppError> {
    let n: i64 = plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::status.ne("draft"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// (target, merged plan) for every plan merged into one of `targets`.
pub fn merged_into_many(
    conn: &mut DbConn,
    targets: &[String],
) -> Result<Vec<(String, String)>, AppError> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<String>, String)> = plans::table
        .filter(plans::merged_into.eq_any(targets))
        .order(plans::created_at.asc())
        .select((plans::merged_into, plans::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, id)| t.map(|t| (t, id)))
        .collect())
}

/// Takes the plan's row lock until the transaction ends (PostgreSQL; SQLite serialises writes
/// already), so votes and the closing of the vote happen one after the other.
pub fn lock_plan(conn: &mut DbConn, id: &str) -> Result<bool, AppError> {
    let n = diesel::update(plans::table.filter(plans::id.eq(id)))
        .set(plans::version.eq(plans::version))
        .execute(conn)?;
    Ok(n == 1)
}

// ---- mail ------------------------------------------------------------------------------------

use super::models::{MagicLinkRow, OutboxRow};
use super::schema::{magic_links, outbox};

pub fn insert_outbox(conn: &mut DbConn, row: &OutboxRow) -> Result<(), AppError> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_outbox(conn: &mut DbConn, id: &str) -> Result<Option<OutboxRow>, AppError> {
    Ok(outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?)
}

/// The newest mails first, optionally of one status.
pub fn list_outbox(
    conn: &mut DbConn,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<OutboxRow>, i64), AppError> {
    let base = || {
        let mut q = outbox::table.into_boxed::<Backend>();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s.to_string()));
        }
        q
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// Claims up to `limit` due mails for `lease` and answers them. On PostgreSQL the candidate
/// rows are locked with `FOR UPDATE SKIP LOCKED`, so instances claiming at the same moment
/// take different rows; on SQLite one worker runs and writes are serialised.
pub fn claim_due_mail(
    conn: &mut DbConn,
    now: chrono::NaiveDateTime,
    lease_until: chrono::NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, AppError> {
    use diesel::sql_types::{BigInt, Timestamp};
    let ids: Vec<String> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) \
             ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<IdRow>(pg)?
        .into_iter()
        .map(|r| r.id)
        .collect(),
        DbConn::Sqlite(_) => outbox::table
            .filter(outbox::status.eq("pending"))
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::claimed_until
                    .is_null()
                    .or(outbox::claimed_until.lt(now)),
            )
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .select(outbox::id)
            .load(conn)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set(outbox::claimed_until.eq(Some(lease_until)))
        .execute(conn)?;
    Ok(outbox::table
        .filter(outbox::id.eq_any(&ids))
        .select(OutboxRow::as_select())
        .load(conn)?)
}

pub fn mark_sent(conn: &mut DbConn, id: &str, at: chrono::NaiveDateTime) -> Result<(), AppError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(at)),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    attempts: i32,
    next: chrono::NaiveDateTime,
    error: &str,
) -> Result<(), AppError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(next),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a mail back in the queue, due now, with a fresh count of attempts.
pub fn retry_mail(conn: &mut DbConn, id: &str, now: chrono::NaiveDateTime) -> Result<(), AppError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_magic_link(conn: &mut DbConn, row: &MagicLinkRow) -> Result<(), AppError> {
    diesel::insert_into(magic_links::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Uses a sign-in link once: answers its user if the token was unused and not expired.
pub fn use_magic_link(
    conn: &mut DbConn,
    token_hash: &str,
    now: chrono::NaiveDateTime,
) -> Result<Option<String>, AppError> {
    let link: Option<MagicLinkRow> = magic_links::table
        .find(token_hash)
        .select(MagicLinkRow::as_select())
        .first(conn)
        .optional()?;
    let Some(link) = link else { return Ok(None) };
    if link.used_at.is_some() || link.expires_at <= now {
        return Ok(None);
    }
    // Guarded, so two redemptions at once cannot both succeed.
    let n = diesel::update(
        magic_links::table
            .find(token_hash)
            .filter(magic_links::used_at.is_null()),
    )
    .set(magic_links::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok((n == 1).then_some(link.user_id))
}

/// A plan with its round, in one query.
pub fn find_plan_with_round(
    conn: &mut DbConn,
    id: &str,
) -> Result<Option<(PlanRow, RoundRow)>, AppError> {
    Ok(plans::table
        .inner_join(rounds::table)
        .filter(plans::id.eq(id))
        .select((PlanRow::as_select(), RoundRow::as_select()))
        .first(conn)
        .optional()?)
}

/// What `GET /plans/{id}` reads, in one query: the caller's account and the plan with its
/// round's adoption date and the plans merged into it (one row per merged plan). `None` when
/// there is no such account; the plan part is `None` when there is no such plan.
#[allow(clippy::type_complexity)]
pub fn account_and_plan(
    conn: &mut DbConn,
    user_id: &str,
    plan_id: &str,
) -> Result<Option<(UserRow, Option<AdoptedPlan>)>, AppError> {
    let merged = diesel::alias!(plans as merged);
    let rows: Vec<(
        UserRow,
        Option<PlanRow>,
        Option<chrono::NaiveDate>,
        Option<String>,
    )> = crate::native!(conn, c => users::table
        .left_join(plans::table.on(plans::id.eq(plan_id.to_string())))
        .left_join(rounds::table.on(rounds::id.eq(plans::round_id)))
        .left_join(merged.on(merged.field(plans::merged_into).eq(plans::id.nullable())))
        .filter(users::id.eq(user_id))
        .order(merged.field(plans::created_at).asc())
        .select((
            UserRow::as_select(),
            Option::<PlanRow>::as_select(),
            rounds::adopted_on.nullable(),
            merged.field(plans::id).nullable(),
        ))
        .load(c))?;
    let mut rows = rows.into_iter();
    let Some((user, plan, adopted_on, first)) = rows.next() else {
        return Ok(None);
    };
    let plan = plan.map(|plan| AdoptedPlan {
        plan,
        adopted_on,
        merged_from: first.into_iter().chain(rows.filter_map(|r| r.3)).collect(),
    });
    Ok(Some((user, plan)))
}

/// A plan with its round's adoption date and the plans merged into it.
pub struct AdoptedPlan {
    pub plan: PlanRow,
    pub adopted_on: Option<chrono::NaiveDate>,
    pub merged_from: Vec<String>,
}
