//! The insights page (lookups per day by outcome, the ways in, taps, the parcels now, on time
//! and transit days per carrier and route, notifications and webhooks, over 7, 30 or 90 days)
//! and the home's summary of it.
//!
//! Charts are plain SVG drawn by the view. leptos-chartistry 0.2.3 (Leptos 0.8) builds for the
//! console, but drawing only the lookups' chart with it cost 390 KB of wasm (98 KB brotli) over
//! this whole page, brought 19 crates (leptos-use, chrono…), wrote inline `style` attributes that
//! the console's policy (`style-src 'self'`) refuses, and labelled days as numbers without the
//! seller's language. Each chart is an image named by its title for a screen reader, with its
//! numbers beside it in a real table ("Show the numbers") and as a CSV file.

use super::{reported, Gate, Problem};
use crate::api::{self, Insights};
use crate::insights::{self, Cell, Table, OUTCOMES, PERIODS};
use crate::route::Place;
use crate::words::{fill, text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use trackline::i18n::Lang;

thread_local! {
    /// `Intl.NumberFormat`s by language, plain and percent: built once, as the widget keeps its own.
    static NUMBERS: RefCell<Vec<(Lang, bool, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
}

/// The browser's number formatter for `lang` (percent or plain).
fn number_format(lang: Lang, percent: bool) -> js_sys::Function {
    NUMBERS.with(|kept| {
        if let Some((_, _, format)) = kept
            .borrow()
            .iter()
            .find(|(l, p, _)| *l == lang && *p == percent)
        {
            return format.clone();
        }
        let options = js_sys::Object::new();
        if percent {
            let _ = js_sys::Reflect::set(&options, &"style".into(), &"percent".into());
        }
        let locales = js_sys::Array::of1(&lang.tag().into());
        let format = js_sys::Intl::NumberFormat::new(&locales, &options).format();
        kept.borrow_mut().push((lang, percent, format.clone()));
        format
    })
}

fn formatted(lang: Lang, percent: bool, value: f64) -> Option<String> {
    number_format(lang, percent)
        .call1(&wasm_bindgen::JsValue::NULL, &value.into())
        .ok()?
        .as_string()
}

/// A count in the seller's language (`1 234`, `1,234`).
pub fn number(lang: Lang, count: u64) -> String {
    formatted(lang, false, count as f64).unwrap_or_else(|| count.to_string())
}

/// A whole percentage in the seller's language (`91 %`, `91%`).
pub fn percent(lang: Lang, whole: u64) -> String {
    formatted(lang, true, whole as f64 / 100.0).unwrap_or_else(|| format!("{whole}%"))
}

/// A cell as the seller reads it.
pub fn cell_text(lang: Lang, cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Day(day) => trackline::format::day(lang, day),
        Cell::Count(count) => number(lang, *count),
        Cell::Percent(Some(whole)) => percent(lang, *whole),
        Cell::Days(Some(days)) => number(lang, u64::from(*days)),
        Cell::Percent(None) | Cell::Days(None) => "—".to_owned(),
    }
}

/// The chart's numbers as a table, behind "Show the numbers".
pub fn numbers(lang: Lang, table: &Table) -> impl IntoView {
    let words_at = |at: usize| {
        table
            .rows
            .first()
            .and_then(|row| row.get(at))
            .is_some_and(|cell| matches!(cell, Cell::Text(_)))
            .then_some("con__words")
    };
    let head = table
        .head
        .iter()
        .enumerate()
        .map(|(at, name)| view! { <th scope="col" class=words_at(at)>{name.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(at, cell)| {
                    let text = cell_text(lang, cell);
                    // Words read from the left, numbers line up on the right.
                    let words = matches!(cell, Cell::Text(_)).then_some("con__words");
                    if at == 0 {
                        view! { <th scope="row">{text}</th> }.into_any()
                    } else {
                        view! { <td class=words>{text}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <details class="con__figures">
            <summary>{t(lang, Word::InsightsShowNumbers)}</summary>
            // A keyboard scrolls a table wider than a phone only from a focusable region.
            <div class="con__scroll" tabindex="0" role="region" aria-label=t(lang, table.caption)>
                <table>
                    <caption>{t(lang, table.caption)}</caption>
                    <thead><tr>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}

/// Saves `text` as a CSV file named `name`: a Blob behind an object URL, clicked as a link.
fn save(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv; charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let document = web_sys::window()?.document()?;
    let link: web_sys::HtmlElement =
        wasm_bindgen::JsCast::dyn_into(document.create_element("a").ok()?).ok()?;
    let _ = link.set_attribute("href", &url);
    let _ = link.set_attribute("download", name);
    link.click();
    // The click has started the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Some(())
}

/// The "Download CSV" button of a table (its chart's title follows for a screen reader).
pub fn download(lang: Lang, table: &Table, days: u32) -> impl IntoView {
    let name = insights::csv_name(table, days);
    let text = StoredValue::new(insights::csv(table));
    let label = format!(
        "{} — {}",
        t(lang, Word::InsightsDownload),
        t(lang, table.caption)
    );
    view! {
        <button type="button" class="con__quiet" aria-label=label data-testid="download-csv"
            on:click=move |_| {
                let _ = text.with_value(|text| save(&name, text));
            }>
            {t(lang, Word::InsightsDownload)}
        </button>
    }
}

/// The series' colour classes, in the outcomes' order.
const SERIES: [&str; 4] = ["con__s1", "con__s2", "con__s3", "con__s4"];

/// Stacked bars per day (the lookups' outcomes), as an SVG named by `title`.
pub fn day_bars(lang: Lang, table: &Table, small: bool) -> impl IntoView {
    let totals: Vec<u64> = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Cell::Count(count) => *count,
                    _ => 0,
                })
                .sum()
        })
        .collect();
    let top = totals.iter().copied().max().unwrap_or(0).max(1);
    let width = table.rows.len().max(1) * 10;
    let bars = table
        .rows
        .iter()
        .enumerate()
        .flat_map(|(at, row)| {
            let mut floor = 100.0;
            row.iter()
                .skip(1)
                .zip(SERIES)
                .filter_map(|(cell, class)| match cell {
                    Cell::Count(count) if *count > 0 => {
                        let height = *count as f64 * 100.0 / top as f64;
                        floor -= height;
                        Some(view! {
                            <rect class=class x=at * 10 + 1 y=format!("{floor:.2}") width="8"
                                height=format!("{height:.2}")/>
                        })
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect_view();
    let first = table
        .rows
        .first()
        .and_then(|row| row.first())
        .map(|cell| cell_text(lang, cell))
        .unwrap_or_default();
    let last = table
        .rows
        .last()
        .and_then(|row| row.first())
        .map(|cell| cell_text(lang, cell))
        .unwrap_or_default();
    let legend = OUTCOMES
        .iter()
        .zip(SERIES)
        .map(|((_, word), class)| {
            view! { <li><span class=format!("con__swatch {class}")></span>{t(lang, *word)}</li> }
        })
        .collect_view();
    let class = if small {
        "con__daybars con__daybars--small"
    } else {
        "con__daybars"
    };
    view! {
        <div class=class>
            <p class="con__axis-top con__muted" aria-hidden="true">{number(lang, top)}</p>
            <svg role="img" aria-label=t(lang, table.caption) viewBox=format!("0 0 {width} 100")
                preserveAspectRatio="none" focusable="false">
                {bars}
                <line class="con__baseline" x1="0" y1="100" x2=width y2="100"/>
            </svg>
            <p class="con__axis con__muted" aria-hidden="true"><span>{first}</span><span>{last}</span></p>
            <ul class="con__legend" aria-hidden="true">{legend}</ul>
        </div>
    }
}

/// One bar of a horizontal bar chart: its name, its length (0–100) and what it says.
pub struct Bar {
    /// What the bar counts.
    pub label: String,
    /// Its length, 0 to 100.
    pub length: f64,
    /// Its figure, as the seller reads it.
    pub value: String,
    /// A note under the label (transit days), if any.
    pub note: Option<String>,
}

/// Horizontal bars, as one image named by `title` (the table beside holds the numbers).
pub fn bars(title: &str, bars: Vec<Bar>, class: &'static str) -> impl IntoView {
    let rows = bars
        .into_iter()
        .map(|bar| {
            let length = format!("{:.2}", bar.length.clamp(0.0, 100.0));
            let note = bar
                .note
                .map(|note| view! { <span class="con__note con__muted">{note}</span> });
            view! {
                <div class="con__hbar">
                    <span class="con__bar-label">{bar.label}</span>
                    <span class="con__bar-value">{bar.value}</span>
                    {note}
                    <svg viewBox="0 0 100 10" preserveAspectRatio="none" focusable="false">
                        <rect class="con__track" width="100" height="10"/>
                        <rect class=class width=length height="10"/>
                    </svg>
                </div>
            }
        })
        .collect_view();
    // A div, as a list may not be an image; the image's parts are read from the table instead.
    view! { <div class="con__hbars" role="img" aria-label=title.to_owned()>{rows}</div> }
}

/// A table of counts per kind drawn as bars against its largest.
fn count_bars(lang: Lang, table: &Table) -> impl IntoView {
    let counts: Vec<(String, u64)> = table
        .rows
        .iter()
        .map(|row| {
            let label = match row.first() {
                Some(Cell::Text(text)) => text.clone(),
                _ => String::new(),
            };
            let count = match row.get(1) {
                Some(Cell::Count(count)) => *count,
                _ => 0,
            };
            (label, count)
        })
        .collect();
    let top = counts
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(0)
        .max(1);
    let list = counts
        .into_iter()
        .map(|(label, count)| Bar {
            label,
            length: count as f64 * 100.0 / top as f64,
            value: number(lang, count),
            note: None,
        })
        .collect();
    bars(t(lang, table.caption), list, "con__s1")
}

/// A table of deliveries (per carrier or route) drawn as the on-time rate, transit days noted.
fn on_time_bars(lang: Lang, table: &Table, named_by: usize) -> impl IntoView {
    let list = table
        .rows
        .iter()
        .map(|row| {
            let text = |at: usize| match row.get(at) {
                Some(Cell::Text(text)) => text.clone(),
                _ => String::new(),
            };
            let label = if named_by == 3 {
                format!("{} → {} · {}", text(1), text(2), text(0))
            } else {
                text(0)
            };
            let rate = match row.get(named_by + 2) {
                Some(Cell::Percent(rate)) => *rate,
                _ => None,
            };
            let days = |at: usize| match row.get(named_by + at) {
                Some(Cell::Days(Some(days))) => Some(*days),
                _ => None,
            };
            let note = days(3).zip(days(4)).map(|(median, p80)| {
                fill(
                    lang,
                    Word::InsightsTransit,
                    &[
                        ("median", &number(lang, u64::from(median))),
                        ("p80", &number(lang, u64::from(p80))),
                    ],
                )
            });
            Bar {
                label,
                length: rate.unwrap_or(0) as f64,
                value: rate.map_or_else(|| "—".to_owned(), |rate| percent(lang, rate)),
                note,
            }
        })
        .collect();
    bars(t(lang, table.caption), list, "con__ok-bar")
}

/// A chart's card: its title, the picture (or "nothing in this period"), the numbers and the CSV.
fn card(lang: Lang, table: Table, days: u32, picture: AnyView) -> impl IntoView {
    let id = format!("con-chart-{}", table.key);
    let labelled = id.clone();
    let body = if table.is_empty() {
        view! { <p class="con__muted">{t(lang, Word::InsightsNothing)}</p> }.into_any()
    } else {
        picture
    };
    view! {
        <section class="con__card con__chart" aria-labelledby=labelled data-testid="chart" data-chart=table.key>
            <h2 id=id>{t(lang, table.caption)}</h2>
            {body}
            {numbers(lang, &table)}
            {download(lang, &table, days)}
        </section>
    }
}

/// The page's charts for an answer over `days` days.
pub fn charts(lang: Lang, answer: &Insights, days: u32) -> AnyView {
    if insights::is_new(answer) {
        return view! { <p class="con__lead" data-testid="insights-empty">{t(lang, Word::InsightsEmpty)}</p> }
            .into_any();
    }
    let lookups = insights::lookups(lang, answer);
    let lookups_picture = day_bars(lang, &lookups, false).into_any();
    let ways_in = insights::ways_in(lang, answer);
    let ways_in_picture = count_bars(lang, &ways_in).into_any();
    let taps = insights::taps(lang, answer);
    let taps_picture = count_bars(lang, &taps).into_any();
    let now = insights::now(lang, answer);
    let now_picture = count_bars(lang, &now).into_any();
    let carriers = insights::carriers(lang, answer);
    let carriers_picture = on_time_bars(lang, &carriers, 1).into_any();
    let routes = insights::routes(lang, answer);
    let routes_picture = on_time_bars(lang, &routes, 3).into_any();
    let messages = insights::messages(lang, answer);
    let messages_picture = count_bars(lang, &messages).into_any();
    view! {
        {card(lang, lookups, days, lookups_picture)}
        <div class="con__charts">
            {card(lang, ways_in, days, ways_in_picture)}
            {card(lang, taps, days, taps_picture)}
            {card(lang, now, days, now_picture)}
            {card(lang, messages, days, messages_picture)}
        </div>
        {card(lang, carriers, days, carriers_picture)}
        {card(lang, routes, days, routes_picture)}
    }
    .into_any()
}

/// The period switch: 7, 30 or 90 days, the chosen one pressed.
fn period_switch(lang: Lang, days: RwSignal<u32>) -> impl IntoView {
    let buttons = PERIODS
        .iter()
        .map(|&period| {
            let pressed = move || {
                if days.get() == period {
                    "true"
                } else {
                    "false"
                }
            };
            let label = fill(
                lang,
                Word::InsightsLastDays,
                &[("count", &period.to_string())],
            );
            view! {
                <button type="button" class="con__tab" aria-pressed=pressed data-days=period
                    on:click=move |_| days.set(period)>{label}</button>
            }
        })
        .collect_view();
    view! {
        <div class="con__inline con__period" role="group" aria-label=t(lang, Word::InsightsPeriod)>
            {buttons}
        </div>
    }
}

/// What the page shows: loading, an answer for a period, or a failure.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    Answer(u32, Insights),
    Failed,
}

/// Asks for `days`' insights and shows the answer, unless another period was asked meanwhile.
fn load(
    gate: RwSignal<Gate>,
    days: u32,
    asked: RwSignal<u32>,
    shown: RwSignal<Shown>,
    problem: RwSignal<Option<Problem>>,
) {
    shown.set(Shown::Loading);
    problem.set(None);
    spawn_local(async move {
        let answer = api::insights(days).await;
        if asked.get_untracked() != days {
            return;
        }
        match answer {
            Ok(answer) => shown.set(Shown::Answer(days, answer)),
            Err(error) => {
                problem.set(Some(reported(gate, error)));
                shown.set(Shown::Failed);
            }
        }
    });
}

/// The insights page.
#[component]
pub fn InsightsPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    let days = RwSignal::new(30_u32);
    let shown = RwSignal::new(Shown::Loading);
    let problem = RwSignal::new(None::<Problem>);
    Effect::new(move |_| load(gate, days.get(), days, shown, problem));
    let body = move || {
        match shown.get() {
        Shown::Loading => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Shown::Failed => view! {
            <p class="con__error" role="alert" data-testid="insights-failed">
                {t(lang, Word::InsightsFailed)}" "{problem.get().map(|problem| problem.text(lang))}
            </p>
            <button type="button" on:click=move |_| load(gate, days.get_untracked(), days, shown, problem)>
                {t(lang, Word::TryAgain)}
            </button>
        }
        .into_any(),
        Shown::Answer(period, answer) => charts(lang, &answer, period),
    }
    };
    view! {
        <h1>{t(lang, Word::InsightsTitle)}</h1>
        <p class="con__muted">{t(lang, Word::InsightsLead)}</p>
        {period_switch(lang, days)}
        <div data-testid="insights">{body}</div>
    }
}

/// The home's summary: lookups per day over 30 days and the on-time rate, linking to the page.
pub fn summary(lang: Lang, answer: &Insights) -> impl IntoView {
    let body = if insights::is_new(answer) {
        view! { <p class="con__muted" data-testid="insights-empty">{t(lang, Word::InsightsEmpty)}</p> }
            .into_any()
    } else {
        let lookups = insights::lookups(lang, answer);
        let rate = match insights::on_time_overall(answer) {
            Some(rate) => fill(
                lang,
                Word::InsightsOnTimeRate,
                &[("percent", &percent(lang, rate))],
            ),
            None => t(lang, Word::InsightsNoRate).to_owned(),
        };
        view! {
            <h3>{t(lang, Word::InsightsLookups)}</h3>
            {day_bars(lang, &lookups, true)}
            <p class="con__lead" data-testid="on-time">{rate}</p>
        }
        .into_any()
    };
    view! {
        <section class="con__card con__summary" aria-labelledby="con-insights-summary" data-testid="insights-summary">
            <h2 id="con-insights-summary">{t(lang, Word::InsightsTitle)}" · "{t(lang, Word::InsightsSummary)}</h2>
            {body}
            <a href=Place::Insights.hash()>{t(lang, Word::InsightsMore)}</a>
        </section>
    }
}

/// The home's summary, read from the server; a failure is a quiet line, as the home is for
/// what needs attention.
#[component]
pub fn InsightsSummary(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    let found = RwSignal::new(None::<Result<Insights, ()>>);
    spawn_local(async move {
        let answer = api::insights(30).await;
        found.set(Some(answer.map_err(|error| {
            reported(gate, error);
        })));
    });
    move || match found.get() {
        None => {
            view! { <p role="status" class="con__muted">{t(lang, Word::Loading)}</p> }.into_any()
        }
        Some(Ok(answer)) => summary(lang, &answer).into_any(),
        Some(Err(())) => view! {
            <p class="con__muted" data-testid="insights-failed">{t(lang, Word::InsightsFailed)}</p>
        }
        .into_any(),
    }
}
