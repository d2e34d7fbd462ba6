//! The mail outbox: letters are written in the transaction of the change that causes them and
//! sent after commit by the worker (`crate::worker`), with retries and back-off.

use super::{new_id, now, Error};
pub use crate::db::outbox::Mail;
use crate::db::outbox::NewMail;
use crate::db::{self, Db, DbConn, Tx};
use crate::domain::calendar::amsterdam_date;
use crate::domain::notice::{retry_delay_secs, MailStatus, MAX_DELIVERY_ATTEMPTS};
use crate::domain::permission::{self, Permission};
use crate::domain::user::{Actor, Role};
use crate::domain::FieldErrors;
use crate::mail::letters::{DecisionLetter, Letter, LetterError};
use crate::mail::mask;
use crate::mail::transport::Transport;
use crate::mail::Outgoing;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

impl From<LetterError> for Error {
    fn from(e: LetterError) -> Error {
        Error::Internal(e.to_string())
    }
}

/// Writes a letter to the outbox in the caller's transaction: rolled back with it, never
/// lost; the worker is woken when the transaction commits.
pub fn enqueue(tx: &mut Tx, letter: Letter) -> Result<(), Error> {
    let (adoption_id, kept) = match &letter.decision {
        Some((adoption_id, d)) => (
            Some(adoption_id.as_str()),
            Some(serde_json::to_string(d).map_err(|e| Error::Internal(e.to_string()))?),
        ),
        None => (None, None),
    };
    db::outbox::insert(
        tx,
        &new_id(),
        &NewMail {
            kind: letter.kind,
            to: &letter.to,
            subject: &letter.subject,
            text: &letter.text,
            html: &letter.html,
            plan_id: letter.plan_id.as_deref(),
            adoption_id,
            letter: kept.as_deref(),
        },
        now(),
    )?;
    Ok(())
}

/// A mail as it goes out now: a decision letter written again with today's date (in
/// Amsterdam), since its objection period runs from the day after it is sent.
fn as_sent_today(mail: &Mail) -> Result<Mail, String> {
    let Some(kept) = &mail.letter else {
        return Ok(mail.clone());
    };
    let d: DecisionLetter =
        serde_json::from_str(kept).map_err(|e| format!("the kept letter does not read: {e}"))?;
    let l = d
        .write(&mail.to, amsterdam_date(chrono::Utc::now()))
        .map_err(|e| e.to_string())?;
    Ok(Mail {
        subject: l.subject,
        text: l.text,
        html: l.html,
        ..mail.clone()
    })
}

/// Which mails to list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailQuery {
    pub status: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl MailQuery {
    /// Every parameter that breaks its rule.
    pub fn problems(&self) -> Vec<crate::domain::FieldError> {
        match self.checked() {
            Ok(_) => Vec::new(),
            Err(e) => e,
        }
    }

    fn checked(&self) -> Result<(Option<MailStatus>, i64, i64), Vec<crate::domain::FieldError>> {
        let mut e = FieldErrors::new();
        let status = match self.status.as_deref() {
            None => None,
            Some(s) => {
                let parsed = MailStatus::parse(s);
                if parsed.is_none() {
                    e.add(
                        "status",
                        (
                            "must be pending, sent or dead",
                            "kies wachtend (pending), verstuurd (sent) of opgegeven (dead)",
                        ),
                    );
                }
                parsed
            }
        };
        let page = self.page.unwrap_or(1);
        if !(1..=1_000_000).contains(&page) {
            e.add("page", crate::domain::errors::PAGE);
        }
        let page_size = self.page_size.unwrap_or(50);
        if !(1..=100).contains(&page_size) {
            e.add("page_size", crate::domain::errors::PAGE_SIZE);
        }
        if e.is_empty() {
            Ok((status, page, page_size))
        } else {
            Err(e.0)
        }
    }
}

/// A page of the outbox.
#[derive(Debug)]
pub struct MailPage {
    pub items: Vec<Mail>,
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
    /// Admins see the recipients; the programme team sees them masked.
    pub recipients_shown: bool,
}

/// The outbox, newest first: admins see everything; the programme team sees the same with the
/// recipients' addresses masked.
pub fn list(c: &mut DbConn, actor: &Actor, q: &MailQuery) -> Result<MailPage, Error> {
    permission::check(actor, Permission::ReadOutbox)?;
    let (status, page, page_size) = q.checked().map_err(crate::domain::DomainError::Invalid)?;
    let (mut items, total) = db::outbox::list(c, status, (page - 1) * page_size, page_size)?;
    let recipients_shown = actor.has(Role::Admin);
    if !recipients_shown {
        for m in &mut items {
            let masked = mask(&m.to);
            m.last_error = m.last_error.as_ref().map(|e| e.replace(&m.to, &masked));
            m.to = masked;
        }
    }
    Ok(MailPage {
        items,
        page,
        page_size,
        total,
        recipients_shown,
    })
}

