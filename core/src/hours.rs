//! Support's opening hours: open right now or not, and the week moved into the buyer's time zone.
//!
//! The contract gives hours in support's own zone (cross-border sellers answer from
//! Shanghai while buyers wait in Novosibirsk). The time-zone database lives in the
//! browser, so the caller passes the two UTC offsets as they are now; a period on
//! the far side of a daylight-saving switch may then be an hour off, which is the
//! price of not shipping a zone database.

use crate::contract::OpeningHours;
use crate::time::UnixMillis;

/// Minutes in a day.
pub const DAY_MINUTES: i32 = 1_440;
/// Minutes in a week.
pub const WEEK_MINUTES: i32 = 7 * DAY_MINUTES;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A stretch of the week when support answers, in minutes from Monday 00:00 (end exclusive, may pass the week's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First minute open.
    pub start: i32,
    /// First minute closed again.
    pub end: i32,
}

/// Monday is 0, Sunday 6; `None` for anything but the contract's three-letter names.
pub fn weekday_index(name: &str) -> Option<i32> {
    let name = name.trim().to_ascii_lowercase();
    DAY_NAMES
        .iter()
        .position(|day| *day == name)
        .map(|i| i as i32)
}

/// The contract's day name for an index (taken modulo 7).
pub fn weekday_name(index: i32) -> &'static str {
    DAY_NAMES[index.rem_euclid(7) as usize]
}

/// `HH:MM` to minutes after midnight; `24:00` is allowed as a closing time.
pub fn parse_clock(text: &str) -> Option<i32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    match (hours, minutes) {
        (0..=23, 0..=59) | (24, 0) => Some(hours * 60 + minutes),
        _ => None,
    }
}

/// Minutes after midnight as `HH:MM`.
pub fn format_clock(minutes: i32) -> String {
    let minutes = minutes.rem_euclid(DAY_MINUTES);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The open stretches of the week in support's zone; a period that closes at or before
/// it opens runs past midnight. Periods that do not parse are left out.
pub fn spans(hours: &OpeningHours) -> Vec<Span> {
    let mut out = Vec::new();
    for period in &hours.periods {
        let (Some(opens), Some(closes)) = (parse_clock(&period.opens), parse_clock(&period.closes))
        else {
            continue;
        };
        let length = if closes > opens {
            closes - opens
        } else {
            closes + DAY_MINUTES - opens
        };
        for day in period.days.iter().filter_map(|day| weekday_index(day)) {
            let start = day * DAY_MINUTES + opens;
            out.push(Span {
                start,
                end: start + length,
            });
        }
    }
    out.sort_by_key(|span| span.start);
    out
}

/// The minute of the week at an instant, on a clock `offset_minutes` east of UTC.
pub fn minute_of_week(now: UnixMillis, offset_minutes: i32) -> i32 {
    let minutes = now.div_euclid(60_000) + i64::from(offset_minutes);
    // 1970-01-01 was a Thursday, three days after a Monday.
    ((minutes + 3 * i64::from(DAY_MINUTES)).rem_euclid(i64::from(WEEK_MINUTES))) as i32
}

/// Whether support answers at a minute of its week, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenNow {
    /// Open; closes this many minutes from now.
    Open {
        /// Minutes until closing.
        closes_in: i32,
    },
    /// Closed; opens again this many minutes from now.
    Closed {
        /// Minutes until opening.
        opens_in: i32,
    },
}

/// Open or closed at `now` (a minute of support's week); `None` when no period parses.
pub fn open_now(spans: &[Span], now: i32) -> Option<OpenNow> {
    if spans.is_empty() {
        return None;
    }
    // A span may pass the week's end, so the week before is looked at too.
    let open = spans
        .iter()
        .flat_map(|span| [0, WEEK_MINUTES].map(|shift| (span.start - shift, span.end - shift)))
        .filter(|(start, end)| *start <= now && now < *end)
        .map(|(_, end)| end - now)
        .max();
    if let Some(closes_in) = open {
        return Some(OpenNow::Open { closes_in });
    }
    let opens_in = spans
        .iter()
        .map(|span| (span.start - now).rem_euclid(WEEK_MINUTES))
        .min()
        .unwrap_or(0);
    Some(OpenNow::Closed { opens_in })
}

