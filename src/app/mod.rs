//! The use cases: one function each, called alike by every front door (the JSON API, the web
//! pages, the demo loader, the bench tools). A use case loads typed rows, lets the domain
//! decide, stores the outcome and writes mail into the outbox, all in the caller's transaction
//! (`Tx`); the transaction's commit raises the change counters and wakes the mail worker.
//!
//! Most take `(tx or connection, actor, input)`. The few that hash a password take the `App`:
//! Argon2 runs outside any transaction, between a check and a write.

pub mod account_self;
pub mod accounts;
pub mod adoptions;
pub mod assessment;
pub mod assignments;
pub mod backup;
pub mod board;
pub mod cache;
pub mod co_applicants;
pub mod conversation;
pub mod dossier;
pub mod error;
pub mod grants;
pub mod my_data;
pub mod operations;
pub mod organisations;
pub mod outbox;
pub mod payments;
pub mod plan_attachments;
pub mod plans;
pub mod plenary;
pub mod privacy;
pub mod processing;
pub mod reservations;
pub mod retention;
pub mod rounds;
pub mod second_factor;
pub mod sessions;
pub mod shared;
pub mod sign_in;
pub mod single_sign_on;
pub mod tokens;

#[cfg(test)]
pub(crate) mod testing;

pub use crate::db::{DbConn, Tx};
pub use error::{Error, Unauthorized};

use crate::db::Db;
use outbox::Signal;

/// What the use cases share in one process: the database, the mail worker's signal, and the
/// values kept in memory against the change counters.
pub struct App {
    pub db: Db,
    /// Wakes the outbox worker after a commit that wrote mail.
    pub mail: Signal,
    /// Base of links in mails.
    pub public_url: String,
    /// List totals and where deep pages start, per filter.
    pub lists: plans::ListCaches,
    /// The similar-plans index per round.
    pub similar: assessment::SimilarIndexes,
    /// Every round, until one changes.
    pub rounds: rounds::RoundsCache,
    /// The account grants are paid from, when configured.
    pub payer: Option<crate::domain::grant::sepa::Payer>,
    /// Where reports' attachments are kept.
    pub attachments: std::path::PathBuf,
    /// Argon2 work running at once, at most one per core (`crate::front::hashing`).
    pub hashing: tokio::sync::Semaphore,
    /// The limits of sign-in attempts, links and mails (`PLANLOKET_THROTTLE_*`).
    pub throttle: crate::domain::throttle::Limits,
    /// The proxies whose `X-Forwarded-For` names the client (`PLANLOKET_TRUSTED_PROXIES`).
    pub proxies: crate::domain::client::TrustedProxies,
    /// The key that binds a pre-login form token to its cookie (`web::session`), derived
    /// from the signing key so every instance on the same configuration shares it.
    pub form_key: [u8; 32],
    /// Whether staff must sign in with a second factor (`PLANLOKET_STAFF_MFA`).
    pub staff_mfa: crate::domain::second_factor::StaffMfa,
    /// The identity provider for single sign-on, when configured (`PLANLOKET_OIDC_*`).
    pub sso: Option<std::sync::Arc<crate::sso::Provider>>,
    /// The counters the operator's Prometheus reads, shared with the mail worker.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// A hash of `PLANLOKET_METRICS_TOKEN`; without it `/metrics` is not served.
    pub metrics_token: Option<[u8; 32]>,
    /// How long what is kept (`PLANLOKET_RETENTION_*`), as the privacy page states it.
    pub retention: crate::domain::retention::Policy,
    /// Whom people ask about their data (`PLANLOKET_PRIVACY_CONTACT`).
    pub privacy_contact: Option<String>,
    /// Staff reads for the processing log, written by the worker.
    pub reads: std::sync::Arc<processing::Reads>,
}

impl App {
    pub fn new(db: Db, mail: Signal, public_url: &str) -> App {
        App {
            db,
            mail,
            public_url: public_url.trim_end_matches('/').to_string(),
            lists: plans::ListCaches::default(),
            similar: assessment::SimilarIndexes::default(),
            rounds: rounds::RoundsCache::default(),
            payer: None,
            attachments: std::path::PathBuf::from("data").join("attachments"),
            throttle: crate::domain::throttle::Limits::default(),
            proxies: crate::domain::client::TrustedProxies::default(),
            form_key: {
                let mut k = [0u8; 32];
                getrandom::fill(&mut k).expect("the operating system has no random source");
                k
            },
            hashing: tokio::sync::Semaphore::new(crate::config::cores()),
            staff_mfa: crate::domain::second_factor::StaffMfa::Required,
            sso: None,
            metrics: Default::default(),
            metrics_token: None,
            retention: crate::domain::retention::Policy::default(),
            privacy_contact: None,
            reads: Default::default(),
        }
    }