/// An admin puts a dead or waiting mail back in the queue, due now, its attempts counted
/// afresh. A sent mail is never sent twice.
pub fn retry(tx: &mut Tx, actor: &Actor, id: &str) -> Result<Mail, Error> {
    permission::check(actor, Permission::RetryMail)?;
    let mail = db::outbox::find(tx, id)?.ok_or(Error::NotFound("mail"))?;
    if !mail.status.may_retry() {
        return Err(
            crate::domain::DomainError::Conflict(crate::domain::Bilingual::new(
                "this mail was sent already",
                "dit bericht is al verstuurd",
            ))
            .into(),
        );
    }
    db::outbox::retry(tx, &mail.id, now())?;
    db::outbox::find(tx, &mail.id)?.ok_or(Error::NotFound("mail"))
}

/// How long a claim holds a mail; a worker that died mid-send frees it after this.
const LEASE_SECS: i64 = 120;
/// Mails claimed at once.
const BATCH: i64 = 20;

/// What the sending of mail needs: where it goes out, from whom, the counters it raises, and
/// the signal that asks it to stop.
pub struct Delivery<'a> {
    pub db: &'a Db,
    pub transport: &'a Transport,
    pub from: &'a str,
    pub metrics: &'a crate::metrics::Metrics,
    pub signal: &'a Signal,
}

/// Sends what is due now through `transport`; answers how many mails were attempted. A mail
/// that fails is tried again later, doubling the wait, and given up after
/// `MAX_DELIVERY_ATTEMPTS` (an admin may retry it). Asked to stop, it finishes the mail being
/// sent (sent and marked in one go, so it is never sent again) and gives the rest of its
/// claim back to the queue, so the next start, here or elsewhere, sends them at once.
pub fn deliver_due(d: &Delivery) -> Result<usize, Error> {
    let at = now();
    let lease = at + chrono::Duration::seconds(LEASE_SECS);
    let due =
        d.db.write(|tx| Ok::<_, Error>(db::outbox::claim_due(tx, at, lease, BATCH)?))?;
    let senders = if d.transport.waits_on_network() {
        SENDERS
    } else {
        1
    };
    let unsent = std::sync::Mutex::new(Vec::new());
    // Each mail is sent on a connection of its own, and most of that time is spent waiting
    // (lettre 0.11.23 leaves Nagle's algorithm on, so every mail waits some 40 ms for the
    // server's delayed ACK: docs/BENCHMARKS.md). Several at once deliver the batch in a
    // fraction of the time; each is still marked in a transaction of its own.
    let send_share = |k: usize| -> Result<(), Error> {
        for mail in due.iter().skip(k).step_by(senders) {
            if d.signal.stopped() {
                unsent
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(mail.id.as_str());
                continue;
            }
            deliver_one(d, mail)?;
        }
        Ok(())
    };
    if senders == 1 || due.len() == 1 {
        send_share(0)?;
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..senders)
                .map(|k| scope.spawn(move || send_share(k)))
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        })?;
    }
    let unsent = unsent.into_inner().unwrap_or_else(|p| p.into_inner());
    if !unsent.is_empty() {
        let released =
            d.db.write(|tx| Ok::<_, Error>(db::outbox::release(tx, &unsent)?))?;
        tracing::info!(
            mails = released,
            "stopping: gave unsent mails back to the queue"
        );
    }
    Ok(due.len() - unsent.len())
}

/// Mails sent at once over SMTP.
const SENDERS: usize = 4;

/// A mail of the outbox as the transport sends it.
fn outgoing(mail: &Mail) -> Outgoing {
    Outgoing {
        to: mail.to.clone(),
        subject: mail.subject.clone(),
        text: mail.text.clone(),
        html: mail.html.clone(),
    }
}

/// Sends one claimed mail and records the outcome: sent, or failed with its next attempt.
fn deliver_one(d: &Delivery, mail: &Mail) -> Result<(), Error> {
    let (mail, result) = match as_sent_today(mail) {
        Ok(today) => {
            let result = d.transport.send(d.from, &outgoing(&today));
            (today, result)
        }
        Err(e) => (mail.clone(), Err(e)),
    };
    let mail = &mail;
    // Counted once recorded, so the counters never run ahead of the outbox they describe.
    let recorded = d.db.write(|tx| {
        match &result {
            Ok(()) => {
                tracing::info!(to = %mask(&mail.to), kind = %mail.kind, "mail sent");
                db::outbox::mark_sent(tx, mail, now())?;
            }
            Err(e) => {
                let attempts = mail.attempts + 1;
                let dead = attempts >= MAX_DELIVERY_ATTEMPTS;
                let next = now() + chrono::Duration::seconds(retry_delay_secs(attempts));
                tracing::warn!(to = %mask(&mail.to), kind = %mail.kind, attempts, dead, error = %e, "mail not sent");
                let status = if dead { MailStatus::Dead } else { MailStatus::Pending };
                db::outbox::mark_failed(tx, &mail.id, status, attempts, next, e)?;
            }
        }
        Ok::<_, Error>(())
    });
    if recorded.is_ok() {
        match &result {
            Ok(()) => d.metrics.mail_sent(),
            Err(_) => d.metrics.mail_failed(),
        }
    }
    recorded
}

