//! Who the client is, for throttling: the peer address, or behind a proxy the operator
//! trusts (`PLANLOKET_TRUSTED_PROXIES`), the address that proxy says it forwards for.
//!
//! The prefixes (`10.0.0.0/8`) are parsed here rather than with a crate: it is a dozen lines on
//! `std::net`, and the service needs nothing else of an address library.

use std::net::IpAddr;

/// The proxies whose `X-Forwarded-For` is believed: addresses or prefixes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

/// Whether `ip` lies in the prefix `net/len` (both canonical: IPv4-mapped IPv6 is IPv4).
fn in_prefix(net: IpAddr, len: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

impl TrustedProxies {
    /// A comma-separated list of addresses and prefixes (`127.0.0.1, 10.0.0.0/8, ::1`), or
    /// the entry that is neither.
    pub fn parse(raw: &str) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, len) = match item.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (item, None),
            };
            let ip = addr
                .parse::<IpAddr>()
                .map_err(|_| format!("'{item}' is not an IP address or prefix"))?
                .to_canonical();
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len = match len {
                None => max,
                Some(l) => l
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("'{item}' has no prefix length from 0 to {max}"))?,
            };
            out.push((ip, len));
        }
        Ok(TrustedProxies(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, len)| in_prefix(*net, *len, ip))
    }

    /// The client of a request from `peer` carrying `forwarded_for` (`X-Forwarded-For`, all
    /// its values joined by commas): the peer, unless it is a trusted proxy; then the nearest
    /// address in the header that is not a trusted proxy (each proxy appends the address it
    /// received from, so the addresses left of it are the client's to invent).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.contains(peer) {
            return peer.to_canonical();
        }
        let mut nearest = peer.to_canonical();
        for hop in forwarded_for.unwrap_or("").rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    nearest = ip.to_canonical();
                    if !self.contains(ip) {
                        break;
                    }
                }
                // A hop that is no address ends the chain of proxies we can believe.
                Err(_) => break,
            }
        }
        nearest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes_are_parsed_and_matched_and_a_bad_entry_is_named() {
        let p = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8,fd00::/8").unwrap();
        assert!(p.contains(ip("127.0.0.1")));
        assert!(!p.contains(ip("127.0.0.2")));
        assert!(p.contains(ip("10.200.3.4")));
        assert!(!p.contains(ip("11.0.0.1")));
        assert!(p.contains(ip("fd12::1")));
        assert!(!p.contains(ip("fe80::1")));
        assert!(
            p.contains(ip("::ffff:10.1.1.1")),
            "an IPv4-mapped address is IPv4"
        );
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .contains(ip("8.8.8.8")));
        assert!(TrustedProxies::parse("10.0.0.0/33")
            .unwrap_err()
            .contains("10.0.0.0/33"));
        assert!(TrustedProxies::parse("proxy.local")
            .unwrap_err()
            .contains("proxy.local"));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwards_for_it() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("127.0.0.1"), Some("203.0.113.9")),
            ip("127.0.0.1")
        );
        let p = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        assert_eq!(
            p.client(ip("127.0.0.1"), Some("203.0.113.9")),
            ip("203.0.113.9")
        );
        // What the client wrote itself (left of the first untrusted hop) is not believed.
        assert_eq!(
            p.client(ip("127.0.0.1"), Some("1.2.3.4, 203.0.113.9, 10.0.0.5")),
            ip("203.0.113.9")
        );
        assert_eq!(p.client(ip("127.0.0.1"), None), ip("127.0.0.1"));
        assert_eq!(p.client(ip("127.0.0.1"), Some("garbage")), ip("127.0.0.1"));
        // Not from a trusted proxy: the header is the client's own invention.
        assert_eq!(
            p.client(ip("198.51.100.7"), Some("203.0.113.9")),
            ip("198.51.100.7")
        );
    }
}
