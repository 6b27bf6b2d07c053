//! Which links from an endpoint may be followed, and how a contact becomes one.

use crate::contract::{Contact, ContactKind};

/// The only schemes a rendered link may carry.
const SAFE_SCHEMES: [&str; 4] = ["https:", "http:", "tel:", "mailto:"];

/// Returns the URL unchanged if its scheme is https, http, tel or mailto, else `None`.
///
/// Browsers strip ASCII whitespace and control characters from URLs before they
/// read the scheme (`java\tscript:`), so any such character refuses the link
/// outright instead of being second-guessed.
pub fn safe_href(url: &str) -> Option<&str> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let lower = url.get(..7).unwrap_or(url).to_ascii_lowercase();
    SAFE_SCHEMES
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then_some(url)
}

/// The link a support contact opens, if it can be made safely.
pub fn contact_href(contact: &Contact) -> Option<String> {
    let value = contact.value.trim();
    match contact.kind {
        ContactKind::Phone => {
            let dialable: String = value
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            (dialable.chars().filter(char::is_ascii_digit).count() >= 3)
                .then(|| format!("tel:{dialable}"))
        }
        ContactKind::Email => {
            let plausible = value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            }) && !value.contains(['?', '&', '#', '/', ':', '<', '>', '"', '\\'])
                && !value.chars().any(|c| c.is_control() || c.is_whitespace());
            plausible.then(|| format!("mailto:{value}"))
        }
        _ => safe_href(value)
            .filter(|url| url.starts_with("https:") || url.starts_with("http:"))
            .map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn contact(kind: ContactKind, value: &str) -> Contact {
        Contact {
            kind,
            value: value.into(),
            label: None,
        }
    }

    #[test]
    fn safe_schemes_pass() {
        for url in [
            "https://t.me/shop",
            "http://x.example",
            "tel:+78001234567",
            "mailto:a@b.c",
            "HTTPS://X.EXAMPLE",
        ] {
            assert_eq!(safe_href(url), Some(url));
        }
    }

    #[test]
    fn dangerous_or_disguised_schemes_are_refused() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "//evil.example",
            "/relative",
            "https ://x",
            "",
        ] {
            assert_eq!(safe_href(url), None, "{url:?}");
        }
    }

    #[test]
    fn contacts_become_the_right_links() {
        assert_eq!(
            contact_href(&contact(ContactKind::Phone, "+7 (800) 555-35-35")).as_deref(),
            Some("tel:+78005553535")
        );
        assert_eq!(
            contact_href(&contact(ContactKind::Email, "help@shop.example")).as_deref(),
            Some("mailto:help@shop.example")
        );
        assert_eq!(
            contact_href(&contact(ContactKind::Telegram, "https://t.me/shop")).as_deref(),
            Some("https://t.me/shop")
        );
        assert_eq!(
            contact_href(&contact(ContactKind::Vk, "javascript:alert(1)")),
            None
        );
        assert_eq!(
            contact_href(&contact(ContactKind::HelpCenter, "tel:123")),
            None
        );
        assert_eq!(
            contact_href(&contact(ContactKind::Email, "javascript:a@b")),
            None
        );
        assert_eq!(contact_href(&contact(ContactKind::Phone, "call us")), None);
    }

    #[test]
    fn an_email_with_a_control_character_gets_no_link() {
        // Regression: proptest found that "@\0" became "mailto:@\0", which safe_href refuses.
        assert_eq!(contact_href(&contact(ContactKind::Email, "@\0")), None);
        assert_eq!(contact_href(&contact(ContactKind::Email, "a@b\0c")), None);
        assert_eq!(
            contact_href(&contact(ContactKind::Email, "@shop.example")),
            None
        );
    }

    proptest! {
        #[test]
        fn whatever_passes_starts_with_a_safe_scheme(url in ".{0,30}") {
            if let Some(href) = safe_href(&url) {
                let lower = href.to_ascii_lowercase();
                prop_assert!(SAFE_SCHEMES.iter().any(|s| lower.starts_with(s)));
            }
        }

        #[test]
        fn contact_links_are_always_safe(kind in 0usize..7, value in ".{0,30}") {
            let kind = ContactKind::KNOWN.get(kind).cloned().unwrap_or(ContactKind::Unknown("x".into()));
            if let Some(href) = contact_href(&contact(kind, &value)) {
                prop_assert_eq!(safe_href(&href), Some(href.as_str()));
            }
        }
    }
}
