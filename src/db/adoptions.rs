//! A round's adoptions, the plans each covers, and whether its letters went out.

use diesel::prelude::*;

use super::rows::AdoptionRow;
use super::schema::{adoptions, outbox, plans};
use super::{DbConn, DbError, Tx};
use crate::domain::adoption::Adoption;
use crate::domain::notice::MailStatus;

pub fn insert(c: &mut DbConn, a: &Adoption) -> Result<(), DbError> {
    diesel::insert_into(adoptions::table)
        .values(&AdoptionRow::of(a)?)
        .execute(c)?;
    Ok(())
}

/// A round's adoptions, the first first.
pub fn of_round(c: &mut DbConn, round_id: &str) -> Result<Vec<Adoption>, DbError> {
    adoptions::table
        .filter(adoptions::round_id.eq(round_id))
        .order(adoptions::seq.asc())
        .select(AdoptionRow::as_select())
        .load(c)?
        .into_iter()
        .map(AdoptionRow::parse)
        .collect()
}

/// Stores a corrected adoption (`a.version` one past the version read) unless another
/// change came first; false then.
pub fn update(c: &mut DbConn, a: &Adoption) -> Result<bool, DbError> {
    let n = diesel::update(
        adoptions::table
            .filter(adoptions::id.eq(&a.id))
            .filter(adoptions::version.eq(a.version - 1)),
    )
    .set(&AdoptionRow::of(a)?)
    .execute(c)?;
    Ok(n == 1)
}

/// (adoption, plan) for every plan an adoption of the round covers, in filing order.
pub fn covered(c: &mut DbConn, round_id: &str) -> Result<Vec<(String, String)>, DbError> {
    let rows: Vec<(Option<String>, String)> = plans::table
        .filter(plans::round_id.eq(round_id))
        .filter(plans::adoption_id.is_not_null())
        .order((plans::created_at.asc(), plans::id.asc()))
        .select((plans::adoption_id, plans::id))
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, p)| a.map(|a| (a, p)))
        .collect())
}

/// Whether any letter of the adoption is sent or being sent (claimed by a worker). Takes the
/// letters' row locks first, so a worker cannot claim one while the caller's transaction
/// corrects them (the workers skip locked rows).
pub fn lock_letters_and_check_sent(tx: &mut Tx, adoption_id: &str) -> Result<bool, DbError> {
    diesel::update(outbox::table.filter(outbox::adoption_id.eq(adoption_id)))
        .set(outbox::id.eq(outbox::id))
        .execute(&mut **tx)?;
    let gone: i64 = outbox::table
        .filter(outbox::adoption_id.eq(adoption_id))
        .filter(
            outbox::status
                .eq(MailStatus::Sent.as_str())
                .or(outbox::claimed_until.is_not_null()),
        )
        .count()
        .get_result(&mut **tx)?;
    Ok(gone > 0)
}

/// For each adoption of the round, whether any of its letters is sent or being sent.
pub fn letters_sent(c: &mut DbConn, round_id: &str) -> Result<Vec<String>, DbError> {
    let ids: Vec<Option<String>> = outbox::table
        .inner_join(adoptions::table.on(outbox::adoption_id.eq(adoptions::id.nullable())))
        .filter(adoptions::round_id.eq(round_id))
        .filter(
            outbox::status
                .eq(MailStatus::Sent.as_str())
                .or(outbox::claimed_until.is_not_null()),
        )
        .select(outbox::adoption_id)
        .distinct()
        .load(c)?;
    Ok(ids.into_iter().flatten().collect())
}
