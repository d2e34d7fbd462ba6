//! The outbox worker: a thread that sends due mail after commit (`app::outbox::deliver_due`),
//! woken early by a commit that wrote mail, polling otherwise.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::transport::Transport;
use crate::db::Db;

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

/// How often the worker looks for report reminders to send.
const REMIND_EVERY: Duration = Duration::from_secs(3600);

/// How often the worker looks for due mail when nothing woke it.
const POLL: Duration = Duration::from_millis(1000);

/// Starts the worker thread for this instance.
pub fn spawn(
    db: Db,
    transport: Transport,
    from: String,
    public_url: String,
    signal: Signal,
) -> Worker {
    let s = signal.clone();
    let thread = std::thread::Builder::new()
        .name("planloket-outbox".into())
        .spawn(move || {
            let mut reminded: Option<std::time::Instant> = None;
            while !s.stopped() {
                // Report reminders: at start and then every hour; each is noted when sent, so
                // a reminder goes once however many instances look.
                if reminded.is_none_or(|t| t.elapsed() >= REMIND_EVERY) {
                    reminded = Some(std::time::Instant::now());
                    let today = crate::domain::calendar::amsterdam_date(chrono::Utc::now());
                    if let Err(e) = crate::app::grants::remind(&db, &public_url, today) {
                        tracing::warn!(error = %e, "could not send report reminders");
                    }
                }
                match crate::app::outbox::deliver_due(&db, &transport, &from) {
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
