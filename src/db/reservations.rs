//! Reservations of a theme's budget.

use diesel::prelude::*;

use super::schema::reservations;
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::reservation::Reservation;
use crate::domain::Eur;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reservations)]
struct ReservationRow {
    id: String,
    round_id: String,
    theme: String,
    amount_eur: i64,
    purpose: String,
    created_by: String,
    created_at: chrono::NaiveDateTime,
    released_at: Option<chrono::NaiveDateTime>,
    plan_id: Option<String>,
}

impl ReservationRow {
    fn parse(self) -> Result<Reservation, DbError> {
        Ok(Reservation {
            amount: Eur::parse(self.amount_eur)
                .map_err(|m| DbError::corrupt("reservations", &self.id, "amount_eur", m))?,
            id: self.id,
            round_id: self.round_id,
            theme: self.theme,
            purpose: self.purpose,
            created_by: self.created_by,
            created_at: utc(self.created_at),
            released_at: self.released_at.map(utc),
            plan_id: self.plan_id,
        })
    }
}

pub fn insert(tx: &mut Tx, r: &Reservation) -> Result<(), DbError> {
    diesel::insert_into(reservations::table)
        .values(&ReservationRow {
            id: r.id.clone(),
            round_id: r.round_id.clone(),
            theme: r.theme.clone(),
            amount_eur: r.amount.value(),
            purpose: r.purpose.clone(),
            created_by: r.created_by.clone(),
            created_at: stored(r.created_at),
            released_at: r.released_at.map(stored),
            plan_id: r.plan_id.clone(),
        })
        .execute(&mut **tx)?;
    Ok(())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Reservation>, DbError> {
    reservations::table
        .find(id)
        .select(ReservationRow::as_select())
        .first(c)
        .optional()?
        .map(ReservationRow::parse)
        .transpose()
}

/// The reservations of a round that stand, the oldest first.
pub fn standing(c: &mut DbConn, round_id: &str) -> Result<Vec<Reservation>, DbError> {
    reservations::table
        .filter(reservations::round_id.eq(round_id))
        .filter(reservations::released_at.is_null())
        .order((reservations::created_at.asc(), reservations::id.asc()))
        .select(ReservationRow::as_select())
        .load(c)?
        .into_iter()
        .map(ReservationRow::parse)
        .collect()
}

/// What the standing reservations of a theme hold together.
pub fn reserved_on_line(c: &mut DbConn, round_id: &str, theme: &str) -> Result<Eur, DbError> {
    let mut total = Eur::ZERO;
    for r in standing(c, round_id)?
        .into_iter()
        .filter(|r| r.theme == theme)
    {
        total = total + r.amount;
    }
    Ok(total)
}

/// Releases a standing reservation; `false` when it was released already.
pub fn release(tx: &mut Tx, id: &str, at: chrono::DateTime<chrono::Utc>) -> Result<bool, DbError> {
    let n = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::released_at.is_null()),
    )
    .set(reservations::released_at.eq(Some(stored(at))))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

/// Ties a standing reservation to the plan it was turned into; false when it no longer stands.
pub fn set_plan(tx: &mut Tx, id: &str, plan_id: &str) -> Result<bool, DbError> {
    let n = diesel::update(
        reservations::table
            .filter(reservations::id.eq(id))
            .filter(reservations::released_at.is_null()),
    )
    .set(reservations::plan_id.eq(plan_id))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

/// The standing reservation that holds money for this plan, if any.
pub fn held_for(c: &mut DbConn, plan_id: &str) -> Result<Option<Reservation>, DbError> {
    reservations::table
        .filter(reservations::plan_id.eq(plan_id))
        .filter(reservations::released_at.is_null())
        .select(ReservationRow::as_select())
        .first(c)
        .optional()?
        .map(ReservationRow::parse)
        .transpose()
}
