//! The event history: newest first, a few at once, the rest behind "Show more".

use crate::format;
use crate::i18n::{Lang, Msg};
use crate::labels;
use leptos::prelude::*;
use trackline_core::timeline::events_newest_first;
use trackline_core::Event;

/// How many events show before the buyer asks for the rest.
pub const SHOWN_AT_FIRST: usize = 3;

/// What happened to the parcel, in the buyer's time zone.
#[component]
pub fn HistoryView(
    /// The language of the labels.
    lang: Lang,
    /// The events in any order.
    events: Vec<Event>,
    /// Whether all are shown; kept by the caller so that a refresh does not fold them again.
    expanded: RwSignal<bool>,
) -> impl IntoView {
    let all = events_newest_first(&events)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let total = all.len();
    // Only what is shown is built: an endpoint may send thousands of events.
    let items = move || {
        let shown = if expanded.get() {
            total
        } else {
            SHOWN_AT_FIRST
        };
        all.iter()
            .take(shown)
            .map(|event| {
                let place = event
                    .location
                    .clone()
                    .map(|place| view! { <span class="tl-history__place">{place}</span> });
                // What happened in the buyer's words first, when the event says; the source's own
                // text beneath it, marked with its language (a Cainiao leg in Chinese, Russian Post in Russian).
                let headline = labels::event_headline(lang, event);
                let own = event.text.trim();
                let repeats = |headline: &String| headline.to_lowercase() == own.to_lowercase();
                let text = (!own.is_empty() && !headline.as_ref().is_some_and(repeats)).then(|| {
                    view! {
                        <span class="tl-history__text" lang=event.text_lang.clone() data-testid="event-text">
                            {event.text.clone()}
                        </span>
                    }
                });
                let headline = headline.map(|headline| {
                    view! { <span class="tl-history__headline" data-testid="event-headline">{headline}</span> }
                });
                view! {
                    <li class="tl-history__item" data-testid="event">
                        <time class="tl-history__time" datetime=event.at.clone()>{format::date_time(lang, &event.at)}</time>
                        {headline}
                        {text}
                        {place}
                    </li>
                }
            })
            .collect_view()
    };
    let toggle = (total > SHOWN_AT_FIRST).then(|| {
        let more = format::count(lang, Msg::HistoryShowMore, (total - SHOWN_AT_FIRST) as i64, &[]);
        view! {
            <button type="button" class="tl-button tl-button--quiet tl-needs-script" data-testid="history-toggle"
                aria-expanded=move || expanded.get().to_string() aria-controls="tl-history-list"
                on:click=move |_| expanded.update(|open| *open = !*open)>
                {move || if expanded.get() { lang.t(Msg::HistoryShowFewer).to_owned() } else { more.clone() }}
            </button>
        }
    });
    view! {
        <section class="tl-card tl-history" part="history" data-testid="history">
            <h3 class="tl-card__title">{lang.t(Msg::History)}</h3>
            <ol class="tl-history__list" id="tl-history-list">{items}</ol>
            {toggle}
        </section>
    }
}
