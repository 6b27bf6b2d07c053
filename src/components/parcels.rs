//! The parcels of one answer: a summary and a switch when the order was split.

use crate::components::shipment::ShipmentView;
use crate::i18n::{Lang, Msg};
use crate::labels;
use leptos::prelude::*;
use trackline_core::summary::first_to_open;
use trackline_core::time::Now;
use trackline_core::TrackResponse;
use wasm_bindgen::JsCast;

/// Every shipment of an answer; with several, a summary line and tabs to switch between them.
#[component]
pub fn Parcels(
    /// The language of the labels.
    lang: Lang,
    /// The endpoint's answer.
    response: TrackResponse,
    /// The moment it was fetched.
    now: Now,
    /// Which parcel the buyer opened, if they did; kept by the caller so that a refresh does not
    /// move the buyer. Until then, the parcel that still needs them.
    selected: RwSignal<Option<usize>>,
    /// Whether it draws again a status on screen for the same number, all at once.
    redrawn: bool,
    /// Whether the buyer opened the whole history; kept by the caller, as `selected` is.
    history_expanded: RwSignal<bool>,
) -> impl IntoView {
    let count = response.shipments.len();
    let first = first_to_open(&response.shipments);
    let shown = move || {
        selected
            .get()
            .filter(|index| *index < count)
            .unwrap_or(first)
    };
    let summary = (count > 1).then(|| labels::order_summary(lang, &response.shipments));
    let shipments = StoredValue::new(response.shipments);
    let tabs = summary.map(|summary| {
        let buttons = (0..count)
            .map(|index| {
                let label = shipments.with_value(|all| {
                    all[index].shipment_number.clone().unwrap_or_else(|| {
                        lang.fill(Msg::ParcelN, &[("n", &(index + 1).to_string())])
                    })
                });
                let headline = shipments.with_value(|all| labels::headline(lang, &all[index]));
                let is_selected = move || shown() == index;
                view! {
                    <button type="button" role="tab" class="tl-parcels__tab" data-testid="parcel-tab"
                        id=format!("tl-parcel-tab-{index}") aria-controls="tl-parcel-panel"
                        aria-selected=move || is_selected().to_string()
                        tabindex=move || if is_selected() { "0" } else { "-1" }
                        on:click=move |_| selected.set(Some(index))
                        on:keydown=move |event| move_between_tabs(&event, index, count, selected)>
                        <span class="tl-parcels__tab-number">{label}</span>
                        <span class="tl-parcels__tab-status">{headline}</span>
                    </button>
                }
            })
            .collect_view();
        view! {
            <nav class="tl-parcels" aria-label=summary.clone()>
                <p class="tl-parcels__summary" data-testid="parcel-summary">{summary.clone()}</p>
                <div class="tl-parcels__tabs" role="tablist">{buttons}</div>
            </nav>
        }
    });
    let panel = move || {
        let index = shown();
        shipments
            .with_value(|all| all.get(index).cloned())
            .map(|shipment| view! { <ShipmentView lang shipment now redrawn history_expanded/> })
    };
    if count > 1 {
        view! {
            {tabs}
            <div role="tabpanel" id="tl-parcel-panel" aria-labelledby=move || format!("tl-parcel-tab-{}", shown())>
                {panel}
            </div>
        }
        .into_any()
    } else {
        view! { {panel} }.into_any()
    }
}

/// Arrow keys, Home and End move between tabs, as the ARIA tabs pattern has it.
fn move_between_tabs(
    event: &leptos::ev::KeyboardEvent,
    index: usize,
    count: usize,
    selected: RwSignal<Option<usize>>,
) {
    let next = match event.key().as_str() {
        "ArrowRight" | "ArrowDown" => (index + 1) % count,
        "ArrowLeft" | "ArrowUp" => (index + count - 1) % count,
        "Home" => 0,
        "End" => count - 1,
        _ => return,
    };
    event.prevent_default();
    selected.set(Some(next));
    // Focus follows the selection so that keyboard users stay on the tab they chose.
    let tab = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|tab| tab.parent_element())
        .and_then(|list| list.children().item(next as u32))
        .and_then(|tab| tab.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(tab) = tab {
        let _ = tab.focus();
    }
}
