//! The team's notes on rows of the published overview.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::plan_notes;
use super::{stored, DbConn, DbError, Tx};

/// Sets a plan's note; an empty note removes it.
pub fn set(
    tx: &mut Tx,
    plan_id: &str,
    note: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::delete(plan_notes::table.find(plan_id)).execute(&mut **tx)?;
    if !note.is_empty() {
        diesel::insert_into(plan_notes::table)
            .values((
                plan_notes::plan_id.eq(plan_id),
                plan_notes::note.eq(note),
                plan_notes::updated_by.eq(by),
                plan_notes::updated_at.eq(stored(at)),
            ))
            .execute(&mut **tx)?;
    }
    Ok(())
}

pub fn of_plan(c: &mut DbConn, plan_id: &str) -> Result<Option<String>, DbError> {
    Ok(plan_notes::table
        .find(plan_id)
        .select(plan_notes::note)
        .first::<String>(c)
        .optional()?)
}

/// The notes on these plans, by plan id, in one query.
pub fn of_plans(c: &mut DbConn, plan_ids: &[&str]) -> Result<HashMap<String, String>, DbError> {
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(plan_notes::table
        .filter(plan_notes::plan_id.eq_any(plan_ids))
        .select((plan_notes::plan_id, plan_notes::note))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}