    /// Where staff reads are noted: shared with the worker that writes them.
    pub fn with_reads(mut self, reads: std::sync::Arc<processing::Reads>) -> App {
        self.reads = reads;
        self
    }

    /// The retention policy and the privacy contact, as configured.
    pub fn with_privacy(
        mut self,
        retention: crate::domain::retention::Policy,
        contact: Option<String>,
    ) -> App {
        self.retention = retention;
        self.privacy_contact = contact;
        self
    }

    /// This app counting into `metrics`, serving them to whoever presents `token`.
    pub fn with_metrics(
        mut self,
        metrics: std::sync::Arc<crate::metrics::Metrics>,
        token: Option<&str>,
    ) -> App {
        self.metrics = metrics;
        self.metrics_token = token.map(operations::token_digest);
        self
    }

    /// Whether requests are counted for `/metrics` (only when it is served: the route's
    /// template costs a match of the path against the routes).
    pub fn counts_requests(&self) -> bool {
        self.metrics_token.is_some()
    }

    /// This app signing in through the identity provider configured by `settings`.
    pub fn with_sso(mut self, settings: Option<crate::sso::OidcSettings>) -> App {
        self.sso =
            settings.map(|s| std::sync::Arc::new(crate::sso::Provider::new(s, &self.public_url)));
        self
    }

    /// This app with the second-factor policy for staff as configured.
    pub fn with_staff_mfa(mut self, policy: crate::domain::second_factor::StaffMfa) -> App {
        self.staff_mfa = policy;
        self
    }

    /// This app paying from `payer`, keeping attachments under `data_dir`.
    pub fn with_grants(
        mut self,
        payer: Option<crate::domain::grant::sepa::Payer>,
        data_dir: &std::path::Path,
    ) -> App {
        self.payer = payer;
        self.attachments = data_dir.join("attachments");
        self
    }

    /// Whether the service is reached over https (its public address says so): cookies then
    /// carry `Secure` and the `__Host-` prefix, and answers HSTS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The form-token key, derived from the signing key (a hash of it under a label of its
    /// own: the signing key itself is never used for anything but tokens).
    pub fn with_form_key(mut self, signing_key: &[u8]) -> App {
        use blake2::{Blake2s256, Digest};
        let mut h = Blake2s256::new();
        h.update(b"planloket form token key\0");
        h.update(signing_key);
        self.form_key = h.finalize().into();
        self
    }

    /// The limits of attempts and who the client is, as configured.
    pub fn with_guard(
        mut self,
        throttle: crate::domain::throttle::Limits,
        proxies: crate::domain::client::TrustedProxies,
    ) -> App {
        self.throttle = throttle;
        self.proxies = proxies;
        self
    }

    /// Whether the database answers now (waiting at most a second): the service's health.
    pub fn check_database(&self) -> Result<&'static str, Error> {
        if self.db.ping() {
            Ok(self.db.backend())
        } else {
            Err(Error::Unavailable(
                "health check: database unreachable".into(),
            ))
        }
    }

    /// Whether the service is ready for requests: the database answers (within a second)
    /// and its migrations are current; the cause when not.
    pub fn check_ready(&self) -> Result<&'static str, String> {
        self.db.ready().map(|()| self.db.backend())
    }

    /// Whether the database holds any round or account (a fresh installation holds none).
    pub fn holds_data(&self) -> Result<bool, Error> {
        self.read(|c| Ok(crate::db::rounds::count(c)? > 0 || crate::db::users::count(c)? > 0))
    }

    /// Runs reads outside a transaction.
    pub fn read<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, Error>) -> Result<T, Error> {
        processing::within(&self.reads, || self.db.read(f))
    }

    /// Runs `f` in one transaction, and wakes the mail worker when it wrote mail.
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx) -> Result<T, Error>) -> Result<T, Error> {
        let (value, done) = processing::within(&self.reads, || self.db.write_noting(f))?;
        if done.mail_written {
            self.mail.wake();
        }
        Ok(value)
    }
}

/// Now, as stored: UTC to the microsecond.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    crate::db::now()
}

/// A new id: UUID v7, time-ordered so inserts stay at the end of indexes.
pub fn new_id() -> String {
    crate::db::new_id()
}
