//! Endpoint URL templates: `https://shop.example/track/{number}`.

/// The placeholder an endpoint template must hold.
pub const PLACEHOLDER: &str = "{number}";

/// Puts the number into the template, percent-encoded so that it stays one path segment
/// or query value; a template without the placeholder gets `?number=` appended.
pub fn expand(template: &str, number: &str) -> String {
    let encoded = percent_encode(number);
    if template.contains(PLACEHOLDER) {
        template.replace(PLACEHOLDER, &encoded)
    } else {
        let joiner = if template.contains('?') { '&' } else { '?' };
        format!("{template}{joiner}number={encoded}")
    }
}

/// Encodes every byte but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_number_fills_the_placeholder() {
        assert_eq!(
            expand("/api/v1/track/{number}", "RA123456785CN"),
            "/api/v1/track/RA123456785CN"
        );
        assert_eq!(expand("/t/{number}?x=1", "A/B C"), "/t/A%2FB%20C?x=1");
        assert_eq!(expand("/t?lang=ru", "Ж"), "/t?lang=ru&number=%D0%96");
        assert_eq!(expand("/t", "1"), "/t?number=1");
    }

    proptest! {
        #[test]
        fn encoded_text_has_no_reserved_characters(text in ".{0,40}") {
            let encoded = percent_encode(&text);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        }
    }
}
