//! Facts that decision letters state: the objection period and dates in Dutch.

use chrono::{Datelike, Duration, NaiveDate};

/// The last day to object ("bezwaartermijn"): six weeks, starting the day after the letter is
/// sent (Algemene wet bestuursrecht, art. 6:7 and 6:8), so it ends six weeks after sending.
pub fn objection_deadline(sent_on: NaiveDate) -> NaiveDate {
    sent_on + Duration::weeks(6)
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A date as a Dutch letter writes it: "8 april 2025".
pub fn dutch_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_objection_period_runs_six_weeks_from_the_day_after_sending() {
        let sent = NaiveDate::from_ymd_opt(2025, 4, 8).unwrap();
        assert_eq!(
            objection_deadline(sent),
            NaiveDate::from_ymd_opt(2025, 5, 20).unwrap()
        );
        let sent = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(
            objection_deadline(sent),
            NaiveDate::from_ymd_opt(2026, 2, 11).unwrap()
        );
    }

    #[test]
    fn dates_are_written_in_dutch() {
        assert_eq!(
            dutch_date(NaiveDate::from_ymd_opt(2025, 4, 8).unwrap()),
            "8 april 2025"
        );
        assert_eq!(
            dutch_date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            "1 december 2026"
        );
    }
}

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
