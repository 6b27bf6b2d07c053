//! Dates and times in the buyer's language and time zone, by the browser's `Intl`.
//!
//! The browser already carries every locale and time zone; shipping them in the
//! wasm would cost hundreds of KB. Text that does not parse is shown as it came.

use crate::i18n::Lang;
use js_sys::{Array, Date, Function, Object, Reflect};
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
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of2(&lang.tag().into(), &day_options());
    let formatter = Reflect::construct(&constructor, &args).ok()?;
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
