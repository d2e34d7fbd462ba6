//! What reviewers and the board record on a plan: evaluations, votes, declared conflicts.

use diesel::prelude::*;

use super::rows::{ConflictRow, EvaluationRow, VoteRow};
use super::schema::{conflicts, evaluations, votes};
use super::{DbConn, DbError};
use crate::domain::conflict::DeclaredConflict;
use crate::domain::evaluation::Evaluation;
use crate::domain::tally::Vote;

pub fn find_evaluation(
    c: &mut DbConn,
    plan_id: &str,
    reviewer_id: &str,
) -> Result<Option<Evaluation>, DbError> {
    evaluations::table
        .find((plan_id, reviewer_id))
        .select(EvaluationRow::as_select())
        .first(c)
        .optional()?
        .map(EvaluationRow::parse)
        .transpose()
}

/// Stores a reviewer's evaluation, replacing their earlier one.
pub fn save_evaluation(c: &mut DbConn, e: &Evaluation, replace: bool) -> Result<(), DbError> {
    let row = EvaluationRow::of(e)?;
    if replace {
        diesel::update(evaluations::table.find((&row.plan_id, &row.reviewer_id)))
            .set((
                evaluations::scores.eq(&row.scores),
                evaluations::updated_at.eq(row.updated_at),
            ))
            .execute(c)?;
    } else {
        diesel::insert_into(evaluations::table)
            .values(&row)
            .execute(c)?;
    }
    Ok(())
}

/// Every evaluation of a plan, the first recorded first.
pub fn evaluations(c: &mut DbConn, plan_id: &str) -> Result<Vec<Evaluation>, DbError> {
    evaluations::table
        .filter(evaluations::plan_id.eq(plan_id))
        .order(evaluations::created_at.asc())
        .select(EvaluationRow::as_select())
        .load(c)?
        .into_iter()
        .map(EvaluationRow::parse)
        .collect()
}

/// Every vote on a plan, the first cast first.
pub fn votes(c: &mut DbConn, plan_id: &str) -> Result<Vec<Vote>, DbError> {
    votes::table
        .filter(votes::plan_id.eq(plan_id))
        .order(votes::cast_at.asc())
        .select(VoteRow::as_select())
        .load(c)?
        .into_iter()
        .map(VoteRow::parse)
        .collect()
}

/// The votes on several plans (a page of the board's agenda), in one query, each plan's in
/// the order they were cast.
pub fn votes_many(c: &mut DbConn, plan_ids: &[String]) -> Result<Vec<Vote>, DbError> {
    if plan_ids.is_empty() {
        return Ok(Vec::new());
    }
    votes::table
        .filter(votes::plan_id.eq_any(plan_ids))
        .order(votes::cast_at.asc())
        .select(VoteRow::as_select())
        .load(c)?
        .into_iter()
        .map(VoteRow::parse)
        .collect()
}

/// Records a member's vote, replacing an earlier one on the same plan.
pub fn save_vote(c: &mut DbConn, vote: &Vote) -> Result<(), DbError> {
    let row = VoteRow::of(vote);
    let n = diesel::update(votes::table.find((&row.plan_id, &row.member_id)))
        .set((
            votes::vote.eq(&row.vote),
            votes::comment.eq(&row.comment),
            votes::cast_at.eq(row.cast_at),
        ))
        .execute(c)?;
    if n == 0 {
        diesel::insert_into(votes::table).values(&row).execute(c)?;
    }
    Ok(())
}

pub fn clear_votes(c: &mut DbConn, plan_id: &str) -> Result<(), DbError> {
    diesel::delete(votes::table.filter(votes::plan_id.eq(plan_id))).execute(c)?;
    Ok(())
}

pub fn conflicts(c: &mut DbConn, plan_id: &str) -> Result<Vec<DeclaredConflict>, DbError> {
    Ok(conflicts::table
        .filter(conflicts::plan_id.eq(plan_id))
        .select(ConflictRow::as_select())
        .load(c)?
        .into_iter()
        .map(ConflictRow::parse)
        .collect())
}

/// The conflicts declared on several plans, in one query.
pub fn conflicts_many(
    c: &mut DbConn,
    plan_ids: &[String],
) -> Result<Vec<DeclaredConflict>, DbError> {
    if plan_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(conflicts::table
        .filter(conflicts::plan_id.eq_any(plan_ids))
        .select(ConflictRow::as_select())
        .load(c)?
        .into_iter()
        .map(ConflictRow::parse)
        .collect())
}

pub fn insert_conflict(c: &mut DbConn, conflict: &DeclaredConflict) -> Result<(), DbError> {
    diesel::insert_into(conflicts::table)
        .values(&ConflictRow::of(conflict))
        .execute(c)?;
    Ok(())
}
