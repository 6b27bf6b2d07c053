//! The second factor a seller may ask for when a buyer looks up by order number.
//!
//! Order numbers are guessable; like the big tracking services, a seller can ask
//! for something only the buyer knows before showing an order found by its number.
//! The endpoint answers `403 {"error": "check_required", "field": "phone_last4"}`
//! and the widget asks the buyer, then repeats the lookup with the buyer's reply in the
//! `Trackline-Check` header (never in the URL, which logs keep).
//! (`check` is the wire's word for both; in code the seller asks a second factor and the buyer
//! sends a reply.)

/// The request header that carries the buyer's reply to the lookup.
pub const REPLY_HEADER: &str = "trackline-check";

/// The reply as the header carries it: visible ASCII and spaces only (a browser refuses a
/// header with other characters), which keeps every character a reply is matched on.
pub fn header_value(reply: &str) -> String {
    reply
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// What the buyer is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecondFactor {
    /// The last four digits of the phone number on the order.
    PhoneLast4,
    /// The postcode of the delivery address.
    Postcode,
}

impl SecondFactor {
    /// The wire name (`phone_last4`, `postcode`).
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactor::PhoneLast4 => "phone_last4",
            SecondFactor::Postcode => "postcode",
        }
    }

    /// Reads a wire name.
    pub fn from_wire(text: &str) -> Option<SecondFactor> {
        match text {
            "phone_last4" => Some(SecondFactor::PhoneLast4),
            "postcode" => Some(SecondFactor::Postcode),
            _ => None,
        }
    }

    /// The form a reply is compared in: the last four digits of a phone; a postcode's
    /// letters and digits, upper case. `None` when nothing usable was given.
    pub fn normalise(self, reply: &str) -> Option<String> {
        match self {
            SecondFactor::PhoneLast4 => {
                let digits: Vec<char> = reply.chars().filter(char::is_ascii_digit).collect();
                (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
            }
            SecondFactor::Postcode => {
                let code: String = reply
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                (!code.is_empty()).then_some(code)
            }
        }
    }
}

/// What the seller gave for one shipment, as the seller gave it: a buyer's reply must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondFactors {
    /// The buyer's phone number (only its last four digits count).
    pub phone: Option<String>,
    /// The delivery postcode.
    pub postcode: Option<String>,
}

impl SecondFactors {
    /// What was given for `factor`, if anything.
    pub fn given(&self, factor: SecondFactor) -> Option<&str> {
        match factor {
            SecondFactor::PhoneLast4 => self.phone.as_deref(),
            SecondFactor::Postcode => self.postcode.as_deref(),
        }
    }
}

/// A `403` from the lookup that asks the buyer for the second factor, read from its `ErrorBody`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needed {
    /// What to ask for.
    pub factor: SecondFactor,
    /// Whether a reply was given and did not match.
    pub failed: bool,
}

impl Needed {
    /// Reads `check_required` / `check_failed` with a known `field`; anything else asks nothing.
    pub fn from_error(error: &str, field: Option<&str>) -> Option<Needed> {
        let failed = match error {
            "check_required" => false,
            "check_failed" => true,
            _ => return None,
        };
        Some(Needed {
            factor: SecondFactor::from_wire(field?)?,
            failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_in_the_header_keeps_what_it_is_matched_on() {
        assert_eq!(header_value(" +7 (900) 123-45-67\n"), "+7 (900) 123-45-67");
        assert_eq!(header_value("42０111 ё"), "42111");
        assert_eq!(
            SecondFactor::Postcode.normalise(&header_value("sw1a 1aa")),
            SecondFactor::Postcode.normalise("sw1a 1aa")
        );
    }

    #[test]
    fn replies_are_compared_in_one_form() {
        assert_eq!(
            SecondFactor::PhoneLast4
                .normalise("+7 (900) 123-45-67")
                .as_deref(),
            Some("4567")
        );
        assert_eq!(SecondFactor::PhoneLast4.normalise("123"), None);
        assert_eq!(
            SecondFactor::Postcode.normalise(" sw1a 1aa ").as_deref(),
            Some("SW1A1AA")
        );
        assert_eq!(SecondFactor::Postcode.normalise(" - "), None);
    }

    #[test]
    fn only_known_requests_for_a_second_factor_are_read() {
        assert_eq!(
            Needed::from_error("check_failed", Some("postcode")),
            Some(Needed {
                factor: SecondFactor::Postcode,
                failed: true
            })
        );
        assert_eq!(Needed::from_error("check_required", Some("passport")), None);
        assert_eq!(Needed::from_error("origin_not_allowed", None), None);
    }
}
