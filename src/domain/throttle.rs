//! Throttling of sign-in attempts: at most `limit` attempts per key (an address, a client) in
//! a fixed window. An attempt is counted before its password is checked, and a successful one
//! is given back, so guesses sent at once cannot all be checked.

use chrono::{DateTime, Duration, Utc};

/// Limits for one kind of event.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u32,
    pub window_secs: u64,
}

/// Failed logins per address, and per client.
pub const LOGIN_FAILURES_PER_ADDRESS: Limit = Limit {
    max: 5,
    window_secs: 900,
};
pub const LOGIN_FAILURES_PER_CLIENT: Limit = Limit {
    max: 20,
    window_secs: 900,
};
/// Magic-link requests per address, and per client.
pub const MAGIC_LINKS_PER_ADDRESS: Limit = Limit {
    max: 3,
    window_secs: 900,
};
pub const MAGIC_LINKS_PER_CLIENT: Limit = Limit {
    max: 10,
    window_secs: 900,
};
/// Failed magic-link redemptions per client.
pub const REDEEM_FAILURES_PER_CLIENT: Limit = Limit {
    max: 10,
    window_secs: 900,
};
/// Registrations per address, and per client.
pub const REGISTRATIONS_PER_ADDRESS: Limit = Limit {
    max: 3,
    window_secs: 900,
};
pub const REGISTRATIONS_PER_CLIENT: Limit = Limit {
    max: 10,
    window_secs: 900,
};

/// The attempts counted for a key in its current window, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub window_start: DateTime<Utc>,
    pub count: u32,
}

/// Whether one more attempt for a key may go ahead now: admitted (with the count to store,
/// this attempt included), or refused with the seconds until the window ends.
pub fn admit(current: Option<Attempts>, limit: Limit, now: DateTime<Utc>) -> Result<Attempts, u64> {
    let window = Duration::seconds(limit.window_secs as i64);
    match current {
        Some(a) if now < a.window_start + window => {
            if a.count >= limit.max {
                let left = (a.window_start + window - now).num_seconds();
                Err(left.max(1) as u64)
            } else {
                Ok(Attempts {
                    window_start: a.window_start,
                    count: a.count + 1,
                })
            }
        }
        _ => Ok(Attempts {
            window_start: now,
            count: 1,
        }),
    }
}

/// An attempt given back (a successful sign-in): the count without it.
pub fn give_back(current: Attempts) -> Attempts {
    Attempts {
        count: current.count.saturating_sub(1),
        ..current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limit = Limit {
        max: 3,
        window_secs: 60,
    };

    #[test]
    fn attempts_are_admitted_up_to_the_limit_in_a_window_and_a_success_is_given_back() {
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut stored = None;
        for i in 1..=3 {
            let a = admit(stored, L, t0 + Duration::seconds(i)).unwrap();
            assert_eq!(a.count, i as u32);
            stored = Some(a);
        }
        assert_eq!(
            admit(stored, L, t0 + Duration::seconds(10)),
            Err(51),
            "the window began at t0 + 1"
        );
        let back = give_back(stored.unwrap());
        assert_eq!(back.count, 2);
        assert!(admit(Some(back), L, t0 + Duration::seconds(10)).is_ok());
        let later = admit(stored, L, t0 + Duration::seconds(61)).unwrap();
        assert_eq!(
            (later.count, later.window_start),
            (1, t0 + Duration::seconds(61))
        );
        assert_eq!(
            give_back(Attempts {
                window_start: t0,
                count: 0
            })
            .count,
            0
        );
    }
}
