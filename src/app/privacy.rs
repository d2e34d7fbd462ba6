//! The privacy statement (`/privacy`, issue 33): who is responsible, why and on what basis
//! planloket holds personal data, how long (the retention policy itself), who receives what,
//! and whom to ask.

use super::rounds::{list_cached, RoundsCache};
use super::Error;
use crate::db::DbConn;
use crate::domain::retention::{Policy, Term};

/// What the privacy page states.
pub struct Statement {
    /// The controller: the authority of the newest round (the college decides on the plans).
    pub controller: String,
    pub terms: Vec<Term>,
    /// Whom to ask (`PLANLOKET_PRIVACY_CONTACT`), if set.
    pub contact: Option<String>,
}

/// The statement as the policy and the newest round make it.
pub fn statement(
    c: &mut DbConn,
    rounds: &RoundsCache,
    policy: &Policy,
    contact: Option<&str>,
) -> Result<Statement, Error> {
    let all = list_cached(c, rounds)?;
    let controller = all
        .iter()
        .max_by_key(|r| r.spec.opens_at)
        .map(|r| r.spec.legal.authority.clone())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| {
            "het college van burgemeester en wethouders van de gemeente Leidschendam-Voorburg"
                .to_string()
        });
    Ok(Statement {
        controller,
        terms: policy.terms(),
        contact: contact.map(str::to_string),
    })
}
