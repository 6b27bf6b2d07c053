//! Where a webhook may go: the public internet, unless the operator allows private networks
//! (`allow_private_webhooks`: a test, a receiver inside the operator's own network; plain
//! `http://` is a switch of its own, `allow_http_webhooks`, that opens no private network). A seller's URL
//! must not make the server reach what only the server can reach (its metrics listener, the
//! cloud's metadata service, a database next to it): names are resolved by `PublicOnly`, which
//! drops every address that is not public, and an address written in the URL is checked by
//! `refused_literal` (no resolver sees it). Redirects are not followed at all (`worker`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether `ip` is an address on the public internet: not loopback, private, shared (CGNAT),
/// link-local, unique-local, site-local, multicast, documentation or unspecified, nor an IPv6
/// form that carries an IPv4 address which is not public (see `embedded_v4`).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Embedded::V4(v4) => is_public_v4(v4),
            Embedded::Refused => false,
            Embedded::None => is_public_v6(v6),
        },
    }
}

/// What an IPv6 address says of IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Embedded {
    /// It reaches this IPv4 address (through a translator or a tunnel), which decides.
    V4(Ipv4Addr),
    /// A form whose IPv4 part has no one reading, or that nothing public uses: never public.
    Refused,
    /// A plain IPv6 address.
    None,
}

