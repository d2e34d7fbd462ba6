//! What the retention policy acts on: old drafts and their warnings, unused accounts, sign-in
//! records, mail bodies, and closed subsidy files; and the deletions themselves.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{
    attempts, email_changes, grants, magic_links, message_notices, outbox, plan_attachments,
    plan_co_applicants, plan_edits, plan_messages, plans, processing_log, recovery_codes,
    retention_warnings, sessions, totp_factors, users,
};
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::state::PlanStatus;

const DRAFT: &str = "draft";

/// A draft that may be due: id, owner, round, title, last change, when its owner was warned.
#[derive(Debug, Clone)]
pub struct OldDraft {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub warned_at: Option<DateTime<Utc>>,
}

/// Drafts last changed before `before`, oldest first, with their warnings.
pub fn old_drafts(c: &mut DbConn, before: DateTime<Utc>) -> Result<Vec<OldDraft>, DbError> {
    let rows: Vec<(String, NaiveDateTime, Option<NaiveDateTime>)> = plans::table
        .left_join(
            retention_warnings::table.on(retention_warnings::kind
                .eq(DRAFT)
                .and(retention_warnings::record_id.eq(plans::id))),
        )
        .filter(plans::status.eq(PlanStatus::Draft.as_str()))
        .filter(plans::updated_at.lt(stored(before)))
        .order((plans::updated_at.asc(), plans::id.asc()))
        .select((
            plans::id,
            plans::updated_at,
            retention_warnings::warned_at.nullable(),
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, updated_at, warned_at)| OldDraft {
            id,
            updated_at: utc(updated_at),
            warned_at: warned_at.map(utc),
        })
        .collect())
}

