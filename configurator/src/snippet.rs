//! The snippet a seller pastes: the loader pinned by its integrity hash, the element with the
//! chosen attributes, and a rule with the chosen custom properties.

use crate::choice::{Choice, Offer};

/// The pinned loader on this server (`loader.json`, written by the build beside the page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// `trackline-widget-0.1.0.js`.
    pub file: String,
    /// `sha384-…`.
    pub integrity: String,
}

impl Pinned {
    /// Reads `loader.json`'s `{"file": …, "integrity": …}`; `None` for anything else.
    pub fn from_json(text: &str) -> Option<Pinned> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let file = value["file"].as_str()?;
        let integrity = value["integrity"].as_str()?;
        let safe = |text: &str| {
            !text.is_empty()
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._+/=".contains(&b))
        };
        (safe(file) && safe(integrity)).then(|| Pinned {
            file: file.to_owned(),
            integrity: integrity.to_owned(),
        })
    }
}

/// Escapes text for an HTML attribute's value in double quotes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The snippet for a widget served from `origin` (this server), pinned when the pinned loader
/// is known, else the latest loader.
pub fn snippet(origin: &str, pinned: Option<&Pinned>, choice: &Choice, offer: &Offer) -> String {
    let origin = origin.trim_end_matches('/');
    let script = match pinned {
        Some(pinned) => format!(
            "<script type=\"module\" src=\"{origin}/{}\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
            pinned.file, pinned.integrity
        ),
        None => format!("<script type=\"module\" src=\"{origin}/trackline-widget.js\"></script>"),
    };
    let attributes: String = choice
        .attributes()
        .iter()
        .map(|(name, value)| {
            if value.is_empty() {
                format!(" {name}")
            } else {
                format!(" {name}=\"{}\"", escape(value))
            }
        })
        .collect();
    let mut out = match rendering_hint(origin, choice) {
        Some(hint) => format!("{hint}\n"),
        None => String::new(),
    };
    out += &format!("{script}\n<trackline-widget{attributes}></trackline-widget>");
    let styles = choice.styles(offer);
    if !styles.is_empty() {
        let rules: Vec<String> = styles
            .iter()
            .map(|(name, value)| format!("{name}: {value};"))
            .collect();
        out += &format!(
            "\n<style>trackline-widget {{ {} }}</style>",
            rules.join(" ")
        );
    }
    out
}

