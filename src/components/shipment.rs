//! One shipment: its status, estimated delivery, pickup card, timeline, carrier, history and support.

use crate::components::pickup::PickupCard;
use crate::components::support::SupportView;
use crate::components::timeline::TimelineView;
use crate::i18n::{Lang, Msg};
use crate::{format, labels};
use leptos::prelude::*;
use trackline_core::link::safe_href;
use trackline_core::number::{normalise, recognise};
use trackline_core::timeline::events_newest_first;
use trackline_core::{Shipment, Stage, Timeline};

/// Everything about one parcel.
#[component]
pub fn ShipmentView(
    /// The language of the labels.
    lang: Lang,
    /// The parcel.
    shipment: Shipment,
) -> impl IntoView {
    let timeline = Timeline::of(&shipment);
    let headline = labels::headline(lang, &shipment);
    let detail = shipment
        .status_text
        .clone()
        .filter(|text| *text != headline);
    let updated = shipment.updated_at.as_deref().map(|at| {
        view! { <p class="tl-status__updated">{lang.fill(Msg::UpdatedAt, &[("time", &format::date_time(lang, at))])}</p> }
    });
    let eta = shipment
        .estimated_delivery
        .as_ref()
        .filter(|_| shipment.stage != Stage::Delivered)
        .map(|window| {
            view! {
                <p class="tl-status__eta" data-testid="eta">
                    <span class="tl-status__eta-label">{lang.t(Msg::EstimatedDelivery)}</span>
                    <strong class="tl-status__eta-value">{format::day_range(lang, &window.from, window.to.as_deref())}</strong>
                </p>
            }
        });
    let numbers = [
        (Msg::OrderNumber, shipment.order_number.clone()),
        (Msg::ShipmentNumber, shipment.shipment_number.clone()),
        (Msg::TrackingNumber, shipment.tracking_number.clone()),
    ]
    .into_iter()
    .filter_map(|(msg, number)| {
        number.map(|number| view! { <div class="tl-numbers__item"><dt>{lang.t(msg)}</dt><dd>{number}</dd></div> })
    })
    .collect_view();
    let pickup = shipment
        .pickup_point
        .clone()
        .filter(|_| matches!(shipment.stage, Stage::ReadyForPickup))
        .map(|point| view! { <PickupCard lang point/> });
    // The endpoint's carrier first; else the carrier the tracking number's format names.
    let recognised = shipment.tracking_number.as_deref().and_then(|number| {
        let number = normalise(number);
        recognise(&number)
            .carrier()
            .map(|carrier| (carrier, number))
    });
    let carrier_name = shipment
        .carrier
        .as_ref()
        .map(|carrier| carrier.name.clone())
        .or_else(|| {
            recognised
                .as_ref()
                .map(|(carrier, _)| labels::carrier_name(lang, carrier).to_owned())
        });
    let carrier_href = shipment
        .carrier
        .as_ref()
        .and_then(|carrier| carrier.tracking_url.as_deref())
        .and_then(safe_href)
        .map(str::to_owned)
        .or_else(|| {
            recognised
                .as_ref()
                .map(|(carrier, number)| carrier.tracking_url_for(number))
        });
    let carrier = carrier_name.map(|name| {
        let link = carrier_href.map(|href| {
            view! {
                <a class="tl-carrier__link" href=href data-testid="carrier-link"
                    target="_blank" rel="noopener noreferrer">{lang.t(Msg::TrackOnCarrierSite)}</a>
            }
        });
        view! {
            <section class="tl-card tl-carrier" data-testid="carrier">
                <h3 class="tl-card__title">{lang.t(Msg::Carrier)}</h3>
                <p class="tl-carrier__name">{name}</p>
                {link}
            </section>
        }
    });
    let history = (!shipment.events.is_empty()).then(|| {
        let items = events_newest_first(&shipment.events)
            .into_iter()
            .map(|event| {
                let place = event
                    .location
                    .clone()
                    .map(|place| view! { <span class="tl-history__place">{place}</span> });
                view! {
                    <li class="tl-history__item" data-testid="event">
                        <span class="tl-history__time">{format::date_time(lang, &event.at)}</span>
                        <span class="tl-history__text">{event.text.clone()}</span>
                        {place}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="tl-card tl-history">
                <h3 class="tl-card__title">{lang.t(Msg::History)}</h3>
                <ul class="tl-history__list">{items}</ul>
            </section>
        }
    });
    let support = shipment
        .support
        .clone()
        .map(|support| view! { <SupportView lang support/> });
    let status_class = if shipment.exception.is_some() {
        "tl-status tl-status--exception"
    } else {
        "tl-status"
    };
    view! {
        <article class="tl-shipment" data-testid="shipment" data-stage=shipment.stage.as_str().to_owned()>
            <header class=status_class part="status">
                <h2 class="tl-status__headline" data-testid="headline">{headline}</h2>
                {detail.map(|text| view! { <p class="tl-status__detail">{text}</p> })}
                {eta}
                {updated}
                <dl class="tl-numbers">{numbers}</dl>
            </header>
            {pickup}
            <TimelineView lang timeline status_text=shipment.status_text.clone()/>
            {carrier}
            {support}
            {history}
        </article>
    }
}
