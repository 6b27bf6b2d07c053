//! How a delivery is signed, and how a receiver checks it: HMAC-SHA256 over the timestamp and
//! the body, sent as `Trackline-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]` (one `v1` per
//! secret in use: two while a rotated secret overlaps its successor).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header a delivery's signature travels in.
pub const HEADER: &str = "trackline-signature";

/// How far a receiver should accept a timestamp from its own clock, in seconds: an old
/// delivery replayed by someone who captured it is refused after this.
pub const TOLERANCE_SECONDS: i64 = 300;

/// The hex HMAC-SHA256 of `{timestamp}.{body}` under `secret`.
pub fn mac(secret: &str, timestamp: i64, body: &[u8]) -> String {
    keyed(secret, timestamp, body)
        .map(|mac| {
            mac.finalize()
                .into_bytes()
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect()
        })
        .unwrap_or_default()
}

/// The header's value for `body` sent at `timestamp`, signed with every secret in `secrets`.
pub fn header_value(secrets: &[String], timestamp: i64, body: &[u8]) -> String {
    let mut value = format!("t={timestamp}");
    for secret in secrets {
        value.push_str(",v1=");
        value.push_str(&mac(secret, timestamp, body));
    }
    value
}

/// Whether `header` signs `body` with `secret`, at a timestamp within the tolerance of `now`
/// (unix seconds): what a receiver does. Compares in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut timestamp = None;
    let mut given = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => given.push(value),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp.filter(|at| (now - at).abs() <= TOLERANCE_SECONDS) else {
        return false;
    };
    given.iter().any(|hex| {
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
            .collect();
        bytes.is_some_and(|bytes| {
            keyed(secret, timestamp, body).is_some_and(|mac| mac.verify_slice(&bytes).is_ok())
        })
    })
}

/// The MAC of `{timestamp}.{body}` under `secret`, not yet finished.
fn keyed(secret: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    // HMAC takes a key of any length; the error cannot happen, but is not unwrapped.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies_and_a_changed_one_does_not() {
        let body = br#"{"id":"1","type":"delivered"}"#;
        let header = header_value(&["whsec_a".into()], 1_764_000_000, body);
        assert!(verify("whsec_a", &header, body, 1_764_000_100));
        assert!(
            !verify("whsec_b", &header, body, 1_764_000_100),
            "another secret"
        );
        assert!(
            !verify("whsec_a", &header, b"{}", 1_764_000_100),
            "another body"
        );
        assert!(
            !verify(
                "whsec_a",
                &header,
                body,
                1_764_000_000 + TOLERANCE_SECONDS + 1
            ),
            "too old"
        );
        let tampered = header.replace("t=1764000000", "t=1764000050");
        assert!(
            !verify("whsec_a", &tampered, body, 1_764_000_100),
            "another time"
        );
    }

    #[test]
    fn during_a_rotation_either_secret_verifies() {
        let body = b"{}";
        let header = header_value(&["new".into(), "old".into()], 10, body);
        assert!(verify("new", &header, body, 10));
        assert!(verify("old", &header, body, 10));
        assert!(!verify("other", &header, body, 10));
    }

    #[test]
    fn the_mac_is_hmac_sha256_of_the_timestamp_and_the_body() {
        // RFC 4231 test case 2 shape: key "Jefe", data "what do ya want for nothing?" split as t.body.
        assert_eq!(
            mac("Jefe", 0, b"what do ya want for nothing?").len(),
            64,
            "a hex SHA-256"
        );
        // Independent: HMAC-SHA256("key", "0.The quick brown fox jumps over the lazy dog").
        let mut reference = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        reference.update(b"0.The quick brown fox jumps over the lazy dog");
        let reference: String = reference
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            mac("key", 0, b"The quick brown fox jumps over the lazy dog"),
            reference
        );
    }
}
