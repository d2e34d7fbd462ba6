//! The processing log (issue 33): staff reads are noted in memory and written by the worker
//! every few seconds (a read takes no write transaction; the same person reading the same
//! record again within a minute is one entry), changes are written in the transaction of the
//! change itself. The admin exports a period for the privacy officer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};

use super::{new_id, Error};
use crate::db::{self, Db, DbConn, Tx};
use crate::domain::permission::{self, Permission};
use crate::domain::processing::{entries, Activity, Entry};
use crate::domain::user::Actor;
use crate::domain::{Bilingual, DomainError, FieldError};

/// The same reader reading the same record again within this is one entry.
const SAME_READ: Duration = Duration::from_secs(60);

/// Staff reads noted, not yet written.
#[derive(Default)]
pub struct Reads {
    inner: Mutex<Noted>,
}

#[derive(Default)]
struct Noted {
    pending: Vec<Entry>,
    recent: HashMap<(String, Activity, String), Instant>,
}

impl Reads {
    /// Notes that `actor` read `record` concerning `subjects` (only staff reads are logged:
    /// an applicant reading their own plan is not processing by the municipality).
    pub fn note(
        &self,
        actor: &Actor,
        activity: Activity,
        record: (&'static str, &str),
        subjects: &[String],
    ) {
        if crate::domain::processing::acting_role(actor) == crate::domain::user::Role::Applicant {
            return;
        }
        let mut noted = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = (actor.user_id.clone(), activity, record.1.to_string());
        if noted
            .recent
            .get(&key)
            .is_some_and(|t| t.elapsed() < SAME_READ)
        {
            return;
        }
        if noted.recent.len() > 10_000 {
            noted.recent.retain(|_, t| t.elapsed() < SAME_READ);
        }
        noted.recent.insert(key, Instant::now());
        let new = entries(actor, activity, record, subjects, Utc::now(), new_id);
        noted.pending.extend(new);
    }

    fn take(&self) -> Vec<Entry> {
        std::mem::take(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()).pending)
    }

    fn give_back(&self, mut entries: Vec<Entry>) {
        let mut noted = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        entries.append(&mut noted.pending);
        noted.pending = entries;
    }
}

thread_local! {
    /// The reads buffer of the `App` whose work this thread runs now (`within`): every use
    /// case that loads a plan for staff notes the reading there, however it was asked for
    /// (the plan, its history, versions, evaluations, messages, attachments, a list).
    static CURRENT: std::cell::RefCell<Option<std::sync::Arc<Reads>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `reads` as the buffer readings are noted in (`note_plan_read`).
pub fn within<T>(reads: &std::sync::Arc<Reads>, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<std::sync::Arc<Reads>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let before = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = before);
        }
    }
    let before = CURRENT.with(|c| c.borrow_mut().replace(reads.clone()));
    let _reset = Reset(before);
    f()
}

/// Notes that `actor` read `plan`, in the buffer of the work running (none outside it: the
/// worker and the commands read nobody's plan for a person).
pub fn note_plan_read(actor: &Actor, plan: &crate::domain::plan::Plan) {
    CURRENT.with(|c| {
        if let Some(reads) = c.borrow().as_ref() {
            reads.note(
                actor,
                Activity::PlanViewed,
                ("plan", &plan.id),
                &subjects_of(plan),
            );
        }
    });
}

/// Writes the reads noted so far (the worker, every few seconds, and once more as it stops);
/// kept for the next try when the database does not take them.
pub fn flush(db: &Db, reads: &Reads) -> Result<usize, Error> {
    let entries = reads.take();
    if entries.is_empty() {
        return Ok(0);
    }
    match db.write(|tx| Ok::<_, Error>(db::processing::append(tx, &entries)?)) {
        Ok(()) => Ok(entries.len()),
        Err(e) => {
            reads.give_back(entries);
            Err(e)
        }
    }
}

/// Logs a change `actor` made to a record concerning `subjects`, in the change's transaction.
pub fn changed(
    tx: &mut Tx,
    actor: &Actor,
    activity: Activity,
    record: (&'static str, &str),
    subjects: &[String],
) -> Result<(), Error> {
    let e = entries(actor, activity, record, subjects, Utc::now(), new_id);
    Ok(db::processing::append(tx, &e)?)
}

/// The people a plan concerns: its owner and co-applicants (none for an organisation's own
/// action, which nobody applied for).
pub fn subjects_of(plan: &crate::domain::plan::Plan) -> Vec<String> {
    if !plan.has_applicant() {
        return Vec::new();
    }
    let mut s = vec![plan.owner_id.clone()];
    s.extend(plan.co_applicant_ids.iter().cloned());
    s
}

/// One entry as the privacy officer's export gives it: with the actor's name.
pub type Logged = (Entry, Option<String>);

/// The log from `from` to `to` (dates, both included; `YYYY-MM-DD`), for the admin.
pub fn export(
    c: &mut DbConn,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<Logged>, Error> {
    permission::check(actor, Permission::ManageUsers)?;
    let mut errors = Vec::new();
    let mut date = |field: &str, raw: Option<&str>| match raw.map(|r| r.trim().parse::<NaiveDate>())
    {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) | None => {
            errors.push(FieldError::new(
                field,
                Bilingual::new(
                    "a date as YYYY-MM-DD",
                    "een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-01",
                ),
            ));
            None
        }
    };
    let (from, to) = (date("from", from), date("to", to));
    let (Some(from), Some(to)) = (from, to) else {
        return Err(DomainError::Invalid(errors).into());
    };
    if to < from {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "to",
            Bilingual::new("is before from", "ligt voor de begindatum"),
        )])
        .into());
    }
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    Ok(db::processing::between(
        c,
        start(from),
        start(to + chrono::Duration::days(1)),
    )?)
}
