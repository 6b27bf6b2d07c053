//! SHA-256 as lower-case hex: tokens and second factors kept as digests, ETags, 17TRACK's
//! webhook signature.

use sha2::{Digest, Sha256};

/// SHA-256 of a text, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
