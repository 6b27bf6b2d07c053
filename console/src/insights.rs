//! The insights' figures as tables: what each chart draws, what its "Show the numbers" table
//! reads out and what its CSV holds are one and the same rows, so that the three never differ.
//!
//! A cell keeps its value raw (a day as `2026-12-07`, a count as a number); the page formats it
//! in the seller's language with the browser's `Intl`, the CSV writes it plainly.

use crate::api::{Insights, TransitDays};
use crate::words::{text as t, Word};
use trackline::i18n::Lang;
use trackline_core::{Exception, Stage};

/// The periods the page offers, in days.
pub const PERIODS: [u32; 3] = [7, 30, 90];

/// A cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Words (a carrier, a city, a kind).
    Text(String),
    /// A UTC day, `YYYY-MM-DD`.
    Day(String),
    /// A count.
    Count(u64),
    /// A whole percentage, or none (nothing to count it from).
    Percent(Option<u64>),
    /// A number of days, or none.
    Days(Option<u32>),
}

/// One chart's figures: a caption, the columns' names, and rows whose first cell names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Which chart: the CSV's file name and the page's test id.
    pub key: &'static str,
    /// The chart's title, which captions its table.
    pub caption: Word,
    /// The columns' headers, in the seller's language.
    pub head: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Whether the table has no row, or nothing but zeros in it.
    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(|row| {
            row.iter()
                .all(|cell| matches!(cell, Cell::Text(_) | Cell::Day(_) | Cell::Count(0)))
        })
    }
}

/// The lookups' outcomes, by counter name.
pub const OUTCOMES: [(&str, Word); 4] = [
    ("lookups_found", Word::InsightsFound),
    ("lookups_not_found", Word::InsightsNotFound),
    ("lookups_check_asked", Word::InsightsCheckAsked),
    ("lookups_refused", Word::InsightsRefused),
];

/// The ways in, by counter name.
pub const WAYS_IN: [(&str, Word); 4] = [
    ("via_link", Word::InsightsViaLink),
    ("via_typed", Word::InsightsViaTyped),
    ("via_element", Word::InsightsViaElement),
    ("via_iframe", Word::InsightsViaIframe),
];

/// The taps, by counter name.
pub const TAPS: [(&str, Word); 7] = [
    ("taps_phone", Word::KindPhone),
    ("taps_email", Word::KindEmail),
    ("taps_telegram", Word::KindTelegram),
    ("taps_vk", Word::KindVk),
    ("taps_help_center", Word::KindHelpCenter),
    ("taps_ticket", Word::KindTicket),
    ("taps_carrier", Word::InsightsCarrierLink),
];

/// The notifications, by counter name.
pub const MESSAGES: [(&str, Word); 5] = [
    ("push_subscribed", Word::InsightsPushSubscribed),
    ("push_sent", Word::InsightsPushSent),
    ("push_failed", Word::InsightsPushFailed),
    ("webhooks_delivered", Word::InsightsWebhooksDelivered),
    ("webhooks_failed", Word::InsightsWebhooksFailed),
];

/// Lookups per day, one column per outcome.
pub fn lookups(lang: Lang, insights: &Insights) -> Table {
    let mut head = vec![t(lang, Word::InsightsDay).to_owned()];
    head.extend(OUTCOMES.iter().map(|(_, word)| t(lang, *word).to_owned()));
    let rows = insights
        .days
        .iter()
        .enumerate()
        .map(|(at, day)| {
            let mut row = vec![Cell::Day(day.clone())];
            row.extend(OUTCOMES.iter().map(|(name, _)| {
                Cell::Count(
                    insights
                        .counts
                        .get(*name)
                        .and_then(|counts| counts.get(at))
                        .copied()
                        .unwrap_or(0),
                )
            }));
            row
        })
        .collect();
    Table {
        key: "lookups",
        caption: Word::InsightsLookups,
        head,
        rows,
    }
}

