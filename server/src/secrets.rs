//! Sellers' provider keys (Ozon's today, carriers' later) encrypted at rest with AES-256-GCM,
//! under a key from the server's configuration: a copy of the database alone gives nobody a
//! seller's Ozon account.
//!
//! A sealed value is `v1:` and the base64 of a random 96-bit nonce followed by the ciphertext
//! and its tag; it is bound to where it is stored (the seller's id, as associated data), so a
//! sealed value copied to another seller's row does not open.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::fmt;
use thiserror::Error;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// The key secrets are sealed with: 32 bytes, given as base64.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

// Never printed, not even in a debug dump of the configuration.
impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Why a secret cannot be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecretError {
    /// The configured key is not 32 bytes of base64.
    #[error(
        "the secret key must be 32 bytes in base64 (trackline-server secret-key prints a new one)"
    )]
    BadKey,
    /// The value was not sealed by this module.
    #[error("a stored secret is not in the sealed form")]
    NotSealed,
    /// The value does not open with this key here: another key sealed it, or it was changed or moved.
    #[error("a stored secret does not open with the configured secret key")]
    WrongKey,
    /// The system gave no random bytes for a nonce.
    #[error("no randomness for a nonce")]
    NoRandomness,
    /// The key's file cannot be read.
    #[error("cannot be read: {0}")]
    Unreadable(String),
}

impl SecretKey {
    /// Reads a key from its base64 text.
    ///
    /// # Errors
    /// `BadKey` unless it is 32 bytes of standard base64.
    pub fn from_base64(text: &str) -> Result<SecretKey, SecretError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretError::BadKey)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(SecretKey)
            .map_err(|_| SecretError::BadKey)
    }

    /// A new random key.
    ///
    /// # Errors
    /// `NoRandomness` if the system gives none.
    pub fn generate() -> Result<SecretKey, SecretError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| SecretError::NoRandomness)?;
        Ok(SecretKey(bytes))
    }

    /// A key for another purpose derived from this one (HKDF-SHA256, RFC 5869, with `purpose` as
    /// its info): every instance sharing the secret key derives the same one, and none is stored.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut derived = [0u8; 32];
        // 32 bytes is far under HKDF-SHA256's limit of 8160: the expansion cannot fail.
        let _ =
            hkdf::Hkdf::<sha2::Sha256>::new(None, &self.0).expand(purpose.as_bytes(), &mut derived);
        derived
    }

    /// The key as base64, for the operator to keep.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }

    /// Seals `plaintext` for the place named by `context`.
    ///
    /// # Errors
    /// `NoRandomness` if the system gives no nonce.
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<String, SecretError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SecretError::NoRandomness)?;
        let sealed = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::WrongKey)?;
        Ok(format!(
            "{PREFIX}{}",
            STANDARD.encode([&nonce[..], &sealed].concat())
        ))
    }

    /// Opens what `seal` sealed for `context`.
    ///
    /// # Errors
    /// `NotSealed` for anything else, `WrongKey` when another key sealed it or it was changed or moved.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, SecretError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|text| STANDARD.decode(text).ok())
            .filter(|bytes| bytes.len() > NONCE_LEN)
            .ok_or(SecretError::NotSealed)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::WrongKey)?;
        String::from_utf8(plaintext).map_err(|_| SecretError::WrongKey)
    }
}

/// Whether a stored value is in the sealed form (rather than a plaintext from before sealing).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_in_its_place() {
        let key = SecretKey::generate().unwrap();
        let sealed = key.seal("ozon-api-key", "seller 7").unwrap();
        assert!(
            is_sealed(&sealed) && !sealed.contains("ozon-api-key"),
            "{sealed}"
        );
        assert_eq!(key.open(&sealed, "seller 7").unwrap(), "ozon-api-key");
        assert_ne!(
            sealed,
            key.seal("ozon-api-key", "seller 7").unwrap(),
            "a nonce each time"
        );
        let other = SecretKey::generate().unwrap();
        assert_eq!(other.open(&sealed, "seller 7"), Err(SecretError::WrongKey));
        assert_eq!(
            key.open(&sealed, "seller 8"),
            Err(SecretError::WrongKey),
            "moved to another row"
        );
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 3..sealed.len() - 2, "A");
        if tampered != sealed {
            assert!(key.open(&tampered, "seller 7").is_err());
        }
        assert_eq!(
            key.open("plain-old-key", "seller 7"),
            Err(SecretError::NotSealed)
        );
    }

    #[test]
    fn a_key_is_32_bytes_of_base64_and_is_never_printed() {
        let key = SecretKey::generate().unwrap();
        assert_eq!(SecretKey::from_base64(&key.to_base64()).unwrap(), key);
        assert_eq!(SecretKey::from_base64("c2hvcnQ="), Err(SecretError::BadKey));
        assert_eq!(
            SecretKey::from_base64("not base64!"),
            Err(SecretError::BadKey)
        );
        assert_eq!(format!("{key:?}"), "SecretKey(…)");
    }
}
