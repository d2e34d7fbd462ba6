//! A plan's co-applicants (whom its owner invited) and who changed the plan when.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{plan_co_applicants, plan_edits, users};
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::plan::Plan;

/// A co-applicant with what the plan's pages show of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoApplicant {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub invited_at: DateTime<Utc>,
}

/// Adds a co-applicant; `DbError::Duplicate` when they are one already.
pub fn insert(
    tx: &mut Tx,
    plan_id: &str,
    user_id: &str,
    invited_by: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(plan_co_applicants::table)
        .values((
            plan_co_applicants::plan_id.eq(plan_id),
            plan_co_applicants::user_id.eq(user_id),
            plan_co_applicants::invited_by.eq(invited_by),
            plan_co_applicants::invited_at.eq(stored(at)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Takes a co-applicant off a plan; true when they were on it.
pub fn remove(tx: &mut Tx, plan_id: &str, user_id: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(
        plan_co_applicants::table
            .filter(plan_co_applicants::plan_id.eq(plan_id))
            .filter(plan_co_applicants::user_id.eq(user_id)),
    )
    .execute(&mut **tx)?
        == 1)
}

/// A plan's co-applicants in the order they were invited.
pub fn of_plan(c: &mut DbConn, plan_id: &str) -> Result<Vec<CoApplicant>, DbError> {
    Ok(plan_co_applicants::table
        .inner_join(users::table.on(users::id.eq(plan_co_applicants::user_id)))
        .filter(plan_co_applicants::plan_id.eq(plan_id))
        .order((
            plan_co_applicants::invited_at.asc(),
            plan_co_applicants::user_id.asc(),
        ))
        .select((
            plan_co_applicants::user_id,
            users::name,
            users::email,
            plan_co_applicants::invited_at,
        ))
        .load::<(String, String, String, NaiveDateTime)>(c)?
        .into_iter()
        .map(|(user_id, name, email, at)| CoApplicant {
            user_id,
            name,
            email,
            invited_at: utc(at),
        })
        .collect())
}

/// Sets each plan's `co_applicant_ids` (one query for them all): storage hands out no plan
/// without them, since who may edit it depends on them.
pub fn fill(c: &mut DbConn, plans: &mut [Plan]) -> Result<(), DbError> {
    if plans.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    let mut rows: Vec<(String, String)> = Vec::new();
    // In chunks: a round's plans can be more than a statement may bind.
    for chunk in ids.chunks(1000) {
        let found: Vec<(String, String)> = crate::with_backend_conn!(c, c => plan_co_applicants::table
            .filter(plan_co_applicants::plan_id.eq_any(chunk))
            .order((
                plan_co_applicants::invited_at.asc(),
                plan_co_applicants::user_id.asc(),
            ))
            .select((plan_co_applicants::plan_id, plan_co_applicants::user_id))
            .load(c))?;
        rows.extend(found);
    }
    if rows.is_empty() {
        return Ok(());
    }
    for plan in plans.iter_mut() {
        plan.co_applicant_ids = rows
            .iter()
            .filter(|(p, _)| *p == plan.id)
            .map(|(_, u)| u.clone())
            .collect();
    }
    Ok(())
}

/// Records that `user_id` changed the plan's content at `at`.
pub fn record_edit(
    tx: &mut Tx,
    plan_id: &str,
    user_id: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(plan_edits::table)
        .values((
            plan_edits::plan_id.eq(plan_id),
            plan_edits::user_id.eq(user_id),
            plan_edits::at.eq(stored(at)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Who changed the plan's content and when, the oldest first, with their names.
pub fn edits(
    c: &mut DbConn,
    plan_id: &str,
) -> Result<Vec<(String, String, DateTime<Utc>)>, DbError> {
    Ok(plan_edits::table
        .inner_join(users::table.on(users::id.eq(plan_edits::user_id)))
        .filter(plan_edits::plan_id.eq(plan_id))
        .order(plan_edits::at.asc())
        .select((plan_edits::user_id, users::name, plan_edits::at))
        .load::<(String, String, NaiveDateTime)>(c)?
        .into_iter()
        .map(|(id, name, at)| (id, name, utc(at)))
        .collect())
}
