//! The widget's dates, times and plurals by the browser's `Intl`.
//!
//! The browser already carries every locale and time zone; shipping them in the
//! wasm would cost hundreds of KB. Building an `Intl` formatter is the costly part (it was
//! most of a render's time on a slowed CPU), so each kind is built once per language and kept.

use crate::i18n::Lang;
use js_sys::{Array, Date, Function, Object, Reflect};
use std::cell::RefCell;
use trackline_core::saved_copy::Age;
use wasm_bindgen::{JsCast, JsValue};

/// A calendar day (days since the epoch) as "25 Nov".
pub fn day(lang: Lang, days: i64) -> Option<String> {
    let date = calendar_day(days)?;
    call1(&formatter(lang, Kind::Day)?, "format", &date)?.as_string()
}

/// Two calendar days as one phrase, worded by `Intl.DateTimeFormat.formatRange`: "25–27 Nov".
pub fn day_range(lang: Lang, from: i64, to: i64) -> Option<String> {
    // Chromium's trimmed ICU data has no Chinese interval pattern for month-and-day and falls
    // back to numeric dates ("11/26 – 11/28", beside a single day's "11月26日"); CLDR's own
    // pattern, which Firefox and Safari print, is "11月26日至28日", and it is written out in `plain`.
    if lang == Lang::Zh {
        return Some(super::plain::day_range(lang, from, to));
    }
    let (start, end) = (calendar_day(from)?, calendar_day(to)?);
    call2(&formatter(lang, Kind::Day)?, "formatRange", &start, &end)?.as_string()
}

/// An instant (ms since the epoch) as the buyer's local date and time: "20 Nov, 10:15".
pub fn date_time(lang: Lang, millis: i64) -> Option<String> {
    let date = Date::new(&JsValue::from_f64(millis as f64));
    call1(&formatter(lang, Kind::DateTime)?, "format", &date)?.as_string()
}

/// The CLDR plural category `Intl.PluralRules` picks for `count` ("one", "few", "many", "other").
pub fn plural_category(lang: Lang, count: i64) -> Option<String> {
    call1(
        &formatter(lang, Kind::Plural)?,
        "select",
        &JsValue::from_f64(count as f64),
    )?
    .as_string()
}

/// How long ago, in the buyer's words by `Intl.RelativeTimeFormat`: "5 minutes ago", "вчера".
pub fn ago(lang: Lang, age: Age) -> String {
    let (value, unit) = match age {
        Age::Minutes(value) => (value, "minute"),
        Age::Hours(value) => (value, "hour"),
        Age::Days(value) => (value, "day"),
    };
    formatter(lang, Kind::Relative)
        .and_then(|formatter| {
            let value = JsValue::from_f64(-(value as f64));
            call2(&formatter, "format", &value, &unit.into())?.as_string()
        })
        .unwrap_or_else(|| format!("-{value} {unit}"))
}

/// How many minutes east of UTC an IANA zone's clocks are at `now`; `None` for a zone the browser does not know.
pub fn zone_offset_minutes(zone: &str, now: f64) -> Option<i32> {
    // An unknown zone makes the constructor throw a RangeError, read here as `None`.
    let formatter = formatter(Lang::En, Kind::Zone(zone.to_owned()))?;
    let parts: Array = call1(
        &formatter,
        "formatToParts",
        &Date::new(&JsValue::from_f64(now)),
    )?
    .dyn_into()
    .ok()?;
    let mut fields = [0u32; 5];
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
        let slot = ["year", "month", "day", "hour", "minute"]
            .iter()
            .position(|field| *field == kind);
        if let Some(slot) = slot {
            fields[slot] = value.parse().ok()?;
        }
    }
    let [year, month, day, hour, minute] = fields.map(f64::from);
    let wall = Date::utc(year, month - 1.0)
        + (day - 1.0) * 86_400_000.0
        + hour * 3_600_000.0
        + minute * 60_000.0;
    let truncated = (now / 60_000.0).floor() * 60_000.0;
    let offset = ((wall - truncated) / 60_000.0).round();
    offset.is_finite().then_some(offset as i32)
}

