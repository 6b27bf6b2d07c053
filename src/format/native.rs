//! The widget's dates, times and plurals where there is no browser: the server renders a linked
//! status with the words of `plain`, in the time zone it renders the page for.

use super::plain::{self, Wall};
use crate::i18n::Lang;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::cell::RefCell;
use trackline_core::saved_copy::Age;

thread_local! {
    /// The zone the buyer's times are shown in while a page is rendered on this thread.
    static ZONE: RefCell<TimeZone> = const { RefCell::new(TimeZone::UTC) };
}

/// Runs `render` with the buyer's times shown in `zone` (an IANA name; UTC if unknown).
pub fn in_zone<T>(zone: &str, render: impl FnOnce() -> T) -> T {
    let zone = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let before = ZONE.with(|current| current.replace(zone));
    let rendered = render();
    ZONE.with(|current| current.replace(before));
    rendered
}

/// The offset east of UTC, in minutes, of the rendering zone at `millis`.
pub fn offset_minutes_at(millis: i64) -> i32 {
    let Ok(at) = Timestamp::from_millisecond(millis) else {
        return 0;
    };
    ZONE.with(|zone| zone.borrow().to_offset(at).seconds() / 60)
}

/// A calendar day (days since the epoch) as "25 Nov".
pub fn day(lang: Lang, days: i64) -> Option<String> {
    Some(plain::day(lang, days))
}

/// Two calendar days as one phrase: "25–27 Nov".
pub fn day_range(lang: Lang, from: i64, to: i64) -> Option<String> {
    Some(plain::day_range(lang, from, to))
}

/// An instant as the date and time on the rendering zone's clocks: "20 Nov, 10:15".
pub fn date_time(lang: Lang, millis: i64) -> Option<String> {
    Some(plain::date_time(
        lang,
        Wall::at(millis, offset_minutes_at(millis)),
    ))
}

/// The CLDR plural category for `count`.
pub fn plural_category(lang: Lang, count: i64) -> Option<String> {
    Some(plain::plural_category(lang, count).to_owned())
}

/// How long ago; the server never renders a saved copy, so this is only a plain fallback.
pub fn ago(_lang: Lang, age: Age) -> String {
    match age {
        Age::Minutes(value) => format!("-{value} minute"),
        Age::Hours(value) => format!("-{value} hour"),
        Age::Days(value) => format!("-{value} day"),
    }
}

/// How many minutes east of UTC an IANA zone's clocks are at `now`; `None` for a zone unknown here.
pub fn zone_offset_minutes(zone: &str, now: f64) -> Option<i32> {
    let at = Timestamp::from_millisecond(now as i64).ok()?;
    Some(TimeZone::get(zone).ok()?.to_offset(at).seconds() / 60)
}

/// Nothing to build ahead here.
pub fn prepare(_lang: Lang) {}
