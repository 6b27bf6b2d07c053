//! One shipment: its status, pickup card, timeline, carrier, support and history.

use crate::components::after_paint::after_paint;
use crate::components::history::HistoryView;
use crate::components::pickup::PickupCard;
use crate::components::status::StatusHeader;
use crate::components::support::SupportView;
use crate::components::timeline::TimelineView;
use crate::i18n::{Lang, Msg};
use crate::labels;
use crate::taps::Taps;
use leptos::prelude::*;
use trackline_core::link::{safe_href, Prefill};
use trackline_core::number::{normalise, recognise};
use trackline_core::outlook::Outlook;
use trackline_core::tap::Tap;
use trackline_core::time::Now;
use trackline_core::{Shipment, Stage, Support, Timeline};

/// Everything about one parcel.
#[component]
pub fn ShipmentView(
    /// The language of the labels.
    lang: Lang,
    /// The parcel.
    shipment: Shipment,
    /// The moment the status was fetched.
    now: Now,
    /// Whether it draws again a status on screen for the same number, all at once.
    #[prop(optional)]
    redrawn: bool,
    /// Whether the buyer opened the whole history.
    #[prop(optional)]
    history_expanded: RwSignal<bool>,
) -> impl IntoView {
    let timeline = Timeline::of(&shipment);
    let outlook = Outlook::of(&shipment, &timeline, now);
    let pickup = shipment
        .pickup_point
        .clone()
        .filter(|_| matches!(shipment.stage, Stage::ReadyForPickup))
        .map(|point| view! { <PickupCard lang point today=now.today/> });
    let carrier = carrier_view(lang, &shipment);
    let events = shipment.events.clone();
    let message = labels::support_message(lang, &shipment);
    let support = shipment.support.clone();
    let support_view = move |support: Support, message: Prefill| {
        view! { <SupportView lang support message now/> }
    };
    // When something asks the buyer to act, support comes before the journey, at once;
    // otherwise it and the history come a frame after the timeline.
    let support_first = outlook.support_first;
    let support_early = support
        .clone()
        .filter(|_| support_first)
        .map(|support| support_view(support, message.clone()));
    let later = after_paint(redrawn, move || {
        let support_late = support
            .clone()
            .filter(|_| !support_first)
            .map(|support| support_view(support, message.clone()));
        let history = (!events.is_empty()).then(|| {
            let events = events.clone();
            view! { <HistoryView lang events expanded=history_expanded/> }
        });
        view! {
            {support_late}
            {history}
        }
    });
    let status_text = shipment.status_text.clone();
    let stage = shipment.stage.as_str().to_owned();
    view! {
        <article class="tl-shipment" data-testid="shipment" data-stage=stage>
            <StatusHeader lang shipment outlook/>
            {pickup}
            {support_early}
            <TimelineView lang timeline status_text/>
            {carrier}
            {later}
        </article>
    }
}

/// The carrier card: the endpoint's carrier first, else the issuer the tracking number's format names.
fn carrier_view(lang: Lang, shipment: &Shipment) -> Option<impl IntoView> {
    let recognised = shipment.tracking_number.as_deref().and_then(|number| {
        let number = normalise(number);
        recognise(&number).issuer().map(|issuer| (issuer, number))
    });
    let name = shipment
        .carrier
        .as_ref()
        .map(|carrier| carrier.name.clone())
        .or_else(|| {
            recognised
                .as_ref()
                .map(|(issuer, _)| labels::issuer_name(lang, issuer).to_owned())
        })?;
    let href = shipment
        .carrier
        .as_ref()
        .and_then(|carrier| carrier.tracking_url.as_deref())
        .and_then(safe_href)
        .map(str::to_owned)
        .or_else(|| {
            recognised
                .as_ref()
                .map(|(issuer, number)| issuer.tracking_url_for(number))
        });
    let taps = Taps::here();
    let link = href.map(|href| {
        view! {
            <a class="tl-carrier__link" href=href data-testid="carrier-link"
                target="_blank" rel="noopener noreferrer"
                on:click=move |_| taps.send(Tap::Carrier)>{lang.t(Msg::TrackOnCarrierSite)}</a>
        }
    });
    Some(view! {
        <section class="tl-card tl-carrier" data-testid="carrier">
            <h3 class="tl-card__title">{lang.t(Msg::Carrier)}</h3>
            <p class="tl-carrier__name">{name}</p>
            {link}
        </section>
    })
}
