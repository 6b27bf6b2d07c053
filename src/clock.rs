//! The buyer's clock: now, today in the buyer's calendar, and the device's offset from UTC.
//!
//! Read once when an answer arrives and carried in the state, so that views
//! render what they are given and tests can pin the moment.

use js_sys::Date;
use trackline_core::time::{parse_date, UnixMillis};

/// One reading of the device clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Milliseconds since the Unix epoch.
    pub millis: UnixMillis,
    /// Today in the buyer's calendar, as days since the Unix epoch.
    pub today: i64,
    /// The device's offset east of UTC, in minutes.
    pub offset_minutes: i32,
}

impl Now {
    /// Reads the device clock.
    pub fn read() -> Now {
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
            millis: date.get_time() as UnixMillis,
            today,
            offset_minutes: -(date.get_timezone_offset() as i32),
        }
    }
}
