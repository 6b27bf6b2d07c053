//! Which links from an endpoint may be followed, and how a contact becomes one.

use crate::contract::{Contact, ContactKind};
use crate::url_template::percent_encode;

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

/// A message for support, written by the widget in the buyer's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefill {
    /// The e-mail subject.
    pub subject: String,
    /// The message itself, with the order and tracking numbers.
    pub body: String,
}

/// The contact's link with the message already written, where the channel takes one:
/// e-mail (`subject`, `body`) and Telegram chats (`?text=`). Other channels get their plain link.
pub fn contact_href_with(contact: &Contact, prefill: &Prefill) -> Option<String> {
    let href = contact_href(contact)?;
    Some(match contact.kind {
        ContactKind::Email => format!(
            "{href}?subject={}&body={}",
            percent_encode(&prefill.subject),
            percent_encode(&prefill.body)
        ),
        ContactKind::Telegram if is_telegram_chat(&href) => {
            format!("{href}?text={}", percent_encode(&prefill.body))
        }
        _ => href,
    })
}

/// Whether the channel's link carries the message itself; otherwise the buyer copies it.
pub fn takes_prefill(contact: &Contact) -> bool {
    match contact.kind {
        ContactKind::Email => true,
        ContactKind::Telegram => contact_href(contact).is_some_and(|href| is_telegram_chat(&href)),
        _ => false,
    }
}

/// `https://t.me/<name>` with nothing after the name: the only Telegram link that takes `?text=`.
fn is_telegram_chat(href: &str) -> bool {
    let rest = href
        .strip_prefix("https://t.me/")
        .or_else(|| href.strip_prefix("https://telegram.me/"));
    rest.map(|name| name.trim_end_matches('/'))
        .is_some_and(|name| {
            name.len() >= 4 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
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

    fn prefill() -> Prefill {
        Prefill {
            subject: "Order 0132112277".into(),
            body: "Order 0132112277, tracking RA132112275RU: where is it?".into(),
        }
    }

    #[test]
    fn email_and_telegram_links_carry_the_message() {
        let email = contact_href_with(
            &contact(ContactKind::Email, "help@shop.example"),
            &prefill(),
        )
        .unwrap();
        assert_eq!(
            email,
            "mailto:help@shop.example?subject=Order%200132112277&body=Order%200132112277%2C%20tracking%20RA132112275RU%3A%20where%20is%20it%3F"
        );
        let telegram = contact(ContactKind::Telegram, "https://t.me/shop_help");
        assert!(takes_prefill(&telegram));
        assert!(contact_href_with(&telegram, &prefill())
            .unwrap()
            .starts_with("https://t.me/shop_help?text=Order%200132112277"));
    }

    #[test]
    fn links_that_take_no_message_stay_as_they_are() {
        for (kind, value) in [
            (ContactKind::Telegram, "https://t.me/+invite"),
            (ContactKind::Telegram, "https://t.me/shop?start=x"),
            (ContactKind::Vk, "https://vk.com/shop"),
            (ContactKind::Phone, "+7 800 555-35-35"),
        ] {
            let c = contact(kind, value);
            assert!(!takes_prefill(&c), "{value}");
            assert_eq!(contact_href_with(&c, &prefill()), contact_href(&c));
        }
    }

    proptest! {
        #[test]
        fn prefilled_links_stay_safe_and_one_link(kind in 0usize..6, value in ".{0,30}", body in ".{0,60}") {
            let c = contact(ContactKind::KNOWN[kind].clone(), &value);
            let p = Prefill { subject: body.clone(), body };
            if let Some(href) = contact_href_with(&c, &p) {
                prop_assert_eq!(safe_href(&href), Some(href.as_str()));
            }
        }

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
