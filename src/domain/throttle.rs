//! Throttling of sign-in attempts: at most `limit` attempts per key (an address, a client) in
//! a fixed window. An attempt is counted before its password is checked, and a successful one
//! is given back, so guesses sent at once cannot all be checked.

use chrono::{DateTime, Duration, Utc};

/// Limits for one kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window_secs: u64,
}

const fn per(max: u32, window_secs: u64) -> Limit {
    Limit { max, window_secs }
}

/// The longest window a limit may have: attempts are forgotten a day after they began.
pub const LONGEST_WINDOW_SECS: u64 = 86_400;

/// Every limit of the service; each can be set from the environment
/// (`PLANLOKET_THROTTLE_<NAME>=<max>/<seconds>`, see `SETTINGS`).
///
/// Sign-in failures are counted three ways so that nobody's guesses lock the holder out: per
/// address *and* client (tight: one client guessing one account), per client (one client
/// guessing many accounts), and per address alone (loose, with a second, daily bound as the
/// back-off for guesses spread over many clients). A client that signed in to the account
/// before (`KNOWN_CLIENT_DAYS`) is not held by the address's limits: the holder's own browser
/// keeps working while others guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub login_pair: Limit,
    pub login_client: Limit,
    pub login_address: Limit,
    pub login_address_daily: Limit,
    pub links_address: Limit,
    pub links_client: Limit,
    /// Sign-in and registration mails to one address (links, "you have an account already").
    pub mails_address: Limit,
    pub redeem_client: Limit,
    pub registrations_address: Limit,
    pub registrations_client: Limit,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            login_pair: per(5, 900),
            login_client: per(30, 900),
            login_address: per(20, 900),
            login_address_daily: per(100, 86_400),
            links_address: per(3, 900),
            links_client: per(10, 900),
            mails_address: per(10, 86_400),
            redeem_client: per(10, 900),
            registrations_address: per(3, 900),
            registrations_client: per(10, 900),
        }
    }
}

/// How long a client that signed in to an account is its holder's, for the address's limits.
pub const KNOWN_CLIENT_DAYS: i64 = 30;

/// Where a setting goes in `Limits`.
pub type LimitField = fn(&mut Limits) -> &mut Limit;

/// The environment's name for each limit (after `PLANLOKET_THROTTLE_`), and where it goes.
pub const SETTINGS: [(&str, LimitField); 10] = [
    ("LOGIN_PAIR", |l| &mut l.login_pair),
    ("LOGIN_CLIENT", |l| &mut l.login_client),
    ("LOGIN_ADDRESS", |l| &mut l.login_address),
    ("LOGIN_ADDRESS_DAILY", |l| &mut l.login_address_daily),
    ("LINKS_ADDRESS", |l| &mut l.links_address),
    ("LINKS_CLIENT", |l| &mut l.links_client),
    ("MAILS_ADDRESS", |l| &mut l.mails_address),
    ("REDEEM_CLIENT", |l| &mut l.redeem_client),
    ("REGISTRATIONS_ADDRESS", |l| &mut l.registrations_address),
    ("REGISTRATIONS_CLIENT", |l| &mut l.registrations_client),
];

/// A limit as configured: `<max>/<seconds>`, e.g. `5/900`; at least one attempt, a window of
/// one second to a day.
pub fn parse_limit(raw: &str) -> Result<Limit, String> {
    let bad = || {
        format!("'{raw}' is not <max>/<seconds> with a max of 1 or more and 1 to {LONGEST_WINDOW_SECS} seconds, e.g. 5/900")
    };
    let (max, secs) = raw.trim().split_once('/').ok_or_else(bad)?;
    let max: u32 = max.trim().parse().map_err(|_| bad())?;
    let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
    if max == 0 || !(1..=LONGEST_WINDOW_SECS).contains(&secs) {
        return Err(bad());
    }
    Ok(per(max, secs))
}

/// The limits with those the environment sets (`var` reads one), or each bad one named.
pub fn limits_from(var: impl Fn(&str) -> Option<String>) -> Result<Limits, String> {
    let mut limits = Limits::default();
    let mut errors = Vec::new();
    for (name, field) in SETTINGS {
        let key = format!("PLANLOKET_THROTTLE_{name}");
        if let Some(raw) = var(&key) {
            match parse_limit(&raw) {
                Ok(l) => *field(&mut limits) = l,
                Err(e) => errors.push(format!("{key}: {e}")),
            }
        }
    }
    if errors.is_empty() {
        Ok(limits)
    } else {
        Err(errors.join("; "))
    }
}

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

    #[test]
    fn limits_are_read_from_the_environment_and_a_bad_one_is_named() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(limits_from(env(&[])).unwrap(), Limits::default());
        let l = limits_from(env(&[("PLANLOKET_THROTTLE_LOGIN_PAIR", "3/60")])).unwrap();
        assert_eq!(l.login_pair, per(3, 60));
        let e = limits_from(env(&[
            ("PLANLOKET_THROTTLE_MAILS_ADDRESS", "10"),
            ("PLANLOKET_THROTTLE_LOGIN_CLIENT", "0/60"),
            ("PLANLOKET_THROTTLE_LINKS_CLIENT", "5/999999"),
        ]))
        .unwrap_err();
        for name in ["MAILS_ADDRESS", "LOGIN_CLIENT", "LINKS_CLIENT"] {
            assert!(e.contains(name), "{e}");
        }
        // The defaults keep each limit within a day, and the pair tighter than the address.
        let d = Limits::default();
        assert!(d.login_pair.max < d.login_address.max);
        for (_, f) in SETTINGS {
            assert!(f(&mut Limits::default()).window_secs <= LONGEST_WINDOW_SECS);
        }
    }

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
