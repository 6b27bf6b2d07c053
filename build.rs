//! Compiles `locales/*.json` into a `Msg` enum and one lookup table.
//!
//! Translators edit JSON; a key missing from any language fails the build with
//! its name, so a missing string never reaches a buyer.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

const LANGS: [(&str, &str); 3] = [("en", "En"), ("ru", "Ru"), ("zh", "Zh")];

/// The CLDR plural categories each language's counted messages must give (`Intl.PluralRules` picks one).
const PLURAL_CATEGORIES: [&[&str]; 3] = [
    &["one", "other"],
    &["one", "few", "many", "other"],
    &["other"],
];

/// One entry of a locale file: a plain text, or one text per plural category.
enum LocaleText {
    Text(String),
    Counted(BTreeMap<String, String>),
}

impl LocaleText {
    fn other(&self) -> &str {
        match self {
            LocaleText::Text(text) => text,
            LocaleText::Counted(forms) => forms.get("other").map_or("", String::as_str),
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let mut tables = Vec::new();
    for (code, _) in LANGS {
        let path = format!("locales/{code}.json");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let raw: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let table: BTreeMap<String, LocaleText> = raw
            .into_iter()
            .map(|(key, value)| {
                let entry = match value {
                    serde_json::Value::String(text) => LocaleText::Text(text),
                    serde_json::Value::Object(forms) => LocaleText::Counted(
                        forms
                            .into_iter()
                            .map(|(category, text)| match text {
                                serde_json::Value::String(text) => (category, text),
                                _ => panic!("{path}: {key}.{category} is not a string"),
                            })
                            .collect(),
                    ),
                    _ => panic!("{path}: {key} is neither a string nor plural forms"),
                };
                (key, entry)
            })
            .collect();
        tables.push(table);
    }
    let keys: Vec<&String> = tables[0].keys().collect();
    for ((code, _), table) in LANGS.iter().zip(&tables) {
        let missing: Vec<_> = keys.iter().filter(|k| !table.contains_key(**k)).collect();
        let extra: Vec<_> = table
            .keys()
            .filter(|k| !tables[0].contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "locales/{code}.json lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "locales/{code}.json has keys en.json lacks: {extra:?}"
        );
        for (key, value) in table {
            assert!(
                !value.other().trim().is_empty(),
                "locales/{code}.json: {key} is empty"
            );
        }
    }
    // A counted message is counted in every language, with exactly the categories that language's rules pick.
    for key in &keys {
        let counted = matches!(tables[0][*key], LocaleText::Counted(_));
        for (((code, _), table), needed) in LANGS.iter().zip(&tables).zip(PLURAL_CATEGORIES) {
            match &table[*key] {
                LocaleText::Counted(forms) => {
                    assert!(
                        counted,
                        "locales/{code}.json: {key} has plural forms but en.json has one text"
                    );
                    let given: Vec<&str> = forms.keys().map(String::as_str).collect();
                    let mut needed = needed.to_vec();
                    needed.sort_unstable();
                    assert_eq!(
                        given, needed,
                        "locales/{code}.json: {key} needs exactly these plural forms"
                    );
                    for (category, text) in forms {
                        assert!(
                            !text.trim().is_empty(),
                            "locales/{code}.json: {key}.{category} is empty"
                        );
                    }
                }
                LocaleText::Text(_) => assert!(
                    !counted,
                    "locales/{code}.json: {key} needs plural forms {needed:?}"
                ),
            }
        }
    }

    let mut out = String::new();
    out.push_str("/// A message the widget shows, one variant per key of `locales/en.json`.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n#[allow(missing_docs)]\npub enum Msg {\n");
    for key in &keys {
        writeln!(out, "    {},", camel(key)).unwrap();
    }
    out.push_str("}\n\nimpl Msg {\n    /// Every message, in key order.\n    pub const ALL: &'static [Msg] = &[\n");
    for key in &keys {
        writeln!(out, "        Msg::{},", camel(key)).unwrap();
    }
    out.push_str("    ];\n\n    /// The key in the locale files.\n    pub fn key(self) -> &'static str {\n        match self {\n");
    for key in &keys {
        writeln!(out, "            Msg::{} => {:?},", camel(key), key).unwrap();
    }
    out.push_str("        }\n    }\n}\n\n/// The text of a message in a language.\npub fn text(lang: Lang, msg: Msg) -> &'static str {\n    match lang {\n");
    for ((_, variant), table) in LANGS.iter().zip(&tables) {
        writeln!(out, "        Lang::{variant} => match msg {{").unwrap();
        for key in &keys {
            writeln!(
                out,
                "            Msg::{} => {:?},",
                camel(key),
                table[*key].other()
            )
            .unwrap();
        }
        out.push_str("        },\n");
    }
    out.push_str("    }\n}\n\n");
    out.push_str("/// A counted message's form for a CLDR plural category; `None` for plain messages and missing forms.\npub fn plural_form(lang: Lang, msg: Msg, category: &str) -> Option<&'static str> {\n    match (lang, msg, category) {\n");
    for ((_, variant), table) in LANGS.iter().zip(&tables) {
        for key in &keys {
            if let LocaleText::Counted(forms) = &table[*key] {
                for (category, text) in forms {
                    writeln!(
                        out,
                        "        (Lang::{variant}, Msg::{}, {:?}) => Some({:?}),",
                        camel(key),
                        category,
                        text
                    )
                    .unwrap();
                }
            }
        }
    }
    out.push_str("        _ => None,\n    }\n}\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("messages.rs");
    std::fs::write(dest, out).unwrap();
}

fn camel(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
