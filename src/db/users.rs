//! Accounts and their sign-in links.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::rows::{roles_column, MagicLinkRow, UserRow};
use super::schema::{email_changes, magic_links, users};
use super::{stored, DbConn, DbError};
use crate::domain::user::{Account, Role};

pub fn insert(c: &mut DbConn, account: &Account) -> Result<(), DbError> {
    diesel::insert_into(users::table)
        .values(&UserRow::of(account))
        .execute(c)?;
    Ok(())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Account>, DbError> {
    // Every authenticated request makes this query: run natively (see `with_backend_conn!`).
    let row: Option<UserRow> = crate::with_backend_conn!(c, c => users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional())?;
    row.map(UserRow::parse).transpose()
}

pub fn find_by_email(c: &mut DbConn, email: &str) -> Result<Option<Account>, DbError> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(c)
        .optional()?
        .map(UserRow::parse)
        .transpose()
}

pub fn list(c: &mut DbConn) -> Result<Vec<Account>, DbError> {
    users::table
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(c)?
        .into_iter()
        .map(UserRow::parse)
        .collect()
}

/// The names of these accounts by id (for the people a page names: reviewers, voters).
pub fn names(
    c: &mut DbConn,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>, DbError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}

pub fn count(c: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(c)?)
}

pub fn update(c: &mut DbConn, account: &Account) -> Result<(), DbError> {
    diesel::update(users::table.find(&account.id))
        .set(&UserRow::of(account))
        .execute(c)?;
    Ok(())
}

/// Every active account on the board (the members a vote counts over), found by the exact
/// role sets the board member rule admits.
pub fn board(c: &mut DbConn) -> Result<Vec<Account>, DbError> {
    let sets: Vec<String> = Role::board_sets().iter().map(|s| roles_column(s)).collect();
    users::table
        .filter(users::active.eq(true))
        .filter(users::roles.eq_any(sets))
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(c)?
        .into_iter()
        .map(UserRow::parse)
        .collect()
}

/// Every account claiming or holding membership of an organisation, the first created first.
pub fn members_of(c: &mut DbConn, organisation_id: &str) -> Result<Vec<Account>, DbError> {
    users::table
        .filter(users::organisation_id.eq(organisation_id))
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(c)?
        .into_iter()
        .map(UserRow::parse)
        .collect()
}

/// Keeps a sign-in link for `account`, valid until `expires_at` and only while the account's
/// session epoch stays what it is now.
pub fn insert_magic_link(
    c: &mut DbConn,
    token_hash: &str,
    account: &Account,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(magic_links::table)
        .values(&MagicLinkRow {
            token_hash: token_hash.to_string(),
            user_id: account.id.clone(),
            expires_at: stored(expires_at),
            used_at: None,
            created_at: stored(now),
            session_epoch: account.session_epoch,
        })
        .execute(c)?;
    Ok(())
}

/// The user and session epoch of a sign-in link that is unused and not expired, without using
/// it (a link that still waits for its account's code).
pub fn peek_magic_link(
    c: &mut DbConn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, i64)>, DbError> {
    let link: Option<MagicLinkRow> = magic_links::table
        .find(token_hash)
        .select(MagicLinkRow::as_select())
        .first(c)
        .optional()?;
    Ok(link
        .filter(|l| l.used_at.is_none() && l.expires_at > stored(now))
        .map(|l| (l.user_id, l.session_epoch)))
}

/// Uses a sign-in link once: answers its user and the session epoch it was made in, if the
/// token was unused and not expired.
pub fn use_magic_link(
    c: &mut DbConn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, i64)>, DbError> {
    let Some(link) = peek_magic_link(c, token_hash, now)? else {
        return Ok(None);
    };
    // Guarded, so two redemptions at once cannot both succeed.
    let n = diesel::update(
        magic_links::table
            .find(token_hash)
            .filter(magic_links::used_at.is_null()),
    )
    .set(magic_links::used_at.eq(Some(stored(now))))
    .execute(c)?;
    Ok((n == 1).then_some(link))
}

/// Keeps a change of `account`'s address to `new_email`, waiting for its link until
/// `expires_at` and only while the account's session epoch stays what it is now.
pub fn insert_email_change(
    c: &mut DbConn,
    token_hash: &str,
    account: &Account,
    new_email: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(email_changes::table)
        .values((
            email_changes::token_hash.eq(token_hash),
            email_changes::user_id.eq(&account.id),
            email_changes::new_email.eq(new_email),
            email_changes::expires_at.eq(stored(expires_at)),
            email_changes::created_at.eq(stored(now)),
            email_changes::session_epoch.eq(account.session_epoch),
        ))
        .execute(c)?;
    Ok(())
}

/// Uses an address change's link once: its user, new address and the epoch it was made in,
/// if the token was unused and not expired (two uses at once cannot both succeed).
pub fn use_email_change(
    c: &mut DbConn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, String, i64)>, DbError> {
    let found: Option<(String, String, NaiveDateTime, Option<NaiveDateTime>, i64)> =
        email_changes::table
            .find(token_hash)
            .select((
                email_changes::user_id,
                email_changes::new_email,
                email_changes::expires_at,
                email_changes::used_at,
                email_changes::session_epoch,
            ))
            .first(c)
            .optional()?;
    let Some((user_id, new_email, expires_at, used_at, epoch)) = found else {
        return Ok(None);
    };
    if used_at.is_some() || expires_at <= stored(now) {
        return Ok(None);
    }
    let n = diesel::update(
        email_changes::table
            .find(token_hash)
            .filter(email_changes::used_at.is_null()),
    )
    .set(email_changes::used_at.eq(Some(stored(now))))
    .execute(c)?;
    Ok((n == 1).then_some((user_id, new_email, epoch)))
}

/// Every active account holding `role` (the programme team, who are mailed about the
/// conversations): accounts are few, so they are filtered here rather than by the roles text.
pub fn active_with_role(c: &mut DbConn, role: Role) -> Result<Vec<Account>, DbError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(c)?
        .into_iter()
        .map(UserRow::parse)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|a| a.roles.contains(&role))
        .collect())
}
