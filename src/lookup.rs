//! The lookup: one `Copy` handle over the signals a lookup moves, and what can be done with it.
//!
//! The only module that talks to the endpoint client, the device's storage and the page's
//! address; what the buyer then sees is decided by the pure rules of `state`.

use crate::client::{self, InFlight, Prefetched};
use crate::config::{lookup_url, Config};
use crate::error::Failure;
use crate::i18n::Lang;
use crate::response::Received;
use crate::state::LookupState;
use crate::{clock, format, page_url, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use trackline_core::time::Now;
use trackline_core::way_in::{Place, Via};
use trackline_core::{recent, TrackingQuery};

/// What the lookup keeps that no view reads.
struct Inner {
    endpoint: String,
    lang: Lang,
    timeout_ms: u32,
    remember: bool,
    share: bool,
    in_flight: Option<InFlight>,
    /// The text last submitted, for "Try again" whatever has been typed since.
    submitted: String,
    /// When the endpoint was last asked (ms since the epoch).
    asked_at: f64,
    /// The buyer's reply to a seller's second factor, kept for refreshes and retries of the same number.
    reply: Option<String>,
    /// The first lookup, asked by the element's loader; taken by the first request.
    prefetched: Option<Prefetched>,
    /// Where the widget runs, when it talks to a trackline server, which counts ways in.
    place: Option<Place>,
    /// The way in of the lookup shown, which all its requests carry.
    via: Option<Via>,
}

/// A lookup's state and operations; cheap to copy into every callback.
#[derive(Clone, Copy)]
pub struct Lookup {
    /// What is shown.
    pub state: RwSignal<LookupState>,
    /// What the number input holds.
    pub typed: RwSignal<String>,
    /// Which parcel of a split order the buyer opened (none yet: the one that needs them); kept
    /// here so that a refresh does not move the buyer.
    pub selected: RwSignal<Option<usize>>,
    /// Whether the buyer opened the whole history; kept, as `selected` is, through a refresh.
    pub history_expanded: RwSignal<bool>,
    /// The numbers remembered on this device, newest first.
    pub recent: RwSignal<Vec<String>>,
    inner: StoredValue<Inner, LocalStorage>,
}

impl Lookup {
    /// A lookup as the page left it: nothing asked yet, the input holding the number or the draft
    /// the entry point gave; or the lookup the server rendered into the page, exactly as the
    /// server had it (the entry point gives back what the buyer typed since, once it is taken
    /// over). It touches no browser service: the server builds one too, to render the page.
    pub fn new(config: &Config) -> Lookup {
        let (state, typed, asked_at, reply) = match &config.rendered {
            Some(rendered) => {
                let asked_at = match &rendered.state {
                    LookupState::Found(_, _, now) => now.millis as f64,
                    _ => 0.0,
                };
                let typed = config.number.clone();
                (
                    rendered.state.clone(),
                    typed,
                    asked_at,
                    rendered.reply.clone(),
                )
            }
            None => {
                let typed = config.number.clone().or_else(|| config.draft.clone());
                (LookupState::Idle, typed, 0.0, None)
            }
        };
        Lookup {
            state: RwSignal::new(state),
            typed: RwSignal::new(typed.unwrap_or_default()),
            selected: RwSignal::new(None),
            history_expanded: RwSignal::new(false),
            recent: RwSignal::new(Vec::new()),
            inner: StoredValue::new_local(Inner {
                endpoint: config.endpoint.clone(),
                lang: config.lang,
                timeout_ms: config.timeout_ms,
                remember: config.remember,
                share: config.share,
                in_flight: None,
                submitted: config.number.clone().unwrap_or_default(),
                asked_at,
                reply,
                prefetched: config.prefetched.clone(),
                place: config.counting.as_ref().map(|counting| counting.place),
                // A status the server rendered came in the address; its refreshes say so too.
                via: config
                    .counting
                    .as_ref()
                    .map(|counting| Via::of(counting.place, true)),
            }),
        }
    }

    /// What the lookup does once the widget is in a browser: reads the numbers remembered on the
    /// device, keeps a changing status fresh, and looks up the page's number, or takes over the
    /// status the server rendered: saves it on the device, and reads it again on the device's
    /// own clock if the server's showed another day or time zone.
    pub fn begin(self, config: &Config) {
        if config.remember {
            self.recent.set(storage::recent_numbers());
        }
        self.keep_fresh(config.refresh_ms);
        match &config.rendered {
            None => {
                if let Some(number) = config.number.clone() {
                    self.inner.update_value(|inner| inner.reply = None);
                    self.look_up(number, true);
                }
            }
            Some(rendered) => {
                let LookupState::Found(number, _, shown) = &rendered.state else {
                    return;
                };
                let now = clock::now();
                if (now.today, now.offset_minutes) != (shown.today, shown.offset_minutes) {
                    // Drawn again in a task after the takeover, not inside it: two shorter
                    // tasks, and the server's times have been on screen since the first paint.
                    // Only the clock changes: the status shown is still the one taken over
                    // (its number, the server's moment) unless the buyer has asked for something
                    // else since, or the view is gone.
                    let (taken_over, shown) = (number.clone(), *shown);
                    set_timeout(
                        move || {
                            let _ = self.state.try_maybe_update(|state| match state {
                                LookupState::Found(found, _, at)
                                    if *found == taken_over && *at == shown =>
                                {
                                    *at = now;
                                    (true, ())
                                }
                                _ => (false, ()),
                            });
                        },
                        Duration::ZERO,
                    );
                }
                if let Some(body) = rendered.body.clone() {
                    self.remember_later(number, body, now, rendered.reply.is_some());
                }
            }
        }
    }

    /// Looks up what the buyer submitted; a new number starts without a reply to any second factor.
    pub fn submit(self, text: String) {
        self.inner.update_value(|inner| inner.reply = None);
        self.look_up(text, false);
    }

    /// The buyer's reply to the seller's second factor for the number shown, if one was asked.
    pub fn reply(self) -> Option<String> {
        self.inner.with_value(|inner| inner.reply.clone())
    }

    /// Repeats the lookup with the buyer's reply to the seller's second factor.
    pub fn reply_to_second_factor(self, reply: String) {
        self.inner.update_value(|inner| inner.reply = Some(reply));
        self.retry();
    }

    /// Repeats the lookup that failed, whatever has been typed since, by the same way in.
    pub fn retry(self) {
        let (text, via) = self
            .inner
            .with_value(|inner| (inner.submitted.clone(), inner.via));
        self.ask_again(text, via);
    }

    /// Forgets a remembered number and its saved copy.
    pub fn forget(self, number: String) {
        let remembered = recent::forget(&self.recent.get_untracked(), &number);
        storage::remember_numbers(&remembered);
        storage::forget_copy(&number);
        self.recent.set(remembered);
    }

    /// Looks again without a spinner; a failure keeps the status on screen, and an unchanged
    /// response changes nothing. A saved copy is always looked at again: any response replaces it.
    pub fn refresh(self) {
        let Some((number, before)) = self.state.with_untracked(LookupState::refresh_target) else {
            return;
        };
        let (asked, opened) = self.ask(&number, true);
        spawn_local(async move {
            let Ok(received) = asked.await else {
                return;
            };
            let replaces = self.state.with_untracked(|shown| {
                shown.refreshed_by(&number, before.as_ref(), &received.response)
            });
            if replaces {
                let now = clock::now();
                self.remember_later(&number, received.body, now, opened);
                self.state
                    .set(LookupState::Found(number, received.response, now));
            }
        });
    }

    /// Keeps a status that may still change up to date while the widget lives: every `every_ms`
    /// while the page is visible, at once when the page comes back into view or the network
    /// comes back; and abandons the request in flight when the widget goes.
    pub fn keep_fresh(self, every_ms: u32) {
        let due = move || {
            let visible = !web_sys::window()
                .and_then(|window| window.document())
                .is_some_and(|document| document.hidden());
            let quiet = js_sys::Date::now() - self.inner.with_value(|inner| inner.asked_at);
            if visible && quiet >= f64::from(every_ms) * 0.9 {
                self.refresh();
            }
        };
        if let Ok(interval) =
            set_interval_with_handle(due, Duration::from_millis(u64::from(every_ms)))
        {
            on_cleanup(move || interval.clear());
        }
        let online = window_event_listener(leptos::ev::online, move |_| self.refresh());
        // `visibilitychange` fires at the document and bubbles up to the window.
        let visible = window_event_listener_untyped("visibilitychange", move |_| due());
        on_cleanup(move || {
            online.remove();
            visible.remove();
            self.inner
                .with_value(|inner| inner.in_flight.as_ref().map(InFlight::cancel));
        });
    }

    /// Looks up `text`, which came `from_address` (the page's address, the element's `number`)
    /// or from the buyer.
    fn look_up(self, text: String, from_address: bool) {
        let via = self
            .inner
            .with_value(|inner| inner.place.map(|place| Via::of(place, from_address)));
        self.ask_again(text, via);
    }

    fn ask_again(self, text: String, via: Option<Via>) {
        self.inner.update_value(|inner| {
            inner.in_flight.as_ref().map(InFlight::cancel);
            inner.submitted = text.clone();
            inner.via = via;
        });
        let query = match TrackingQuery::parse(&text) {
            Ok(query) => query,
            Err(error) => {
                self.state
                    .set(LookupState::Failed(Failure::Input(error), text));
                return;
            }
        };
        let number = query.as_str().to_owned();
        self.typed.set(number.clone());
        self.selected.set(None);
        self.history_expanded.set(false);
        self.state.set(LookupState::Loading(number.clone()));
        let (asked, opened) = self.ask(&number, false);
        // After the request has gone out (a task later), while the response is on its way.
        let lang = self.inner.with_value(|inner| inner.lang);
        set_timeout(move || format::prepare(lang), Duration::ZERO);
        spawn_local(async move {
            let outcome = asked.await;
            let now = clock::now();
            let outcome = outcome.map(|received| {
                self.remember_later(&number, received.body, now, opened);
                received.response
            });
            let remember = self.inner.with_value(|inner| inner.remember);
            let saved = || remember.then(|| storage::saved_copy(&number)).flatten();
            let shown = LookupState::settle(number.clone(), outcome, saved, now, client::online());
            if let Some(shown) = shown {
                self.state.set(shown);
            }
        });
    }

    /// Sends the request for `number`, with the buyer's reply if there is one; says whether it
    /// carried one (what it answers is then opened by the reply). An `automatic` refresh says
    /// so to a trackline server, which counts the lookup once, not once a minute.
    fn ask(
        self,
        number: &str,
        automatic: bool,
    ) -> (
        impl std::future::Future<Output = Result<Received, crate::error::FetchError>>,
        bool,
    ) {
        let (url, reply, timeout_ms) = self.inner.with_value(|inner| {
            let via = if automatic {
                inner.via.map(|_| Via::Refresh)
            } else {
                inner.via
            };
            let url = lookup_url(&inner.endpoint, number, via);
            (url, inner.reply.clone(), inner.timeout_ms)
        });
        let prefetched = self
            .inner
            .try_update_value(|inner| inner.prefetched.take())
            .flatten();
        let opened = reply.is_some();
        let (in_flight, result) = client::start(url, reply, timeout_ms, prefetched);
        self.inner.update_value(|inner| {
            inner.in_flight = Some(in_flight);
            inner.asked_at = js_sys::Date::now();
        });
        (result, opened)
    }

    /// Remembers the number and saves a copy of its response on the device, and puts the number
    /// in the page's address, once the status is on screen: the buyer is waiting for that.
    ///
    /// A response `opened` by the buyer's reply to a second factor (an order's status, a pickup
    /// code) is never saved, and the number's older copy goes too: `localStorage` is readable by
    /// every script of the storefront and by the next user of a shared device, and a copy saved
    /// before this rule cannot be told from one that was not opened. Offline, that number then
    /// shows the network failure, not a status.
    fn remember_later(self, number: &str, body: String, now: Now, opened: bool) {
        let (remember, share) = self.inner.with_value(|inner| (inner.remember, inner.share));
        let number = number.to_owned();
        set_timeout(
            move || {
                if remember {
                    let before = self.recent.get_untracked();
                    let remembered = recent::remember(&before, &number);
                    // A number that falls off the list takes its saved copy with it.
                    for dropped in before.iter().filter(|old| !remembered.contains(old)) {
                        storage::forget_copy(dropped);
                    }
                    storage::remember_numbers(&remembered);
                    if opened {
                        storage::forget_copy(&number);
                    } else {
                        storage::save_copy(&number, now.millis, &body);
                    }
                    self.recent.set(remembered);
                }
                if share {
                    page_url::show_number(&number);
                }
            },
            Duration::ZERO,
        );
    }
}
