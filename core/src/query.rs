//! What a buyer typed, checked before any request is made.

use crate::number::{normalise, recognise, Recognised};
use thiserror::Error;

/// The longest number any carrier or marketplace uses, with room to spare.
pub const MAX_NUMBER_LEN: usize = 40;

/// A number fit to send to the endpoint, in the normal form of [`crate::number::normalise`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingQuery(String);

/// Why typed text is not a number worth asking about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InputError {
    /// Nothing was typed.
    #[error("no number was typed")]
    Empty,
    /// Longer than any real number.
    #[error("the number is too long")]
    TooLong,
    /// Holds characters no tracking or order number has.
    #[error("the number holds characters no tracking number has")]
    BadCharacters,
    /// An international (S10) number whose check digit does not match: certainly mistyped.
    #[error("the check digit does not match: the number is mistyped")]
    Mistyped,
    /// An international (S10) number whose last two letters are no country's: certainly mistyped.
    #[error("the last two letters are not a country code: the number is mistyped")]
    UnknownCountry,
}

impl TrackingQuery {
    /// Checks typed text and keeps it in the form the endpoint expects.
    ///
    /// # Errors
    /// `InputError` says whether the text was empty, too long, or held other characters.
    pub fn parse(typed: &str) -> Result<Self, InputError> {
        let compact = normalise(typed);
        if compact.is_empty() {
            return Err(InputError::Empty);
        }
        if compact.chars().count() > MAX_NUMBER_LEN {
            return Err(InputError::TooLong);
        }
        if !compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(InputError::BadCharacters);
        }
        match recognise(&compact) {
            Recognised::S10 {
                country_known: false,
                ..
            } => return Err(InputError::UnknownCountry),
            recognised if recognised.is_mistyped() => return Err(InputError::Mistyped),
            _ => {}
        }
        Ok(TrackingQuery(compact))
    }

    /// What kind of number it is.
    pub fn recognised(&self) -> Recognised {
        recognise(&self.0)
    }

    /// The number as it is sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spaces_go_and_letters_are_upper_cased() {
        assert_eq!(
            TrackingQuery::parse("  ra 1234 5678 5cn\n")
                .unwrap()
                .as_str(),
            "RA123456785CN"
        );
        assert_eq!(
            TrackingQuery::parse("0132112277-0101-1").unwrap().as_str(),
            "0132112277-0101-1"
        );
    }

    #[test]
    fn bad_input_is_told_apart() {
        assert_eq!(TrackingQuery::parse("   "), Err(InputError::Empty));
        assert_eq!(
            TrackingQuery::parse(&"1".repeat(41)),
            Err(InputError::TooLong)
        );
        assert_eq!(
            TrackingQuery::parse("<script>"),
            Err(InputError::BadCharacters)
        );
        assert_eq!(
            TrackingQuery::parse("RA473124828RU"),
            Err(InputError::Mistyped)
        );
        assert_eq!(
            TrackingQuery::parse("RA473124829XX"),
            Err(InputError::UnknownCountry)
        );
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(typed in ".{0,60}") {
            if let Ok(query) = TrackingQuery::parse(&typed) {
                prop_assert_eq!(TrackingQuery::parse(query.as_str()), Ok(query.clone()));
                prop_assert!(query.as_str().len() <= MAX_NUMBER_LEN);
            }
        }
    }
}
