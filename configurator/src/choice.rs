//! What a seller chose, and the choices the element offers (from its description,
//! `embed/element.json`): its languages, themes and the custom properties a brand sets.

use serde_json::Value;

/// The element's description, as the build makes the manifest from it.
const ELEMENT: &str = include_str!("../../embed/element.json");

/// A custom property the seller may set (a colour, or the corner radius), with its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// `--trackline-accent`.
    pub name: String,
    /// Its default, which the snippet leaves out.
    pub default: String,
    /// What it colours, for the control's label.
    pub description: String,
    /// Whether it is a colour (else a length in px).
    pub colour: bool,
}

/// What the element offers: its attributes' values and the properties a brand sets (the
/// light theme's; the dark twins keep their defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The element's attributes, by name.
    pub attributes: Vec<String>,
    /// The languages of `lang`.
    pub languages: Vec<String>,
    /// The themes of `theme`.
    pub themes: Vec<String>,
    /// The properties, in the description's order.
    pub properties: Vec<Property>,
}

impl Offer {
    /// Reads the offer from the element's description.
    pub fn of_element() -> Offer {
        let element: Value = serde_json::from_str(ELEMENT).unwrap_or(Value::Null);
        let values = |name: &str| -> Vec<String> {
            element["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|attribute| attribute["name"] == name)
                .and_then(|attribute| attribute["values"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|value| value.as_str().map(str::to_owned))
                .collect()
        };
        let properties = element["cssProperties"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|property| {
                let name = property["name"].as_str()?;
                let syntax = property["syntax"].as_str()?;
                let colour = syntax == "<color>";
                (!name.ends_with("-dark") && (colour || syntax == "<length>")).then(|| Property {
                    name: name.to_owned(),
                    default: property["default"].as_str().unwrap_or_default().to_owned(),
                    description: property["description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    colour,
                })
            })
            .collect();
        let attributes = element["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|attribute| attribute["name"].as_str().map(str::to_owned))
            .collect();
        Offer {
            attributes,
            languages: values("lang"),
            themes: values("theme"),
            properties,
        }
    }
}

/// What the seller chose.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Choice {
    /// The shop's handle on this server; empty for its only shop.
    pub shop: String,
    /// An endpoint template of the seller's own (wins over the shop); empty for this server's.
    pub endpoint: String,
    /// The language; empty for the buyer's browser's.
    pub lang: String,
    /// The theme; empty for `auto`.
    pub theme: String,
    /// One line a parcel, no form.
    pub compact: bool,
    /// A number the element looks up at once (an order page's); empty for a page where buyers type.
    pub number: String,
    /// The custom properties set, name and value; a value equal to its default is left out.
    pub properties: Vec<(String, String)>,
}

impl Choice {
    /// The element's attributes for this choice, in the order the snippet writes them; a
    /// boolean attribute has an empty value.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut attributes = Vec::new();
        let mut text = |name: &'static str, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                attributes.push((name, value.to_owned()));
            }
        };
        if self.endpoint.trim().is_empty() {
            text("shop", &self.shop);
        } else {
            text("endpoint", &self.endpoint);
        }
        text("lang", &self.lang);
        if self.theme != "auto" {
            text("theme", &self.theme);
        }
        text("number", &self.number);
        if self.compact {
            attributes.push(("compact", String::new()));
        }
        attributes
    }

    /// The custom properties that differ from their defaults, with values a stylesheet takes
    /// (a colour as `#rrggbb`, a radius as a whole number of px); anything else is left out.
    pub fn styles(&self, offer: &Offer) -> Vec<(String, String)> {
        offer
            .properties
            .iter()
            .filter_map(|property| {
                let (_, value) = self
                    .properties
                    .iter()
                    .find(|(name, _)| *name == property.name)?;
                let value = if property.colour {
                    colour(value)?
                } else {
                    length(value)?
                };
                (value != property.default.to_ascii_lowercase())
                    .then(|| (property.name.clone(), value))
            })
            .collect()
    }
}

