//! Who is assigned to review which plan, by when, and whether they were reminded.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{plan_assignees, users};
use super::{stored, utc, DbConn, DbError, Tx};

/// An assignee with their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub user_id: String,
    pub name: String,
    pub due_on: Option<NaiveDate>,
    pub assigned_at: DateTime<Utc>,
}

/// A plan's assignees in the order they were assigned.
pub fn of_plan(c: &mut DbConn, plan_id: &str) -> Result<Vec<Assignee>, DbError> {
    Ok(plan_assignees::table
        .inner_join(users::table.on(users::id.eq(plan_assignees::user_id)))
        .filter(plan_assignees::plan_id.eq(plan_id))
        .order((plan_assignees::assigned_at.asc(), users::name.asc()))
        .select((
            plan_assignees::user_id,
            users::name,
            plan_assignees::due_on,
            plan_assignees::assigned_at,
        ))
        .load::<(String, String, Option<NaiveDate>, NaiveDateTime)>(c)?
        .into_iter()
        .map(|(user_id, name, due_on, at)| Assignee {
            user_id,
            name,
            due_on,
            assigned_at: utc(at),
        })
        .collect())
}

/// Whether the plan is assigned to the user.
pub fn is_assigned(c: &mut DbConn, plan_id: &str, user_id: &str) -> Result<bool, DbError> {
    let n: i64 = plan_assignees::table
        .filter(plan_assignees::plan_id.eq(plan_id))
        .filter(plan_assignees::user_id.eq(user_id))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// Makes `user_ids` the plan's assignees, all due `due_on`: those no longer named are taken
/// off, the new ones added, the kept ones keep their assignment (reminded again only when the
/// due date moved). Answers the ids newly assigned.
pub fn replace(
    tx: &mut Tx,
    plan_id: &str,
    user_ids: &[String],
    due_on: Option<NaiveDate>,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Vec<String>, DbError> {
    let before: Vec<(String, Option<NaiveDate>)> = plan_assignees::table
        .filter(plan_assignees::plan_id.eq(plan_id))
        .select((plan_assignees::user_id, plan_assignees::due_on))
        .load(&mut **tx)?;
    diesel::delete(
        plan_assignees::table
            .filter(plan_assignees::plan_id.eq(plan_id))
            .filter(plan_assignees::user_id.ne_all(user_ids)),
    )
    .execute(&mut **tx)?;
    let mut added = Vec::new();
    for id in user_ids {
        match before.iter().find(|(u, _)| u == id) {
            Some((_, due)) if *due == due_on => {}
            Some(_) => {
                diesel::update(
                    plan_assignees::table
                        .filter(plan_assignees::plan_id.eq(plan_id))
                        .filter(plan_assignees::user_id.eq(id)),
                )
                .set((
                    plan_assignees::due_on.eq(due_on),
                    plan_assignees::reminded_at.eq(None::<NaiveDateTime>),
                ))
                .execute(&mut **tx)?;
            }
            None => {
                diesel::insert_into(plan_assignees::table)
                    .values((
                        plan_assignees::plan_id.eq(plan_id),
                        plan_assignees::user_id.eq(id),
                        plan_assignees::assigned_by.eq(by),
                        plan_assignees::assigned_at.eq(stored(at)),
                        plan_assignees::due_on.eq(due_on),
                    ))
                    .execute(&mut **tx)?;
                added.push(id.clone());
            }
        }
    }
    Ok(added)
}

/// Assignments not yet reminded whose due date is `until` or earlier: (plan, user, due date).
pub fn to_remind(
    c: &mut DbConn,
    until: NaiveDate,
) -> Result<Vec<(String, String, NaiveDate)>, DbError> {
    let rows: Vec<(String, String, Option<NaiveDate>)> = plan_assignees::table
        .filter(plan_assignees::reminded_at.is_null())
        .filter(plan_assignees::due_on.le(until))
        .order((plan_assignees::due_on.asc(), plan_assignees::plan_id.asc()))
        .select((
            plan_assignees::plan_id,
            plan_assignees::user_id,
            plan_assignees::due_on,
        ))
        .limit(500)
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, u, d)| d.map(|d| (p, u, d)))
        .collect())
}

/// Marks an assignment reminded; false when another instance did so first (then it sends
/// nothing).
pub fn mark_reminded(
    tx: &mut Tx,
    plan_id: &str,
    user_id: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        plan_assignees::table
            .filter(plan_assignees::plan_id.eq(plan_id))
            .filter(plan_assignees::user_id.eq(user_id))
            .filter(plan_assignees::reminded_at.is_null()),
    )
    .set(plan_assignees::reminded_at.eq(Some(stored(at))))
    .execute(&mut **tx)?
        == 1)
}
