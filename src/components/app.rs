//! The widget: the form, the lookup it starts, and what the lookup found.

use crate::client::{self, FetchError, Lookup};
use crate::clock::Now;
use crate::components::compact::CompactStatus;
use crate::components::failure::FailureView;
use crate::components::parcels::Parcels;
use crate::components::recent::RecentNumbers;
use crate::components::search_form::SearchForm;
use crate::components::share::ShareButton;
use crate::config::Config;
use crate::error::Failure;
use crate::i18n::{Lang, Msg};
use crate::{events, labels, page_url, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use trackline_core::delivery::expected;
use trackline_core::freshness::worth_refreshing;
use trackline_core::{recent, url_template};
use trackline_core::{TrackResponse, TrackingQuery};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Where a lookup stands.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupState {
    /// Nothing asked yet.
    Idle,
    /// Waiting for the endpoint about this number.
    Loading(String),
    /// The endpoint's answer for the number as submitted, and when it came.
    Found(String, TrackResponse, Now),
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
    let selected = RwSignal::new(0usize);
    let recent_numbers = RwSignal::new(if config.remember {
        storage::recent_numbers()
    } else {
        Vec::new()
    });
    let in_flight = StoredValue::new_local(None::<Lookup>);
    let last_submitted = StoredValue::new(String::new());
    let last_fetched = StoredValue::new(0f64);
    let endpoint = StoredValue::new(config.endpoint.clone());
    let (timeout_ms, share, remember) = (config.timeout_ms, config.share, config.remember);

    let found = move |number: String, response: TrackResponse| {
        if remember {
            let kept = recent::remember(&recent_numbers.get_untracked(), &number);
            storage::keep_recent_numbers(&kept);
            recent_numbers.set(kept);
        }
        if share {
            page_url::show_number(&number);
        }
        LookupState::Found(number, response, Now::read())
    };

    // The answer to a seller's second factor, kept for refreshes and retries of the same number.
    let check = StoredValue::new(None::<String>);
    let url_for = move |number: &str| {
        let url = url_template::expand(&endpoint.get_value(), number);
        match check.get_value() {
            Some(answer) => url_template::with_param(&url, "check", &answer),
            None => url,
        }
    };

    // The request is built from the submitted text, never from the live input.
    let look_up = Callback::new(move |text: String| {
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
        typed.set(number.clone());
        selected.set(0);
        state.set(LookupState::Loading(number.clone()));
        last_fetched.set_value(js_sys::Date::now());
        let (lookup, result) = client::start(url_for(&number), timeout_ms);
        in_flight.set_value(Some(lookup));
        spawn_local(async move {
            let next = match result.await {
                Ok(response) => found(number, response),
                // A newer lookup owns the state now.
                Err(FetchError::Cancelled) => return,
                Err(error) => LookupState::Failed(Failure::Fetch(error), number),
            };
            state.set(next);
        });
    });
    // A new number from the buyer starts without an answer to any second factor.
    let submit = Callback::new(move |text: String| {
        check.set_value(None);
        look_up.run(text);
    });
    let answer = Callback::new(move |given: String| {
        check.set_value(Some(given));
        look_up.run(last_submitted.get_value());
    });

    // Looks again without a spinner; a failure keeps the status on screen, and an unchanged answer changes nothing.
    let refresh = move || {
        let LookupState::Found(number, shown, _) = state.get_untracked() else {
            return;
        };
        if !worth_refreshing(&shown.shipments) {
            return;
        }
        last_fetched.set_value(js_sys::Date::now());
        let (lookup, result) = client::start(url_for(&number), timeout_ms);
        in_flight.set_value(Some(lookup));
        spawn_local(async move {
            let Ok(response) = result.await else {
                return;
            };
            let still_shown = matches!(state.get_untracked(), LookupState::Found(ref n, ref r, _) if *n == number && *r == shown);
            if still_shown && response != shown {
                state.set(LookupState::Found(number, response, Now::read()));
            }
        });
    };
    let refresh_ms = config.refresh_ms;
    let tick = move || {
        let hidden = web_sys::window()
            .and_then(|window| window.document())
            .is_some_and(|document| document.hidden());
        if !hidden && js_sys::Date::now() - last_fetched.get_value() >= f64::from(refresh_ms) * 0.9
        {
            refresh();
        }
    };
    if let Ok(interval) =
        set_interval_with_handle(tick, Duration::from_millis(u64::from(refresh_ms)))
    {
        on_cleanup(move || interval.clear());
    }
    // Coming back to the tab brings the status up to date at once, not at the next tick.
    let on_visible = Closure::<dyn Fn()>::new(tick);
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
        let listener = StoredValue::new_local((document, on_visible));
        on_cleanup(move || {
            listener.with_value(|(document, callback)| {
                let _ = document.remove_event_listener_with_callback(
                    "visibilitychange",
                    callback.as_ref().unchecked_ref(),
                );
            });
        });
    }

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
            LookupState::Found(number, response, _) => {
                events::status_shown(&target, number, response)
            }
            LookupState::Failed(failure, number) => {
                events::lookup_failed(&target, number, failure.code())
            }
            LookupState::Idle | LookupState::Loading(_) => {}
        }
    });

    let busy = Signal::derive(move || matches!(state.get(), LookupState::Loading(_)));
    // "Try again" repeats what failed, whatever has been typed since.
    let retry = Callback::new(move |()| look_up.run(last_submitted.get_value()));
    let forget = Callback::new(move |number: String| {
        let kept = recent::forget(&recent_numbers.get_untracked(), &number);
        storage::keep_recent_numbers(&kept);
        recent_numbers.set(kept);
    });
    // Compact needs a number to show; without one the buyer gets the form after all.
    let compact = config.compact && config.number.is_some();
    // Recent numbers help before a lookup and after a failed one; beside a status they only push it down.
    let recent_shown = Signal::derive(move || {
        if matches!(state.get(), LookupState::Idle | LookupState::Failed(..)) {
            recent_numbers.get()
        } else {
            Vec::new()
        }
    });
    let form = (!compact).then(|| {
        view! {
            <h1 class="tl-widget__title">{lang.t(Msg::Title)}</h1>
            <SearchForm lang value=typed busy on_submit=submit/>
            <RecentNumbers lang numbers=recent_shown on_pick=submit on_remove=forget/>
        }
    });
    let class = if compact {
        "tl-widget tl-widget--compact"
    } else {
        "tl-widget"
    };
    let announcement = move || announce(lang, &state.get());
    view! {
        <div class=class lang=lang.tag() data-theme=config.theme.as_str() data-testid="widget" part="widget" node_ref=root
            role="region" aria-label=lang.t(Msg::Title)>
            {form}
            <p class="tl-visually-hidden" role="status" data-testid="announcement">{announcement}</p>
            <div class="tl-widget__result" data-testid="result">
                {move || render(lang, state.get(), (retry, answer), compact, share, selected)}
            </div>
        </div>
    }
}

