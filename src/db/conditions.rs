//! Grants' payment conditions.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::grant_conditions;
use super::{DbConn, DbError, Tx};
use crate::domain::grant::conditions::GrantCondition;
use crate::domain::grant::PaymentKind;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_conditions)]
struct ConditionRow {
    id: String,
    grant_id: String,
    position: i32,
    text: String,
    before_payment: String,
    met_on: Option<NaiveDate>,
    met_by: Option<String>,
    note: String,
}

impl ConditionRow {
    fn parse(self) -> Result<GrantCondition, DbError> {
        let before = PaymentKind::parse(&self.before_payment).ok_or_else(|| {
            DbError::corrupt(
                "grant_conditions",
                &self.id,
                "before_payment",
                format!("unknown value {}", self.before_payment),
            )
        })?;
        Ok(GrantCondition {
            id: self.id,
            grant_id: self.grant_id,
            position: self.position,
            text: self.text,
            before,
            met_on: self.met_on,
            met_by: self.met_by,
            note: self.note,
        })
    }
}

pub fn insert(tx: &mut Tx, c: &GrantCondition) -> Result<(), DbError> {
    diesel::insert_into(grant_conditions::table)
        .values(ConditionRow {
            id: c.id.clone(),
            grant_id: c.grant_id.clone(),
            position: c.position,
            text: c.text.clone(),
            before_payment: c.before.as_str().to_string(),
            met_on: c.met_on,
            met_by: c.met_by.clone(),
            note: c.note.clone(),
        })
        .execute(&mut **tx)?;
    Ok(())
}

/// The conditions of these grants, each grant's in its order, in one query.
pub fn of_grants(c: &mut DbConn, grant_ids: &[&str]) -> Result<Vec<GrantCondition>, DbError> {
    if grant_ids.is_empty() {
        return Ok(Vec::new());
    }
    grant_conditions::table
        .filter(grant_conditions::grant_id.eq_any(grant_ids))
        .order((grant_conditions::grant_id, grant_conditions::position))
        .select(ConditionRow::as_select())
        .load(c)?
        .into_iter()
        .map(ConditionRow::parse)
        .collect()
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<GrantCondition>, DbError> {
    grant_conditions::table
        .find(id)
        .select(ConditionRow::as_select())
        .first(c)
        .optional()?
        .map(ConditionRow::parse)
        .transpose()
}

/// Records a condition as met; false when it was met already (another request was first).
pub fn meet(tx: &mut Tx, id: &str, on: NaiveDate, by: &str, note: &str) -> Result<bool, DbError> {
    Ok(diesel::update(
        grant_conditions::table
            .find(id)
            .filter(grant_conditions::met_on.is_null()),
    )
    .set((
        grant_conditions::met_on.eq(Some(on)),
        grant_conditions::met_by.eq(Some(by)),
        grant_conditions::note.eq(note),
    ))
    .execute(&mut **tx)?
        == 1)
}
