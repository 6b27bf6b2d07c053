//! The server's VAPID key (RFC 8292): derived from the server's secret key, so that every
//! instance sharing that key signs as one application server and no key is kept in the store.
//! Changing the secret key changes it, and browsers' subscriptions made under the old one end.

use crate::secrets::SecretKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};

/// What the derivation is for: another purpose gets another key.
const PURPOSE: &str = "trackline web push vapid v1";

/// Who runs this server, for push services to reach (the JWT's `sub`) when nobody was configured.
pub const UNNAMED_CONTACT: &str = "mailto:push@trackline.invalid";

/// The key pair push requests are signed with, and the contact they name.
#[derive(Clone)]
pub struct Vapid {
    key_pair: Arc<ES256KeyPair>,
    public_key: String,
    contact: String,
}

// The private half is never printed.
impl fmt::Debug for Vapid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vapid")
            .field("public_key", &self.public_key)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

impl Vapid {
    /// The VAPID key derived from the server's secret key, naming `contact` (`mailto:` or `https:`).
    pub fn from_secret_key(key: &SecretKey, contact: &str) -> Vapid {
        // A derived scalar falls outside P-256's group with odds of about 2⁻³²; the next
        // derivation is taken then, so the outcome is still one key for one secret.
        let key_pair = (0u32..)
            .find_map(|round| {
                let bytes = key.derive(&format!("{PURPOSE} {round}"));
                ES256KeyPair::from_bytes(&bytes).ok()
            })
            .unwrap_or_else(ES256KeyPair::generate);
        let public_key =
            URL_SAFE_NO_PAD.encode(key_pair.public_key().public_key().to_bytes_uncompressed());
        Vapid {
            key_pair: Arc::new(key_pair),
            public_key,
            contact: contact.to_owned(),
        }
    }

    /// The public key as browsers take it (`applicationServerKey`): the uncompressed point, base64url.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The key pair that signs.
    pub fn key_pair(&self) -> &ES256KeyPair {
        &self.key_pair
    }

    /// Who runs this server.
    pub fn contact(&self) -> &str {
        &self.contact
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_secret_key_makes_one_vapid_key_and_another_another() {
        let secret = SecretKey::generate().unwrap();
        let once = Vapid::from_secret_key(&secret, UNNAMED_CONTACT);
        let again = Vapid::from_secret_key(&secret, UNNAMED_CONTACT);
        assert_eq!(once.public_key(), again.public_key());
        assert_eq!(URL_SAFE_NO_PAD.decode(once.public_key()).unwrap().len(), 65);
        let other = Vapid::from_secret_key(&SecretKey::generate().unwrap(), UNNAMED_CONTACT);
        assert_ne!(once.public_key(), other.public_key());
        assert!(!format!("{once:?}").contains("key_pair"));
    }
}