/// The IPv4 address an IPv6 address stands for, where the host's stack, a NAT64 or a 6to4
/// relay would deliver it to that IPv4 address: without this, `[64:ff9b::a9fe:a9fe]` or
/// `[2002:7f00:1::]` walk past a filter of IPv4's private ranges to the metadata service or
/// the server's own loopback.
fn embedded_v4(ip: Ipv6Addr) -> Embedded {
    let s = ip.segments();
    let at = |i: usize| Ipv4Addr::from((u32::from(s[i]) << 16) | u32::from(s[i + 1]));
    if let Some(v4) = ip.to_ipv4_mapped() {
        // ::ffff:0:0/96, IPv4-mapped: the host's own stack speaks IPv4 to it.
        return Embedded::V4(v4);
    }
    if s[..6] == [0; 6] {
        // ::/96, IPv4-compatible (deprecated by RFC 4291 §2.5.5.1; `::` and `::1` are in it too):
        // nothing public has such an address, and some stacks still tunnel it to the IPv4 one.
        return Embedded::Refused;
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // 64:ff9b::/96, NAT64's well-known prefix (RFC 6052): the translator reaches the IPv4
        // address in the last 32 bits, which RFC 6052 §3.1 forbids to be a non-global one.
        return Embedded::V4(at(6));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        // 64:ff9b:1::/48, NAT64's local-use prefix (RFC 8215): an operator's own translator,
        // with the IPv4 address wherever that operator's prefix length puts it (RFC 6052 allows
        // /48 to /96 inside it), so no single reading of it is right.
        return Embedded::Refused;
    }
    if s[0] == 0x2002 {
        // 2002::/16, 6to4 (RFC 3056): the relay tunnels to the IPv4 address in bits 16..48.
        return Embedded::V4(at(1));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        // 2001::/32, Teredo (RFC 4380): a tunnel through the IPv4 server and client it names;
        // no receiver is reached that way.
        return Embedded::Refused;
    }
    Embedded::None
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
        // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local (deprecated by
        // RFC 3879, still routed inside some networks), 2001:db8::/32 documentation.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
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
/// addresses only and no proxy from the environment (`HTTP_PROXY`, `HTTPS_PROXY`) is used: a proxy
/// resolves the name itself, past `PublicOnly`, and would connect anywhere it is asked to.
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
        builder
            .dns_resolver(std::sync::Arc::new(PublicOnly))
            .no_proxy()
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
            // NAT64 (well-known prefix) to private, loopback and metadata addresses.
            "64:ff9b::10.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::192.168.0.1",
            // NAT64's local-use prefix, whatever it carries.
            "64:ff9b:1::8.8.8.8",
            "64:ff9b:1:ffff::1",
            // 6to4 of private and loopback addresses.
            "2002:a00:1::",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101:1::1",
            // IPv4-compatible, public or not, and the two addresses in that range.
            "::10.0.0.1",
            "::127.0.0.1",
            "::8.8.8.8",
            "::",
            // Site-local, Teredo.
            "fec0::1",
            "feff::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2a00:1450:4010::8a",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
            "2001:4860:4860::8888",
            "2a02:6b8::2:242",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    /// Every private IPv4 address the filter refuses (a sample of each range).
    fn private_v4() -> impl proptest::strategy::Strategy<Value = Ipv4Addr> {
        use proptest::prelude::*;
        prop_oneof![
            any::<u32>().prop_map(|n| Ipv4Addr::from(0x0a00_0000 | (n & 0x00ff_ffff))),
            any::<u32>().prop_map(|n| Ipv4Addr::from(0x7f00_0000 | (n & 0x00ff_ffff))),
            any::<u32>().prop_map(|n| Ipv4Addr::from(0xac10_0000 | (n & 0x000f_ffff))),
            any::<u32>().prop_map(|n| Ipv4Addr::from(0xc0a8_0000 | (n & 0x0000_ffff))),
            any::<u32>().prop_map(|n| Ipv4Addr::from(0xa9fe_0000 | (n & 0x0000_ffff))),
            any::<u32>().prop_map(|n| Ipv4Addr::from(0x6440_0000 | (n & 0x003f_ffff))),
            any::<u32>().prop_map(|n| Ipv4Addr::from(n & 0x00ff_ffff)),
            any::<u32>().prop_map(|n| Ipv4Addr::from(0xe000_0000 | (n & 0x1fff_ffff))),
        ]
    }

    proptest::proptest! {
        #[test]
        fn a_private_ipv4_address_is_refused_in_every_ipv6_form_that_carries_it(
            v4 in private_v4(),
            low in proptest::prelude::any::<u128>(),
        ) {
            let bits = u128::from(u32::from(v4));
            let forms = [
                // IPv4-mapped, IPv4-compatible, NAT64 well-known: the last 32 bits.
                (0xffff_u128 << 32) | bits,
                bits,
                (0x0064_ff9b_u128 << 96) | bits,
                // NAT64 local-use: refused whatever it carries, wherever.
                (0x0064_ff9b_0001_u128 << 80) | bits,
                (0x0064_ff9b_0001_u128 << 80) | (low & ((1 << 80) - 1)),
                // 6to4: bits 16..48, anything after.
                (0x2002_u128 << 112) | (bits << 80) | (low & ((1 << 80) - 1)),
            ];
            for form in forms {
                let ip = Ipv6Addr::from(form);
                proptest::prop_assert!(!is_public(IpAddr::V6(ip)), "{ip} carries {v4}");
            }
        }

        #[test]
        fn every_site_local_address_is_refused(low in proptest::prelude::any::<u128>()) {
            let ip = Ipv6Addr::from((0xfec0_u128 << 112) | (low & ((1 << 118) - 1)));
            proptest::prop_assert!(!is_public(IpAddr::V6(ip)), "{ip}");
        }
    }

    #[test]
    fn a_url_with_a_private_address_in_it_is_refused_and_a_name_is_left_to_the_resolver() {
        assert!(refused_literal("https://169.254.169.254/latest/meta-data"));
        assert!(refused_literal("https://[::1]:8443/hook"));
        assert!(refused_literal("https://10.0.0.5/hook"));
        assert!(refused_literal(
            "https://[64:ff9b::a9fe:a9fe]/latest/meta-data"
        ));
        assert!(refused_literal("https://[2002:7f00:1::]:9090/metrics"));
        assert!(refused_literal("https://[::127.0.0.1]/hook"));
        assert!(refused_literal("https://[fec0::1]/hook"));
        assert!(!refused_literal("https://[64:ff9b::8.8.8.8]/hook"));
        assert!(!refused_literal("https://93.184.216.34/hook"));
        assert!(!refused_literal("https://hooks.shop.example/trackline"));
    }
}
