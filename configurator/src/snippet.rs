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
    let mut out = format!("{script}\n<trackline-widget{attributes}></trackline-widget>");
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
            "<script type=\"module\" src=\"https://track.shop.example/trackline-widget-0.1.0.js\" \
             integrity=\"sha384-abc+/=\" crossorigin=\"anonymous\"></script>\n\
             <trackline-widget shop=\"demo\" lang=\"ru\" number=\"RA100000048RU\" compact></trackline-widget>\n\
             <style>trackline-widget { --trackline-accent: #e4002b; }</style>"
        );
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
