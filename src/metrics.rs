//! What the operator's Prometheus scrapes (`GET /metrics`): counters the service raises as it
//! works (requests by route template, mails, refused sign-ins, throttled attempts) and the
//! state read at each scrape (the outbox, the database pool, the kept caches, the build).
//!
//! The `prometheus` crate writes the classic text format (0.0.4), which every Prometheus and
//! `promtool check metrics` read; the OpenMetrics text of `prometheus-client` is refused by
//! the promtool of Debian 12 (a counter's `# TYPE` names the family without `_total`).

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// The counters and gauges of one running service.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    mails_sent: IntCounter,
    mails_failed: IntCounter,
    signin_failures: IntCounter,
    throttled: IntCounter,
    outbox_pending: IntGauge,
    outbox_oldest: Gauge,
    pool: IntGaugeVec,
    pool_max: IntGauge,
    cache_bytes: IntGaugeVec,
}

/// What is read at a scrape rather than counted as it happens.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    /// Mails written and not yet sent (failed for good excluded).
    pub outbox_pending: i64,
    /// The age of the oldest of them, in seconds (0 when none waits).
    pub outbox_oldest_seconds: f64,
    /// Database connections checked out, open and idle, and the most the pool opens.
    pub pool_in_use: i64,
    pub pool_idle: i64,
    pub pool_max: i64,
    /// Each kept cache by name, in bytes.
    pub caches: Vec<(&'static str, usize)>,
}

/// Request durations from a millisecond to about 16 s: an answer from a kept page takes well
/// under a millisecond, a sign-in (Argon2) some 50 ms, a payment batch's file a second.
const DURATION_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 4.0, 16.0,
];

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        // Each name and its labels are constants of this function: registering cannot fail.
        fn add<M: prometheus::core::Collector + Clone + 'static>(r: &Registry, m: M) -> M {
            r.register(Box::new(m.clone()))
                .expect("metric names are unique and valid");
            m
        }
        let requests = add(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "http_requests_total",
                    "HTTP requests answered, by method, route template and status.",
                ),
                &["method", "route", "status"],
            )
            .expect("valid"),
        );
        let durations = add(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "http_request_duration_seconds",
                    "Time from receiving a request to its answer, by method and route template.",
                )
                .buckets(DURATION_BUCKETS.to_vec()),
                &["method", "route"],
            )
            .expect("valid"),
        );
        let counter = |name: &str, help: &str| {
            add(
                &registry,
                IntCounter::new(name, help).expect("valid counter"),
            )
        };
        let mails_sent = counter(
            "planloket_mails_sent_total",
            "Mails handed to the mail server.",
        );
        let mails_failed = counter(
            "planloket_mails_failed_total",
            "Attempts to send a mail that failed (each is tried again later, up to its limit).",
        );
        let signin_failures = counter(
            "planloket_signin_failures_total",
            "Sign-ins refused for a wrong address, password, link or code.",
        );
        let throttled = counter(
            "planloket_throttled_attempts_total",
            "Sign-in, link and mail attempts refused for coming too often (429).",
        );
        let outbox_pending = add(
            &registry,
            IntGauge::new(
                "planloket_outbox_pending",
                "Mails written and not yet sent.",
            )
            .expect("valid"),
        );
        let outbox_oldest = add(
            &registry,
            Gauge::new(
                "planloket_outbox_oldest_pending_age_seconds",
                "How long the oldest mail not yet sent has waited (0 when none waits).",
            )
            .expect("valid"),
        );
        let pool = add(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "planloket_db_pool_connections",
                    "Database connections of this instance, in use or idle.",
                ),
                &["state"],
            )
            .expect("valid"),
        );
        let pool_max = add(
            &registry,
            IntGauge::new(
                "planloket_db_pool_max_connections",
                "The most database connections this instance opens (PLANLOKET_DB_POOL).",
            )
            .expect("valid"),
        );
        let cache_bytes = add(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "planloket_cache_bytes",
                    "Bytes held by each kept cache (each at most 4 MiB).",
                ),
                &["cache"],
            )
            .expect("valid"),
        );
        let build = add(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "planloket_build_info",
                    "The running build: always 1, its version as a label.",
                ),
                &["version"],
            )
            .expect("valid"),
        );
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        Metrics {
            registry,
            requests,
            durations,
            mails_sent,
            mails_failed,
            signin_failures,
            throttled,
            outbox_pending,
            outbox_oldest,
            pool,
            pool_max,
            cache_bytes,
        }
    }

    /// One answered request. `route` is the route's template (`/api/v1/plans/{id}`), never
    /// the path, so the series stay few and name nobody.
    pub fn request(&self, method: &str, route: &str, status: &str, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, status])
            .inc();
        self.durations
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    pub fn mail_sent(&self) {
        self.mails_sent.inc();
    }

    pub fn mail_failed(&self) {
        self.mails_failed.inc();
    }

    pub fn signin_failed(&self) {
        self.signin_failures.inc();
    }

    pub fn attempt_throttled(&self) {
        self.throttled.inc();
    }

    /// Everything, in the text exposition format, with the state read at this scrape.
    pub fn render(&self, scrape: &Scrape) -> String {
        self.outbox_pending.set(scrape.outbox_pending);
        self.outbox_oldest.set(scrape.outbox_oldest_seconds);
        self.pool
            .with_label_values(&["in_use"])
            .set(scrape.pool_in_use);
        self.pool.with_label_values(&["idle"]).set(scrape.pool_idle);
        self.pool_max.set(scrape.pool_max);
        for (name, bytes) in &scrape.caches {
            self.cache_bytes
                .with_label_values(&[name])
                .set(i64::try_from(*bytes).unwrap_or(i64::MAX));
        }
        let mut out = Vec::new();
        // Writing to a Vec fails only on a metric without samples, which none of these is.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(error = %e, "metrics: encoding failed");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_template_and_renders_every_family() {
        let m = Metrics::new();
        m.request("GET", "/api/v1/plans/{id}", "200", 0.003);
        m.request("GET", "/api/v1/plans/{id}", "200", 0.002);
        m.request("POST", "/api/v1/plans", "422", 0.01);
        m.mail_sent();
        m.signin_failed();
        let text = m.render(&Scrape {
            outbox_pending: 3,
            outbox_oldest_seconds: 12.5,
            pool_in_use: 1,
            pool_idle: 2,
            pool_max: 8,
            caches: vec![("api_list_pages", 1024)],
        });
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/plans/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/plans\"} 1"
        ));
        assert!(text.contains("planloket_outbox_pending 3"));
        assert!(text.contains("planloket_outbox_oldest_pending_age_seconds 12.5"));
        assert!(text.contains("planloket_db_pool_connections{state=\"in_use\"} 1"));
        assert!(text.contains("planloket_cache_bytes{cache=\"api_list_pages\"} 1024"));
        assert!(text.contains("planloket_mails_sent_total 1"));
        assert!(text.contains("planloket_mails_failed_total 0"));
        assert!(text.contains("planloket_signin_failures_total 1"));
        assert!(text.contains("planloket_throttled_attempts_total 0"));
        assert!(text.contains(&format!(
            "planloket_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )));
    }
}
