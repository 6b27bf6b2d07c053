//! Who the client is behind a reverse proxy: the connection's peer, unless the peer is a proxy
//! the operator trusts; then the one header the operator named as the proxy's
//! (`X-Forwarded-For` by default, `Forwarded` per RFC 7239, or a single-value header such as
//! `X-Real-IP`) is read, and a list is walked from the right past trusted hops. Every other
//! forwarding header is ignored, even from a trusted proxy: a proxy passes on what the client
//! wrote in the headers it does not set itself. An IPv6 client is counted by its network (a /64
//! by default), since one host holds a whole prefix and can rotate through it.

use axum::http::header::{HeaderMap, HeaderName, FORWARDED};
use ipnet::{IpNet, Ipv6Net};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use thiserror::Error;

/// The proxies whose forwarding headers are believed; none by default. Shared, not copied, by
/// every request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(std::sync::Arc<[IpNet]>);

/// A proxy setting that is not an address or a CIDR range.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not an IP address or CIDR range: {0:?}")]
pub struct BadProxy(pub String);

impl TrustedProxies {
    /// Reads `10.0.0.0/8, 192.0.2.7, ::1` (a bare address is a range of one).
    ///
    /// # Errors
    /// `BadProxy` naming the first entry that is neither.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<TrustedProxies, BadProxy> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                IpNet::from_str(entry)
                    .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                    .map_err(|_| BadProxy(entry.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|ranges| TrustedProxies(ranges.into()))
    }

