//! Rounds, their budget lines and their change counters.

use diesel::prelude::*;

use super::rows::RoundRow;
use super::schema::{budget_lines, plan_changes, plans, rounds};
use super::{DbConn, DbError};
use crate::domain::round::Round;
use crate::domain::Eur;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = budget_lines)]
struct BudgetLineRow {
    round_id: String,
    theme: String,
    budget_eur: i64,
}

/// Stores a new round with its change counter and one budget line per theme.
pub fn insert(c: &mut DbConn, round: &Round) -> Result<(), DbError> {
    diesel::insert_into(rounds::table)
        .values(&RoundRow::of(round)?)
        .execute(c)?;
    diesel::insert_into(plan_changes::table)
        .values((
            plan_changes::round_id.eq(&round.id),
            plan_changes::changes.eq(0i64),
        ))
        .execute(c)?;
    sync_budget_lines(c, &round.id, &round.spec.budget_lines())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Round>, DbError> {
    rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(c)
        .optional()?
        .map(RoundRow::parse)
        .transpose()
}

/// Every round, the latest to open first.
pub fn list(c: &mut DbConn) -> Result<Vec<Round>, DbError> {
    rounds::table
        .order(rounds::opens_at.desc())
        .select(RoundRow::as_select())
        .load(c)?
        .into_iter()
        .map(RoundRow::parse)
        .collect()
}

/// Rounds by id, for building several plans' views with one query.
pub fn by_ids(c: &mut DbConn, ids: &[String]) -> Result<Vec<Round>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rounds::table
        .filter(rounds::id.eq_any(ids))
        .select(RoundRow::as_select())
        .load(c)?
        .into_iter()
        .map(RoundRow::parse)
        .collect()
}

/// What moves with every change to the rounds: their number and the sum of their versions
/// (every change raises a round's version, and rounds are never deleted).
pub fn change_stamp(c: &mut DbConn) -> Result<(i64, i64), DbError> {
    // Summed here: a few rows, and PostgreSQL's SUM of a BIGINT is a NUMERIC.
    let versions: Vec<i64> =
        crate::with_backend_conn!(c, c => rounds::table.select(rounds::version).load(c))?;
    Ok((versions.len() as i64, versions.iter().sum()))
}

pub fn count(c: &mut DbConn) -> Result<i64, DbError> {
    Ok(rounds::table.count().get_result(c)?)
}

/// Stores a changed round (`round.version` one past the version read) if nobody changed it
/// since it was read, with its budget lines; false when another change won.
pub fn update(c: &mut DbConn, round: &Round) -> Result<bool, DbError> {
    let n = diesel::update(
        rounds::table
            .filter(rounds::id.eq(&round.id))
            .filter(rounds::version.eq(round.version - 1)),
    )
    .set(&RoundRow::of(round)?)
    .execute(c)?;
    if n == 1 {
        sync_budget_lines(c, &round.id, &round.spec.budget_lines())?;
    }
    Ok(n == 1)
}

/// Makes the round's budget lines match its catalog's themes.
fn sync_budget_lines(
    c: &mut DbConn,
    round_id: &str,
    lines: &[(String, Eur)],
) -> Result<(), DbError> {
    let existing: Vec<String> = budget_lines::table
        .filter(budget_lines::round_id.eq(round_id))
        .select(budget_lines::theme)
        .load(c)?;
    for (theme, budget) in lines {
        if existing.contains(theme) {
            diesel::update(budget_lines::table.find((round_id, theme)))
                .set(budget_lines::budget_eur.eq(budget.value()))
                .execute(c)?;
        } else {
            diesel::insert_into(budget_lines::table)
                .values(&BudgetLineRow {
                    round_id: round_id.into(),
                    theme: theme.clone(),
                    budget_eur: budget.value(),
                })
                .execute(c)?;
        }
    }
    for old in existing
        .iter()
        .filter(|t| !lines.iter().any(|(l, _)| l == *t))
    {
        diesel::delete(budget_lines::table.find((round_id, old))).execute(c)?;
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
/// one commits; on SQLite the write transaction holds the database's write lock already.
pub fn lock_budget_line(
    c: &mut DbConn,
    round_id: &str,
    theme: &str,
) -> Result<Option<Eur>, DbError> {
    use diesel::sql_types::Text;
    let row = match c {
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
    row.map(|r| {
        Eur::parse(r.budget_eur).map_err(|m| {
            DbError::corrupt(
                "budget_lines",
                &format!("{round_id}/{theme}"),
                "budget_eur",
                m,
            )
        })
    })
    .transpose()
}

/// Whether the round has plans beyond drafts (its catalog is then fixed).
pub fn has_submissions(c: &mut DbConn, round_id: &str) -> Result<bool, DbError> {
    let n: i64 = plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::status.ne("draft"))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}
