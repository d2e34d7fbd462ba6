//! The team's notes on rows of the published overview, and an applicant's answer kept while
//! they change the plan.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{answer_drafts, plan_notes};
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

/// Keeps an applicant's unsent answer on a plan; an empty one is dropped.
pub fn keep_answer(
    tx: &mut Tx,
    plan_id: &str,
    text: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    drop_answer(tx, plan_id)?;
    if !text.is_empty() {
        diesel::insert_into(answer_drafts::table)
            .values((
                answer_drafts::plan_id.eq(plan_id),
                answer_drafts::text.eq(text),
                answer_drafts::updated_at.eq(stored(at)),
            ))
            .execute(&mut **tx)?;
    }
    Ok(())
}

/// The answer kept on a plan, if any.
pub fn kept_answer(c: &mut DbConn, plan_id: &str) -> Result<Option<String>, DbError> {
    Ok(answer_drafts::table
        .find(plan_id)
        .select(answer_drafts::text)
        .first::<String>(c)
        .optional()?)
}

/// Drops the answer kept on a plan (it was sent, or the plan left the question behind).
pub fn drop_answer(tx: &mut Tx, plan_id: &str) -> Result<(), DbError> {
    diesel::delete(answer_drafts::table.find(plan_id)).execute(&mut **tx)?;
    Ok(())
}
