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
