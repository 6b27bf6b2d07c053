//! Dates, times and counts in the buyer's language and time zone.
//!
//! In the browser they come from its `Intl` (`intl`); where the server renders a status there
//! is none, and the same words come from `plain` (`native`), which a component test holds to
//! `Intl`. Text that does not parse is shown as it came.

#[cfg(target_arch = "wasm32")]
mod intl;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod plain;

#[cfg(target_arch = "wasm32")]
use intl as backend;
#[cfg(not(target_arch = "wasm32"))]
use native as backend;

pub use backend::{ago, prepare, zone_offset_minutes};

use crate::i18n::{Lang, Msg};
use trackline_core::time::{parse_date, parse_rfc3339};

/// A calendar day from the contract (`2026-11-25`) as "25 Nov".
pub fn day(lang: Lang, iso: &str) -> String {
    parse_date(iso)
        .and_then(|days| backend::day(lang, days))
        .unwrap_or_else(|| iso.to_owned())
}

/// A delivery window as one phrase: "25 Nov" or "25–27 Nov".
pub fn day_range(lang: Lang, from: &str, to: Option<&str>) -> String {
    let Some(to) = to.filter(|to| *to != from) else {
        return day(lang, from);
    };
    parse_date(from)
        .zip(parse_date(to))
        .and_then(|(start, end)| backend::day_range(lang, start, end))
        .unwrap_or_else(|| format!("{} – {}", day(lang, from), day(lang, to)))
}

/// An instant from the contract as the buyer's local date and time: "20 Nov, 10:15".
pub fn date_time(lang: Lang, rfc3339: &str) -> String {
    parse_rfc3339(rfc3339)
        .and_then(|millis| backend::date_time(lang, millis))
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// The CLDR plural category the language gives `count`: "one", "few", "many" or "other".
pub fn plural_category(lang: Lang, count: i64) -> String {
    backend::plural_category(lang, count).unwrap_or_else(|| "other".to_owned())
}

/// A counted message for `count`, its form chosen by the language's plural rules (1 день, 2 дня, 5 дней).
pub fn count(lang: Lang, msg: Msg, count: i64, values: &[(&str, &str)]) -> String {
    let mut text = lang
        .counted(msg, &plural_category(lang, count))
        .replace("{count}", &count.to_string());
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}
