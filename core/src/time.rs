//! Just enough date arithmetic to order events and count days, without a time-zone database.
//!
//! Formatting for people is the browser's job (`Intl`); this only turns the
//! contract's RFC 3339 stamps and ISO dates into comparable numbers.

/// Milliseconds since the Unix epoch, UTC.
pub type UnixMillis = i64;

/// One reading of the buyer's clock: now, today in the buyer's calendar, and the offset from UTC.
///
/// Read once when a status is shown (by the widget from the device, by a server from its own
/// clock and the buyer's zone) and carried with it, so that views render what they are given
/// and tests can pin the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Milliseconds since the Unix epoch.
    pub millis: UnixMillis,
    /// Today in the buyer's calendar, as days since the Unix epoch.
    pub today: i64,
    /// The buyer's offset east of UTC, in minutes.
    pub offset_minutes: i32,
}

/// Parses `2026-11-20T10:15:00+03:00` (also `Z`, fractions of a second) to UTC milliseconds.
///
/// Returns `None` for anything else, so a malformed stamp from an endpoint is
/// shown as text rather than trusted.
pub fn parse_rfc3339(text: &str) -> Option<UnixMillis> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !bytes.is_ascii() {
        return None;
    }
    let days = parse_date(text.get(..10)?)?;
    if !matches!(bytes[10], b'T' | b't' | b' ') || bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let hour = digits(&text[11..13])?;
    let minute = digits(&text[14..16])?;
    let second = digits(&text[17..19])?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &fraction[..len.min(3)]);
        millis = digits(&padded)?;
        rest = &fraction[len..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
        _ => return None,
    };
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// Parses an ISO date `2026-11-25` to days since the Unix epoch.
pub fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(text.get(0..4)?)?;
    let month = digits(text.get(5..7)?)?;
    let day = digits(text.get(8..10)?)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Moves a date (`2026-11-25`) or an RFC 3339 stamp by whole days, keeping time and offset.
///
/// Returns `None` when the text is neither.
pub fn shift_days(text: &str, days: i64) -> Option<String> {
    let date = parse_date(text.get(..10)?)?;
    let rest = &text[10..];
    if !rest.is_empty() && parse_rfc3339(text).is_none() {
        return None;
    }
    let (year, month, day) = civil_from_days(date + days);
    Some(format!("{year:04}-{month:02}-{day:02}{rest}"))
}

/// Days since the Unix epoch as an ISO date (`2026-11-25`).
pub fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// UTC milliseconds as `2026-11-20T07:15:00Z`, to the second: the inverse of `parse_rfc3339`
/// for the stamps an endpoint writes itself.
pub fn format_rfc3339(millis: UnixMillis) -> String {
    let seconds = millis.div_euclid(1000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let second_of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

/// Milliseconds in a day.
pub const DAY_MILLIS: i64 = 86_400_000;

/// Days since the Unix epoch to a (year, month, day) date; the inverse of `parse_date`.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T03:00:00+03:00"), Some(0));
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00.5Z"),
            Some(951_868_800_500)
        );
        assert_eq!(
            parse_rfc3339("2026-11-20T10:15:00+03:00"),
            parse_rfc3339("2026-11-20T07:15:00Z")
        );
    }

    #[test]
    fn malformed_stamps_are_refused() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-20T25:00:00Z",
            "2026-11-20T10:00:00",
            "2026-11-20T10:00:00+3:00",
            "2026-11-20T10:00:00.Z",
            "２０２６-11-20T10:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_count_days() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(
            parse_date("2024-02-29").unwrap() + 1,
            parse_date("2024-03-01").unwrap()
        );
        assert_eq!(parse_date("2023-02-29"), None);
    }

    #[test]
    fn shifting_keeps_time_and_offset() {
        assert_eq!(
            shift_days("2026-02-27T10:00:00+03:00", 2).as_deref(),
            Some("2026-03-01T10:00:00+03:00")
        );
        assert_eq!(shift_days("2024-12-31", 1).as_deref(), Some("2025-01-01"));
        assert_eq!(shift_days("soon", 1), None);
    }

    #[test]
    fn an_endpoint_writes_its_own_stamps_in_utc_to_the_second() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_764_000_000_123), "2025-11-24T16:00:00Z");
    }

    proptest! {
        #[test]
        fn written_stamps_read_back(seconds in -2_000_000_000i64..10_000_000_000) {
            prop_assert_eq!(parse_rfc3339(&format_rfc3339(seconds * 1000)), Some(seconds * 1000));
        }

        #[test]
        fn civil_round_trips(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(parse_date(&format!("{y:04}-{m:02}-{d:02}")), Some(days).filter(|_| (0..=9999).contains(&y)));
        }

        #[test]
        fn never_panics(text in ".{0,40}") {
            let _ = parse_rfc3339(&text);
            let _ = parse_date(&text);
        }

        #[test]
        fn later_wall_clock_is_later(y in 1900i64..2200, mo in 1i64..=12, d in 1i64..=28, h in 0i64..23) {
            let a = format!("{y:04}-{mo:02}-{d:02}T{h:02}:00:00Z");
            let b = format!("{y:04}-{mo:02}-{d:02}T{:02}:00:00Z", h + 1);
            prop_assert_eq!(parse_rfc3339(&b).unwrap() - parse_rfc3339(&a).unwrap(), 3_600_000);
        }
    }
}
