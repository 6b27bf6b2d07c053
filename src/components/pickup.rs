//! The pickup point card: where the parcel waits and the code that releases it.

use crate::format;
use crate::i18n::{Lang, Msg};
use leptos::prelude::*;
use trackline_core::PickupPoint;

/// The pickup point with the pickup code in large digits.
#[component]
pub fn PickupCard(
    /// The language of the labels.
    lang: Lang,
    /// The point the parcel waits at.
    point: PickupPoint,
) -> impl IntoView {
    let code = point.pickup_code.map(|code| {
        view! {
            <div class="tl-pickup__code-box">
                <span class="tl-pickup__code-label">{lang.t(Msg::PickupCode)}</span>
                <span class="tl-pickup__code" part="pickup-code" data-testid="pickup-code">{code}</span>
            </div>
        }
    });
    let until = point.storage_until.map(|day| {
        view! {
            <p class="tl-pickup__until" data-testid="storage-until">
                {lang.fill(Msg::StorageUntil, &[("date", &format::day(lang, &day))])}
            </p>
        }
    });
    view! {
        <section class="tl-card tl-pickup" part="pickup" data-testid="pickup">
            <h3 class="tl-card__title">{lang.t(Msg::PickupPoint)}</h3>
            {code}
            {until}
            {point.name.map(|name| view! { <p class="tl-pickup__name">{name}</p> })}
            {point.address.map(|address| view! { <p class="tl-pickup__address">{address}</p> })}
            {point.hours.map(|hours| view! { <p class="tl-pickup__hours">{hours}</p> })}
        </section>
    }
}
