//! Compiles `locales/*.json` into a `Msg` enum and one lookup table.
//!
//! Translators edit JSON; a key missing from any language fails the build with
//! its name, so a missing string never reaches a buyer.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

const LANGS: [(&str, &str); 3] = [("en", "En"), ("ru", "Ru"), ("zh", "Zh")];

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let mut tables = Vec::new();
    for (code, _) in LANGS {
        let path = format!("locales/{code}.json");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let table: BTreeMap<String, String> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
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
                !value.trim().is_empty(),
                "locales/{code}.json: {key} is empty"
            );
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
            writeln!(out, "            Msg::{} => {:?},", camel(key), table[*key]).unwrap();
        }
        out.push_str("        },\n");
    }
    out.push_str("    }\n}\n");
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
