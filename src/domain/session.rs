//! A signed-in browser's session: how long it lives, and when it is marked as seen.

use chrono::{DateTime, Duration, Utc};

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::hours(8);
/// A session's last request is written down at most this often: a read of a page then costs
/// no write, and the idle limit is still kept to within these minutes.
pub const TOUCH_EVERY: Duration = Duration::minutes(5);

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    /// The account's session epoch at sign-in: a credential change ends the session.
    pub epoch: i64,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl Session {
    /// Whether it is still alive at `now` for an account at `account_epoch`: not idle for 8
    /// hours, and no password, e-mail, role or activation change since it began.
    pub fn is_live(&self, account_epoch: i64, now: DateTime<Utc>) -> bool {
        self.epoch == account_epoch && now - self.last_seen_at < IDLE
    }

    /// Whether this request should write down that the session was seen.
    pub fn needs_touch(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at >= TOUCH_EVERY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(seen: DateTime<Utc>) -> Session {
        Session {
            token_hash: "h".into(),
            user_id: "u".into(),
            epoch: 3,
            csrf: "c".into(),
            created_at: seen,
            last_seen_at: seen,
        }
    }

    #[test]
    fn a_session_ends_after_eight_idle_hours_or_a_credential_change() {
        let t = Utc::now();
        let s = session(t);
        assert!(s.is_live(3, t + Duration::hours(7) + Duration::minutes(59)));
        assert!(!s.is_live(3, t + Duration::hours(8)));
        assert!(
            !s.is_live(4, t),
            "a password or role change raised the epoch"
        );
    }

    #[test]
    fn the_last_request_is_written_down_every_five_minutes_at_most() {
        let t = Utc::now();
        let s = session(t);
        assert!(!s.needs_touch(t + Duration::minutes(4)));
        assert!(s.needs_touch(t + Duration::minutes(5)));
    }
}
