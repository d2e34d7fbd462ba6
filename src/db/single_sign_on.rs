//! Single sign-on: accounts linked to the provider's people, and sign-ins on their way.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{oidc_links, oidc_requests};
use super::{stored, utc, DbConn, DbError};

/// The account linked to the provider's person (issuer, subject), if any.
pub fn linked(c: &mut DbConn, issuer: &str, subject: &str) -> Result<Option<String>, DbError> {
    Ok(oidc_links::table
        .find((issuer, subject))
        .select(oidc_links::user_id)
        .first(c)
        .optional()?)
}

/// Whether the account is linked to any person of this issuer.
pub fn has_link(c: &mut DbConn, issuer: &str, user_id: &str) -> Result<bool, DbError> {
    Ok(oidc_links::table
        .filter(oidc_links::issuer.eq(issuer))
        .filter(oidc_links::user_id.eq(user_id))
        .count()
        .get_result::<i64>(c)?
        > 0)
}

pub fn link(
    c: &mut DbConn,
    issuer: &str,
    subject: &str,
    user_id: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(oidc_links::table)
        .values((
            oidc_links::issuer.eq(issuer),
            oidc_links::subject.eq(subject),
            oidc_links::user_id.eq(user_id),
            oidc_links::created_at.eq(stored(at)),
        ))
        .execute(c)?;
    Ok(())
}

/// A sign-in on its way, as kept until its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    pub created_at: DateTime<Utc>,
}

pub fn keep_request(c: &mut DbConn, state_hash: &str, p: &Pending) -> Result<(), DbError> {
    diesel::insert_into(oidc_requests::table)
        .values((
            oidc_requests::state_hash.eq(state_hash),
            oidc_requests::nonce.eq(&p.nonce),
            oidc_requests::pkce_verifier.eq(&p.pkce_verifier),
            oidc_requests::next.eq(&p.next),
            oidc_requests::created_at.eq(stored(p.created_at)),
        ))
        .execute(c)?;
    Ok(())
}

/// Takes the sign-in of `state_hash` out, once: two callbacks with one state cannot both
/// have it. Requests begun before `stale_before` (anyone's) are cleared on the way.
pub fn take_request(
    c: &mut DbConn,
    state_hash: &str,
    stale_before: DateTime<Utc>,
) -> Result<Option<Pending>, DbError> {
    diesel::delete(oidc_requests::table.filter(oidc_requests::created_at.lt(stored(stale_before))))
        .execute(c)?;
    let found: Option<(String, String, String, chrono::NaiveDateTime)> = oidc_requests::table
        .find(state_hash)
        .select((
            oidc_requests::nonce,
            oidc_requests::pkce_verifier,
            oidc_requests::next,
            oidc_requests::created_at,
        ))
        .first(c)
        .optional()?;
    let Some((nonce, pkce_verifier, next, created_at)) = found else {
        return Ok(None);
    };
    if diesel::delete(oidc_requests::table.find(state_hash)).execute(c)? != 1 {
        return Ok(None);
    }
    Ok(Some(Pending {
        nonce,
        pkce_verifier,
        next,
        created_at: utc(created_at),
    }))
}
