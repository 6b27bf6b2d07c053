//! The shipments list: a tab per stage with its count, a search by any number, the filters and
//! the order, and "show more" by the server's cursor.

use super::connections::moment_of;
use super::{alert, reported, Gate, Problem};
use crate::api::{self, Listed};
use crate::query::{ListQuery, Order, Problems};
use crate::route::Place;
use crate::words::{text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use trackline::i18n::Lang;
use trackline::labels;
use trackline_core::Stage;

/// One row: the reference (the shipment's page), its stage and problem, its numbers.
fn row(lang: Lang, listed: Listed) -> impl IntoView {
    let shipment = listed.shipment;
    let stage = labels::stage(lang, &shipment.stage);
    let exception = shipment
        .exception
        .as_ref()
        .map(|exception| view! { <span class="con__problem">{labels::exception(lang, exception)}</span> });
    let numbers = [
        shipment.tracking_number.clone(),
        shipment.order_number.clone(),
        shipment.shipment_number.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let updated = shipment.updated_at.as_deref().map(|at| {
        view! { <time class="con__muted" datetime=at.to_owned()>{moment_of(lang, at)}</time> }
    });
    let name = match listed.reference {
        Some(reference) => {
            let href = Place::Shipment(reference.clone()).hash();
            view! { <a class="con__ref" href=href>{reference}</a> }.into_any()
        }
        // Its page is addressed by reference: a row without one says why it opens nothing.
        None => view! {
            <span class="con__ref con__muted" data-testid="no-reference">{t(lang, Word::NoReference)}</span>
            <span class="con__hint con__numbers">{t(lang, Word::NoReferenceWhy)}</span>
        }
        .into_any(),
    };
    view! {
        <li class="con__row" data-testid="row">
            {name}
            <span class="con__stage">{stage}</span>
            {exception}
            <span class="con__numbers">{numbers}</span>
            {updated}
        </li>
    }
}

/// The stage tabs: every stage, and each stage that has shipments, with its count.
fn tabs(
    lang: Lang,
    query: RwSignal<ListQuery>,
    counts: RwSignal<BTreeMap<String, i64>>,
) -> impl IntoView {
    let tab = move |stage: Option<String>, label: String| {
        let chosen = stage.clone();
        let pressed = move || {
            let on = query.with(|query| query.stage == chosen);
            if on {
                "true"
            } else {
                "false"
            }
        };
        view! {
            <button type="button" class="con__tab" aria-pressed=pressed
                on:click=move |_| query.update(|query| {
                    query.stage = stage.clone();
                    query.cursor = None;
                })>{label}</button>
        }
    };
    move || {
        let counts = counts.get();
        let chosen = query.with(|query| query.stage.clone());
        let all: i64 = counts.values().sum();
        let mut shown = vec![tab(None, format!("{} {all}", t(lang, Word::AllStages)))];
        for stage in Stage::KNOWN {
            let wire = stage.as_str().to_owned();
            let count = counts.get(&wire).copied().unwrap_or(0);
            if count > 0 || chosen.as_deref() == Some(wire.as_str()) {
                let label = format!("{} {count}", labels::stage(lang, &stage));
                shown.push(tab(Some(wire), label));
            }
        }
        shown.collect_view()
    }
}

/// The shipments list, perhaps opened filtered (from a queue of the home).
#[component]
pub fn List(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
    /// Only shipments with a problem.
    problems: bool,
    /// Only shipments gone stale.
    stale: bool,
) -> impl IntoView {
    let query = RwSignal::new(ListQuery {
        problems: if problems {
            Problems::With
        } else {
            Problems::Any
        },
        stale,
        ..ListQuery::default()
    });
    let rows = RwSignal::new(Vec::<Listed>::new());
    let counts = RwSignal::new(BTreeMap::<String, i64>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let problem = RwSignal::new(None::<Problem>);
    // Each load's number: an answer to a query since changed is dropped.
    let asked = StoredValue::new(0_u32);
    let load = move |query: ListQuery, more: bool| {
        asked.update_value(|asked| *asked += 1);
        let this = asked.get_value();
        loading.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::shipments(&query).await;
            if asked.get_value() != this {
                return;
            }
            loading.set(false);
            match answer {
                Ok(page) => {
                    if more {
                        rows.update(|rows| rows.extend(page.shipments));
                    } else {
                        rows.set(page.shipments);
                    }
                    counts.set(page.counts);
                    next.set(page.next);
                }
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    Effect::new(move |_| load(query.get().first_page(), false));
    let more = move |_| {
        if let Some(cursor) = next.get_untracked() {
            let mut page = query.get_untracked();
            page.cursor = Some(cursor);
            load(page, true);
        }
    };
    let typed = RwSignal::new(String::new());
    let search = move |event: SubmitEvent| {
        event.prevent_default();
        query.update(|query| {
            query.search = typed.get_untracked();
            query.cursor = None;
        });
    };
    let shown = move || {
        let rows = rows.get();
        if rows.is_empty() && !loading.get() {
            view! { <p class="con__lead" data-testid="no-shipments">{t(lang, Word::NoShipments)}</p> }.into_any()
        } else {
            view! { <ul class="con__rows" data-testid="rows">{rows.into_iter().map(|listed| row(lang, listed)).collect_view()}</ul> }.into_any()
        }
    };
    view! {
        <h1>{t(lang, Word::ShipmentsTitle)}</h1>
        <form class="con__search" role="search" on:submit=search>
            <label for="con-search">{t(lang, Word::SearchNumber)}</label>
            <div class="con__inline">
                <input id="con-search" type="search" autocomplete="off" spellcheck="false" maxlength="100"
                    prop:value=move || typed.get() on:input=move |event| typed.set(event_target_value(&event))/>
                <button type="submit">{t(lang, Word::Search)}</button>
            </div>
        </form>
        <div class="con__tabs" role="group" aria-label=t(lang, Word::Stages)>{tabs(lang, query, counts)}</div>
        // The file of what the list shows (every page of it): a plain GET with the cookie.
        <p class="con__export"><a href=move || query.with(api::export_href) download="shipments.csv"
            data-testid="export">{t(lang, Word::ExportCsv)}</a></p>
        <div class="con__filters">
            <div>
                <label for="con-problems">{t(lang, Word::FilterException)}</label>
                <select id="con-problems" on:change=move |event| {
                    let chosen = Problems::from_value(&event_target_value(&event));
                    query.update(|query| query.problems = chosen);
                }>
                    <option value="" selected=move || query.with(|q| q.problems == Problems::Any)>{t(lang, Word::FilterAny)}</option>
                    <option value="any" selected=move || query.with(|q| q.problems == Problems::With)>{t(lang, Word::FilterWithProblem)}</option>
                    <option value="none" selected=move || query.with(|q| q.problems == Problems::Without)>{t(lang, Word::FilterWithoutProblem)}</option>
                </select>
            </div>
            <div>
                <label for="con-sort">{t(lang, Word::Sort)}</label>
                <select id="con-sort" on:change=move |event| {
                    let chosen = Order::from_value(&event_target_value(&event));
                    query.update(|query| query.order = chosen);
                }>
                    <option value="updated">{t(lang, Word::SortUpdated)}</option>
                    <option value="created">{t(lang, Word::SortCreated)}</option>
                    <option value="reference">{t(lang, Word::SortReference)}</option>
                </select>
            </div>
            <div class="con__check">
                <input id="con-stale" type="checkbox" prop:checked=move || query.with(|q| q.stale)
                    on:change=move |event| {
                        let on = event_target_checked(&event);
                        query.update(|query| query.stale = on);
                    }/>
                <label for="con-stale">{t(lang, Word::FilterStale)}</label>
            </div>
        </div>
        {alert(lang, problem)}
        {shown}
        <p role="status" class="con__muted">{move || loading.get().then(|| t(lang, Word::Loading))}</p>
        {move || next.with(Option::is_some).then(|| view! {
            <button type="button" data-testid="more" disabled=move || loading.get() on:click=more>{t(lang, Word::More)}</button>
        })}
    }
}
