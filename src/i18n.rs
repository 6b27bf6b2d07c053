//! The widget's languages and their messages, compiled from `locales/*.json`.

/// A language the widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the fallback.
    #[default]
    En,
    /// Russian.
    Ru,
    /// Simplified Chinese.
    Zh,
}

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

impl Lang {
    /// Picks a language from a BCP 47 tag (`ru-RU`, `zh-Hans-CN`, `en`); `None` if it is none of ours.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The tag handed to `Intl` and to the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Zh => "zh-CN",
        }
    }

    /// The message in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        text(self, msg)
    }

    /// A counted message's form for a CLDR plural category, falling back to its `other` form.
    pub fn counted(self, msg: Msg, category: &str) -> &'static str {
        plural_form(self, msg, category).unwrap_or_else(|| self.t(msg))
    }

    /// The message with `{name}` placeholders filled in.
    pub fn fill(self, msg: Msg, values: &[(&str, &str)]) -> String {
        let mut out = self.t(msg).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_pick_languages() {
        assert_eq!(Lang::from_tag("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_placeholders() {
        for msg in Msg::ALL {
            let holes = |lang: Lang| {
                let text = lang.t(*msg);
                let mut found: Vec<&str> = text
                    .match_indices('{')
                    .filter_map(|(i, _)| text[i..].find('}').map(|j| &text[i..i + j + 1]))
                    .collect();
                found.sort_unstable();
                found
            };
            for lang in [Lang::Ru, Lang::Zh] {
                assert!(!lang.t(*msg).is_empty(), "{lang:?} {}", msg.key());
                assert_eq!(holes(lang), holes(Lang::En), "{lang:?} {}", msg.key());
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Lang::En.fill(Msg::Loading, &[("number", "RA1")]),
            "Looking up RA1…"
        );
    }
}
