//! The second factor a seller may ask for when a buyer looks up by order number.
//!
//! Order numbers are guessable; like the big tracking services, a seller can ask
//! for something only the buyer knows before showing an order found by its number.
//! The endpoint answers `403 {"error": "check_required", "field": "phone_last4"}`
//! and the widget asks the buyer, then repeats the lookup with `?check=`.

/// What the buyer is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    /// The last four digits of the phone number on the order.
    PhoneLast4,
    /// The postcode of the delivery address.
    Postcode,
}

impl CheckKind {
    /// The wire name (`phone_last4`, `postcode`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::PhoneLast4 => "phone_last4",
            CheckKind::Postcode => "postcode",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(text: &str) -> Option<CheckKind> {
        match text {
            "phone_last4" => Some(CheckKind::PhoneLast4),
            "postcode" => Some(CheckKind::Postcode),
            _ => None,
        }
    }

    /// The form an answer is compared in: the last four digits of a phone; a postcode's
    /// letters and digits, upper case. `None` when nothing usable was given.
    pub fn normalise(self, answer: &str) -> Option<String> {
        match self {
            CheckKind::PhoneLast4 => {
                let digits: Vec<char> = answer.chars().filter(char::is_ascii_digit).collect();
                (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
            }
            CheckKind::Postcode => {
                let code: String = answer
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                (!code.is_empty()).then_some(code)
            }
        }
    }
}

/// What a `403` from the lookup asks of the buyer, read from its `ErrorBody`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    /// What to ask for.
    pub kind: CheckKind,
    /// Whether an answer was given and did not match.
    pub failed: bool,
}

impl Challenge {
    /// Reads `check_required` / `check_failed` with a known `field`; anything else is not a challenge.
    pub fn from_error(error: &str, field: Option<&str>) -> Option<Challenge> {
        let failed = match error {
            "check_required" => false,
            "check_failed" => true,
            _ => return None,
        };
        Some(Challenge {
            kind: CheckKind::from_wire(field?)?,
            failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_compared_in_one_form() {
        assert_eq!(
            CheckKind::PhoneLast4
                .normalise("+7 (900) 123-45-67")
                .as_deref(),
            Some("4567")
        );
        assert_eq!(CheckKind::PhoneLast4.normalise("123"), None);
        assert_eq!(
            CheckKind::Postcode.normalise(" sw1a 1aa ").as_deref(),
            Some("SW1A1AA")
        );
        assert_eq!(CheckKind::Postcode.normalise(" - "), None);
    }

    #[test]
    fn only_known_challenges_are_read() {
        assert_eq!(
            Challenge::from_error("check_failed", Some("postcode")),
            Some(Challenge {
                kind: CheckKind::Postcode,
                failed: true
            })
        );
        assert_eq!(
            Challenge::from_error("check_required", Some("passport")),
            None
        );
        assert_eq!(Challenge::from_error("origin_not_allowed", None), None);
    }
}
