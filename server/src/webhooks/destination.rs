//! Where a webhook may go: the public internet, unless the operator allows private networks
//! (`allow_http_webhooks`: a test, a receiver inside the operator's own network). A seller's URL
//! must not make the server reach what only the server can reach (its metrics listener, the
//! cloud's metadata service, a database next to it): names are resolved by `PublicOnly`, which
//! drops every address that is not public, and an address written in the URL is checked by
//! `refused_literal` (no resolver sees it). Redirects are not followed at all (`worker`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether `ip` is an address on the public internet: not loopback, private, shared (CGNAT),
/// link-local, unique-local, multicast, documentation or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 100.64.0.0/10, shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 0.0.0.0/8, "this network"; 192.0.0.0/24, protocol assignments.
        || a == 0
        || (a == 192 && b == 0 && c == 0)
        // 198.18.0.0/15, benchmarking; 240.0.0.0/4, reserved.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, 2001:db8::/32 documentation.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

/// Whether `url`'s host is an address written out (not a name) that is not public.
pub fn refused_literal(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    // An IPv6 host is written in brackets; a name does not parse as an address.
    url.host_str()
        .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|host| host.parse::<IpAddr>().ok())
        .is_some_and(|ip| !is_public(ip))
}

/// A resolver that answers only with public addresses; a name with none fails to resolve.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|addr| is_public(addr.ip())).collect();
            if public.is_empty() {
                return Err(format!("{} has no public address", name.as_str()).into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// An HTTP client for requests to addresses somebody else gave (a seller's receiver, a
/// browser's push service): a redirect is an answer, never followed (so a public address cannot
/// send the server somewhere private), and unless `private_allowed` a name is resolved to public
/// addresses only.
pub fn client(
    user_agent: &'static str,
    timeout: std::time::Duration,
    private_allowed: bool,
) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent);
    let builder = if private_allowed {
        builder
    } else {
        builder.dns_resolver(std::sync::Arc::new(PublicOnly))
    };
    builder.build().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "255.255.255.255",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2a00:1450:4010::8a",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_url_with_a_private_address_in_it_is_refused_and_a_name_is_left_to_the_resolver() {
        assert!(refused_literal("https://169.254.169.254/latest/meta-data"));
        assert!(refused_literal("https://[::1]:8443/hook"));
        assert!(refused_literal("https://10.0.0.5/hook"));
        assert!(!refused_literal("https://93.184.216.34/hook"));
        assert!(!refused_literal("https://hooks.shop.example/trackline"));
    }
}