/// The shop handle a link asked for (the console's `?shop=`), if it can be one: 2 to 40 of
/// `a–z 0–9` and dashes, as the server's handles are; anything else opens the form empty.
pub fn asked_shop(asked: Option<&str>) -> String {
    let asked = asked.unwrap_or_default().trim();
    let fits = (2..=40).contains(&asked.len())
        && asked
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !asked.starts_with('-')
        && !asked.ends_with('-');
    if fits {
        asked.to_owned()
    } else {
        String::new()
    }
}

/// A colour as `<input type=color>` gives it: `#rrggbb`, lower case.
fn colour(value: &str) -> Option<String> {
    let value = value.trim().to_ascii_lowercase();
    let hex = value.strip_prefix('#')?;
    (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(value)
}

/// A length in whole px, from `12` or `12px`, at most 64.
fn length(value: &str) -> Option<String> {
    let value = value.trim();
    let number: u32 = value
        .strip_suffix("px")
        .unwrap_or(value)
        .trim()
        .parse()
        .ok()?;
    (number <= 64).then(|| format!("{number}px"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_is_the_elements_description() {
        let offer = Offer::of_element();
        assert_eq!(
            offer.attributes,
            ["number", "endpoint", "shop", "lang", "theme", "compact"]
        );
        assert_eq!(offer.languages, ["en", "ru", "zh"]);
        assert_eq!(offer.themes, ["light", "dark", "auto"]);
        let names: Vec<&str> = offer.properties.iter().map(|p| p.name.as_str()).collect();
        assert!(names.contains(&"--trackline-accent"), "{names:?}");
        assert!(names.contains(&"--trackline-radius"), "{names:?}");
        assert!(
            !names.iter().any(|name| name.ends_with("-dark")),
            "{names:?}"
        );
        assert!(!names.contains(&"--trackline-font"), "{names:?}");
    }

    #[test]
    fn only_what_differs_from_the_defaults_is_written() {
        let offer = Offer::of_element();
        let choice = Choice {
            shop: " demo ".into(),
            theme: "auto".into(),
            properties: vec![
                ("--trackline-accent".into(), "#0B5FFF".into()),
                ("--trackline-text".into(), "#E4002B".into()),
                ("--trackline-radius".into(), "4".into()),
                (
                    "--trackline-surface".into(),
                    "red; } body { display: none".into(),
                ),
                ("--trackline-background".into(), "#fff".into()),
            ],
            ..Choice::default()
        };
        assert_eq!(choice.attributes(), [("shop", "demo".to_owned())]);
        assert_eq!(
            choice.styles(&offer),
            [
                ("--trackline-text".to_owned(), "#e4002b".to_owned()),
                ("--trackline-radius".to_owned(), "4px".to_owned()),
            ]
        );
    }

    #[test]
    fn a_link_fills_in_the_shop_when_it_can_be_a_handle() {
        assert_eq!(asked_shop(Some("demo-guarded")), "demo-guarded");
        assert_eq!(asked_shop(Some(" demo ")), "demo");
        assert_eq!(asked_shop(None), "");
        for refused in [
            "d",
            "-demo",
            "demo-",
            "Demo",
            "de mo",
            "\"><script>",
            &"a".repeat(41),
        ] {
            assert_eq!(asked_shop(Some(refused)), "", "{refused:?}");
        }
    }

    #[test]
    fn an_endpoint_of_its_own_wins_over_the_shop() {
        let choice = Choice {
            shop: "demo".into(),
            endpoint: "https://api.shop.example/track/{number}".into(),
            lang: "ru".into(),
            theme: "dark".into(),
            compact: true,
            number: "RA100000048RU".into(),
            ..Choice::default()
        };
        let names: Vec<&str> = choice.attributes().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["endpoint", "lang", "theme", "number", "compact"]);
    }
}
