//! Support: open now or not, hours in the buyer's time, and one tap to write with the numbers filled in.

use crate::components::copy_button::CopyButton;
use crate::i18n::{Lang, Msg};
use crate::taps::Taps;
use crate::{format, labels};
use leptos::prelude::*;
use trackline_core::hours::{
    day_runs, format_clock, minute_of_week, open_now, shifted, spans, weekday_name, OpenNow,
    DAY_MINUTES,
};
use trackline_core::link::{contact_href_with, Prefill};
use trackline_core::tap::Tap;
use trackline_core::time::Now;
use trackline_core::{OpeningHours, Support};

/// The support block's element id, so that "Contact support" elsewhere can move focus here.
pub const SUPPORT_ID: &str = "tl-support";

/// The support block: a link per contact the endpoint gave, whether support is open, and its hours.
#[component]
pub fn SupportView(
    /// The language of the labels.
    lang: Lang,
    /// The contacts and hours.
    support: Support,
    /// The message with the buyer's numbers that links carry where they can.
    message: Prefill,
    /// The moment the status was fetched.
    now: Now,
) -> impl IntoView {
    let taps = Taps::here();
    let contacts = support
        .contacts
        .into_iter()
        .filter_map(|contact| {
            // A contact whose link would be unsafe is dropped, not shown as a dead button.
            let href = contact_href_with(&contact, &message)?;
            let tap = Tap::on_contact(&contact.kind);
            let taps = taps.clone();
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
                        target="_blank" rel="noopener noreferrer"
                        on:click=move |_| if let Some(tap) = tap { taps.send(tap) }>
                        <span class="tl-support__kind">{labels::contact(lang, &contact.kind)}</span>
                        <span class="tl-support__value">{label}</span>
                    </a>
                </li>
            })
        })
        .collect_view();
    let hours = support
        .hours
        .map(|hours| view! { <HoursView lang hours now/> });
    view! {
        <section class="tl-card tl-support" part="support" data-testid="support" id=SUPPORT_ID tabindex="-1">
            <h3 class="tl-card__title">{lang.t(Msg::Support)}</h3>
            {hours}
            <ul class="tl-support__list">{contacts}</ul>
            <CopyButton lang text=message.body label=Msg::SupportCopyMessage testid="copy-message"/>
        </section>
    }
}

/// Open now or closed, and the week's hours moved into the buyer's time zone.
#[component]
fn HoursView(lang: Lang, hours: OpeningHours, now: Now) -> impl IntoView {
    let week = spans(&hours);
    let zone_offset = format::zone_offset_minutes(&hours.time_zone, now.millis as f64);
    let Some(zone_offset) = zone_offset.filter(|_| !week.is_empty()) else {
        // A zone the browser does not know: the hours as given, with the zone named.
        let periods = hours
            .periods
            .iter()
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
        return view! {
            <div class="tl-support__hours" data-testid="support-hours">
                <p class="tl-support__hours-title">{lang.fill(Msg::SupportHours, &[("zone", &hours.time_zone)])}</p>
                <ul class="tl-support__periods">{periods}</ul>
            </div>
        }
        .into_any();
    };
    let local_now = minute_of_week(now.millis, now.offset_minutes);
    let state = open_now(&week, minute_of_week(now.millis, zone_offset)).map(|state| {
        let (text, open) = match state {
            OpenNow::Open { closes_in } => (
                lang.fill(
                    Msg::SupportOpenNow,
                    &[("time", &format_clock(local_now + closes_in))],
                ),
                true,
            ),
            OpenNow::Closed { opens_in } => {
                let at = local_now + opens_in;
                let day = labels::weekday(lang, weekday_name(at.div_euclid(DAY_MINUTES)));
                (
                    lang.fill(
                        Msg::SupportClosedNow,
                        &[("day", &day), ("time", &format_clock(at))],
                    ),
                    false,
                )
            }
        };
        let class = if open {
            "tl-support__now tl-support__now--open"
        } else {
            "tl-support__now"
        };
        view! { <p class=class data-testid="support-now" data-open=open.to_string()>{text}</p> }
    });
    let periods = shifted(&week, now.offset_minutes - zone_offset)
        .into_iter()
        .map(|period| {
            let days = day_runs(&period.days)
                .into_iter()
                .map(|(first, last)| {
                    let first_name = labels::weekday(lang, weekday_name(first));
                    if first == last {
                        first_name
                    } else {
                        format!("{first_name}–{}", labels::weekday(lang, weekday_name(last)))
                    }
                })
                .collect::<Vec<_>>()
                .join(lang.t(Msg::ListSeparator));
            let closes = if period.closes == period.opens {
                "24:00".to_owned()
            } else {
                format_clock(period.closes)
            };
            view! { <li>{format!("{days}: {}–{closes}", format_clock(period.opens))}</li> }
        })
        .collect_view();
    view! {
        <div class="tl-support__hours" data-testid="support-hours">
            {state}
            <p class="tl-support__hours-title">{lang.t(Msg::SupportHoursLocal)}</p>
            <ul class="tl-support__periods" data-testid="support-periods">{periods}</ul>
        </div>
    }
    .into_any()
}
