//! The buyer's clock, read from the device.

use js_sys::Date;
use trackline_core::time::{parse_date, Now};

/// Reads the device clock: now, today in the device's calendar, and its offset from UTC.
pub fn now() -> Now {
    let date = Date::new_0();
    let today = parse_date(&format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    ))
    // The device's own date always parses; the epoch is a harmless floor if it ever does not.
    .unwrap_or(0);
    Now {
        millis: date.get_time() as i64,
        today,
        offset_minutes: -(date.get_timezone_offset() as i32),
    }
}