    /// Whether `address` is a trusted proxy.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = unmapped(address);
        self.0.iter().any(|range| range.contains(&address))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:192.0.2.1`) as the IPv4 one it is.
fn unmapped(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The header a trusted proxy names the client in; only this one is read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ClientHeader {
    /// `X-Forwarded-For`, a list the proxy appends the client to (nginx's
    /// `$proxy_add_x_forwarded_for`); the default, as the README's nginx block sets it.
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239), a list of elements whose `for=` the proxy appends.
    Forwarded,
    /// A header the proxy sets to the client's address alone, replacing what the client sent
    /// (`X-Real-IP` with nginx's `proxy_set_header X-Real-IP $remote_addr;`, `CF-Connecting-IP`).
    Single(HeaderName),
}

/// A client header setting that is not a header name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a header name: {0:?}")]
pub struct BadHeader(pub String);

impl ClientHeader {
    /// Reads a header's name: `X-Forwarded-For` and `Forwarded` (in any case) are lists, any
    /// other name a single-value header.
    ///
    /// # Errors
    /// `BadHeader` for text that is not a header name.
    pub fn parse(name: &str) -> Result<ClientHeader, BadHeader> {
        let name = name.trim();
        let header = HeaderName::from_str(name).map_err(|_| BadHeader(name.to_owned()))?;
        Ok(if header == FORWARDED {
            ClientHeader::Forwarded
        } else if header.as_str() == "x-forwarded-for" {
            ClientHeader::XForwardedFor
        } else {
            ClientHeader::Single(header)
        })
    }

    /// The header's name, as it is read.
    pub fn name(&self) -> &str {
        match self {
            ClientHeader::XForwardedFor => "x-forwarded-for",
            ClientHeader::Forwarded => FORWARDED.as_str(),
            ClientHeader::Single(header) => header.as_str(),
        }
    }

    /// The hops this header names, from the first to the one nearest this server; `None` for
    /// one that cannot be read.
    fn hops(&self, headers: &HeaderMap) -> Vec<Option<IpAddr>> {
        let values = headers.get_all(self.name());
        // Split as bytes: a proxy appends its hop to the client's own value, so one byte that is
        // not text in the client's part must not make the proxy's hop unreadable too.
        let elements = || {
            values
                .iter()
                .flat_map(|value| value.as_bytes().split(|byte| *byte == b','))
                .map(|element| std::str::from_utf8(element).ok())
        };
        match self {
            ClientHeader::XForwardedFor => elements()
                .map(|element| element.and_then(read_address))
                .collect(),
            ClientHeader::Forwarded => elements()
                .map(|element| element.and_then(forwarded_for))
                .collect(),
            // The proxy sets it, so there is one; two mean someone else's is among them, and
            // which one is the proxy's cannot be told: neither is believed.
            ClientHeader::Single(_) => {
                let mut all = values.iter();
                match (all.next(), all.next()) {
                    (Some(value), None) => {
                        vec![value.to_str().ok().and_then(read_address)]
                    }
                    _ => vec![None],
                }
            }
        }
    }
}

/// A valid IPv6 prefix length for counting clients.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("an IPv6 client prefix is a length from 1 to 128, not {0:?}")]
pub struct BadPrefix(pub String);

/// How the server tells clients apart: which proxies it believes, the one header they name the
/// client in, and how much of an IPv6 address is one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The proxies whose header is believed.
    pub trusted: TrustedProxies,
    /// The header they set.
    pub header: ClientHeader,
    /// The IPv6 prefix length that is one client (64: a home or a phone gets a /64).
    pub ipv6_prefix: u8,
}

impl Default for ClientIdentity {
    fn default() -> Self {
        ClientIdentity {
            trusted: TrustedProxies::default(),
            header: ClientHeader::default(),
            ipv6_prefix: DEFAULT_IPV6_PREFIX,
        }
    }
}

/// The IPv6 prefix one client is counted by, unless configured: RFC 6177 gives a site a /56 or
/// a /48, yet a /64 is what one host can be sure to hold alone (SLAAC hands out addresses from it).
pub const DEFAULT_IPV6_PREFIX: u8 = 64;

/// Reads an IPv6 prefix length (`64`, `/56`).
///
/// # Errors
/// `BadPrefix` for anything but a length from 1 to 128.
pub fn parse_ipv6_prefix(text: &str) -> Result<u8, BadPrefix> {
    text.trim()
        .trim_start_matches('/')
        .parse::<u8>()
        .ok()
        .filter(|length| (1..=128).contains(length))
        .ok_or_else(|| BadPrefix(text.to_owned()))
}

impl ClientIdentity {
    /// The client a request from `peer` with these headers counts as: its address, or for
    /// IPv6 its network, with the host bits zeroed.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let address = client_address(peer, || self.header.hops(headers), &self.trusted);
        counted(address, self.ipv6_prefix)
    }
}

/// `address` as one client: an IPv4 address itself, an IPv6 one its network of `prefix` bits.
pub fn counted(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V6(v6) => Ipv6Net::new(v6, prefix.min(128))
            .map_or(address, |network| IpAddr::V6(network.network())),
        v4 => v4,
    }
}

/// The client's address for a request from `peer`, whose forwarding header names `hops`
/// (read only when the peer is trusted).
///
/// Only a trusted peer's header counts. The hops are read right to left: each trusted one is
/// passed, the first untrusted one is the client; a hop that cannot be read stops the walk at
/// the last address known.
fn client_address(
    peer: IpAddr,
    hops: impl FnOnce() -> Vec<Option<IpAddr>>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = unmapped(peer);
    if !trusted.trusts(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in hops().into_iter().rev() {
        let Some(address) = hop.map(unmapped) else {
            break;
        };
        client = address;
        if !trusted.trusts(address) {
            break;
        }
    }
    client
}

/// The `for=` of one `Forwarded` element (`for=192.0.2.60;proto=http`, `for="[2001:db8::17]:4711"`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
        .and_then(|(_, value)| read_address(value.trim().trim_matches('"')))
}

/// An address as proxies write it: bare, with a port, or in brackets with one.
fn read_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    IpAddr::from_str(text)
        .ok()
        .or_else(|| SocketAddr::from_str(text).ok().map(|socket| socket.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(inside, _)| IpAddr::from_str(inside).ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list.split(',')).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_str(name).unwrap(), value.parse().unwrap());
        }
        map
    }

    fn identity(trusted: &str, header: &str) -> ClientIdentity {
        ClientIdentity {
            trusted: proxies(trusted),
            header: ClientHeader::parse(header).unwrap(),
            ipv6_prefix: 128,
        }
    }

    #[test]
    fn a_header_from_anyone_but_a_trusted_proxy_is_ignored() {
        let forged = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=198.51.100.2"),
            ("x-real-ip", "198.51.100.3"),
        ]);
        for header in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] {
            assert_eq!(
                identity("10.0.0.0/8", header).client(ip("203.0.113.5"), &forged),
                ip("203.0.113.5"),
                "{header}"
            );
        }
    }

    #[test]
    fn only_the_header_the_operator_named_is_read() {
        // Each client's own headers of the other kinds pass through a proxy untouched.
        let sent = headers(&[
            ("x-forwarded-for", "198.51.100.1, 192.0.2.9"),
            ("forwarded", "for=198.51.100.2"),
            ("x-real-ip", "198.51.100.3"),
        ]);
        let peer = ip("10.0.0.2");
        assert_eq!(
            identity("10.0.0.0/8", "X-Forwarded-For").client(peer, &sent),
            ip("192.0.2.9")
        );
        assert_eq!(
            identity("10.0.0.0/8", "forwarded").client(peer, &sent),
            ip("198.51.100.2")
        );
        assert_eq!(
            identity("10.0.0.0/8", "X-Real-IP").client(peer, &sent),
            ip("198.51.100.3")
        );
        // The named header missing: the proxy itself, never another header's address.
        let without = headers(&[("forwarded", "for=198.51.100.2")]);
        assert_eq!(
            identity("10.0.0.0/8", "X-Forwarded-For").client(peer, &without),
            peer
        );
    }

    #[test]
    fn a_byte_that_is_not_text_in_the_clients_part_leaves_the_proxys_hop_readable() {
        let mut sent = HeaderMap::new();
        sent.append(
            "x-forwarded-for",
            axum::http::HeaderValue::from_bytes(b"198.51.100.1\xff, 192.0.2.9").unwrap(),
        );
        assert_eq!(
            identity("10.0.0.0/8", "X-Forwarded-For").client(ip("10.0.0.2"), &sent),
            ip("192.0.2.9")
        );
    }

    #[test]
    fn a_single_value_header_twice_is_not_believed() {
        let twice = headers(&[("x-real-ip", "198.51.100.3"), ("x-real-ip", "192.0.2.9")]);
        assert_eq!(
            identity("10.0.0.0/8", "X-Real-IP").client(ip("10.0.0.2"), &twice),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_hops_are_walked_from_the_right_past_trusted_proxies() {
        let walk = |list: &[&str]| {
            let pairs: Vec<(&str, &str)> = list.iter().map(|v| ("x-forwarded-for", *v)).collect();
            identity("10.0.0.0/8, 192.0.2.7", "X-Forwarded-For")
                .client(ip("10.0.0.2"), &headers(&pairs))
        };
        // What the buyer wrote themselves (the forged first hop) is never reached.
        assert_eq!(
            walk(&["1.1.1.1, 198.51.100.9", "192.0.2.7"]),
            ip("198.51.100.9")
        );
        // Every hop trusted: the leftmost is as far as anyone can tell.
        assert_eq!(walk(&["10.1.1.1, 192.0.2.7"]), ip("10.1.1.1"));
        // No header at all: the proxy itself.
        assert_eq!(walk(&[]), ip("10.0.0.2"));
        // A hop that cannot be read stops the walk at the last address known.
        assert_eq!(walk(&["198.51.100.9, unknown, 10.0.0.3"]), ip("10.0.0.3"));
    }

    #[test]
    fn forwarded_reads_ports_quotes_and_brackets() {
        let sent = headers(&[
            (
                "forwarded",
                "for=198.51.100.1;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("forwarded", "For=\"127.0.0.1:8080\";by=127.0.0.1"),
        ]);
        assert_eq!(
            identity("::1, 127.0.0.1", "Forwarded").client(ip("::1"), &sent),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            identity("::1, 127.0.0.1", "X-Forwarded-For").client(
                ip("::ffff:127.0.0.1"),
                &headers(&[("x-forwarded-for", "192.0.2.60:51234")])
            ),
            ip("192.0.2.60"),
            "an IPv4 peer through an IPv6 socket is trusted as itself, and ports are dropped"
        );
    }

    #[test]
    fn an_ipv6_client_is_its_network() {
        let by_64 = ClientIdentity::default();
        let none = HeaderMap::new();
        assert_eq!(
            by_64.client(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), &none),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            by_64.client(ip("2001:db8:1:2::1"), &none),
            by_64.client(ip("2001:db8:1:2:ffff::9"), &none),
            "one host rotating inside its /64 is one client"
        );
        assert_ne!(
            by_64.client(ip("2001:db8:1:2::1"), &none),
            by_64.client(ip("2001:db8:1:3::1"), &none)
        );
        assert_eq!(by_64.client(ip("192.0.2.1"), &none), ip("192.0.2.1"));
        assert_eq!(
            by_64.client(ip("::ffff:192.0.2.1"), &none),
            ip("192.0.2.1"),
            "an IPv4 client through an IPv6 socket is not masked as IPv6"
        );
        assert_eq!(counted(ip("2001:db8::1:2"), 48), ip("2001:db8::"));
    }

    #[test]
    fn settings_name_the_entry_that_is_not_a_range_header_or_prefix() {
        assert_eq!(proxies("10.0.0.0/8,, ::1").0.len(), 2);
        assert_eq!(
            TrustedProxies::parse(["10.0.0.0/8", "nginx"]),
            Err(BadProxy("nginx".into()))
        );
        assert_eq!(
            ClientHeader::parse("X-Forwarded-For"),
            Ok(ClientHeader::XForwardedFor)
        );
        assert_eq!(
            ClientHeader::parse("FORWARDED"),
            Ok(ClientHeader::Forwarded)
        );
        assert_eq!(
            ClientHeader::parse("X-Real-IP").map(|h| h.name().to_owned()),
            Ok("x-real-ip".to_owned())
        );
        assert!(ClientHeader::parse("bad header").is_err());
        assert_eq!(parse_ipv6_prefix("/56"), Ok(56));
        assert_eq!(parse_ipv6_prefix("64"), Ok(64));
        assert!(parse_ipv6_prefix("0").is_err());
        assert!(parse_ipv6_prefix("129").is_err());
    }

    proptest! {
        #[test]
        fn any_header_reads_without_panic_and_an_untrusted_peer_is_itself(
            value in "[ -~]{0,80}", a in any::<u32>(), which in 0usize..3
        ) {
            let header = ["X-Forwarded-For", "Forwarded", "X-Real-IP"][which];
            let sent = headers(&[(header, value.as_str())]);
            let peer = IpAddr::V4(std::net::Ipv4Addr::from(a));
            let _ = identity("0.0.0.0/0", header).client(peer, &sent);
            let outside = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 1));
            prop_assert_eq!(identity("10.0.0.0/8", header).client(outside, &sent), outside);
        }

        #[test]
        fn every_address_in_a_prefix_counts_as_one(
            network in any::<u128>(), host in any::<u128>(), prefix in 1u8..=128
        ) {
            let mask = u128::MAX.checked_shl(u32::from(128 - prefix)).unwrap_or(0);
            let a = IpAddr::V6((network & mask).into());
            let b = IpAddr::V6(((network & mask) | (host & !mask)).into());
            prop_assert_eq!(counted(a, prefix), counted(b, prefix));
        }
    }
}
