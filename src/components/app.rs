//! The widget: the form, the lookup it starts, and what the lookup found.

use crate::client::{self, Answer, FetchError, Lookup};
use crate::clock::Now;
use crate::components::compact::CompactStatus;
use crate::components::failure::FailureView;
use crate::components::kept_notice::KeptNotice;
use crate::components::parcels::Parcels;
use crate::components::recent::RecentNumbers;
use crate::components::search_form::SearchForm;
use crate::components::share::ShareButton;
use crate::config::Config;
use crate::error::Failure;
use crate::i18n::{Lang, Msg};
use crate::{events, format, labels, page_url, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use trackline_core::contract::parse_track_response;
use trackline_core::delivery::expected;
use trackline_core::freshness::worth_refreshing;
use trackline_core::time::UnixMillis;
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
    /// The endpoint could not be reached: the device's copy of the number's last answer instead.
    Kept {
        /// The number as submitted.
        number: String,
        /// The answer as it was saved.
        response: TrackResponse,
        /// When the copy is shown.
        now: Now,
        /// When the copy was saved.
        saved_at: UnixMillis,
        /// The device has no network (rather than the endpoint not answering).
        offline: bool,
    },
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
    let (timeout_ms, share, remember, focus) = (
        config.timeout_ms,
        config.share,
        config.remember,
        config.focus,
    );

    let found = move |number: String, answer: Answer| {
        let now = Now::read();
        let Answer { response, body } = answer;
        // Bookkeeping waits until the status is on screen: the buyer is waiting for that.
        let shown = number.clone();
        set_timeout(
            move || {
                if remember {
                    let before = recent_numbers.get_untracked();
                    let kept = recent::remember(&before, &shown);
                    // A number that falls off the list takes its saved answer with it.
                    for dropped in before.iter().filter(|old| !kept.contains(old)) {
                        storage::forget_answer(dropped);
                    }
                    storage::keep_recent_numbers(&kept);
                    storage::keep_answer(&shown, now.millis, &body);
                    recent_numbers.set(kept);
                }
                if share {
                    page_url::show_number(&shown);
                }
            },
            Duration::ZERO,
        );
        LookupState::Found(number, response, now)
    };
    // When the endpoint cannot be reached, the last answer this device saw beats an error.
    let failed = move |number: String, error: FetchError| {
        let reachable = !matches!(
            error,
            FetchError::Network | FetchError::Timeout | FetchError::Server { .. }
        );
        let copy = (remember && !reachable)
            .then(|| storage::kept_answer(&number))
            .flatten()
            .and_then(|(saved_at, body)| {
                let response = parse_track_response(&body).ok()?;
                (!response.shipments.is_empty()).then_some((saved_at, response))
            });
        match copy {
            Some((saved_at, response)) => LookupState::Kept {
                number,
                response,
                now: Now::read(),
                saved_at,
                offline: error == FetchError::Network && !client::online(),
            },
            None => LookupState::Failed(Failure::Fetch(error), number),
        }
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
        // After the request has gone out (a task later), while the answer is on its way.
        set_timeout(move || format::prepare(lang), Duration::ZERO);
        spawn_local(async move {
            let next = match result.await {
                Ok(answer) => found(number, answer),
                // A newer lookup owns the state now.
                Err(FetchError::Cancelled) => return,
                Err(error) => failed(number, error),
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
    // A saved copy is always looked at again: any answer replaces it.
    let refresh = move || {
        let (number, shown) = match state.get_untracked() {
            LookupState::Found(number, shown, _) if worth_refreshing(&shown.shipments) => {
                (number, Some(shown))
            }
            LookupState::Kept { number, .. } => (number, None),
            _ => return,
        };
        last_fetched.set_value(js_sys::Date::now());
        let (lookup, result) = client::start(url_for(&number), timeout_ms);
        in_flight.set_value(Some(lookup));
        spawn_local(async move {
            let Ok(answer) = result.await else {
                return;
            };
            let still_shown = match state.get_untracked() {
                LookupState::Found(n, r, _) => n == number && shown.as_ref() == Some(&r),
                LookupState::Kept { number: n, .. } => n == number && shown.is_none(),
                _ => false,
            };
            if still_shown && shown.as_ref() != Some(&answer.response) {
                state.set(found(number, answer));
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
    // Coming back to the tab brings the status up to date at once, not at the next tick;
    // so does the network coming back.
    if let Some(window) = web_sys::window() {
        listen(window.clone().into(), "online", refresh);
        if let Some(document) = window.document() {
            listen(document.into(), "visibilitychange", tick);
        }
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
            LookupState::Idle | LookupState::Loading(_) | LookupState::Kept { .. } => {}
        }
    });

    let busy = Signal::derive(move || matches!(state.get(), LookupState::Loading(_)));
    // "Try again" repeats what failed, whatever has been typed since.
    let retry = Callback::new(move |()| look_up.run(last_submitted.get_value()));
    let forget = Callback::new(move |number: String| {
        let kept = recent::forget(&recent_numbers.get_untracked(), &number);
        storage::keep_recent_numbers(&kept);
        storage::forget_answer(&number);
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
            <SearchForm lang value=typed busy on_submit=submit autofocus=focus/>
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

/// Calls `run` on every `event` at `target` while the widget lives.
fn listen(target: web_sys::EventTarget, event: &'static str, run: impl Fn() + 'static) {
    let callback = Closure::<dyn Fn()>::new(run);
    let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
    let listener = StoredValue::new_local((target, callback));
    on_cleanup(move || {
        listener.with_value(|(target, callback)| {
            let _ = target
                .remove_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        });
    });
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
        // A failure, or a saved copy's notice, is an alert of its own.
        LookupState::Idle | LookupState::Failed(..) | LookupState::Kept { .. } => String::new(),
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
        LookupState::Kept {
            response,
            now,
            saved_at,
            offline,
            ..
        } => {
            let status = if compact {
                view! { <CompactStatus lang response today=now.today/> }.into_any()
            } else {
                view! { <Parcels lang response now selected/> }.into_any()
            };
            view! {
                <KeptNotice lang saved_at now=now.millis offline on_retry=retry/>
                {status}
            }
            .into_any()
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