/// Days of the week that share the same local opening time and closing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPeriod {
    /// Days (Monday 0) on which it opens, ascending.
    pub days: Vec<i32>,
    /// Opening time, minutes after local midnight.
    pub opens: i32,
    /// Closing time, minutes after local midnight (before `opens` when it runs past midnight).
    pub closes: i32,
}

/// The spans moved by `shift_minutes` (buyer's offset minus support's) and grouped back into periods.
pub fn shifted(spans: &[Span], shift_minutes: i32) -> Vec<LocalPeriod> {
    let mut out: Vec<LocalPeriod> = Vec::new();
    for span in spans {
        let start = (span.start + shift_minutes).rem_euclid(WEEK_MINUTES);
        let day = start / DAY_MINUTES;
        let opens = start % DAY_MINUTES;
        let closes = (opens + span.end - span.start) % DAY_MINUTES;
        match out
            .iter_mut()
            .find(|period| period.opens == opens && period.closes == closes)
        {
            Some(period) if !period.days.contains(&day) => period.days.push(day),
            Some(_) => {}
            None => out.push(LocalPeriod {
                days: vec![day],
                opens,
                closes,
            }),
        }
    }
    for period in &mut out {
        period.days.sort_unstable();
    }
    out.sort_by_key(|period| (period.days.first().copied(), period.opens));
    out
}