/// Wakes the worker early (after a commit that wrote mail) and stops it.
#[derive(Clone, Default)]
pub struct Signal {
    inner: Arc<(Mutex<bool>, Condvar)>,
    stop: Arc<AtomicBool>,
}

impl Signal {
    pub fn wake(&self) {
        let (lock, cv) = &*self.inner;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
    }

    /// Asks the worker to stop, and wakes it so it sees the request.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake();
    }

    /// Waits until woken or `timeout` has passed.
    pub fn wait(&self, timeout: std::time::Duration) {
        let (lock, cv) = &*self.inner;
        let mut woken = lock.lock().unwrap_or_else(|p| p.into_inner());
        if !*woken {
            woken = cv
                .wait_timeout(woken, timeout)
                .map(|r| r.0)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        *woken = false;
    }

    /// Whether the worker was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::mail::letters;

    #[test]
    fn a_worker_asked_to_stop_gives_its_claim_back_and_the_next_sends_it_once() {
        let t = TestApp::new();
        for i in 0..3 {
            t.app
                .write(|tx| {
                    enqueue(
                        tx,
                        letters::magic_link(
                            &format!("a{i}@example.nl"),
                            "A",
                            "http://x/aanmelden?token=1",
                        )?,
                    )
                })
                .unwrap();
        }
        let transport =
            Transport::from_settings(Some("memory://"), std::path::Path::new("/nonexistent"))
                .unwrap();
        let metrics = crate::metrics::Metrics::new();
        let stopping = Signal::default();
        stopping.stop();
        let d = Delivery {
            db: &t.app.db,
            transport: &transport,
            from: "planloket@localhost",
            metrics: &metrics,
            signal: &stopping,
        };
        assert_eq!(
            deliver_due(&d).unwrap(),
            0,
            "nothing sent once asked to stop"
        );
        assert_eq!(transport.sent().len(), 0);
        // Given back, not held for the lease: the next worker sends them at once, each once.
        let running = Signal::default();
        let d = Delivery {
            signal: &running,
            ..d
        };
        assert_eq!(deliver_due(&d).unwrap(), 3);
        assert_eq!(deliver_due(&d).unwrap(), 0);
        assert_eq!(transport.sent().len(), 3);
    }

    #[test]
    fn a_letter_is_delivered_once_and_a_failing_one_waits_for_a_retry() {
        let t = TestApp::new();
        t.app
            .write(|tx| {
                enqueue(
                    tx,
                    letters::magic_link("a@example.nl", "A", "http://x/aanmelden?token=1")?,
                )
            })
            .unwrap();
        t.app
            .write(|tx| {
                enqueue(
                    tx,
                    letters::magic_link("not an address", "B", "http://x/aanmelden?token=2")?,
                )
            })
            .unwrap();
        let transport =
            Transport::from_settings(Some("memory://"), std::path::Path::new("/nonexistent"))
                .unwrap();
        let metrics = crate::metrics::Metrics::new();
        let signal = Signal::default();
        let d = Delivery {
            db: &t.app.db,
            transport: &transport,
            from: "planloket@localhost",
            metrics: &metrics,
            signal: &signal,
        };
        assert_eq!(deliver_due(&d).unwrap(), 2);
        assert_eq!(deliver_due(&d).unwrap(), 0, "the failed one waits");
        let admin = t.account(&[Role::Admin]);
        let page = t
            .app
            .read(|c| list(c, &admin.actor(), &MailQuery::default()))
            .unwrap();
        assert_eq!(page.total, 2);
        let failed = page
            .items
            .iter()
            .find(|m| m.status == MailStatus::Pending)
            .unwrap();
        let sent = page
            .items
            .iter()
            .find(|m| m.status == MailStatus::Sent)
            .unwrap();
        assert_eq!(failed.attempts, 1);
        assert!(failed.last_error.is_some());
        let again = t
            .app
            .write(|tx| retry(tx, &admin.actor(), &failed.id))
            .unwrap();
        assert_eq!((again.status, again.attempts), (MailStatus::Pending, 0));
        assert!(matches!(
            t.app.write(|tx| retry(tx, &admin.actor(), &sent.id)),
            Err(Error::Domain(_))
        ));
    }

    #[test]
    fn the_team_sees_the_outbox_without_addresses_and_may_not_retry() {
        let t = TestApp::new();
        t.app
            .write(|tx| enqueue(tx, letters::magic_link("anna@example.nl", "A", "http://x")?))
            .unwrap();
        let team = t.account(&[Role::ProgrammeTeam]);
        let page = t
            .app
            .read(|c| list(c, &team.actor(), &MailQuery::default()))
            .unwrap();
        assert_eq!(page.items[0].to, "a***@example.nl");
        assert!(!page.recipients_shown);
        let id = page.items[0].id.clone();
        assert!(matches!(
            t.app.write(|tx| retry(tx, &team.actor(), &id)),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
        let bad = MailQuery {
            status: Some("lost".into()),
            page: Some(0),
            ..Default::default()
        };
        match t.app.read(|c| list(c, &team.actor(), &bad)) {
            Err(Error::Domain(crate::domain::DomainError::Invalid(f))) => assert_eq!(f.len(), 2),
            other => panic!("{other:?}"),
        }
    }
}
