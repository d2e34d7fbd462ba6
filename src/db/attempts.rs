//! Sign-in attempts per key, counted in the database so every instance on it counts the same.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::throttle::{admit, give_back, Attempts, Limit, KNOWN_CLIENT_DAYS};

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    window_start: chrono::NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    count: i32,
}

/// Windows this old are surely over (the longest window is a day, `LONGEST_WINDOW_SECS`).
const FORGET_AFTER_HOURS: i64 = 24;

/// Keys that remember a client that signed in (`remember`), kept `KNOWN_CLIENT_DAYS`.
pub const KNOWN_PREFIX: &str = "known:";

/// Reads a key's attempts with its row locked until the transaction ends (PostgreSQL `FOR
/// UPDATE`; on SQLite the write transaction holds the database's write lock), creating it.
fn locked(tx: &mut Tx, key: &str, now: DateTime<Utc>) -> Result<Attempts, DbError> {
    use diesel::sql_types::{Text, Timestamp};
    let at = stored(now);
    let row = match &mut **tx {
        DbConn::Pg(c) => {
            diesel::sql_query(
                "INSERT INTO attempts (key, window_start, count) VALUES ($1, $2, 0) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(at)
            .execute(c)?;
            diesel::sql_query("SELECT window_start, count FROM attempts WHERE key = $1 FOR UPDATE")
                .bind::<Text, _>(key)
                .get_result::<Row>(c)?
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query(
                "INSERT INTO attempts (key, window_start, count) VALUES (?, ?, 0) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(at)
            .execute(c)?;
            diesel::sql_query("SELECT window_start, count FROM attempts WHERE key = ?")
                .bind::<Text, _>(key)
                .get_result::<Row>(c)?
        }
    };
    Ok(Attempts {
        window_start: utc(row.window_start),
        count: u32::try_from(row.count)
            .map_err(|e| DbError::corrupt("attempts", key, "count", e))?,
    })
}

fn store(tx: &mut Tx, key: &str, a: Attempts) -> Result<(), DbError> {
    use super::schema::attempts::dsl;
    diesel::update(dsl::attempts.find(key))
        .set((
            dsl::window_start.eq(stored(a.window_start)),
            dsl::count.eq(i32::try_from(a.count).unwrap_or(i32::MAX)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Counts one attempt for each key, all or none: `Ok(Err(seconds))` when a key has used up
/// its limit (nothing is counted then). Call in a transaction of its own, committed before
/// the attempt is made, so attempts made at once are all counted.
pub fn take(
    tx: &mut Tx,
    keys: &[(&str, Limit)],
    now: DateTime<Utc>,
) -> Result<Result<(), u64>, DbError> {
    use super::schema::attempts::dsl;
    let known = format!("{KNOWN_PREFIX}%");
    diesel::delete(
        dsl::attempts
            .filter(dsl::window_start.lt(stored(now - Duration::hours(FORGET_AFTER_HOURS))))
            .filter(dsl::key.not_like(&known)),
    )
    .execute(&mut **tx)?;
    diesel::delete(
        dsl::attempts
            .filter(dsl::window_start.lt(stored(now - Duration::days(KNOWN_CLIENT_DAYS))))
            .filter(dsl::key.like(&known)),
    )
    .execute(&mut **tx)?;
    let mut admitted = Vec::with_capacity(keys.len());
    for (key, limit) in keys {
        match admit(Some(locked(tx, key, now)?), *limit, now) {
            Ok(a) => admitted.push((*key, a)),
            Err(wait) => return Ok(Err(wait)),
        }
    }
    for (key, a) in admitted {
        store(tx, key, a)?;
    }
    Ok(Ok(()))
}

/// Gives one attempt back to each key (the attempt succeeded).
pub fn give_back_one(tx: &mut Tx, keys: &[&str], now: DateTime<Utc>) -> Result<(), DbError> {
    for key in keys {
        let a = locked(tx, key, now)?;
        store(tx, key, give_back(a))?;
    }
    Ok(())
}

/// Remembers that `key` (a client and an account, under `KNOWN_PREFIX`) signed in now.
pub fn remember(tx: &mut Tx, key: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    locked(tx, key, now)?;
    store(
        tx,
        key,
        Attempts {
            window_start: now,
            count: 0,
        },
    )
}

/// Whether `key` was remembered since `since`.
pub fn remembered_since(c: &mut DbConn, key: &str, since: DateTime<Utc>) -> Result<bool, DbError> {
    use super::schema::attempts::dsl;
    let n: i64 = dsl::attempts
        .filter(dsl::key.eq(key))
        .filter(dsl::window_start.ge(stored(since)))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}
