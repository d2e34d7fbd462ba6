//! The conversation about a plan: its messages, and when each person was last mailed about it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{message_notices, plan_messages, users};
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::conversation::Side;

/// A message as stored, with its author's name.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub plan_id: String,
    pub author_id: String,
    pub author_name: String,
    pub side: Side,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub fn insert(tx: &mut Tx, m: &Message) -> Result<(), DbError> {
    diesel::insert_into(plan_messages::table)
        .values((
            plan_messages::id.eq(&m.id),
            plan_messages::plan_id.eq(&m.plan_id),
            plan_messages::author_id.eq(&m.author_id),
            plan_messages::author_role.eq(m.side.as_str()),
            plan_messages::body.eq(&m.body),
            plan_messages::created_at.eq(stored(m.created_at)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
);

fn parse(r: Row) -> Result<Message, DbError> {
    let side = Side::parse(&r.4)
        .ok_or_else(|| DbError::corrupt("plan_messages", &r.0, "author_role", &r.4))?;
    Ok(Message {
        id: r.0,
        plan_id: r.1,
        author_id: r.2,
        author_name: r.3,
        side,
        body: r.5,
        created_at: utc(r.6),
    })
}

/// A message's columns with its author's name (a `Row`).
const COLUMNS: (
    plan_messages::id,
    plan_messages::plan_id,
    plan_messages::author_id,
    users::name,
    plan_messages::author_role,
    plan_messages::body,
    plan_messages::created_at,
) = (
    plan_messages::id,
    plan_messages::plan_id,
    plan_messages::author_id,
    users::name,
    plan_messages::author_role,
    plan_messages::body,
    plan_messages::created_at,
);

/// The messages about a plan, the oldest first.
pub fn of_plan(c: &mut DbConn, plan_id: &str) -> Result<Vec<Message>, DbError> {
    plan_messages::table
        .inner_join(users::table.on(users::id.eq(plan_messages::author_id)))
        .filter(plan_messages::plan_id.eq(plan_id))
        .order((plan_messages::created_at.asc(), plan_messages::id.asc()))
        .select(COLUMNS)
        .load::<Row>(c)?
        .into_iter()
        .map(parse)
        .collect()
}

/// How many messages from `side` about a plan were written after `since`.
pub fn count_since(
    c: &mut DbConn,
    plan_id: &str,
    side: Side,
    since: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(plan_messages::table
        .filter(plan_messages::plan_id.eq(plan_id))
        .filter(plan_messages::author_role.eq(side.as_str()))
        .filter(plan_messages::created_at.gt(stored(since)))
        .count()
        .get_result(c)?)
}

/// When `user_id` was last mailed about the plan's conversation.
pub fn mailed_at(
    c: &mut DbConn,
    plan_id: &str,
    user_id: &str,
) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(message_notices::table
        .find((plan_id, user_id))
        .select(message_notices::mailed_at)
        .first::<Option<NaiveDateTime>>(c)
        .optional()?
        .flatten()
        .map(utc))
}

/// Takes the turn to mail `user_id` now: only when nobody mailed them about this plan since
/// `not_after` (a conditional update, so two messages at once mail once). True when taken.
pub fn take_mail_turn(
    tx: &mut Tx,
    plan_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<bool, DbError> {
    // Diesel's upsert is not offered over the connection enum: the same statement per
    // backend, as `attempts::locked` does.
    use diesel::sql_types::Text;
    match &mut **tx {
        DbConn::Pg(c) => diesel::sql_query(
            "INSERT INTO message_notices (plan_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(plan_id)
        .bind::<Text, _>(user_id)
        .execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(
            "INSERT INTO message_notices (plan_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(plan_id)
        .bind::<Text, _>(user_id)
        .execute(c)?,
    };
    let n = diesel::update(
        message_notices::table.find((plan_id, user_id)).filter(
            message_notices::mailed_at
                .is_null()
                .or(message_notices::mailed_at.le(stored(not_after))),
        ),
    )
    .set((
        message_notices::mailed_at.eq(Some(stored(now))),
        message_notices::waiting_since.eq(None::<NaiveDateTime>),
    ))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

/// Notes that a message waits for `user_id`'s next gathered mail (from the first waiting).
pub fn wait(tx: &mut Tx, plan_id: &str, user_id: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(
        message_notices::table
            .find((plan_id, user_id))
            .filter(message_notices::waiting_since.is_null()),
    )
    .set(message_notices::waiting_since.eq(Some(stored(now))))
    .execute(&mut **tx)?;
    Ok(())
}

/// The (plan, person, last mailed) whose gathered mail is due: messages wait, and the last
/// mail was sent at or before `mailed_before`.
pub fn due(
    c: &mut DbConn,
    mailed_before: DateTime<Utc>,
) -> Result<Vec<(String, String, DateTime<Utc>)>, DbError> {
    Ok(message_notices::table
        .filter(message_notices::waiting_since.is_not_null())
        .filter(message_notices::mailed_at.le(stored(mailed_before)))
        .select((
            message_notices::plan_id,
            message_notices::user_id,
            message_notices::mailed_at,
        ))
        .load::<(String, String, Option<NaiveDateTime>)>(c)?
        .into_iter()
        .filter_map(|(p, u, at)| Some((p, u, utc(at?))))
        .collect())
}

/// Takes a due gathered mail: only if it is still due as read (`mailed_at` unchanged), so
/// two instances send it once. True when taken.
pub fn take_gathered(
    tx: &mut Tx,
    plan_id: &str,
    user_id: &str,
    was_mailed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        message_notices::table
            .find((plan_id, user_id))
            .filter(message_notices::waiting_since.is_not_null())
            .filter(message_notices::mailed_at.eq(Some(stored(was_mailed_at)))),
    )
    .set((
        message_notices::mailed_at.eq(Some(stored(now))),
        message_notices::waiting_since.eq(None::<NaiveDateTime>),
    ))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

/// The messages a person wrote, on any plan, the oldest first (their data export).
pub fn by_author(c: &mut DbConn, author_id: &str) -> Result<Vec<Message>, DbError> {
    plan_messages::table
        .inner_join(users::table.on(users::id.eq(plan_messages::author_id)))
        .filter(plan_messages::author_id.eq(author_id))
        .order((plan_messages::created_at.asc(), plan_messages::id.asc()))
        .select(COLUMNS)
        .load::<Row>(c)?
        .into_iter()
        .map(parse)
        .collect()
}