/// For an order page: a hint that starts the request for the element's rendering beside the
/// loader's own, a round trip sooner than the loader could (on a slow phone the timeline then
/// paints at 2.0× a static page's time instead of 2.7×). The URL is the one the loader's
/// `askRendered` builds, and only a request for that very URL takes the hint, so there is none
/// where the URL is not known here: no number, an endpoint of the seller's own (the widget asks
/// it, not this server), or a value that would need encoding. A language left to the buyer's
/// browser stays out of the URL: the server picks it from the `Accept-Language` that the hint and
/// the loader both send. An end-to-end test pastes the snippet and counts the requests.
fn rendering_hint(origin: &str, choice: &Choice) -> Option<String> {
    let attributes = choice.attributes();
    let value = |name: &str| {
        attributes
            .iter()
            .find(|(attribute, _)| *attribute == name)
            .map(|(_, value)| value.as_str())
    };
    let plain = |text: &str| text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if value("endpoint").is_some() || !attributes.iter().all(|(_, value)| plain(value)) {
        return None;
    }
    // In the loader's order: n, lang, shop, theme, compact.
    let mut query = vec![format!("n={}", value("number")?)];
    for name in ["lang", "shop", "theme"] {
        if let Some(value) = value(name) {
            query.push(format!("{name}={value}"));
        }
    }
    if value("compact").is_some() {
        query.push("compact=1".to_owned());
    }
    Some(format!(
        "<link rel=\"preload\" as=\"fetch\" crossorigin href=\"{origin}/widget?{}\">",
        query.join("&amp;")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned() -> Pinned {
        Pinned {
            file: "trackline-widget-0.1.0.js".into(),
            integrity: "sha384-abc+/=".into(),
        }
    }

    #[test]
    fn the_snippet_pins_the_loader_and_writes_only_the_choice() {
        let offer = Offer::of_element();
        let choice = Choice {
            shop: "demo".into(),
            lang: "ru".into(),
            compact: true,
            number: "RA100000048RU".into(),
            properties: vec![("--trackline-accent".into(), "#e4002b".into())],
            ..Choice::default()
        };
        assert_eq!(
            snippet("https://track.shop.example/", Some(&pinned()), &choice, &offer),
            "<link rel=\"preload\" as=\"fetch\" crossorigin \
             href=\"https://track.shop.example/widget?n=RA100000048RU&amp;lang=ru&amp;shop=demo&amp;compact=1\">\n\
             <script type=\"module\" src=\"https://track.shop.example/trackline-widget-0.1.0.js\" \
             integrity=\"sha384-abc+/=\" crossorigin=\"anonymous\"></script>\n\
             <trackline-widget shop=\"demo\" lang=\"ru\" number=\"RA100000048RU\" compact></trackline-widget>\n\
             <style>trackline-widget { --trackline-accent: #e4002b; }</style>"
        );
    }

    #[test]
    fn an_order_page_gets_the_rendering_hint_only_where_its_url_is_known_here() {
        let offer = Offer::of_element();
        let hinted = |choice: Choice| {
            snippet("https://t.example/", None, &choice, &offer)
                .starts_with("<link rel=\"preload\"")
        };
        let order = Choice {
            lang: "en".into(),
            theme: "dark".into(),
            number: "1000000007-0001".into(),
            ..Choice::default()
        };
        assert_eq!(
            rendering_hint("https://t.example", &order).as_deref(),
            Some(
                "<link rel=\"preload\" as=\"fetch\" crossorigin \
                 href=\"https://t.example/widget?n=1000000007-0001&amp;lang=en&amp;theme=dark\">"
            )
        );
        assert!(hinted(order.clone()));
        // The buyer's browser picks the language: the server does, from the same browser's
        // `Accept-Language`, for a URL without one.
        assert_eq!(
            rendering_hint(
                "https://t.example",
                &Choice {
                    lang: String::new(),
                    ..order.clone()
                }
            )
            .as_deref(),
            Some(
                "<link rel=\"preload\" as=\"fetch\" crossorigin \
                 href=\"https://t.example/widget?n=1000000007-0001&amp;theme=dark\">"
            )
        );
        // The buyer types the number; the seller's own endpoint answers; a value the URL would
        // have to encode.
        assert!(!hinted(Choice {
            number: String::new(),
            ..order.clone()
        }));
        assert!(!hinted(Choice {
            endpoint: "https://api.shop.example/track/{number}".into(),
            ..order.clone()
        }));
        assert!(!hinted(Choice {
            shop: "my shop".into(),
            ..order
        }));
    }

    #[test]
    fn what_a_seller_types_cannot_leave_its_attribute() {
        let offer = Offer::of_element();
        let choice = Choice {
            shop: "\"><script>alert(1)</script>".into(),
            ..Choice::default()
        };
        let text = snippet("https://t.example", None, &choice, &offer);
        assert!(!text.contains("<script>alert"), "{text}");
        assert!(text.contains("shop=\"&quot;&gt;&lt;script&gt;"), "{text}");
    }

    #[test]
    fn a_loader_description_that_is_not_one_pins_nothing() {
        assert_eq!(
            Pinned::from_json(
                r#"{"file":"trackline-widget-0.1.0.js","integrity":"sha384-abc+/="}"#
            ),
            Some(pinned())
        );
        assert_eq!(
            Pinned::from_json(r#"{"file":"x\" onload=\"y","integrity":"a"}"#),
            None
        );
        assert_eq!(Pinned::from_json("<html>"), None);
    }
}