/// The short sentence a screen reader hears when the status changes.
fn announce(lang: Lang, state: &LookupState) -> String {
    match state {
        LookupState::Loading(number) => lang.fill(Msg::Loading, &[("number", number)]),
        LookupState::Found(_, response, now) => match response.shipments.as_slice() {
            [one] => {
                let eta = expected(one, now.today)
                    .map(|phrase| {
                        format!(
                            ". {}: {}",
                            lang.t(Msg::EstimatedDelivery),
                            labels::eta(lang, &phrase)
                        )
                    })
                    .unwrap_or_default();
                format!("{}{eta}", labels::headline(lang, one))
            }
            several => labels::order_summary(lang, several),
        },
        // A failure is an alert of its own.
        LookupState::Idle | LookupState::Failed(..) => String::new(),
    }
}

fn render(
    lang: Lang,
    state: LookupState,
    (retry, answer): (Callback<()>, Callback<String>),
    compact: bool,
    share: bool,
    selected: RwSignal<usize>,
) -> AnyView {
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
            view! { <FailureView lang failure number on_retry=retry on_answer=answer/> }.into_any()
        }
        LookupState::Found(_, response, now) if compact => {
            view! { <CompactStatus lang response today=now.today/> }.into_any()
        }
        LookupState::Found(number, response, now) => {
            let share = share.then(|| page_url::link_for(&number)).flatten().map(
                |url| view! { <div class="tl-widget__bar"><ShareButton lang number url/></div> },
            );
            view! {
                {share}
                <Parcels lang response now selected/>
            }
            .into_any()
        }
    }
}
