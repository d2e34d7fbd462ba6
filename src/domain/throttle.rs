//! Throttling of sign-in attempts: at most `limit` events per key in a fixed window.

use std::collections::HashMap;

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

#[derive(Debug, Clone, Copy)]
struct Window {
    started: u64,
    count: u32,
}

/// Counts events per key; time is passed in (seconds), so the rule is testable.
#[derive(Debug, Default)]
pub struct Counter {
    windows: HashMap<String, Window>,
}

/// Past this many keys, expired windows are dropped so memory stays bounded.
const PRUNE_AT: usize = 10_000;

impl Counter {
    /// Seconds until `key` may try again, or None when it may now.
    pub fn blocked(&self, key: &str, limit: Limit, now: u64) -> Option<u64> {
        let w = self.windows.get(key)?;
        let ends = w.started + limit.window_secs;
        (now < ends && w.count >= limit.max).then(|| (ends - now).max(1))
    }

    /// Records one event for `key`.
    pub fn record(&mut self, key: &str, limit: Limit, now: u64) {
        if self.windows.len() >= PRUNE_AT {
            self.windows
                .retain(|_, w| now < w.started + limit.window_secs);
        }
        let w = self.windows.entry(key.to_string()).or_insert(Window {
            started: now,
            count: 0,
        });
        if now >= w.started + limit.window_secs {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count += 1;
    }

    /// Forgets `key` (a successful sign-in clears the failures of its address).
    pub fn clear(&mut self, key: &str) {
        self.windows.remove(key);
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
    fn the_limit_blocks_until_the_window_ends() {
        let mut c = Counter::default();
        for t in 0..3 {
            assert_eq!(c.blocked("a", L, t), None);
            c.record("a", L, t);
        }
        assert_eq!(c.blocked("a", L, 10), Some(50));
        assert_eq!(c.blocked("b", L, 10), None, "other keys are not affected");
        assert_eq!(c.blocked("a", L, 60), None, "a new window starts");
        c.record("a", L, 60);
        assert_eq!(c.blocked("a", L, 61), None);
    }

    #[test]
    fn clearing_forgets_the_failures() {
        let mut c = Counter::default();
        for t in 0..3 {
            c.record("a", L, t);
        }
        c.clear("a");
        assert_eq!(c.blocked("a", L, 4), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut c = Counter::default();
        for i in 0..(PRUNE_AT + 10) {
            c.record(&format!("k{i}"), L, 0);
        }
        c.record("late", L, 1000);
        assert!(c.windows.len() < 100);
    }
}
