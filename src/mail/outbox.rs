//! The outbox: letters are rows written in the transaction of the change that causes them;
//! a worker thread sends the due ones after commit, retrying with back-off.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;

use super::letters::Letter;
use super::mask;
use super::transport::Transport;
use crate::db::models::OutboxRow;
use crate::db::{self, repo, Db, DbConn};
use crate::domain::notice::{retry_delay_secs, MAX_DELIVERY_ATTEMPTS};
use crate::error::AppError;

/// Writes a letter to the outbox, in the caller's transaction: rolled back with it, never lost.
pub fn enqueue(c: &mut DbConn, letter: Letter) -> Result<(), AppError> {
    let now = db::now();
    repo::insert_outbox(
        c,
        &OutboxRow {
            id: db::new_id(),
            kind: letter.kind.to_string(),
            to_address: letter.to,
            subject: letter.subject,
            text_body: letter.text,
            html_body: letter.html,
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            claimed_until: None,
            sent_at: None,
            last_error: None,
            plan_id: letter.plan_id,
            created_at: now,
        },
    )
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

    fn wait(&self, timeout: Duration) {
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

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// The running worker; dropping it stops the thread.
pub struct Worker {
    signal: Signal,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.signal.stop.store(true, Ordering::SeqCst);
        self.signal.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often the worker looks for due mail when nothing woke it.
const POLL: Duration = Duration::from_millis(1000);
/// How long a claim holds a row; a worker that died mid-send frees it after this.
const LEASE_SECS: i64 = 120;
/// Mails claimed at once.
const BATCH: i64 = 20;

/// Starts the worker thread for this instance.
pub fn spawn(db: Db, transport: Transport, from: String, signal: Signal) -> Worker {
    let s = signal.clone();
    let thread = std::thread::Builder::new()
        .name("planloket-outbox".into())
        .spawn(move || {
            while !s.stopped() {
                match deliver_due(&db, &transport, &from) {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox: could not read due mail"),
                }
                s.wait(POLL);
            }
        })
        .expect("the outbox worker thread starts");
    Worker {
        signal,
        thread: Some(thread),
    }
}

/// Sends what is due now; answers how many mails were attempted.
pub fn deliver_due(db: &Db, transport: &Transport, from: &str) -> Result<usize, AppError> {
    let now = db::now();
    let lease = now + chrono::Duration::seconds(LEASE_SECS);
    let due = db.write(|c| repo::claim_due_mail(c, now, lease, BATCH))?;
    for mail in &due {
        let result = transport.send(from, mail);
        db.write(|c| match &result {
            Ok(()) => {
                tracing::info!(to = %mask(&mail.to_address), kind = %mail.kind, "mail sent");
                repo::mark_sent(c, &mail.id, db::now())
            }
            Err(e) => {
                let attempts = mail.attempts + 1;
                let dead = attempts >= MAX_DELIVERY_ATTEMPTS;
                let next = db::micros(Utc::now().naive_utc() + chrono::Duration::seconds(retry_delay_secs(attempts)));
                tracing::warn!(to = %mask(&mail.to_address), kind = %mail.kind, attempts, dead, error = %e, "mail not sent");
                repo::mark_failed(c, &mail.id, if dead { "dead" } else { "pending" }, attempts, next, e)
            }
        })?;
    }
    Ok(due.len())
}
