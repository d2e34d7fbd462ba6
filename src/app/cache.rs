//! The one shape of every cache in the service: values kept in memory against a change
//! counter raised in the same transaction as the write (`db::plans::changes`), so a value is
//! used only while nothing it was built from has changed, by this instance or another; and
//! weighed in bytes under one cap, so thousands of distinct searches cannot grow memory.
//! Caches hold data or a door's finished answer, never rendered pieces inside other values.

use std::collections::HashMap;
use std::sync::Arc;

/// The most one cache holds, in bytes (key and value, roughly): the API's list pages set the
/// measure (a page of 50 plans is 50-100 KB, some 50 pages), and every cache has the same cap.
pub const CACHE_MAX_BYTES: usize = 4 << 20;

/// What a kept key or value weighs in bytes: its own size and what it holds on the heap, as
/// near as matters for a bound on memory.
pub trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for i64 {
    fn weight(&self) -> usize {
        8
    }
}

impl Weigh for String {
    fn weight(&self) -> usize {
        std::mem::size_of::<String>() + self.len()
    }
}

impl<T: Weigh> Weigh for Option<T> {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>() + self.as_ref().map_or(0, Weigh::weight)
    }
}

impl<T: Weigh> Weigh for Vec<T> {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>() + self.iter().map(Weigh::weight).sum::<usize>()
    }
}

impl Weigh for Arc<str> {
    fn weight(&self) -> usize {
        16 + self.len()
    }
}

impl Weigh for Arc<[u8]> {
    fn weight(&self) -> usize {
        16 + self.len()
    }
}

/// Values kept against a change counter, at most `CACHE_MAX_BYTES`: past the cap the map is
/// emptied, since text searches make many keys that are seldom asked again.
pub struct CounterCache<K, V> {
    max_bytes: usize,
    inner: std::sync::Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    map: HashMap<K, (i64, V, usize)>,
    bytes: usize,
}

impl<K: std::hash::Hash + Eq + Weigh, V: Clone + Weigh> Default for CounterCache<K, V> {
    fn default() -> Self {
        Self::with_cap(CACHE_MAX_BYTES)
    }
}

impl<K: std::hash::Hash + Eq + Weigh, V: Clone + Weigh> CounterCache<K, V> {
    /// A cache of another cap (tests).
    pub fn with_cap(max_bytes: usize) -> Self {
        CounterCache {
            max_bytes,
            inner: std::sync::Mutex::new(Entries {
                map: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    /// The value kept for `key` while the counter is at `changes`.
    pub fn get(&self, key: &K, changes: i64) -> Option<V> {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.map
            .get(key)
            .and_then(|(at, v, _)| (*at == changes).then(|| v.clone()))
    }

    /// The value kept at `changes`, or `make()` kept now.
    pub fn get_or_put(&self, key: K, changes: i64, make: impl FnOnce() -> V) -> V {
        if let Some(v) = self.get(&key, changes) {
            return v;
        }
        let v = make();
        self.put(key, changes, v.clone());
        v
    }

    /// Keeps `value` for `key` as built at `changes`.
    pub fn put(&self, key: K, changes: i64, value: V) {
        let bytes = key.weight() + value.weight();
        if bytes > self.max_bytes {
            return;
        }
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // A slower request may bring an older value: keep the newer one.
        if m.map.get(&key).is_some_and(|(at, _, _)| *at >= changes) {
            return;
        }
        if let Some((_, _, b)) = m.map.remove(&key) {
            m.bytes -= b;
        }
        if m.bytes + bytes > self.max_bytes {
            m.map.clear();
            m.bytes = 0;
        }
        m.bytes += bytes;
        m.map.insert(key, (changes, value, bytes));
    }

    /// The bytes kept now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Bytes = Arc<[u8]>;

    #[test]
    fn what_is_kept_stays_within_its_bytes() {
        let pages: CounterCache<String, Bytes> = CounterCache::with_cap(1_000);
        let total = |p: &CounterCache<String, Bytes>| {
            let m = p.inner.lock().unwrap();
            assert_eq!(m.bytes, m.map.values().map(|(_, _, w)| w).sum::<usize>());
            m.bytes
        };
        for i in 0..50 {
            pages.put(i.to_string(), 1, Bytes::from(vec![b'x'; 300]));
            assert!(total(&pages) <= 1_000);
            assert!(pages.get(&i.to_string(), 1).is_some(), "the newest is kept");
        }
        // Replacing a value counts its bytes once; an older value does not replace a newer.
        pages.put("7".into(), 2, Bytes::from(&b"a"[..]));
        pages.put("7".into(), 3, Bytes::from(&b"b"[..]));
        pages.put("7".into(), 2, Bytes::from(&b"c"[..]));
        assert_eq!(pages.get(&"7".into(), 3), Some(Bytes::from(&b"b"[..])));
        assert_eq!(
            pages.get(&"7".into(), 2),
            None,
            "a value is current at its counter only"
        );
        total(&pages);
        // A value heavier than the whole cap is not kept (and keeps nothing out).
        pages.put("8".into(), 1, Bytes::from(vec![0; 2_000]));
        assert_eq!(pages.get(&"8".into(), 1), None);
        assert_eq!(pages.get(&"7".into(), 3), Some(Bytes::from(&b"b"[..])));
    }

    #[test]
    fn thousands_of_distinct_keys_stay_within_the_cap() {
        let totals: CounterCache<String, i64> = CounterCache::default();
        for i in 0..200_000 {
            totals.put(format!("zoekterm nummer {i}"), 1, i);
        }
        assert!(totals.bytes() <= CACHE_MAX_BYTES);
    }
}
