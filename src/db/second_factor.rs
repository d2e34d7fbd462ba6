//! Accounts' second factors: the TOTP secret and the recovery codes' hashes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{recovery_codes, totp_factors};
use super::{stored, utc, DbConn, DbError};

/// An account's TOTP factor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub user_id: String,
    /// Base32, as the authenticator app took it.
    pub secret: String,
    /// When a first code confirmed it; until then it does not count.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The last step a code was accepted for.
    pub last_step: u64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = totp_factors)]
struct FactorRow {
    user_id: String,
    secret: String,
    confirmed_at: Option<chrono::NaiveDateTime>,
    last_step: i64,
}

pub fn find(c: &mut DbConn, user_id: &str) -> Result<Option<Factor>, DbError> {
    Ok(totp_factors::table
        .find(user_id)
        .select(FactorRow::as_select())
        .first(c)
        .optional()?
        .map(|r| Factor {
            user_id: r.user_id,
            secret: r.secret,
            confirmed_at: r.confirmed_at.map(utc),
            last_step: r.last_step.max(0) as u64,
        }))
}

/// Whether the account has a confirmed factor.
pub fn is_on(c: &mut DbConn, user_id: &str) -> Result<bool, DbError> {
    Ok(find(c, user_id)?.is_some_and(|f| f.confirmed_at.is_some()))
}

/// Keeps a new, unconfirmed secret for the account (replacing an unconfirmed one).
pub fn begin(
    c: &mut DbConn,
    user_id: &str,
    secret: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::delete(totp_factors::table.find(user_id)).execute(c)?;
    diesel::insert_into(totp_factors::table)
        .values((
            totp_factors::user_id.eq(user_id),
            totp_factors::secret.eq(secret),
            totp_factors::last_step.eq(0i64),
            totp_factors::created_at.eq(stored(at)),
        ))
        .execute(c)?;
    Ok(())
}

/// Takes `step` as used if it is later than the last one: answers whether it was (so two
/// sign-ins with the same code at once cannot both pass).
pub fn take_step(c: &mut DbConn, user_id: &str, step: u64) -> Result<bool, DbError> {
    let step = step as i64;
    let n = diesel::update(
        totp_factors::table
            .find(user_id)
            .filter(totp_factors::last_step.lt(step)),
    )
    .set(totp_factors::last_step.eq(step))
    .execute(c)?;
    Ok(n == 1)
}

/// Confirms the factor (its first code was right) and keeps its recovery codes' hashes in
/// place of any earlier ones.
pub fn confirm(
    c: &mut DbConn,
    user_id: &str,
    at: DateTime<Utc>,
    code_hashes: &[String],
) -> Result<(), DbError> {
    diesel::update(totp_factors::table.find(user_id))
        .set(totp_factors::confirmed_at.eq(Some(stored(at))))
        .execute(c)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(c)?;
    for hash in code_hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::code_hash.eq(hash),
                recovery_codes::user_id.eq(user_id),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Uses a recovery code of the account once: answers whether it was unused and is now used.
pub fn use_recovery_code(
    c: &mut DbConn,
    user_id: &str,
    code_hash: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        recovery_codes::table
            .find(code_hash)
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(stored(at))))
    .execute(c)?;
    Ok(n == 1)
}

/// How many of the account's recovery codes are still unused.
pub fn recovery_codes_left(c: &mut DbConn, user_id: &str) -> Result<i64, DbError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(c)?)
}

/// Removes the account's factor and recovery codes (an admin's reset of a lost factor).
pub fn remove(c: &mut DbConn, user_id: &str) -> Result<bool, DbError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(c)?;
    Ok(diesel::delete(totp_factors::table.find(user_id)).execute(c)? == 1)
}
