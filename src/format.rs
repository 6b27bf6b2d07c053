//! Dates and times in the buyer's language and time zone, by the browser's `Intl`.
//!
//! The browser already carries every locale and time zone; shipping them in the
//! wasm would cost hundreds of KB. Text that does not parse is shown as it came.

use crate::i18n::{Lang, Msg};
use js_sys::{Array, Date, Function, Object, Reflect};
use trackline_core::kept::Age;
use wasm_bindgen::{JsCast, JsValue};

/// A calendar day from the contract (`2026-11-25`) as "25 Nov".
pub fn day(lang: Lang, iso: &str) -> String {
    match calendar_day(iso) {
        Some(date) => date
            .to_locale_date_string(lang.tag(), &day_options())
            .into(),
        None => iso.to_owned(),
    }
}

/// A delivery window as one phrase: "25 Nov" or "25–27 Nov", worded by `Intl.DateTimeFormat.formatRange`.
pub fn day_range(lang: Lang, from: &str, to: Option<&str>) -> String {
    let (Some(start), Some(end)) = (calendar_day(from), to.and_then(calendar_day)) else {
        return match to {
            Some(to) if to != from => format!("{} – {}", day(lang, from), day(lang, to)),
            _ => day(lang, from),
        };
    };
    format_range(lang, &start, &end)
        .unwrap_or_else(|| format!("{} – {}", day(lang, from), day(lang, to.unwrap_or(from))))
}

/// An instant from the contract as the buyer's local date and time: "20 Nov, 10:15".
pub fn date_time(lang: Lang, rfc3339: &str) -> String {
    if trackline_core::time::parse_rfc3339(rfc3339).is_none() {
        return rfc3339.to_owned();
    }
    let date = Date::new(&JsValue::from_str(rfc3339));
    let options = Object::new();
    set(&options, "day", "numeric");
    set(&options, "month", "short");
    set(&options, "hour", "2-digit");
    set(&options, "minute", "2-digit");
    date.to_locale_string(lang.tag(), &options).into()
}

/// A counted message for `count`, its form chosen by `Intl.PluralRules` (1 день, 2 дня, 5 дней).
pub fn count(lang: Lang, msg: Msg, count: i64, values: &[(&str, &str)]) -> String {
    let category = intl(lang, "PluralRules", &Object::new())
        .and_then(|rules| call1(&rules, "select", &JsValue::from_f64(count as f64)))
        .and_then(|category| category.as_string())
        .unwrap_or_else(|| "other".to_owned());
    let mut text = lang
        .counted(msg, &category)
        .replace("{count}", &count.to_string());
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// How long ago, in the buyer's words by `Intl.RelativeTimeFormat`: "5 minutes ago", "вчера".
pub fn ago(lang: Lang, age: Age) -> String {
    let (value, unit) = match age {
        Age::Minutes(value) => (value, "minute"),
        Age::Hours(value) => (value, "hour"),
        Age::Days(value) => (value, "day"),
    };
    let options = Object::new();
    set(&options, "numeric", "auto");
    intl(lang, "RelativeTimeFormat", &options)
        .and_then(|formatter| {
            let method: Function = Reflect::get(&formatter, &"format".into())
                .ok()?
                .dyn_into()
                .ok()?;
            method
                .call2(
                    &formatter,
                    &JsValue::from_f64(-(value as f64)),
                    &unit.into(),
                )
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| format!("-{value} {unit}"))
}

/// How many minutes east of UTC an IANA zone's clocks are at `now`; `None` for a zone the browser does not know.
pub fn zone_offset_minutes(zone: &str, now: f64) -> Option<i32> {
    let options = Object::new();
    set(&options, "timeZone", zone);
    set(&options, "hourCycle", "h23");
    for field in ["year", "month", "day", "hour", "minute"] {
        set(&options, field, "numeric");
    }
    // An unknown zone makes the constructor throw a RangeError, read here as `None`.
    let formatter = intl(Lang::En, "DateTimeFormat", &options)?;
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

fn intl(lang: Lang, name: &str, options: &Object) -> Option<JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &name.into()).ok()?.dyn_into().ok()?;
    let args = Array::of2(&lang.tag().into(), options);
    Reflect::construct(&constructor, &args).ok()
}

fn call1(target: &JsValue, method: &str, arg: &JsValue) -> Option<JsValue> {
    let method: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    method.call1(target, arg).ok()
}

fn calendar_day(iso: &str) -> Option<Date> {
    trackline_core::time::parse_date(iso)?;
    // Midnight UTC, formatted in UTC below, so no time zone can move the day.
    let date = Date::new(&JsValue::from_str(&format!("{iso}T00:00:00Z")));
    (!date.get_time().is_nan()).then_some(date)
}

fn day_options() -> Object {
    let options = Object::new();
    set(&options, "day", "numeric");
    set(&options, "month", "short");
    set(&options, "timeZone", "UTC");
    options
}

fn format_range(lang: Lang, start: &Date, end: &Date) -> Option<String> {
    let formatter = intl(lang, "DateTimeFormat", &day_options())?;
    let method: Function = Reflect::get(&formatter, &"formatRange".into())
        .ok()?
        .dyn_into()
        .ok()?;
    method.call2(&formatter, start, end).ok()?.as_string()
}

fn set(options: &Object, key: &str, value: &str) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(options, &key.into(), &value.into());
}
