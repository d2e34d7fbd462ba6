//! Signed-in browsers' sessions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::rows::UserRow;
use super::schema::{sessions, users};
use super::{stored, utc, DbConn, DbError};
use crate::domain::session::Session;
use crate::domain::user::Account;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
struct SessionRow {
    token_hash: String,
    user_id: String,
    session_epoch: i64,
    csrf: String,
    created_at: chrono::NaiveDateTime,
    last_seen_at: chrono::NaiveDateTime,
    second_factor: bool,
    awaiting_code: bool,
}

impl SessionRow {
    fn parse(self) -> Session {
        Session {
            token_hash: self.token_hash,
            user_id: self.user_id,
            epoch: self.session_epoch,
            csrf: self.csrf,
            created_at: utc(self.created_at),
            last_seen_at: utc(self.last_seen_at),
            second_factor: self.second_factor,
            awaiting_code: self.awaiting_code,
        }
    }
}

pub fn insert(c: &mut DbConn, s: &Session) -> Result<(), DbError> {
    diesel::insert_into(sessions::table)
        .values(&SessionRow {
            token_hash: s.token_hash.clone(),
            user_id: s.user_id.clone(),
            session_epoch: s.epoch,
            csrf: s.csrf.clone(),
            created_at: stored(s.created_at),
            last_seen_at: stored(s.last_seen_at),
            second_factor: s.second_factor,
            awaiting_code: s.awaiting_code,
        })
        .execute(c)?;
    Ok(())
}

pub fn find(c: &mut DbConn, token_hash: &str) -> Result<Option<Session>, DbError> {
    Ok(sessions::table
        .find(token_hash)
        .select(SessionRow::as_select())
        .first(c)
        .optional()?
        .map(SessionRow::parse))
}

/// A session with its account, in one query.
pub fn find_with_account(
    c: &mut DbConn,
    token_hash: &str,
) -> Result<Option<(Session, Account)>, DbError> {
    // On the backend's own connection: every page reads it (see `with_backend_conn!`).
    let row: Option<(SessionRow, UserRow)> = crate::with_backend_conn!(c, c => sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(c)
        .optional())?;
    row.map(|(s, u)| Ok((s.parse(), u.parse()?))).transpose()
}

pub fn touch(c: &mut DbConn, token_hash: &str, at: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(sessions::table.find(token_hash))
        .set(sessions::last_seen_at.eq(stored(at)))
        .execute(c)?;
    Ok(())
}

/// Marks a session as begun with a second factor.
pub fn mark_second_factor(c: &mut DbConn, token_hash: &str) -> Result<(), DbError> {
    diesel::update(sessions::table.find(token_hash))
        .set(sessions::second_factor.eq(true))
        .execute(c)?;
    Ok(())
}

pub fn delete(c: &mut DbConn, token_hash: &str) -> Result<(), DbError> {
    diesel::delete(sessions::table.find(token_hash)).execute(c)?;
    Ok(())
}

/// Removes the sessions idle since before `idle_since` or begun before `begun_before` (any
/// user's): run at each sign-in.
pub fn delete_idle(
    c: &mut DbConn,
    idle_since: DateTime<Utc>,
    begun_before: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at
                .lt(stored(idle_since))
                .or(sessions::created_at.lt(stored(begun_before))),
        ),
    )
    .execute(c)?;
    Ok(())
}

/// An account's sessions, the newest first.
pub fn of_user(c: &mut DbConn, user_id: &str) -> Result<Vec<Session>, DbError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order((sessions::created_at.desc(), sessions::token_hash.desc()))
        .select(SessionRow::as_select())
        .load(c)?
        .into_iter()
        .map(SessionRow::parse)
        .collect())
}

/// Ends all but an account's `keep` newest sessions.
pub fn keep_newest(c: &mut DbConn, user_id: &str, keep: usize) -> Result<(), DbError> {
    let older: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order((sessions::created_at.desc(), sessions::token_hash.desc()))
        .offset(keep as i64)
        .select(sessions::token_hash)
        .load(c)?;
    if !older.is_empty() {
        diesel::delete(sessions::table.filter(sessions::token_hash.eq_any(older))).execute(c)?;
    }
    Ok(())
}

/// Ends every session of an account.
pub fn delete_of_user(c: &mut DbConn, user_id: &str) -> Result<(), DbError> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(c)?;
    Ok(())
}
