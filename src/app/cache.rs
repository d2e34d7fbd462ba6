//! Values kept in memory against the change counter of a round's plans, so that they stay
//! correct across instances: list totals, rendered list pages, where deep pages start, and
//! the similar-plans index.

use std::collections::HashMap;

/// Values kept against a change counter (`repo::plan_changes`): a value is used only while
/// the counter is unchanged, so a change by any instance makes the next request build it
/// again. Bounded by a weight (entries, or bytes): beyond it the map is emptied, since text
/// searches make many keys that are seldom asked again.
pub struct Counted<K, V> {
    max_weight: usize,
    inner: std::sync::Mutex<CountedMap<K, V>>,
}

struct CountedMap<K, V> {
    map: HashMap<K, (i64, V, usize)>,
    weight: usize,
}

impl<K: std::hash::Hash + Eq, V: Clone> Counted<K, V> {
    pub fn new(max_weight: usize) -> Self {
        Counted {
            max_weight,
            inner: std::sync::Mutex::new(CountedMap {
                map: HashMap::new(),
                weight: 0,
            }),
        }
    }

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
        self.put(key, changes, v.clone(), 1);
        v
    }

    pub fn put(&self, key: K, changes: i64, value: V, weight: usize) {
        if weight > self.max_weight {
            return;
        }
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // A slower request may bring an older value: keep the newer one.
        if m.map.get(&key).is_some_and(|(at, _, _)| *at >= changes) {
            return;
        }
        if let Some((_, _, w)) = m.map.remove(&key) {
            m.weight -= w;
        }
        if m.weight + weight > self.max_weight {
            m.map.clear();
            m.weight = 0;
        }
        m.weight += weight;
        m.map.insert(key, (changes, value, weight));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Bytes = std::sync::Arc<[u8]>;

    #[test]
    fn what_is_kept_stays_within_its_weight() {
        let pages: Counted<u32, Bytes> = Counted::new(1_000);
        let weight = |p: &Counted<u32, Bytes>| {
            let m = p.inner.lock().unwrap();
            assert_eq!(m.weight, m.map.values().map(|(_, _, w)| w).sum::<usize>());
            m.weight
        };
        for i in 0..50 {
            pages.put(i, 1, Bytes::from(vec![b'x'; 300]), 300);
            assert!(weight(&pages) <= 1_000);
            assert!(pages.get(&i, 1).is_some(), "the newest is kept");
        }
        // Replacing a value counts its weight once.
        pages.put(7, 2, Bytes::from(&b"a"[..]), 1);
        pages.put(7, 3, Bytes::from(&b"b"[..]), 1);
        assert_eq!(pages.get(&7, 3), Some(Bytes::from(&b"b"[..])));
        weight(&pages);
        // A value heavier than the whole budget is not kept (and keeps nothing out).
        pages.put(8, 1, Bytes::from(vec![0; 2_000]), 2_000);
        assert_eq!(pages.get(&8, 1), None);
        assert_eq!(pages.get(&7, 3), Some(Bytes::from(&b"b"[..])));
    }
}
