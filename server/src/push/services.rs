//! The push services a buyer's subscription may name (`push_services`): the browsers' own by
//! default. Subscribing needs no more than a tracking number, so without this list anybody could
//! name a host of their own that takes the connection and never answers, and hold the places
//! every seller's notifications are sent through (`in_flight`); with it, every message goes to a
//! push service a browser vendor runs.

use thiserror::Error;

/// The push services browsers subscribe at: Chrome's and Chromium's (Firebase Cloud Messaging),
/// Firefox's (Mozilla autopush), Edge's (Windows Push Notification Services, one host a region),
/// Safari's (Apple's, which asks servers that list endpoints to take its `push.apple.com`
/// subdomains).
pub const BROWSERS: [&str; 4] = [
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.notify.windows.com",
    "*.push.apple.com",
];

/// The hosts a subscription's endpoint may be on: each a host name (or an address, for a test's
/// local service), or `*.suffix` for every name under `suffix` (not `suffix` itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushServices(Vec<String>);

/// An entry of `push_services` that is not a host name or `*.suffix`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("push services: {0:?} is not a host name or *.suffix")]
pub struct BadPushService(pub String);

impl Default for PushServices {
    fn default() -> Self {
        PushServices(BROWSERS.iter().map(|host| (*host).to_owned()).collect())
    }
}

impl PushServices {
    /// The list the operator wrote (blank entries skipped), each checked.
    ///
    /// # Errors
    /// `BadPushService` for an entry with a scheme, a path, a port, a space or a `*` other
    /// than a leading `*.`.
    pub fn parse<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<PushServices, BadPushService> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let host = entry.strip_prefix("*.").unwrap_or(entry);
                let bare = host.trim_start_matches('[').trim_end_matches(']');
                let fits = !host.is_empty()
                    && !host.starts_with('.')
                    && bare.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_')
                    })
                    // A colon belongs to an IPv6 address only, never a port.
                    && (!bare.contains(':') || bare.parse::<std::net::Ipv6Addr>().is_ok());
                if fits {
                    Ok(entry.to_ascii_lowercase())
                } else {
                    Err(BadPushService(entry.to_owned()))
                }
            })
            .collect::<Result<_, _>>()
            .map(PushServices)
    }

    /// Whether `host` (as a URL names it) is one of the listed services.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = host.to_ascii_lowercase();
        self.0.iter().any(|entry| match entry.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .is_some_and(|name| name.len() > 1 && name.ends_with('.')),
            None => entry.trim_start_matches('[').trim_end_matches(']') == host,
        })
    }

    /// Whether the URL `endpoint` is on one of the listed services; `false` for no URL.
    pub fn allows_endpoint(&self, endpoint: &str) -> bool {
        reqwest::Url::parse(endpoint)
            .ok()
            .and_then(|url| url.host_str().map(|host| self.allows(host)))
            .unwrap_or(false)
    }

    /// The entries, as written to the settings.
    pub fn entries(&self) -> &[String] {
        &self.0
    }
}

/// Whether the URL `endpoint` is reached on 443, where the browsers' push services answer (an
/// explicit `:443` too); `false` for no URL. The list names hosts, not ports: another port of a
/// listed host is nobody's push service, only a connection that may hang for the whole timeout,
/// and each port would count as a host of its own in the places deliveries share.
pub fn on_https_port(endpoint: &str) -> bool {
    reqwest::Url::parse(endpoint).is_ok_and(|url| url.port_or_known_default() == Some(443))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_push_services_and_nothing_else_by_default() {
        let browsers = PushServices::default();
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://fcm.googleapis.com/wp/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/abc",
            "https://wns2-par02p.notify.windows.com/w/?token=abc",
            "https://web.push.apple.com/QGx1",
            "https://FCM.googleapis.com/fcm/send/abc",
        ] {
            assert!(browsers.allows_endpoint(endpoint), "{endpoint}");
        }
        for endpoint in [
            "https://tarpit.example/push/x",
            "https://notify.windows.com/w/",
            "https://evilnotify.windows.com/w/",
            "https://notify.windows.com.evil.example/w/",
            "https://fcm.googleapis.com.evil.example/fcm/send/abc",
            "https://googleapis.com/fcm/send/abc",
            "https://push.apple.com/x",
            "https://.push.apple.com/x",
            "https://10.0.0.1/push",
            "not a url",
        ] {
            assert!(!browsers.allows_endpoint(endpoint), "{endpoint}");
        }
    }

    #[test]
    fn only_the_https_port_is_a_push_services() {
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/a",
            "https://fcm.googleapis.com:443/fcm/send/a",
        ] {
            assert!(on_https_port(endpoint), "{endpoint}");
        }
        for endpoint in [
            "https://fcm.googleapis.com:81/x",
            "https://fcm.googleapis.com:8443/x",
            "http://fcm.googleapis.com/x",
            "not a url",
        ] {
            assert!(!on_https_port(endpoint), "{endpoint}");
        }
    }

    #[test]
    fn entries_are_host_names_addresses_or_suffixes() {
        let listed = PushServices::parse(["127.0.0.1", " *.Push.Example ", "", "[::1]"]).unwrap();
        assert!(listed.allows_endpoint("http://127.0.0.1:9000/push/a"));
        assert!(listed.allows_endpoint("https://eu.push.example/a"));
        assert!(listed.allows_endpoint("http://[::1]:9000/a"));
        assert!(!listed.allows_endpoint("http://127.0.0.2:9000/a"));
        assert!(!listed.allows_endpoint("https://push.example/a"));
        for bad in [
            "https://fcm.googleapis.com",
            "fcm.googleapis.com/fcm",
            "fcm.googleapis.com:443",
            "*",
            "*.",
            "a.*.example",
            "push example",
        ] {
            assert_eq!(
                PushServices::parse([bad]),
                Err(BadPushService(bad.to_owned())),
                "{bad}"
            );
        }
    }
}