/// Runs of consecutive days (`[0,1,2,4]` → `[(0,2),(4,4)]`), for "Mon–Wed, Fri".
pub fn day_runs(days: &[i32]) -> Vec<(i32, i32)> {
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for &day in days {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == day => *last = day,
            _ => runs.push((day, day)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::OpeningPeriod;
    use crate::time::parse_rfc3339;
    use proptest::prelude::*;

    fn hours(periods: &[(&[&str], &str, &str)]) -> OpeningHours {
        OpeningHours {
            time_zone: "Europe/Moscow".into(),
            periods: periods
                .iter()
                .map(|(days, opens, closes)| OpeningPeriod {
                    days: days.iter().map(|d| d.to_string()).collect(),
                    opens: opens.to_string(),
                    closes: closes.to_string(),
                })
                .collect(),
        }
    }

    const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri"];

    #[test]
    fn minute_of_week_follows_the_offset() {
        // Monday 23 Nov 2026, 06:00 in Moscow (UTC+3).
        let now = parse_rfc3339("2026-11-23T03:00:00Z").unwrap();
        assert_eq!(minute_of_week(now, 180), 6 * 60);
        // Still Sunday evening in New York.
        assert_eq!(minute_of_week(now, -300), 6 * DAY_MINUTES + 22 * 60);
    }

    #[test]
    fn open_and_closed_with_the_time_to_the_change() {
        let week = spans(&hours(&[(WEEKDAYS, "09:00", "18:00")]));
        assert_eq!(
            open_now(&week, 10 * 60),
            Some(OpenNow::Open { closes_in: 8 * 60 })
        );
        assert_eq!(
            open_now(&week, 18 * 60),
            Some(OpenNow::Closed { opens_in: 15 * 60 })
        );
        // Friday evening: next Monday morning.
        let friday_evening = 4 * DAY_MINUTES + 20 * 60;
        assert_eq!(
            open_now(&week, friday_evening),
            Some(OpenNow::Closed {
                opens_in: 2 * DAY_MINUTES + 13 * 60
            })
        );
        assert_eq!(open_now(&[], 0), None);
    }

    #[test]
    fn a_night_shift_runs_past_midnight_and_past_sunday() {
        let night = spans(&hours(&[(&["sun"], "22:00", "06:00")]));
        assert_eq!(
            open_now(&night, 6 * DAY_MINUTES + 23 * 60),
            Some(OpenNow::Open { closes_in: 7 * 60 })
        );
        // Monday 01:00 is still Sunday's shift.
        assert_eq!(
            open_now(&night, 60),
            Some(OpenNow::Open { closes_in: 5 * 60 })
        );
        let all_day = spans(&hours(&[(&["mon"], "00:00", "24:00")]));
        assert_eq!(
            open_now(&all_day, 23 * 60 + 59),
            Some(OpenNow::Open { closes_in: 1 })
        );
    }

    #[test]
    fn moscow_hours_seen_from_beijing_and_from_los_angeles() {
        let week = spans(&hours(&[(WEEKDAYS, "09:00", "18:00")]));
        // Beijing is 5 h ahead of Moscow.
        assert_eq!(
            shifted(&week, 300),
            vec![LocalPeriod {
                days: vec![0, 1, 2, 3, 4],
                opens: 14 * 60,
                closes: 23 * 60
            }]
        );
        // Los Angeles (UTC−8) is 11 h behind: the working day starts the evening before.
        let la = shifted(&week, -660);
        assert_eq!(
            la,
            vec![LocalPeriod {
                days: vec![0, 1, 2, 3, 6],
                opens: 22 * 60,
                closes: 7 * 60
            }]
        );
        assert_eq!(format_clock(la[0].closes), "07:00");
    }

    #[test]
    fn periods_that_do_not_parse_are_left_out() {
        let odd = spans(&hours(&[
            (&["mon", "someday"], "9am", "6pm"),
            (&["tue", "xyz"], "10:00", "16:30"),
        ]));
        assert_eq!(
            odd,
            vec![Span {
                start: DAY_MINUTES + 600,
                end: DAY_MINUTES + 990
            }]
        );
        assert_eq!(parse_clock("24:01"), None);
        assert_eq!(parse_clock("7:05"), Some(425));
    }

    #[test]
    fn consecutive_days_collapse_into_runs() {
        assert_eq!(day_runs(&[0, 1, 2, 4, 6]), vec![(0, 2), (4, 4), (6, 6)]);
        assert_eq!(day_runs(&[]), vec![]);
    }

    proptest! {
        #[test]
        fn shifting_there_and_back_keeps_the_week(opens in 0i32..1440, len in 1i32..1440, mask in 1u8..128, shift in -840i32..840) {
            let days: Vec<&str> = (0..7).filter(|d| mask & (1 << d) != 0).map(weekday_name).collect();
            let h = hours(&[(&days, &format_clock(opens), &format_clock(opens + len))]);
            let week = spans(&h);
            let there = shifted(&week, shift);
            let open_minutes: i32 = there.iter().map(|p| p.days.len() as i32 * ((p.closes - p.opens).rem_euclid(DAY_MINUTES).max(if len % DAY_MINUTES == 0 { DAY_MINUTES } else { 0 }))).sum();
            prop_assert_eq!(open_minutes, days.len() as i32 * len);
        }

        #[test]
        fn open_now_agrees_with_the_spans(now in 0i32..WEEK_MINUTES, opens in 0i32..1440, len in 1i32..1440) {
            let week = spans(&hours(&[(WEEKDAYS, &format_clock(opens), &format_clock(opens + len))]));
            match open_now(&week, now).unwrap() {
                OpenNow::Open { closes_in } => prop_assert!(closes_in > 0 && closes_in <= len),
                OpenNow::Closed { opens_in } => {
                    prop_assert!(opens_in > 0 && opens_in < WEEK_MINUTES);
                    let then = open_now(&week, (now + opens_in) % WEEK_MINUTES);
                    prop_assert!(matches!(then, Some(OpenNow::Open { .. })), "not open after {} min", opens_in);
                }
            }
        }
    }
}
