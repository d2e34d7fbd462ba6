//! The clock as a front door: a thread that calls the use cases nobody asks for over HTTP.
//! It sends due mail after commit (`app::outbox::deliver_due`), woken early by a commit that
//! wrote mail and polling otherwise, sends report and review reminders every hour, the
//! conversations' gathered mails when they are due, and applies the retention policy daily.

use std::thread::JoinHandle;
use std::time::Duration;

use crate::app::outbox::Signal;
use crate::db::Db;
use crate::mail::transport::Transport;

/// The running worker; dropping it stops the thread.
pub struct Worker {
    signal: Signal,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.signal.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often the worker looks for report reminders to send.
const REMIND_EVERY: Duration = Duration::from_secs(3600);

/// How often the worker applies the retention policy (at start, then daily).
const RETAIN_EVERY: Duration = Duration::from_secs(24 * 3600);

/// What the worker needs besides the database and the mail transport.
pub struct Settings {
    /// The sender of every mail.
    pub from: String,
    /// Base of links in mails.
    pub public_url: String,
    pub retention: crate::domain::retention::Policy,
    /// Where plans' attachments lie (a deleted draft's files go too).
    pub attachments: std::path::PathBuf,
    /// Staff reads noted for the processing log, written here every few seconds.
    pub reads: std::sync::Arc<crate::app::processing::Reads>,
}

/// How often the worker looks for conversations' gathered mails that are due.
const GATHER_EVERY: Duration = Duration::from_secs(5);

/// How often the worker looks for due mail when nothing woke it.
const POLL: Duration = Duration::from_millis(1000);

/// Starts the worker thread for this instance.
pub fn spawn(
    db: Db,
    transport: Transport,
    settings: Settings,
    signal: Signal,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
) -> Worker {
    let s = signal.clone();
    let thread = std::thread::Builder::new()
        .name("planloket-outbox".into())
        .spawn(move || {
            let Settings {
                from,
                public_url,
                retention,
                attachments,
                reads,
            } = settings;
            let mut logged: Option<std::time::Instant> = None;
            let mut reminded: Option<std::time::Instant> = None;
            let mut gathered: Option<std::time::Instant> = None;
            let mut retained: Option<std::time::Instant> = None;
            while !s.stopped() {
                // The retention policy: at start and then daily; each record is taken by a
                // conditional change, so instances running it together do it once.
                if retained.is_none_or(|t| t.elapsed() >= RETAIN_EVERY) {
                    retained = Some(std::time::Instant::now());
                    match crate::app::retention::apply(
                        &db,
                        &retention,
                        chrono::Utc::now(),
                        &public_url,
                        &attachments,
                    ) {
                        Ok(done) if !done.is_empty() => {
                            tracing::info!(records = done.len(), "retention policy applied")
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "could not apply the retention policy")
                        }
                    }
                }
                // Report and review reminders: at start and then every hour; each is noted when sent, so
                // a reminder goes once however many instances look.
                if reminded.is_none_or(|t| t.elapsed() >= REMIND_EVERY) {
                    reminded = Some(std::time::Instant::now());
                    let today = crate::domain::calendar::amsterdam_date(chrono::Utc::now());
                    if let Err(e) = crate::app::grants::remind(&db, &public_url, today) {
                        tracing::warn!(error = %e, "could not send report reminders");
                    }
                    if let Err(e) = crate::app::assignments::remind(&db, &public_url, today) {
                        tracing::warn!(error = %e, "could not send review reminders");
                    }
                }
                // Staff reads for the processing log, every few seconds.
                if logged.is_none_or(|t| t.elapsed() >= GATHER_EVERY) {
                    logged = Some(std::time::Instant::now());
                    if let Err(e) = crate::app::processing::flush(&db, &reads) {
                        tracing::warn!(error = %e, "could not write the processing log");
                    }
                }
                // The conversations' gathered mails: due an hour after the last one, looked for
                // every few seconds (an indexed query); each is taken by a conditional update, so it goes once however
                // many instances look.
                if gathered.is_none_or(|t| t.elapsed() >= GATHER_EVERY) {
                    gathered = Some(std::time::Instant::now());
                    if let Err(e) = crate::app::conversation::send_gathered(&db, &public_url) {
                        tracing::warn!(error = %e, "could not send the gathered message mails");
                    }
                }
                let delivery = crate::app::outbox::Delivery {
                    db: &db,
                    transport: &transport,
                    from: &from,
                    metrics: &metrics,
                    signal: &s,
                };
                match crate::app::outbox::deliver_due(&delivery) {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox: could not read due mail"),
                }
                s.wait(POLL);
            }
            // The reads noted until the stop are written before the process ends.
            if let Err(e) = crate::app::processing::flush(&db, &reads) {
                tracing::warn!(error = %e, "could not write the processing log");
            }
        })
        .expect("the outbox worker thread starts");
    Worker {
        signal,
        thread: Some(thread),
    }
}
