//! What the sign-in forms check before asking the server, with the server's own limits
//! (the sign-in routes'): a clear word at once instead of a refusal later.

use crate::words::Word;

/// A member's name: 1 to 100 characters once trimmed.
///
/// # Errors
/// The word that says what is wrong.
pub fn name(name: &str) -> Result<String, Word> {
    let name = name.trim();
    if (1..=100).contains(&name.chars().count()) {
        Ok(name.to_owned())
    } else {
        Err(Word::ErrNameRequired)
    }
}

/// A login: 3 to 100 characters once trimmed.
///
/// # Errors
/// The word that says what is wrong.
pub fn login(login: &str) -> Result<String, Word> {
    let login = login.trim();
    if (3..=100).contains(&login.chars().count()) {
        Ok(login.to_owned())
    } else {
        Err(Word::ErrLoginLength)
    }
}

/// A new password: 10 to 256 characters, taken as typed (spaces count).
///
/// # Errors
/// The word that says what is wrong.
pub fn password(password: &str) -> Result<(), Word> {
    if (10..=256).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(Word::ErrPasswordLength)
    }
}

/// An event's text: 1 to 500 characters once trimmed.
///
/// # Errors
/// The word that says what is wrong.
pub fn event_text(text: &str) -> Result<String, Word> {
    let text = text.trim();
    if (1..=500).contains(&text.chars().count()) {
        Ok(text.to_owned())
    } else {
        Err(Word::TextRequired)
    }
}

/// The most storefronts the settings form takes (the header they go into stays small).
pub const MAX_ORIGINS: usize = 50;

/// Whether `text` is an origin as the server takes it (`seller_input::is_origin`): `https://`
/// or `http://`, then a host and perhaps a port, of letters, digits, `.`, `-`, `:`, `[`, `]`.
pub fn is_origin(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    })
}

/// Why the origins' text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginsError {
    /// This line (from 1) is no origin.
    Line(usize),
    /// More than `MAX_ORIGINS`.
    TooMany,
}

/// The origins of a text written one per line: blank lines skipped, each trimmed and without
/// a trailing `/` (as a storefront's address is often copied), duplicates once.
///
/// # Errors
/// The first line that is no origin, or too many.
pub fn origins(text: &str) -> Result<Vec<String>, OriginsError> {
    let mut found: Vec<String> = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let origin = line.strip_suffix('/').unwrap_or(line).to_ascii_lowercase();
        if !is_origin(&origin) {
            return Err(OriginsError::Line(at + 1));
        }
        if !found.contains(&origin) {
            found.push(origin);
        }
    }
    if found.len() > MAX_ORIGINS {
        return Err(OriginsError::TooMany);
    }
    Ok(found)
}

/// A token's name: 1 to 64 characters once trimmed, none of them control characters.
///
/// # Errors
/// The word that says what is wrong.
pub fn token_name(name: &str) -> Result<String, Word> {
    let name = name.trim();
    let fits = (1..=64).contains(&name.chars().count()) && !name.chars().any(char::is_control);
    if fits {
        Ok(name.to_owned())
    } else {
        Err(Word::ErrTokenName)
    }
}

/// A provider key: 1 to 200 bytes once trimmed (the server's limit).
///
/// # Errors
/// The word that says what is wrong.
pub fn key(value: &str) -> Result<String, Word> {
    let value = value.trim();
    if (1..=200).contains(&value.len()) {
        Ok(value.to_owned())
    } else {
        Err(Word::ErrKeyRequired)
    }
}

/// Ozon's Client-Id: digits (the server's check).
///
/// # Errors
/// The word that says what is wrong.
pub fn ozon_client_id(value: &str) -> Result<String, Word> {
    let value = key(value)?;
    if value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(Word::ErrOzonClientId)
    }
}