/// Each counter's total over the period, one row per counter.
fn totals(
    lang: Lang,
    insights: &Insights,
    key: &'static str,
    caption: Word,
    names: &[(&str, Word)],
) -> Table {
    let rows = names
        .iter()
        .map(|(name, word)| {
            let total = insights.totals.get(*name).copied().unwrap_or_else(|| {
                // An answer without totals: the days' sum.
                insights
                    .counts
                    .get(*name)
                    .map(|counts| counts.iter().sum())
                    .unwrap_or(0)
            });
            vec![Cell::Text(t(lang, *word).to_owned()), Cell::Count(total)]
        })
        .collect();
    Table {
        key,
        caption,
        head: vec![
            t(lang, Word::InsightsKind).to_owned(),
            t(lang, Word::InsightsCount).to_owned(),
        ],
        rows,
    }
}

/// How buyers came to the lookups.
pub fn ways_in(lang: Lang, insights: &Insights) -> Table {
    totals(lang, insights, "ways-in", Word::InsightsWaysIn, &WAYS_IN)
}

/// What buyers tapped.
pub fn taps(lang: Lang, insights: &Insights) -> Table {
    totals(lang, insights, "taps", Word::InsightsTaps, &TAPS)
}

/// Push notifications and webhook deliveries.
pub fn messages(lang: Lang, insights: &Insights) -> Table {
    totals(
        lang,
        insights,
        "messages",
        Word::InsightsMessages,
        &MESSAGES,
    )
}

/// The parcels now: each stage, each exception, and the stale ones.
pub fn now(lang: Lang, insights: &Insights) -> Table {
    let now = &insights.now;
    // In the parcel's order (created first, delivered last), stages this console does not know after.
    let mut stages: Vec<(&String, &u64)> = now.stages.iter().collect();
    stages.sort_by_key(|(wire, _)| {
        Stage::KNOWN
            .iter()
            .position(|stage| stage.as_str() == wire.as_str())
            .unwrap_or(Stage::KNOWN.len())
    });
    let mut rows: Vec<Vec<Cell>> = stages
        .into_iter()
        .map(|(wire, count)| {
            let stage = Stage::from_wire(wire);
            let name = if stage.is_known() {
                trackline::labels::stage(lang, &stage)
            } else {
                wire.clone()
            };
            vec![Cell::Text(name), Cell::Count(*count)]
        })
        .collect();
    rows.extend(now.exceptions.iter().map(|(wire, count)| {
        let exception = Exception::from_wire(wire);
        let name = if exception.is_known() {
            trackline::labels::exception(lang, &exception)
        } else {
            wire.clone()
        };
        vec![Cell::Text(name), Cell::Count(*count)]
    }));
    rows.push(vec![
        Cell::Text(t(lang, Word::QueueStale).to_owned()),
        Cell::Count(now.stale),
    ]);
    Table {
        key: "now",
        caption: Word::InsightsNow,
        head: vec![
            t(lang, Word::InsightsStageOrProblem).to_owned(),
            t(lang, Word::InsightsParcels).to_owned(),
        ],
        rows,
    }
}

/// The share delivered on time of those with an estimate, in whole percent.
pub fn on_time_percent(on_time: u64, with_estimate: u64) -> Option<u64> {
    (with_estimate > 0)
        .then(|| (on_time.min(with_estimate) * 100 + with_estimate / 2) / with_estimate)
}

/// The short words a Russian city's name keeps lower-case between its parts (Ростов-на-Дону).
const LOWER: [&str; 4] = ["на", "над", "под", "де"];

/// A city as the events name it, lower-cased by the server, with each part's first letter
/// raised again: "санкт-петербург" is shown "Санкт-Петербург", "ростов-на-дону" "Ростов-на-Дону".
pub fn city(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (at, part) in name.split_inclusive([' ', '-']).enumerate() {
        let word = part.trim_end_matches([' ', '-']);
        let mut letters = part.chars();
        match letters.next() {
            Some(letter) if at == 0 || !LOWER.contains(&word) => {
                out.extend(letter.to_uppercase());
                out.extend(letters);
            }
            _ => out.push_str(part),
        }
    }
    out
}

fn delivery_cells(
    delivered: u64,
    with_estimate: u64,
    on_time: u64,
    transit: Option<TransitDays>,
) -> [Cell; 5] {
    [
        Cell::Count(delivered),
        Cell::Count(with_estimate),
        Cell::Percent(on_time_percent(on_time, with_estimate)),
        Cell::Days(transit.map(|days| days.median)),
        Cell::Days(transit.map(|days| days.p80)),
    ]
}

