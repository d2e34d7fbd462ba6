//! The operator's use cases: what the service's metrics say now.

use super::{App, Error, Unauthorized};
use crate::metrics::Scrape;

/// A token is compared by its hash, so the comparison takes the same time however much of it
/// a guess has right.
pub fn token_digest(token: &str) -> [u8; 32] {
    use blake2::{Blake2s256, Digest};
    Blake2s256::digest(token.trim().as_bytes()).into()
}

/// The metrics in the text exposition format, for the holder of `PLANLOKET_METRICS_TOKEN`:
/// the counters, and the state read now (the outbox, the pool, the kept caches; the doors'
/// caches are named by the door that holds them). Not served (`NotFound`) without a
/// configured token; a missing or wrong one is `Unauthorized`.
pub fn metrics(
    app: &App,
    presented: Option<&str>,
    door_caches: &[(&'static str, usize)],
) -> Result<String, Error> {
    let Some(expected) = app.metrics_token else {
        return Err(Error::NotFound("page"));
    };
    if presented.map(token_digest) != Some(expected) {
        return Err(Error::Unauthorized(Unauthorized::Token));
    }
    let (pending, oldest) = app.read(|c| Ok(crate::db::outbox::pending_summary(c)?))?;
    let (in_use, idle, max) = app.db.pool_state();
    let (totals, starts) = app.lists.bytes();
    let mut caches = vec![
        ("list_totals", totals),
        ("list_page_starts", starts),
        ("similar_plans", app.similar.bytes()),
    ];
    caches.extend_from_slice(door_caches);
    Ok(app.metrics.render(&Scrape {
        outbox_pending: pending,
        outbox_oldest_seconds: oldest.map_or(0.0, |t| {
            (super::now() - t).num_milliseconds().max(0) as f64 / 1000.0
        }),
        pool_in_use: in_use.into(),
        pool_idle: idle.into(),
        pool_max: max.into(),
        caches,
    }))
}

/// A sign-in refused (a wrong address, password, link or code), counted for the operator.
pub(super) fn sign_in_refused(app: &App, why: Unauthorized) -> Error {
    app.metrics.signin_failed();
    Error::Unauthorized(why)
}
