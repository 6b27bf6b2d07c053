//! The words `Intl` prints for the widget's few date and plural patterns, written out in Rust for
//! where there is no `Intl`: the server, which renders a linked status into the page.
//!
//! These are the words of the ICU data in Chromium (CLDR), not translations of ours: a component
//! test compares every function here with the browser's `Intl` on the same inputs, so a page the
//! server rendered reads exactly as the widget would have drawn it.

use crate::i18n::Lang;
use trackline_core::time::civil_from_days;

/// A wall-clock reading: a calendar day and a time of day, in some zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wall {
    /// Days since the Unix epoch.
    pub days: i64,
    /// Minutes since midnight.
    pub minute: i64,
}

impl Wall {
    /// The wall clock `offset_minutes` east of UTC at `millis` since the epoch.
    pub fn at(millis: i64, offset_minutes: i32) -> Wall {
        let minutes = millis.div_euclid(60_000) + i64::from(offset_minutes);
        Wall {
            days: minutes.div_euclid(1_440),
            minute: minutes.rem_euclid(1_440),
        }
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
// Genitive and abbreviated, as a day of the month takes them ("5 мая", "5 нояб.").
const RU_MONTHS: [&str; 12] = [
    "янв.",
    "февр.",
    "мар.",
    "апр.",
    "мая",
    "июн.",
    "июл.",
    "авг.",
    "сент.",
    "окт.",
    "нояб.",
    "дек.",
];

/// A calendar day (days since the epoch) as `{day: "numeric", month: "short"}` prints it: "Nov 25".
pub fn day(lang: Lang, days: i64) -> String {
    let (_, month, day) = civil_from_days(days);
    match lang {
        Lang::En => format!("{} {day}", month_name(&EN_MONTHS, month)),
        Lang::Ru => format!("{day} {}", month_name(&RU_MONTHS, month)),
        Lang::Zh => format!("{month}月{day}日"),
    }
}

/// Two calendar days as `formatRange` prints them ("Nov 25 – 27", "25–27 нояб."), and in Chinese
/// as CLDR's own interval patterns have it ("11月25日至27日"; see `intl::day_range` for why).
pub fn day_range(lang: Lang, from: i64, to: i64) -> String {
    if from == to {
        return day(lang, from);
    }
    let (y1, m1, d1) = civil_from_days(from);
    let (y2, m2, d2) = civil_from_days(to);
    let (en1, en2) = (month_name(&EN_MONTHS, m1), month_name(&EN_MONTHS, m2));
    let (ru1, ru2) = (month_name(&RU_MONTHS, m1), month_name(&RU_MONTHS, m2));
    match (lang, y1 == y2, m1 == m2) {
        (Lang::En, true, true) => format!("{en1} {d1} – {d2}"),
        (Lang::En, true, false) => format!("{en1} {d1} – {en2} {d2}"),
        (Lang::En, false, _) => format!("{en1} {d1}, {y1} – {en2} {d2}, {y2}"),
        (Lang::Ru, true, true) => format!("{d1}–{d2} {ru1}"),
        (Lang::Ru, true, false) => format!("{d1} {ru1} – {d2} {ru2}"),
        (Lang::Ru, false, _) => format!("{d1} {ru1} {y1} г. – {d2} {ru2} {y2} г."),
        (Lang::Zh, true, true) => format!("{m1}月{d1}日至{d2}日"),
        (Lang::Zh, true, false) => format!("{m1}月{d1}日至{m2}月{d2}日"),
        (Lang::Zh, false, _) => format!("{y1}年{m1}月{d1}日至{y2}年{m2}月{d2}日"),
    }
}

/// A wall-clock reading as `{day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"}`
/// prints it: "Nov 20, 09:07 AM", "20 нояб., 09:07", "11月20日 09:07".
pub fn date_time(lang: Lang, wall: Wall) -> String {
    let (hour, minute) = (wall.minute / 60, wall.minute % 60);
    match lang {
        Lang::En => {
            let half = if hour < 12 { "AM" } else { "PM" };
            let hour = match hour % 12 {
                0 => 12,
                other => other,
            };
            format!("{}, {hour:02}:{minute:02} {half}", day(lang, wall.days))
        }
        Lang::Ru => format!("{}, {hour:02}:{minute:02}", day(lang, wall.days)),
        Lang::Zh => format!("{} {hour:02}:{minute:02}", day(lang, wall.days)),
    }
}

/// The CLDR plural category `Intl.PluralRules` picks for a whole number: "one", "few", "many", "other".
pub fn plural_category(lang: Lang, count: i64) -> &'static str {
    let n = count.unsigned_abs();
    match lang {
        Lang::En if n == 1 => "one",
        Lang::En | Lang::Zh => "other",
        Lang::Ru => match (n % 10, n % 100) {
            (1, rest) if rest != 11 => "one",
            (2..=4, rest) if !(12..=14).contains(&rest) => "few",
            _ => "many",
        },
    }
}

fn month_name(names: &[&'static str; 12], month: i64) -> &'static str {
    usize::try_from(month - 1)
        .ok()
        .and_then(|index| names.get(index))
        .copied()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::time::{parse_date, parse_rfc3339};

    fn days(iso: &str) -> i64 {
        parse_date(iso).unwrap()
    }

    #[test]
    fn days_and_ranges_read_as_intl_prints_them() {
        assert_eq!(day(Lang::En, days("2026-11-25")), "Nov 25");
        assert_eq!(day(Lang::Ru, days("2026-05-05")), "5 мая");
        assert_eq!(day(Lang::Zh, days("2026-01-05")), "1月5日");
        let range = |lang, from, to| day_range(lang, days(from), days(to));
        assert_eq!(range(Lang::En, "2026-11-25", "2026-11-27"), "Nov 25 – 27");
        assert_eq!(
            range(Lang::Ru, "2026-11-28", "2026-12-02"),
            "28 нояб. – 2 дек."
        );
        assert_eq!(
            range(Lang::Ru, "2026-12-30", "2027-01-02"),
            "30 дек. 2026 г. – 2 янв. 2027 г."
        );
        assert_eq!(
            range(Lang::Zh, "2026-11-25", "2026-11-27"),
            "11月25日至27日"
        );
        assert_eq!(
            range(Lang::Zh, "2026-11-28", "2026-12-02"),
            "11月28日至12月2日"
        );
        assert_eq!(
            range(Lang::Zh, "2026-12-30", "2027-01-02"),
            "2026年12月30日至2027年1月2日"
        );
        assert_eq!(range(Lang::En, "2026-11-25", "2026-11-25"), "Nov 25");
    }

    #[test]
    fn times_are_read_on_the_wall_clock_of_the_offset_given() {
        let at = parse_rfc3339("2026-11-20T21:07:00Z").unwrap();
        assert_eq!(
            date_time(Lang::Ru, Wall::at(at, 180)),
            "21 нояб., 00:07",
            "three hours east of UTC it is past midnight"
        );
        assert_eq!(date_time(Lang::En, Wall::at(at, 0)), "Nov 20, 09:07 PM");
        assert_eq!(date_time(Lang::En, Wall::at(at, 180)), "Nov 21, 12:07 AM");
        assert_eq!(date_time(Lang::Zh, Wall::at(at, -300)), "11月20日 16:07");
    }

    #[test]
    fn russian_counts_take_three_forms() {
        let forms: Vec<&str> = [0, 1, 2, 5, 11, 12, 21, 22, 25, 101, 111, -1]
            .into_iter()
            .map(|n| plural_category(Lang::Ru, n))
            .collect();
        assert_eq!(
            forms,
            [
                "many", "one", "few", "many", "many", "many", "one", "few", "many", "one", "many",
                "one"
            ]
        );
        assert_eq!(plural_category(Lang::En, 1), "one");
        assert_eq!(plural_category(Lang::En, 0), "other");
        assert_eq!(plural_category(Lang::Zh, 1), "other");
    }
}
