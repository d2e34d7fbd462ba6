//! Why a use case failed. The front doors (the JSON API, the web pages) map these to their own
//! answers; nothing here knows about HTTP.

use crate::db::{DbError, WorkError};
use crate::domain::DomainError;

/// Why a caller is not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthorized {
    /// No credentials, or a token that is malformed, signed with another key or expired.
    Token,
    /// The account of a valid token no longer exists or is deactivated.
    Account,
    /// A wrong e-mail address or password.
    Credentials,
    /// A sign-in link that is unknown, used or expired.
    Link,
    /// The password (or link) was right, but the account has a second factor: its code is
    /// asked too.
    OtpRequired,
    /// The code of the second factor is wrong, or used already.
    OtpInvalid,
    /// A single sign-on callback planloket did not ask for, or one the provider's answer does
    /// not bear out (state, code, nonce, audience).
    SingleSignOn,
}

impl Unauthorized {
    pub fn message(self) -> &'static str {
        match self {
            Unauthorized::Token => "the token is invalid or expired; sign in again",
            Unauthorized::Account => "the account of this token no longer exists or is deactivated",
            Unauthorized::Credentials => "the e-mail address or password is wrong",
            Unauthorized::Link => {
                "this sign-in link is invalid, expired or used already; ask for a new one"
            }
            Unauthorized::OtpRequired => {
                "this account signs in with a second factor: send the code of the authenticator app (or a recovery code) as otp"
            }
            Unauthorized::OtpInvalid => {
                "the code is wrong or was used already; wait for the next code of the authenticator app"
            }
            Unauthorized::SingleSignOn => {
                "this single sign-on answer cannot be used; sign in again"
            }
        }
    }

    /// The problem type's last part (`urn:planloket:problem:<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Unauthorized::OtpRequired => "otp-required",
            Unauthorized::OtpInvalid => "otp-invalid",
            _ => "unauthorized",
        }
    }
}

/// Everything a use case can fail with.
#[derive(Debug)]
pub enum Error {
    /// A rule of the domain refused.
    Domain(DomainError),
    /// Unknown, or not visible to this caller (what is named: "plan", "round"…).
    NotFound(&'static str),
    Unauthorized(Unauthorized),
    /// The caller's copy is stale: the plan is now at `version` (an `If-Match` that failed).
    Stale {
        version: i64,
    },
    /// A concurrent change of the same thing won; reload and try again.
    Changed(&'static str),
    /// Too many attempts: try again after this many seconds.
    TooManyRequests(u64),
    /// The database cannot be reached now (the cause, for the log); try again shortly.
    Unavailable(String),
    /// Something with these unique values was stored already (two requests at once).
    Duplicate,
    /// Input the database cannot keep (PostgreSQL refuses NUL characters in text).
    Unstorable(String),
    /// A bug: something that cannot happen did. The cause is logged, never shown.
    Internal(String),
}

impl From<DomainError> for Error {
    fn from(e: DomainError) -> Error {
        Error::Domain(e)
    }
}

/// What storage's failures mean to a caller; a stored value that does not parse, or any other
/// fault, is a bug (logged, never shown).
impl From<DbError> for Error {
    fn from(e: DbError) -> Error {
        match e {
            DbError::Unavailable(cause) => Error::Unavailable(cause),
            DbError::Duplicate => Error::Duplicate,
            DbError::Concurrent => Error::Changed("record"),
            DbError::Unstorable(m) => Error::Unstorable(m),
            e @ (DbError::Corrupt { .. } | DbError::Other(_)) => Error::Internal(e.to_string()),
        }
    }
}

impl WorkError for Error {
    fn lost_database(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Domain(e) => write!(f, "{e}"),
            Error::NotFound(what) => write!(f, "{what} not found"),
            Error::Unauthorized(u) => f.write_str(u.message()),
            Error::Internal(m) => f.write_str(m),
            Error::Stale { version } => write!(
                f,
                "the plan has changed: it is at version {version}; reload it and try again"
            ),
            Error::Changed(what) => write!(
                f,
                "the {what} was changed by someone else meanwhile; reload it and try again"
            ),
            Error::TooManyRequests(s) => write!(f, "too many attempts; try again in {s} seconds"),
            Error::Unavailable(cause) => write!(f, "the database is unavailable: {cause}"),
            Error::Duplicate => f.write_str("a record with these values exists already"),
            Error::Unstorable(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_mean_what_a_caller_can_act_on() {
        assert!(matches!(
            Error::from(DbError::Unavailable("x".into())),
            Error::Unavailable(_)
        ));
        assert!(matches!(Error::from(DbError::Duplicate), Error::Duplicate));
        assert!(matches!(
            Error::from(DbError::Concurrent),
            Error::Changed(_)
        ));
        assert!(matches!(
            Error::from(DbError::Unstorable("NUL".into())),
            Error::Unstorable(_)
        ));
        assert!(matches!(
            Error::from(DbError::corrupt("plans", "p1", "status", "x")),
            Error::Internal(_)
        ));
        assert!(Error::from(DbError::Unavailable("x".into())).lost_database());
    }
}
