//! What signing in to the seller's console means: how long invitations, sessions and passkey
//! ceremonies last, what a password and a login must be, how many wrong passwords are let
//! through, how passwords are hashed (argon2id) and passkeys checked (webauthn-rs, the relying
//! party being `public_url`). The store keeps the rows; `http::console` answers the requests.

use crate::store::lockouts::Tally;
use crate::store::members::{NewSession, Session};
use crate::store::retention::ConsoleAges;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

/// How long an invitation link is accepted.
pub const INVITATION_LASTS: Duration = Duration::from_secs(24 * 3600);
/// A session unused this long is over.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);
/// A session this old is over, however used.
pub const SESSION_LASTS: Duration = Duration::from_secs(30 * 24 * 3600);
/// How often a session's last use is written at most.
pub const SESSION_TOUCH_EVERY: Duration = Duration::from_secs(60);
/// How long a passkey ceremony may take between its two requests.
pub const CEREMONY_LASTS: Duration = Duration::from_secs(5 * 60);
/// A password's length in characters: long enough to resist guessing, short enough to hash.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 10..=256;
/// A login's length in characters.
pub const LOGIN_CHARS: std::ops::RangeInclusive<usize> = 3..=100;
/// A member's name's length in characters.
pub const NAME_CHARS: std::ops::RangeInclusive<usize> = 1..=100;
/// Wrong passwords one login may take in a window: a person mistyping, not a dictionary.
pub const WRONG_PER_LOGIN: i64 = 10;
/// Wrong passwords one client address (or IPv6 prefix) may send in a window, whatever logins.
pub const WRONG_PER_ADDRESS: i64 = 30;
/// The window wrong passwords are counted in.
pub const WRONG_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The session cookie's name: `__Host-` makes browsers take it only over HTTPS, for this host
/// alone, on every path.
pub const SESSION_COOKIE: &str = "__Host-trackline-session";
/// The device cookie's name (OWASP's "device cookie"): a browser a member signed in from, so
/// that its password sign-ins are counted against it rather than against the login.
pub const DEVICE_COOKIE: &str = "__Host-trackline-device";
/// How long a device cookie is taken after the sign-in that set it.
pub const DEVICE_LASTS: Duration = Duration::from_secs(365 * 24 * 3600);
/// How many of a member's browsers are remembered: a new one forgets the oldest beyond this, so
/// that scripted sign-ins without the cookie do not grow the table a row each for a year.
pub const DEVICES_KEPT: i64 = 20;
/// A member's sign-ins from one network are recorded once in this long: scripted sign-ins add
/// no more than one entry an hour to the seller's audit log.
pub const SIGN_IN_AUDITED_EVERY: Duration = Duration::from_secs(3600);
/// The header a signed-in write echoes the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The system gave no random bytes.
#[derive(Debug, thiserror::Error)]
#[error("no randomness: {0}")]
pub struct NoRandomness(#[from] getrandom::Error);

/// A new secret: 32 random bytes, base64url without padding.
///
/// # Errors
/// `NoRandomness` if the system gives none.
pub fn new_secret() -> Result<String, NoRandomness> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A new session's cookie value and the rows to keep of it.
///
/// # Errors
/// `NoRandomness` if the system gives none.
pub fn new_session() -> Result<(String, NewSession), NoRandomness> {
    let token = new_secret()?;
    let kept = NewSession {
        token_hash: crate::digest::sha256_hex(token.as_bytes()),
        csrf: new_secret()?,
    };
    Ok((token, kept))
}

/// Whether a session is still on at `now`: used within the idle time, and younger than the
/// absolute limit.
pub fn session_on(session: &Session, now: i64) -> bool {
    now.saturating_sub(session.seen_ms) < ms(SESSION_IDLE)
        && now.saturating_sub(session.created_ms) < ms(SESSION_LASTS)
}

/// When a session ends unless used again.
pub fn idle_expiry(session_seen_ms: i64, created_ms: i64) -> i64 {
    session_seen_ms
        .saturating_add(ms(SESSION_IDLE))
        .min(created_ms.saturating_add(ms(SESSION_LASTS)))
}

/// How long the console's rows are of use, for the retention sweep.
pub fn console_ages() -> ConsoleAges {
    ConsoleAges {
        session_idle: SESSION_IDLE,
        session_lasts: SESSION_LASTS,
        device_lasts: DEVICE_LASTS,
    }
}

/// A duration in whole milliseconds.
pub fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Now, in ms since the epoch.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A login as kept and compared: trimmed, lower case.
pub fn normal_login(login: &str) -> String {
    login.trim().to_lowercase()
}

/// The tallies a password sign-in for `login` from `client` counts against: the login's, or,
/// from a browser the login's member signed in from (`device`, its cookie's digest), that
/// device's own, so that wrong tries from elsewhere cannot lock the member's browser out; and
/// the address's either way.
pub fn sign_in_tallies(login: &str, client: Option<IpAddr>, device: Option<&str>) -> Vec<Tally> {
    let mut tallies = vec![match device {
        Some(device) => Tally {
            against: "device",
            subject: device.to_owned(),
            max: WRONG_PER_LOGIN,
            window: WRONG_WINDOW,
        },
        None => Tally {
            against: "login",
            subject: normal_login(login),
            max: WRONG_PER_LOGIN,
            window: WRONG_WINDOW,
        },
    }];
    if let Some(client) = client {
        tallies.push(Tally {
            against: "address",
            subject: client.to_string(),
            max: WRONG_PER_ADDRESS,
            window: WRONG_WINDOW,
        });
    }
    tallies
}

/// The network a sign-in came from, as the audit log keeps it: an IPv4 address's /24, an IPv6
/// address's /32 (a provider's block: many providers give one household a /48 or /56, which would
/// name it), and a 6to4 address (`2002::/16`, whose next 32 bits are the household's IPv4
/// address) the /24 of the IPv4 address it carries. Enough for an owner to tell a sign-in from
/// an unknown network; not the address itself, which names one household and is personal data
/// kept for months.
pub fn sign_in_network(client: IpAddr) -> String {
    match client {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => sign_in_network(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                if s[0] == 0x2002 {
                    let [a, b] = s[1].to_be_bytes();
                    let [c, d] = s[2].to_be_bytes();
                    return sign_in_network(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)));
                }
                let block = std::net::Ipv6Addr::new(s[0], s[1], 0, 0, 0, 0, 0, 0);
                format!("{block}/32")
            }
        },
    }
}

