//! The compact form for order pages: one line per parcel, where it is and when it comes.

use crate::i18n::{Lang, Msg};
use crate::labels;
use leptos::prelude::*;
use trackline_core::delivery::expected;
use trackline_core::{Stage, TrackResponse};

/// One line a parcel: status, and the pickup code or the expected delivery.
#[component]
pub fn CompactStatus(
    /// The language of the labels.
    lang: Lang,
    /// The endpoint's answer.
    response: TrackResponse,
    /// Today in the buyer's calendar (days since the epoch).
    today: i64,
) -> impl IntoView {
    let lines = response
        .shipments
        .into_iter()
        .map(|shipment| {
            let headline = labels::headline(lang, &shipment);
            let code = shipment
                .pickup_point
                .as_ref()
                .filter(|_| shipment.stage == Stage::ReadyForPickup)
                .and_then(|point| point.pickup_code.clone());
            let extra = match (code, expected(&shipment, today)) {
                (Some(code), _) => Some(format!("{} {code}", lang.t(Msg::PickupCode))),
                (None, Some(phrase)) => Some(format!(
                    "{} {}",
                    lang.t(Msg::EstimatedDelivery),
                    labels::eta(lang, &phrase)
                )),
                _ => None,
            };
            let class = if shipment.exception.is_some() {
                "tl-compact__line tl-compact__line--exception"
            } else {
                "tl-compact__line"
            };
            view! {
                <li class=class data-testid="compact-line" data-stage=shipment.stage.as_str().to_owned()>
                    <span class="tl-compact__dot" aria-hidden="true"></span>
                    <strong class="tl-compact__headline">{headline}</strong>
                    {extra.map(|extra| view! { <span class="tl-compact__extra">{extra}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="tl-compact" part="compact" data-testid="compact">{lines}</ul> }
}