/// Builds the formatters every status needs, so that their first-use cost (the browser
/// loading its locale data: tens of ms on a slow phone) is paid while a lookup is on the
/// network rather than between the answer and the timeline.
pub fn prepare(lang: Lang) {
    for kind in [Kind::Day, Kind::DateTime, Kind::Plural] {
        let _ = formatter(lang, kind);
    }
}

/// The formatters the widget uses, each with its fixed options.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// "25 Nov", in UTC so that no zone moves a calendar day.
    Day,
    /// "20 Nov, 10:15" in the buyer's zone.
    DateTime,
    /// `Intl.PluralRules`.
    Plural,
    /// "5 minutes ago", "yesterday".
    Relative,
    /// The wall clock of an IANA zone, in parts.
    Zone(String),
}

impl Kind {
    fn build(&self, lang: Lang) -> Option<JsValue> {
        let options = Object::new();
        let (name, fields): (&str, &[(&str, &str)]) = match self {
            Kind::Day => (
                "DateTimeFormat",
                &[("day", "numeric"), ("month", "short"), ("timeZone", "UTC")],
            ),
            Kind::DateTime => (
                "DateTimeFormat",
                &[
                    ("day", "numeric"),
                    ("month", "short"),
                    ("hour", "2-digit"),
                    ("minute", "2-digit"),
                ],
            ),
            Kind::Plural => ("PluralRules", &[]),
            Kind::Relative => ("RelativeTimeFormat", &[("numeric", "auto")]),
            Kind::Zone(zone) => {
                set(&options, "timeZone", zone);
                (
                    "DateTimeFormat",
                    &[
                        ("hourCycle", "h23"),
                        ("year", "numeric"),
                        ("month", "numeric"),
                        ("day", "numeric"),
                        ("hour", "numeric"),
                        ("minute", "numeric"),
                    ],
                )
            }
        };
        for (key, value) in fields {
            set(&options, key, value);
        }
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor: Function = Reflect::get(&intl, &name.into()).ok()?.dyn_into().ok()?;
        let args = Array::of2(&lang.tag().into(), &options);
        Reflect::construct(&constructor, &args).ok()
    }
}

thread_local! {
    static FORMATTERS: RefCell<Vec<(Lang, Kind, Option<JsValue>)>> = const { RefCell::new(Vec::new()) };
}

/// The formatter of `kind` for `lang`, built on first use and kept (a failure too).
fn formatter(lang: Lang, kind: Kind) -> Option<JsValue> {
    FORMATTERS.with(|cache| {
        let found = cache
            .borrow()
            .iter()
            .find(|(l, k, _)| *l == lang && *k == kind)
            .map(|(_, _, formatter)| formatter.clone());
        found.unwrap_or_else(|| {
            let built = kind.build(lang);
            let mut cache = cache.borrow_mut();
            // Zones come from the endpoint: however many it names, the cache stays small.
            if cache.len() >= 32 {
                cache.clear();
            }
            cache.push((lang, kind, built.clone()));
            built
        })
    })
}

fn call1(target: &JsValue, method: &str, arg: &JsValue) -> Option<JsValue> {
    let method: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    method.call1(target, arg).ok()
}

fn call2(target: &JsValue, method: &str, first: &JsValue, second: &JsValue) -> Option<JsValue> {
    let method: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    method.call2(target, first, second).ok()
}

fn calendar_day(days: i64) -> Option<Date> {
    // Midnight UTC, formatted in UTC, so no time zone can move the day; from a number, not
    // from text, so the browser parses nothing.
    let millis = days.checked_mul(trackline_core::time::DAY_MILLIS)?;
    let date = Date::new(&JsValue::from_f64(millis as f64));
    (!date.get_time().is_nan()).then_some(date)
}

fn set(options: &Object, key: &str, value: &str) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(options, &key.into(), &value.into());
}
