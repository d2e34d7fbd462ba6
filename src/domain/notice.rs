//! The mail outbox's rules: where a mail stands and how long to wait before trying again.

/// Where a mail in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting to be sent (again).
    Pending,
    Sent,
    /// Given up after `MAX_DELIVERY_ATTEMPTS`; an admin may retry it.
    Dead,
}

impl MailStatus {
    pub const ALL: [MailStatus; 3] = [MailStatus::Pending, MailStatus::Sent, MailStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<MailStatus> {
        MailStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The status as the outbox page names it.
    pub fn label_nl(self) -> &'static str {
        match self {
            MailStatus::Pending => "wacht op verzending",
            MailStatus::Sent => "verstuurd",
            MailStatus::Dead => "mislukt",
        }
    }

    /// A sent mail is never sent again; any other may be retried.
    pub fn may_retry(self) -> bool {
        self != MailStatus::Sent
    }
}

/// After this many failed attempts a mail is marked dead (an admin may retry it).
pub const MAX_DELIVERY_ATTEMPTS: i32 = 10;

/// How long to wait before the next attempt after `attempts` failures: 2 s, 4 s, 8 s, …
/// doubling, never more than five minutes.
pub fn retry_delay_secs(attempts: i32) -> i64 {
    let exp = attempts.clamp(1, 20) as u32;
    (1i64 << exp).min(300)
}

#[cfg(test)]
mod delivery_tests {
    use super::*;

    #[test]
    fn retries_back_off_from_seconds_to_five_minutes() {
        assert_eq!(retry_delay_secs(1), 2);
        assert_eq!(retry_delay_secs(2), 4);
        assert_eq!(retry_delay_secs(8), 256);
        assert_eq!(retry_delay_secs(9), 300);
        assert_eq!(retry_delay_secs(50), 300);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_mail_is_never_retried_and_every_status_has_a_dutch_name() {
        assert!(!MailStatus::Sent.may_retry());
        assert!(MailStatus::Dead.may_retry() && MailStatus::Pending.may_retry());
        let mut names: Vec<_> = MailStatus::ALL.iter().map(|s| s.label_nl()).collect();
        names.dedup();
        assert_eq!(names.len(), 3);
    }
}
