//! The mail outbox: letters written in the transaction of their change, claimed and marked by
//! the worker.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::rows::OutboxRow;
use super::schema::outbox;
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::notice::MailStatus;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A mail as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub plan_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// A decision letter's adoption and what the letter says, as JSON.
    pub adoption_id: Option<String>,
    pub letter: Option<String>,
}

impl OutboxRow {
    fn parse(self) -> Result<Mail, DbError> {
        let status = MailStatus::parse(&self.status).ok_or_else(|| {
            DbError::corrupt(
                "outbox",
                &self.id,
                "status",
                format!("unknown status '{}'", self.status),
            )
        })?;
        Ok(Mail {
            id: self.id,
            kind: self.kind,
            to: self.to_address,
            subject: self.subject,
            text: self.text_body,
            html: self.html_body,
            status,
            attempts: self.attempts,
            next_attempt_at: utc(self.next_attempt_at),
            sent_at: self.sent_at.map(utc),
            last_error: self.last_error,
            plan_id: self.plan_id,
            created_at: utc(self.created_at),
            adoption_id: self.adoption_id,
            letter: self.letter,
        })
    }
}

/// A letter to write to the outbox.
pub struct NewMail<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub plan_id: Option<&'a str>,
    pub adoption_id: Option<&'a str>,
    pub letter: Option<&'a str>,
}

/// Writes a mail in the caller's transaction (rolled back with it, never lost), due now.
pub fn insert(tx: &mut Tx, id: &str, m: &NewMail<'_>, now: DateTime<Utc>) -> Result<(), DbError> {
    let now = stored(now);
    diesel::insert_into(outbox::table)
        .values(&OutboxRow {
            id: id.to_string(),
            kind: m.kind.to_string(),
            to_address: m.to.to_string(),
            subject: m.subject.to_string(),
            text_body: m.text.to_string(),
            html_body: m.html.to_string(),
            status: MailStatus::Pending.as_str().to_string(),
            attempts: 0,
            next_attempt_at: now,
            claimed_until: None,
            sent_at: None,
            last_error: None,
            plan_id: m.plan_id.map(str::to_string),
            created_at: now,
            adoption_id: m.adoption_id.map(str::to_string),
            letter: m.letter.map(str::to_string),
        })
        .execute(&mut **tx)?;
    tx.mail_written();
    Ok(())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Mail>, DbError> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(c)
        .optional()?
        .map(OutboxRow::parse)
        .transpose()
}

/// A page of mails, the newest first, optionally of one status; with the total.
pub fn list(
    c: &mut DbConn,
    status: Option<MailStatus>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Mail>, i64), DbError> {
    let base = || {
        let mut q = outbox::table.into_boxed::<Backend>();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s.as_str()));
        }
        q
    };
    let total = base().count().get_result(c)?;
    let rows = base()
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(c)?
        .into_iter()
        .map(OutboxRow::parse)
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// Claims up to `limit` due mails until `lease_until` and answers them. On PostgreSQL the
/// candidate rows are locked with `FOR UPDATE SKIP LOCKED`, so instances claiming at the same
/// moment take different rows; on SQLite the write transaction holds the write lock.
pub fn claim_due(
    c: &mut DbConn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Mail>, DbError> {
    use diesel::sql_types::{BigInt, Timestamp};
    let (now, lease_until) = (stored(now), stored(lease_until));
    let pending = MailStatus::Pending.as_str();
    let ids: Vec<String> = match c {
        DbConn::Pg(pg) => diesel::sql_query(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) \
             ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<IdRow>(pg)?
        .into_iter()
        .map(|r| r.id)
        .collect(),
        DbConn::Sqlite(_) => outbox::table
            .filter(outbox::status.eq(pending))
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::claimed_until
                    .is_null()
                    .or(outbox::claimed_until.lt(now)),
            )
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .select(outbox::id)
            .load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set(outbox::claimed_until.eq(Some(lease_until)))
        .execute(c)?;
    outbox::table
        .filter(outbox::id.eq_any(&ids))
        .select(OutboxRow::as_select())
        .load(c)?
        .into_iter()
        .map(OutboxRow::parse)
        .collect()
}

/// Marks a mail sent, keeping what was sent (a decision letter is written again, dated, when
/// it is sent).
pub fn mark_sent(c: &mut DbConn, sent: &Mail, at: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(outbox::table.find(&sent.id))
        .set((
            outbox::status.eq(MailStatus::Sent.as_str()),
            outbox::sent_at.eq(Some(stored(at))),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::subject.eq(&sent.subject),
            outbox::text_body.eq(&sent.text),
            outbox::html_body.eq(&sent.html),
        ))
        .execute(c)?;
    Ok(())
}

/// The letters of an adoption, in the order written.
pub fn letters_of(c: &mut DbConn, adoption_id: &str) -> Result<Vec<Mail>, DbError> {
    outbox::table
        .filter(outbox::adoption_id.eq(adoption_id))
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .select(OutboxRow::as_select())
        .load(c)?
        .into_iter()
        .map(OutboxRow::parse)
        .collect()
}

/// Writes a letter not yet sent again (after its adoption was corrected).
pub fn rewrite(c: &mut DbConn, m: &Mail) -> Result<(), DbError> {
    diesel::update(
        outbox::table
            .find(&m.id)
            .filter(outbox::status.ne(MailStatus::Sent.as_str())),
    )
    .set((
        outbox::subject.eq(&m.subject),
        outbox::text_body.eq(&m.text),
        outbox::html_body.eq(&m.html),
        outbox::letter.eq(&m.letter),
    ))
    .execute(c)?;
    Ok(())
}

pub fn mark_failed(
    c: &mut DbConn,
    id: &str,
    status: MailStatus,
    attempts: i32,
    next: DateTime<Utc>,
    error: &str,
) -> Result<(), DbError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(status.as_str()),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(stored(next)),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(c)?;
    Ok(())
}

/// Puts a mail back in the queue, due now, with a fresh count of attempts.
pub fn retry(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(MailStatus::Pending.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(stored(now)),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(&mut **tx)?;
    tx.mail_written();
    Ok(())
}

/// Gives claimed mails not yet sent back to the queue (a worker stopping before it sent
/// them), so the next worker, here or on another instance, sends them without waiting for
/// the lease to run out.
pub fn release(tx: &mut Tx, ids: &[&str]) -> Result<usize, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::status.eq(MailStatus::Pending.as_str())),
    )
    .set(outbox::claimed_until.eq(None::<chrono::NaiveDateTime>))
    .execute(&mut **tx)?;
    tx.mail_written();
    Ok(n)
}

/// How many mails wait to be sent, and when the oldest of them was written.
pub fn pending_summary(c: &mut DbConn) -> Result<(i64, Option<DateTime<Utc>>), DbError> {
    let (n, oldest): (i64, Option<chrono::NaiveDateTime>) = outbox::table
        .filter(outbox::status.eq(MailStatus::Pending.as_str()))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox::created_at),
        ))
        .first(c)?;
    Ok((n, oldest.map(utc)))
}

/// The mails to an address, the newest first (a person's own letters, for their data export).
pub fn to_address(c: &mut DbConn, address: &str) -> Result<Vec<Mail>, DbError> {
    outbox::table
        .filter(outbox::to_address.eq(address))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .select(OutboxRow::as_select())
        .load(c)?
        .into_iter()
        .map(OutboxRow::parse)
        .collect()
}
