//! The processing log's rows: appended, read per person and per period, never changed.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{processing_log, users};
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::processing::{Activity, Entry};
use crate::domain::user::Role;

/// Appends entries (in the caller's transaction: a change and its entry commit together).
pub fn append(tx: &mut Tx, entries: &[Entry]) -> Result<(), DbError> {
    for e in entries {
        diesel::insert_into(processing_log::table)
            .values((
                processing_log::id.eq(&e.id),
                processing_log::at.eq(stored(e.at)),
                processing_log::actor_id.eq(&e.actor_id),
                processing_log::actor_role.eq(e.role.as_str()),
                processing_log::activity.eq(e.activity.code()),
                processing_log::record_kind.eq(e.record_kind),
                processing_log::record_id.eq(&e.record_id),
                processing_log::subject_id.eq(e.subject_id.as_deref()),
            ))
            .execute(&mut **tx)?;
    }
    Ok(())
}

type Row = (
    String,
    NaiveDateTime,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

const KINDS: [&str; 3] = ["plan", "account", "bank_account"];

fn parse(r: Row) -> Result<Entry, DbError> {
    let role = Role::parse(&r.3)
        .ok_or_else(|| DbError::corrupt("processing_log", &r.0, "actor_role", &r.3))?;
    let activity = Activity::parse(&r.4)
        .ok_or_else(|| DbError::corrupt("processing_log", &r.0, "activity", &r.4))?;
    let kind = KINDS
        .into_iter()
        .find(|k| *k == r.5)
        .ok_or_else(|| DbError::corrupt("processing_log", &r.0, "record_kind", &r.5))?;
    Ok(Entry {
        id: r.0,
        at: utc(r.1),
        actor_id: r.2,
        role,
        activity,
        record_kind: kind,
        record_id: r.6,
        subject_id: r.7,
    })
}

const COLUMNS: (
    processing_log::id,
    processing_log::at,
    processing_log::actor_id,
    processing_log::actor_role,
    processing_log::activity,
    processing_log::record_kind,
    processing_log::record_id,
    processing_log::subject_id,
) = (
    processing_log::id,
    processing_log::at,
    processing_log::actor_id,
    processing_log::actor_role,
    processing_log::activity,
    processing_log::record_kind,
    processing_log::record_id,
    processing_log::subject_id,
);

/// The entries about a person, the newest first.
pub fn about(c: &mut DbConn, subject_id: &str) -> Result<Vec<Entry>, DbError> {
    processing_log::table
        .filter(processing_log::subject_id.eq(subject_id))
        .order((processing_log::at.desc(), processing_log::id.desc()))
        .select(COLUMNS)
        .load::<Row>(c)?
        .into_iter()
        .map(parse)
        .collect()
}

/// The entries from `from` up to `to`, the oldest first, each with its actor's name.
pub fn between(
    c: &mut DbConn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Entry, Option<String>)>, DbError> {
    let rows: Vec<(Row, Option<String>)> = processing_log::table
        .left_join(users::table.on(users::id.eq(processing_log::actor_id)))
        .filter(processing_log::at.ge(stored(from)))
        .filter(processing_log::at.lt(stored(to)))
        .order((processing_log::at.asc(), processing_log::id.asc()))
        .select((COLUMNS, users::name.nullable()))
        .load(c)?;
    rows.into_iter()
        .map(|(r, name)| Ok((parse(r)?, name)))
        .collect()
}
