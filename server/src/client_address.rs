//! Who the client is behind a reverse proxy: the connection's peer, unless the peer is a proxy
//! the operator trusts; then the forwarding headers (`Forwarded`, RFC 7239, else
//! `X-Forwarded-For`) are walked from the right past trusted hops. A header from anyone else is
//! ignored: anyone can write one.

use ipnet::IpNet;
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

/// The client's address for a request from `peer` carrying these `Forwarded` and
/// `X-Forwarded-For` header values (each header's values in the order they came).
///
/// Only a trusted peer's headers count. The hops are read right to left: each trusted one is
/// passed, the first untrusted one is the client; a hop that cannot be read stops the walk at
/// the last address known. `Forwarded` wins when both headers are there.
pub fn client_address(
    peer: IpAddr,
    forwarded: &[&str],
    x_forwarded_for: &[&str],
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = unmapped(peer);
    if !trusted.trusts(peer) {
        return peer;
    }
    let hops: Vec<Option<IpAddr>> = if forwarded.is_empty() {
        x_forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(read_address)
            .collect()
    } else {
        forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(forwarded_for)
            .collect()
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
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

    #[test]
    fn a_header_from_anyone_but_a_trusted_proxy_is_ignored() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            client_address(ip("203.0.113.5"), &[], &["198.51.100.1"], &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_address(
                ip("203.0.113.5"),
                &["for=198.51.100.1"],
                &[],
                &TrustedProxies::default()
            ),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn the_hops_are_walked_from_the_right_past_trusted_proxies() {
        let trusted = proxies("10.0.0.0/8, 192.0.2.7");
        // What the buyer wrote themselves (the forged first hop) is never reached.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &[],
                &["1.1.1.1, 198.51.100.9", "192.0.2.7"],
                &trusted
            ),
            ip("198.51.100.9")
        );
        // Every hop trusted: the leftmost is as far as anyone can tell.
        assert_eq!(
            client_address(ip("10.0.0.2"), &[], &["10.1.1.1, 192.0.2.7"], &trusted),
            ip("10.1.1.1")
        );
        // No header at all: the proxy itself.
        assert_eq!(
            client_address(ip("10.0.0.2"), &[], &[], &trusted),
            ip("10.0.0.2")
        );
        // A hop that cannot be read stops the walk at the last address known.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                &[],
                &["198.51.100.9, unknown, 10.0.0.3"],
                &trusted
            ),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn forwarded_wins_and_reads_ports_quotes_and_brackets() {
        let trusted = proxies("::1, 127.0.0.1");
        let forwarded = [
            "for=198.51.100.1;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            "For=\"127.0.0.1:8080\";by=127.0.0.1",
        ];
        assert_eq!(
            client_address(ip("::1"), &forwarded, &["203.0.113.9"], &trusted),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &[], &["192.0.2.60:51234"], &trusted),
            ip("192.0.2.60"),
            "an IPv4 peer through an IPv6 socket is trusted as itself, and ports are dropped"
        );
    }

    #[test]
    fn settings_name_the_entry_that_is_not_a_range() {
        assert_eq!(proxies("10.0.0.0/8,, ::1").0.len(), 2);
        assert_eq!(
            TrustedProxies::parse(["10.0.0.0/8", "nginx"]),
            Err(BadProxy("nginx".into()))
        );
    }

    proptest! {
        #[test]
        fn any_header_reads_without_panic_and_an_untrusted_peer_is_itself(
            forwarded in ".{0,80}", xff in ".{0,80}", a in any::<u32>()
        ) {
            let peer = IpAddr::V4(std::net::Ipv4Addr::from(a));
            let trusted = proxies("0.0.0.0/0");
            let _ = client_address(peer, &[forwarded.as_str()], &[xff.as_str()], &trusted);
            let outside = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 1));
            prop_assert_eq!(
                client_address(outside, &[forwarded.as_str()], &[xff.as_str()], &proxies("10.0.0.0/8")),
                outside
            );
        }
    }
}
