//! The numbers a buyer looked up lately, newest first, as kept on the device.
//!
//! What comes back from storage is outside input: another script on the storefront's
//! origin may have written anything under the key, so it is read leniently and
//! every entry is checked again as a number.

use crate::query::TrackingQuery;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// How many numbers are remembered.
pub const MAX_RECENT: usize = 5;

/// A list entry that is kept only if it is a string; anything else is skipped, not an error.
struct StoredText(Option<String>);

impl<'de> Deserialize<'de> for StoredText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Skipping through `IgnoredAny` keeps serde_json's generic `Value` out of the wasm.
        struct StoredTextVisitor;
        impl<'de> Visitor<'de> for StoredTextVisitor {
            type Value = StoredText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("anything")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<StoredText, E> {
                Ok(StoredText(Some(text.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<StoredText, E> {
                Ok(StoredText(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<StoredText, E> {
                Ok(StoredText(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<StoredText, E> {
                Ok(StoredText(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<StoredText, E> {
                Ok(StoredText(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<StoredText, E> {
                Ok(StoredText(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StoredText, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(StoredText(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredText, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StoredText(None))
            }
        }
        deserializer.deserialize_any(StoredTextVisitor)
    }
}

/// Reads the stored list; anything unreadable yields what could be read, or nothing.
pub fn read(stored: &str) -> Vec<String> {
    let entries: Vec<StoredText> = serde_json::from_str(stored).unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for StoredText(entry) in entries {
        let Some(number) = entry.and_then(|text| TrackingQuery::parse(&text).ok()) else {
            continue;
        };
        if !out.iter().any(|seen| seen == number.as_str()) && out.len() < MAX_RECENT {
            out.push(number.as_str().to_owned());
        }
    }
    out
}

/// The list as stored.
pub fn write(numbers: &[String]) -> String {
    serde_json::to_string(numbers).unwrap_or_else(|_| "[]".to_owned())
}

/// Puts a number first, without a duplicate, keeping at most `MAX_RECENT`.
pub fn remember(numbers: &[String], number: &str) -> Vec<String> {
    std::iter::once(number.to_owned())
        .chain(numbers.iter().filter(|seen| *seen != number).cloned())
        .take(MAX_RECENT)
        .collect()
}

/// Removes a number.
pub fn forget(numbers: &[String], number: &str) -> Vec<String> {
    numbers
        .iter()
        .filter(|seen| *seen != number)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn newest_first_without_duplicates_and_bounded() {
        let mut list = Vec::new();
        for number in ["A1", "B2", "C3", "A1", "D4", "E5", "F6"] {
            list = remember(&list, number);
        }
        assert_eq!(list, ["F6", "E5", "D4", "A1", "C3"]);
        assert_eq!(forget(&list, "D4"), ["F6", "E5", "A1", "C3"]);
        assert_eq!(read(&write(&list)), list);
    }

    #[test]
    fn whatever_was_stored_reads_as_numbers_only() {
        assert!(read("").is_empty());
        assert!(read("{\"a\":1}").is_empty());
        assert!(read("null").is_empty());
        assert_eq!(
            read(r#"["ra 100000048 ru", 42, "<script>", "", "RA100000048RU", "1000000007"]"#),
            ["RA100000048RU", "1000000007"]
        );
    }

    proptest! {
        #[test]
        fn reading_anything_never_panics_and_stays_bounded(stored in ".*") {
            prop_assert!(read(&stored).len() <= MAX_RECENT);
        }
    }
}