/// A password's argon2id hash (the crate's defaults: OWASP's 19 MiB, 2 passes), as a PHC string.
/// Slow on purpose: call it off the async threads.
///
/// # Errors
/// `argon2`'s error if hashing fails (no randomness for the salt).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())?
        .to_string())
}

/// Whether `password` is the one `hash` was made of; a hash that does not parse matches nothing.
/// Slow on purpose: call it off the async threads.
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash no password is known to match, checked for a login nobody has, so that an unknown
/// login takes as long to refuse as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let password = new_secret().unwrap_or_else(|_| "trackline dummy password".to_owned());
        hash_password(&password).unwrap_or_default()
    })
}

/// The relying party of the console's passkeys: `public_url` (its host the RP id).
///
/// # Errors
/// webauthn-rs's error when the URL has no host it takes.
pub fn relying_party(public_url: &str) -> Result<Webauthn, webauthn_rs::prelude::WebauthnError> {
    let origin =
        Url::parse(public_url).map_err(|_| webauthn_rs::prelude::WebauthnError::Configuration)?;
    let host = origin
        .host_str()
        .ok_or(webauthn_rs::prelude::WebauthnError::Configuration)?
        .to_owned();
    WebauthnBuilder::new(&host, &origin)?
        .rp_name("trackline")
        .build()
}

#[cfg(test)]
mod tests {
    use super::sign_in_network;

    #[test]
    fn the_audits_network_never_narrows_to_a_household() {
        for (client, network) in [
            ("192.0.2.7", "192.0.2.0/24"),
            ("::ffff:192.0.2.7", "192.0.2.0/24"),
            ("2001:db8:1234:5678::1", "2001:db8::/32"),
            ("2001:0:4136:e378::1", "2001::/32"),
            // 6to4: the /48 is the household's IPv4 address; its /24 is kept.
            ("2002:c000:0207::1", "192.0.2.0/24"),
            ("2002:cb00:71ff:1:2::3", "203.0.113.0/24"),
            ("::1", "::/32"),
        ] {
            let client: std::net::IpAddr = client.parse().unwrap();
            assert_eq!(sign_in_network(client), network, "{client}");
        }
    }
}
