//! Support contacts: one tap to call or write, only through safe links.

use crate::i18n::{Lang, Msg};
use crate::labels;
use leptos::prelude::*;
use trackline_core::link::contact_href;
use trackline_core::Support;

/// The support block: a link per contact the endpoint gave, and the opening hours.
#[component]
pub fn SupportView(
    /// The language of the labels.
    lang: Lang,
    /// The contacts and hours.
    support: Support,
) -> impl IntoView {
    let contacts = support
        .contacts
        .into_iter()
        .filter_map(|contact| {
            // A contact whose link would be unsafe is dropped, not shown as a dead button.
            let href = contact_href(&contact)?;
            let kind = contact.kind.as_str().to_owned();
            // The endpoint's label, else the address itself, so two buttons never read the same.
            let label = contact.label.unwrap_or_else(|| {
                let value = contact.value.trim();
                let bare = value.split_once("://").map_or(value, |(_, rest)| rest);
                bare.trim_end_matches('/').to_owned()
            });
            Some(view! {
                <li class="tl-support__item">
                    <a class="tl-support__link" href=href data-testid="support-link" data-kind=kind
                        target="_blank" rel="noopener noreferrer">
                        <span class="tl-support__kind">{labels::contact(lang, &contact.kind)}</span>
                        <span class="tl-support__value">{label}</span>
                    </a>
                </li>
            })
        })
        .collect_view();
    let hours = support.hours.map(|hours| {
        let periods = hours
            .periods
            .into_iter()
            .map(|period| {
                let days = period
                    .days
                    .iter()
                    .map(|day| labels::weekday(lang, day))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! { <li>{format!("{days}: {}–{}", period.opens, period.closes)}</li> }
            })
            .collect_view();
        view! {
            <div class="tl-support__hours" data-testid="support-hours">
                <p class="tl-support__hours-title">{lang.fill(Msg::SupportHours, &[("zone", &hours.time_zone)])}</p>
                <ul class="tl-support__periods">{periods}</ul>
            </div>
        }
    });
    view! {
        <section class="tl-card tl-support" part="support" data-testid="support">
            <h3 class="tl-card__title">{lang.t(Msg::Support)}</h3>
            <ul class="tl-support__list">{contacts}</ul>
            {hours}
        </section>
    }
}
