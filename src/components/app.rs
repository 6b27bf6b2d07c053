//! The widget: the form, the lookup it starts, and what the lookup found, wired together.

use crate::components::recent::RecentNumbers;
use crate::components::result::{announcement, LookupResult, Push};
use crate::components::search_form::SearchForm;
use crate::config::Config;
use crate::events;
use crate::i18n::Msg;
use crate::lookup::Lookup;
use crate::state::LookupState;
use leptos::prelude::*;

/// The whole widget, configured by its entry point.
#[component]
pub fn App(
    /// The endpoint, language and initial number.
    config: Config,
) -> impl IntoView {
    let lang = config.lang;
    // Taps on support and on the carrier's link are told only to a trackline server.
    provide_context(crate::taps::Taps::to(
        config
            .counting
            .as_ref()
            .map(|counting| counting.taps.clone()),
    ));
    let lookup = Lookup::new(&config);
    // The page that mounted the widget may drive it (the element's `lookup()` and `refresh()`).
    if let Some(remote) = use_context::<crate::Remote>() {
        remote.hold(lookup);
    }
    // What needs the browser (the device's storage, timers, the network) starts once the widget
    // is in the page: effects never run on a server rendering it. Once, and reading nothing.
    let begun = config.clone();
    Effect::new(move |_| untrack(|| lookup.begin(&begun)));

    // Tell the host page what the buyer sees, from the widget's root so the event leaves any shadow root.
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        lookup.state.with(|state| {
            if let Some(target) = root.get_untracked() {
                events::tell_host(&target, state);
            }
        })
    });

    let busy = Signal::derive(move || matches!(lookup.state.get(), LookupState::Loading(_)));
    let submit = Callback::new(move |text: String| lookup.submit(text));
    let forget = Callback::new(move |number: String| lookup.forget(number));
    // Recent numbers help before a lookup and after a failed one; beside a status they only push it down.
    let recent_shown = Signal::derive(move || {
        if matches!(
            lookup.state.get(),
            LookupState::Idle | LookupState::Failed(..)
        ) {
            lookup.recent.get()
        } else {
            Vec::new()
        }
    });
    let push = config.push_key.clone().map(|key| Push {
        key,
        endpoint: config.endpoint.clone(),
        page: config.push_page.clone(),
    });
    // Compact needs a number to show; without one the buyer gets the form after all.
    let compact = config.compact && config.number.is_some();
    let form = (!compact).then(|| {
        view! {
            <h1 class="tl-widget__title">{lang.t(Msg::Title)}</h1>
            <SearchForm lang value=lookup.typed busy on_submit=submit autofocus=config.focus keep=config.keep.clone()/>
            <RecentNumbers lang numbers=recent_shown on_pick=submit on_remove=forget/>
        }
    });
    // Each widget on a page is a landmark of its own: named for its number once it has one, so
    // that a page of several (an order list) does not read as one name many times.
    let label = move || {
        lookup
            .state
            .with(|state| match state.number().filter(|n| !n.is_empty()) {
                Some(number) => format!("{}: {number}", lang.t(Msg::Title)),
                None => lang.t(Msg::Title).to_owned(),
            })
    };
    let class = if compact {
        "tl-widget tl-widget--compact"
    } else {
        "tl-widget"
    };
    view! {
        <div class=class lang=lang.tag() data-theme=config.theme.as_str() data-testid="widget" part="widget" node_ref=root
            role="region" aria-label=label>
            {form}
            <p class="tl-visually-hidden" role="status" data-testid="announcement">
                {move || lookup.state.with(|state| announcement(lang, state))}
            </p>
            <div class="tl-widget__result" data-testid="result">
                <LookupResult lang lookup compact share=config.share push reply_post=config.reply_post.clone()/>
            </div>
        </div>
    }
}