fn delivery_head(lang: Lang, first: &[Word]) -> Vec<String> {
    first
        .iter()
        .chain(&[
            Word::InsightsDelivered,
            Word::InsightsWithEstimate,
            Word::InsightsOnTime,
            Word::InsightsMedianDays,
            Word::InsightsP80Days,
        ])
        .map(|word| t(lang, *word).to_owned())
        .collect()
}

/// On time and transit days per carrier.
pub fn carriers(lang: Lang, insights: &Insights) -> Table {
    let rows = insights
        .carriers
        .iter()
        .map(|carrier| {
            let name = crate::view::shipment::provider_name(lang, &carrier.carrier).to_owned();
            let mut row = vec![Cell::Text(name)];
            row.extend(delivery_cells(
                carrier.delivered,
                carrier.with_estimate,
                carrier.on_time,
                carrier.transit_days,
            ));
            row
        })
        .collect();
    Table {
        key: "carriers",
        caption: Word::InsightsCarriers,
        head: delivery_head(lang, &[Word::InsightsCarrier]),
        rows,
    }
}

/// On time and transit days per route.
pub fn routes(lang: Lang, insights: &Insights) -> Table {
    let rows = insights
        .routes
        .iter()
        .map(|route| {
            let name = crate::view::shipment::provider_name(lang, &route.carrier).to_owned();
            let mut row = vec![
                Cell::Text(name),
                Cell::Text(city(&route.origin)),
                Cell::Text(city(&route.destination)),
            ];
            row.extend(delivery_cells(
                route.delivered,
                route.with_estimate,
                route.on_time,
                route.transit_days,
            ));
            row
        })
        .collect();
    Table {
        key: "routes",
        caption: Word::InsightsRoutes,
        head: delivery_head(
            lang,
            &[Word::InsightsCarrier, Word::InsightsFrom, Word::InsightsTo],
        ),
        rows,
    }
}

/// The on-time rate over every carrier's parcels with an estimate, in whole percent.
pub fn on_time_overall(insights: &Insights) -> Option<u64> {
    let (on_time, with_estimate) = insights
        .carriers
        .iter()
        .fold((0, 0), |(on_time, with), carrier| {
            (on_time + carrier.on_time, with + carrier.with_estimate)
        });
    on_time_percent(on_time, with_estimate)
}

/// Whether the seller has nothing to see yet: no lookup, no parcel, no delivery.
pub fn is_new(insights: &Insights) -> bool {
    let counted = insights
        .counts
        .values()
        .any(|counts| counts.iter().any(|count| *count > 0))
        || insights.totals.values().any(|total| *total > 0);
    let parcels = insights.now.stages.values().any(|count| *count > 0);
    !counted && !parcels && insights.carriers.is_empty()
}

/// What a spreadsheet would take for a formula at a cell's start (OWASP's CSV injection list,
/// as the server's export escapes it).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The separator between cells: `;`, as Excel on a Russian (decimal-comma) system splits a
/// file opened by a double click, the same as the server's shipments export.
const SEPARATOR: char = ';';

/// A cell of text for a CSV: an apostrophe before a formula's start, and quoted (its quotes
/// doubled) when it holds the separator, a quote or a line break.
pub fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(FORMULA_STARTS) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([SEPARATOR, '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv_value(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => csv_cell(text),
        Cell::Day(day) => csv_cell(day),
        Cell::Count(count) => count.to_string(),
        // Excel reads "91%" as the number 0.91 shown as a percentage, in any locale.
        Cell::Percent(percent) => percent.map(|p| format!("{p}%")).unwrap_or_default(),
        Cell::Days(days) => days.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// The table as a CSV file's text for Excel: a byte order mark (without it Excel reads
/// Windows-1251 on a Russian system), `;` between cells, CRLF after each row.
pub fn csv(table: &Table) -> String {
    let mut out = String::from('\u{feff}');
    let head: Vec<String> = table.head.iter().map(|name| csv_cell(name)).collect();
    out.push_str(&head.join(";"));
    out.push_str("\r\n");
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(csv_value).collect();
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// The CSV file's name: the chart and the period (`trackline-lookups-30d.csv`).
pub fn csv_name(table: &Table, days: u32) -> String {
    format!("trackline-{}-{days}d.csv", table.key)
}