/// Notes that a record's owner was warned now (replacing an earlier warning).
pub fn warned(tx: &mut Tx, kind: &str, id: &str, at: DateTime<Utc>) -> Result<(), DbError> {
    diesel::delete(
        retention_warnings::table
            .filter(retention_warnings::kind.eq(kind))
            .filter(retention_warnings::record_id.eq(id)),
    )
    .execute(&mut **tx)?;
    diesel::insert_into(retention_warnings::table)
        .values((
            retention_warnings::kind.eq(kind),
            retention_warnings::record_id.eq(id),
            retention_warnings::warned_at.eq(stored(at)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Forgets the warnings about a record (it is gone).
pub fn forget(tx: &mut Tx, kind: &str, id: &str) -> Result<(), DbError> {
    diesel::delete(
        retention_warnings::table
            .filter(retention_warnings::kind.eq(kind))
            .filter(retention_warnings::record_id.eq(id)),
    )
    .execute(&mut **tx)?;
    Ok(())
}

/// Takes a plan's attachment rows away; answers their ids, whose files the caller removes
/// after the commit.
pub fn drop_attachments(tx: &mut Tx, plan_id: &str) -> Result<Vec<String>, DbError> {
    let ids: Vec<String> = plan_attachments::table
        .filter(plan_attachments::plan_id.eq(plan_id))
        .select(plan_attachments::id)
        .load(&mut **tx)?;
    diesel::delete(plan_attachments::table.filter(plan_attachments::plan_id.eq(plan_id)))
        .execute(&mut **tx)?;
    Ok(ids)
}

/// Applicant accounts (applicant their only role) that hold and touched no plan at all and
/// were last used before `before`: (id, last use).
pub fn idle_accounts(
    c: &mut DbConn,
    before: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, DbError> {
    let before = stored(before);
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>)> = users::table
        .filter(users::roles.eq("applicant"))
        .filter(users::created_at.lt(before))
        .filter(users::updated_at.lt(before))
        .filter(
            users::last_seen_at
                .is_null()
                .or(users::last_seen_at.lt(before)),
        )
        .filter(diesel::dsl::not(diesel::dsl::exists(
            plans::table.filter(plans::owner_id.eq(users::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            plan_co_applicants::table.filter(plan_co_applicants::user_id.eq(users::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            plan_edits::table.filter(plan_edits::user_id.eq(users::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            plan_messages::table.filter(plan_messages::author_id.eq(users::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            plan_attachments::table.filter(plan_attachments::uploader_id.eq(users::id)),
        )))
        .order(users::id.asc())
        .select((
            users::id,
            users::created_at,
            users::updated_at,
            users::last_seen_at,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, created, updated, seen)| {
            let last = seen.unwrap_or(created).max(updated).max(created);
            (id, utc(last))
        })
        .collect())
}

/// Deletes an account with everything that is only its own (sessions, links, a second
/// factor, pending address changes). False when it was gone already.
pub fn delete_account(tx: &mut Tx, user_id: &str) -> Result<bool, DbError> {
    end_sign_ins(tx, user_id)?;
    diesel::delete(plan_co_applicants::table.filter(plan_co_applicants::user_id.eq(user_id)))
        .execute(&mut **tx)?;
    diesel::delete(message_notices::table.filter(message_notices::user_id.eq(user_id)))
        .execute(&mut **tx)?;
    Ok(diesel::delete(users::table.find(user_id)).execute(&mut **tx)? == 1)
}

/// A sign-in record: its kind, its key, and when it was made or last used.
pub type SignInRecord = (&'static str, String, DateTime<Utc>);

/// Sign-in records from before `before`: (kind, id). Attempts are keyed by what they count
/// (an address or a network), so they are named by a hash of the key.
pub fn old_sign_in_records(
    c: &mut DbConn,
    before: DateTime<Utc>,
) -> Result<Vec<SignInRecord>, DbError> {
    let before = stored(before);
    let mut out: Vec<SignInRecord> = Vec::new();
    for (key, at) in attempts::table
        .filter(attempts::window_start.lt(before))
        .select((attempts::key, attempts::window_start))
        .load::<(String, NaiveDateTime)>(c)?
    {
        out.push(("sign_in_attempt", key, utc(at)));
    }
    for (id, at) in sessions::table
        .filter(sessions::last_seen_at.lt(before))
        .select((sessions::token_hash, sessions::last_seen_at))
        .load::<(String, NaiveDateTime)>(c)?
    {
        out.push(("session", id, utc(at)));
    }
    for (id, at) in magic_links::table
        .filter(magic_links::created_at.lt(before))
        .select((magic_links::token_hash, magic_links::created_at))
        .load::<(String, NaiveDateTime)>(c)?
    {
        out.push(("sign_in_link", id, utc(at)));
    }
    for (id, at) in email_changes::table
        .filter(email_changes::created_at.lt(before))
        .select((email_changes::token_hash, email_changes::created_at))
        .load::<(String, NaiveDateTime)>(c)?
    {
        out.push(("address_change", id, utc(at)));
    }
    Ok(out)
}

/// Deletes one sign-in record (`old_sign_in_records`' kind and id).
pub fn delete_sign_in_record(tx: &mut Tx, kind: &str, id: &str) -> Result<(), DbError> {
    match kind {
        "sign_in_attempt" => diesel::delete(attempts::table.find(id)).execute(&mut **tx)?,
        "session" => diesel::delete(sessions::table.find(id)).execute(&mut **tx)?,
        "sign_in_link" => diesel::delete(magic_links::table.find(id)).execute(&mut **tx)?,
        _ => diesel::delete(email_changes::table.find(id)).execute(&mut **tx)?,
    };
    Ok(())
}

/// Mails sent or given up before `before` that still hold their subject and text: (id, when).
pub fn old_mails(
    c: &mut DbConn,
    before: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, DbError> {
    let before = stored(before);
    let rows: Vec<(String, NaiveDateTime, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::status.ne("pending"))
        .filter(outbox::text_body.ne(""))
        .filter(
            outbox::sent_at
                .lt(before)
                .or(outbox::sent_at.is_null().and(outbox::created_at.lt(before))),
        )
        .order(outbox::created_at.asc())
        .select((outbox::id, outbox::created_at, outbox::sent_at))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, created, sent)| (id, utc(sent.unwrap_or(created))))
        .collect())
}

/// Empties a mail's subject and text and masks its address (the date and kind stay).
pub fn empty_mail(tx: &mut Tx, id: &str, masked: &str) -> Result<(), DbError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::subject.eq(""),
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::letter.eq(None::<String>),
            outbox::to_address.eq(masked),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// A mail's address (to mask it).
pub fn mail_address(c: &mut DbConn, id: &str) -> Result<Option<String>, DbError> {
    Ok(outbox::table
        .find(id)
        .select(outbox::to_address)
        .first(c)
        .optional()?)
}

/// Closed subsidy files not yet anonymised, closed before `before`: plans final or decided
/// and published whose grant (if any) is no longer running, with when the file closed (the
/// grant's last change, else the plan's). (id, closed at).
pub fn closed_files(
    c: &mut DbConn,
    before: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, DbError> {
    let before = stored(before);
    let closed = [
        PlanStatus::Adopted.as_str(),
        PlanStatus::Rejected.as_str(),
        PlanStatus::Withdrawn.as_str(),
        PlanStatus::Merged.as_str(),
    ];
    // (plan, its status, its last change, its grant's status and last change).
    type Row = (
        String,
        String,
        NaiveDateTime,
        Option<String>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = plans::table
        .left_join(grants::table.on(grants::plan_id.eq(plans::id)))
        .filter(plans::status.eq_any(closed))
        .filter(plans::updated_at.lt(before))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            retention_warnings::table.filter(
                retention_warnings::kind
                    .eq("subsidy_file")
                    .and(retention_warnings::record_id.eq(plans::id)),
            ),
        )))
        .order(plans::updated_at.asc())
        .select((
            plans::id,
            plans::status,
            plans::updated_at,
            grants::status.nullable(),
            grants::updated_at.nullable(),
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, status, updated, grant_status, grant_updated)| {
            match (grant_status.as_deref(), grant_updated) {
                // A running grant keeps the file open.
                (Some("running"), _) => None,
                (Some(_), Some(g)) => Some((id, utc(g.max(updated)))),
                // A rejection is closed once published (adopted); others once final.
                _ if status == PlanStatus::Rejected.as_str() => Some((id, utc(updated))),
                _ => Some((id, utc(updated))),
            }
        })
        .collect())
}

/// Removes from a closed subsidy file what names people beyond the decision: the
/// conversation, who changed what, the co-applicants and the attachments (their ids are
/// answered, for the files); and notes the file as done.
pub fn anonymise_file(
    tx: &mut Tx,
    plan_id: &str,
    at: DateTime<Utc>,
) -> Result<Vec<String>, DbError> {
    diesel::delete(plan_messages::table.filter(plan_messages::plan_id.eq(plan_id)))
        .execute(&mut **tx)?;
    diesel::delete(message_notices::table.filter(message_notices::plan_id.eq(plan_id)))
        .execute(&mut **tx)?;
    diesel::delete(plan_edits::table.filter(plan_edits::plan_id.eq(plan_id))).execute(&mut **tx)?;
    diesel::delete(plan_co_applicants::table.filter(plan_co_applicants::plan_id.eq(plan_id)))
        .execute(&mut **tx)?;
    let files = drop_attachments(tx, plan_id)?;
    warned(tx, "subsidy_file", plan_id, at)?;
    Ok(files)
}

/// Notes that the account was signed in to now.
pub fn seen(c: &mut DbConn, user_id: &str, at: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(users::table.find(user_id))
        .set(users::last_seen_at.eq(Some(stored(at))))
        .execute(c)?;
    Ok(())
}

/// Whether the account worked on plans it does not own: invited to one, changed one, wrote in
/// a conversation, or added a file to one. Such traces belong to others' files, so the
/// account is closed rather than erased.
pub fn touches_others(c: &mut DbConn, user_id: &str) -> Result<bool, DbError> {
    let owned = plans::table
        .filter(plans::owner_id.eq(user_id))
        .select(plans::id);
    let co: i64 = plan_co_applicants::table
        .filter(plan_co_applicants::user_id.eq(user_id))
        .count()
        .get_result(c)?;
    let edits: i64 = plan_edits::table
        .filter(plan_edits::user_id.eq(user_id))
        .filter(plan_edits::plan_id.ne_all(owned))
        .count()
        .get_result(c)?;
    let messages: i64 = plan_messages::table
        .filter(plan_messages::author_id.eq(user_id))
        .count()
        .get_result(c)?;
    let files: i64 = plan_attachments::table
        .filter(plan_attachments::uploader_id.eq(user_id))
        .filter(
            plan_attachments::plan_id.ne_all(
                plans::table
                    .filter(plans::owner_id.eq(user_id))
                    .select(plans::id),
            ),
        )
        .count()
        .get_result(c)?;
    Ok(co + edits + messages + files > 0)
}

/// Ends every way the account signs in: its sessions, links, second factor and pending
/// address changes.
pub fn end_sign_ins(tx: &mut Tx, user_id: &str) -> Result<(), DbError> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(&mut **tx)?;
    diesel::delete(magic_links::table.filter(magic_links::user_id.eq(user_id)))
        .execute(&mut **tx)?;
    diesel::delete(email_changes::table.filter(email_changes::user_id.eq(user_id)))
        .execute(&mut **tx)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(&mut **tx)?;
    diesel::delete(totp_factors::table.filter(totp_factors::user_id.eq(user_id)))
        .execute(&mut **tx)?;
    Ok(())
}

/// Entries of the processing log from before `before`: (id, when).
pub fn old_log_entries(
    c: &mut DbConn,
    before: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, DbError> {
    Ok(processing_log::table
        .filter(processing_log::at.lt(stored(before)))
        .order(processing_log::at.asc())
        .select((processing_log::id, processing_log::at))
        .load::<(String, NaiveDateTime)>(c)?
        .into_iter()
        .map(|(id, at)| (id, utc(at)))
        .collect())
}

/// Deletes the processing log's entries from before `before`: the term's only deletion.
pub fn delete_old_log_entries(tx: &mut Tx, before: DateTime<Utc>) -> Result<usize, DbError> {
    Ok(
        diesel::delete(processing_log::table.filter(processing_log::at.lt(stored(before))))
            .execute(&mut **tx)?,
    )
}
