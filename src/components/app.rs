//! The widget: the form, the lookup it starts, and what the lookup found.

use crate::client::{self, FetchError, Lookup};
use crate::components::compact::CompactStatus;
use crate::components::failure::FailureView;
use crate::components::search_form::SearchForm;
use crate::components::shipment::ShipmentView;
use crate::config::Config;
use crate::error::Failure;
use crate::events;
use crate::i18n::{Lang, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline_core::url_template;
use trackline_core::{TrackResponse, TrackingQuery};

/// Where a lookup stands.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupState {
    /// Nothing asked yet.
    Idle,
    /// Waiting for the endpoint about this number.
    Loading(String),
    /// The endpoint's answer for the number as submitted.
    Found(String, TrackResponse),
    /// Why no status can be shown, and for which typed text.
    Failed(Failure, String),
}

/// The whole widget, configured by its entry point.
#[component]
pub fn App(
    /// The endpoint, language and initial number.
    config: Config,
) -> impl IntoView {
    let lang = config.lang;
    let typed = RwSignal::new(
        config
            .number
            .clone()
            .or_else(|| config.draft.clone())
            .unwrap_or_default(),
    );
    let state = RwSignal::new(LookupState::Idle);
    let in_flight = StoredValue::new_local(None::<Lookup>);
    let last_submitted = StoredValue::new(String::new());
    let endpoint = config.endpoint.clone();
    let timeout_ms = config.timeout_ms;

    // The request is built from the submitted text, never from the live input.
    let submit = Callback::new(move |text: String| {
        in_flight.with_value(|lookup| lookup.as_ref().map(Lookup::cancel));
        last_submitted.set_value(text.clone());
        let query = match TrackingQuery::parse(&text) {
            Ok(query) => query,
            Err(error) => {
                state.set(LookupState::Failed(Failure::Input(error), text));
                return;
            }
        };
        let number = query.as_str().to_owned();
        state.set(LookupState::Loading(number.clone()));
        let (lookup, result) = client::start(url_template::expand(&endpoint, &number), timeout_ms);
        in_flight.set_value(Some(lookup));
        spawn_local(async move {
            let next = match result.await {
                Ok(response) => LookupState::Found(number, response),
                // A newer lookup owns the state now.
                Err(FetchError::Cancelled) => return,
                Err(error) => LookupState::Failed(Failure::Fetch(error), number),
            };
            state.set(next);
        });
    });
    on_cleanup(move || {
        in_flight.with_value(|lookup| lookup.as_ref().map(Lookup::cancel));
    });
    if let Some(number) = config.number.clone() {
        submit.run(number);
    }

    // Tell the host page what the buyer sees, from the widget's root so the event leaves any shadow root.
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let current = state.get();
        let Some(target) = root.get_untracked() else {
            return;
        };
        match &current {
            LookupState::Found(number, response) => events::status_shown(&target, number, response),
            LookupState::Failed(failure, number) => {
                events::lookup_failed(&target, number, failure.code())
            }
            LookupState::Idle | LookupState::Loading(_) => {}
        }
    });

    let busy = Signal::derive(move || matches!(state.get(), LookupState::Loading(_)));
    // "Try again" repeats what failed, whatever has been typed since.
    let retry = Callback::new(move |()| submit.run(last_submitted.get_value()));
    // Compact needs a number to show; without one the buyer gets the form after all.
    let compact = config.compact && config.number.is_some();
    let form = (!compact).then(|| {
        view! {
            <h1 class="tl-widget__title">{lang.t(Msg::Title)}</h1>
            <SearchForm lang value=typed busy on_submit=submit/>
        }
    });
    let class = if compact {
        "tl-widget tl-widget--compact"
    } else {
        "tl-widget"
    };
    view! {
        <div class=class lang=lang.tag() data-theme=config.theme.as_str() data-testid="widget" part="widget" node_ref=root>
            {form}
            <div class="tl-widget__result" aria-live="polite" data-testid="result">
                {move || render(lang, state.get(), retry, compact)}
            </div>
        </div>
    }
}

fn render(lang: Lang, state: LookupState, retry: Callback<()>, compact: bool) -> AnyView {
    match state {
        LookupState::Idle => ().into_any(),
        LookupState::Loading(number) => view! {
            <p class="tl-loading" data-testid="loading">
                <span class="tl-loading__spinner" aria-hidden="true"></span>
                {lang.fill(Msg::Loading, &[("number", &number)])}
            </p>
        }
        .into_any(),
        LookupState::Failed(failure, number) => {
            view! { <FailureView lang failure number on_retry=retry/> }.into_any()
        }
        LookupState::Found(_, response) if compact => {
            view! { <CompactStatus lang response/> }.into_any()
        }
        LookupState::Found(_, response) => view! { <Shipments lang response/> }.into_any(),
    }
}

/// The shipments of one answer: a switch between parcels when the order was split.
#[component]
fn Shipments(lang: Lang, response: TrackResponse) -> impl IntoView {
    let count = response.shipments.len();
    let selected = RwSignal::new(0usize);
    let shipments = StoredValue::new(response.shipments);
    let tabs = (count > 1).then(|| {
        let buttons = (0..count)
            .map(|index| {
                let label = shipments.with_value(|all| {
                    all[index]
                        .shipment_number
                        .clone()
                        .unwrap_or_else(|| lang.fill(Msg::ParcelN, &[("n", &(index + 1).to_string())]))
                });
                view! {
                    <button type="button" role="tab" class="tl-parcels__tab" data-testid="parcel-tab"
                        aria-selected=move || (selected.get() == index).to_string()
                        on:click=move |_| selected.set(index)>
                        {label}
                    </button>
                }
            })
            .collect_view();
        view! {
            <nav class="tl-parcels">
                <p class="tl-parcels__summary" data-testid="parcel-summary">
                    {lang.fill(Msg::ParcelsInOrder, &[("count", &count.to_string())])}
                </p>
                <div class="tl-parcels__tabs" role="tablist">{buttons}</div>
            </nav>
        }
    });
    view! {
        {tabs}
        {move || {
            let shipment = shipments.with_value(|all| all.get(selected.get()).cloned());
            shipment.map(|shipment| view! { <ShipmentView lang shipment/> })
        }}
    }
}
