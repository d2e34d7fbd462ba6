//! A signed-in browser's session: how long it lives, and when it is marked as seen.

use chrono::{DateTime, Duration, Utc};

use super::user::Account;

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::hours(8);
/// A session's last request is written down at most this often: a read of a page then costs
/// no write, and the idle limit is still kept to within these minutes.
pub const TOUCH_EVERY: Duration = Duration::minutes(5);

/// The most sessions an account keeps at once: a new sign-in beyond it ends the oldest, so
/// sign-ins by a script or on many borrowed computers do not pile up live sessions.
pub const MAX_PER_ACCOUNT: usize = 10;
/// The longest a staff session lives, however busy: a working day and a half. Staff decide
/// about and pay out public money; a session left open on a shared computer ends by itself.
pub const LIFETIME_STAFF: Duration = Duration::hours(12);
/// The longest an applicant's session lives: a resident who files a plan over a week is not
/// asked to sign in every day.
pub const LIFETIME_APPLICANT: Duration = Duration::days(7);

/// How long a session of this account may live from sign-in: staff (any role besides
/// applicant) `LIFETIME_STAFF`, applicants `LIFETIME_APPLICANT`.
pub fn lifetime(account: &Account) -> Duration {
    if super::second_factor::is_staff_account(account) {
        LIFETIME_STAFF
    } else {
        LIFETIME_APPLICANT
    }
}

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
    /// Begun with a second factor (its code, or the identity provider's sign-in where it is
    /// trusted for one).
    pub second_factor: bool,
    /// The password or link was right and the code is still to come: such a session signs
    /// nobody in; it only lets `/inloggen/code` finish the sign-in, within `CODE_WAIT`.
    pub awaiting_code: bool,
}

impl Session {
    /// Whether it is still alive at `now` for its account: not idle for 8 hours, not older
    /// than the account's `lifetime`, and no password, e-mail, role or activation change
    /// since it began.
    pub fn is_live(&self, account: &Account, now: DateTime<Utc>) -> bool {
        let lifetime = if self.awaiting_code {
            super::second_factor::CODE_WAIT
        } else {
            lifetime(account)
        };
        self.epoch == account.session_epoch
            && now - self.last_seen_at < IDLE
            && now - self.created_at < lifetime
    }

    /// Whether this request should write down that the session was seen.
    pub fn needs_touch(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at >= TOUCH_EVERY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::Role;

    fn session(seen: DateTime<Utc>) -> Session {
        Session {
            token_hash: "h".into(),
            user_id: "u".into(),
            epoch: 3,
            csrf: "c".into(),
            created_at: seen,
            last_seen_at: seen,
            second_factor: false,
            awaiting_code: false,
        }
    }

    fn account(roles: Vec<Role>, epoch: i64) -> Account {
        let mut a = Account::empty("u".into(), Utc::now());
        a.roles = roles;
        a.session_epoch = epoch;
        a
    }

    #[test]
    fn a_session_ends_after_eight_idle_hours_or_a_credential_change() {
        let t = Utc::now();
        let s = session(t);
        let anna = account(vec![Role::Applicant], 3);
        assert!(s.is_live(&anna, t + Duration::hours(7) + Duration::minutes(59)));
        assert!(!s.is_live(&anna, t + Duration::hours(8)));
        assert!(
            !s.is_live(&account(vec![Role::Applicant], 4), t),
            "a password or role change raised the epoch"
        );
    }

    #[test]
    fn a_busy_session_ends_after_twelve_hours_for_staff_and_seven_days_for_applicants() {
        let t = Utc::now();
        let mut s = session(t);
        let staff = account(vec![Role::BoardMember], 3);
        let resident = account(vec![Role::Applicant], 3);
        // Used a minute ago, every minute since sign-in.
        let at = |d: Duration| {
            let mut busy = s.clone();
            busy.last_seen_at = t + d - Duration::minutes(1);
            (busy, t + d)
        };
        let (busy, now) = at(Duration::hours(12) - Duration::minutes(1));
        assert!(busy.is_live(&staff, now));
        let (busy, now) = at(Duration::hours(12));
        assert!(!busy.is_live(&staff, now));
        assert!(busy.is_live(&resident, now));
        let (busy, now) = at(Duration::days(7));
        assert!(!busy.is_live(&resident, now));
        s.last_seen_at = t;
        assert!(s.is_live(&staff, t));
    }

    #[test]
    fn a_session_waiting_for_its_code_lives_ten_minutes() {
        let t = Utc::now();
        let mut s = session(t);
        s.awaiting_code = true;
        let anna = account(vec![Role::Applicant], 3);
        assert!(s.is_live(&anna, t + Duration::minutes(9)));
        assert!(!s.is_live(&anna, t + Duration::minutes(10)));
    }

    #[test]
    fn the_last_request_is_written_down_every_five_minutes_at_most() {
        let t = Utc::now();
        let s = session(t);
        assert!(!s.needs_touch(t + Duration::minutes(4)));
        assert!(s.needs_touch(t + Duration::minutes(5)));
    }
}
