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

pub fn delete(c: &mut DbConn, token_hash: &str) -> Result<(), DbError> {
    diesel::delete(sessions::table.find(token_hash)).execute(c)?;
    Ok(())
}

/// Removes the sessions idle since before `before` (any user's): run at each sign-in.
pub fn delete_idle(c: &mut DbConn, before: DateTime<Utc>) -> Result<(), DbError> {
    diesel::delete(sessions::table.filter(sessions::last_seen_at.lt(stored(before)))).execute(c)?;
    Ok(())
}
