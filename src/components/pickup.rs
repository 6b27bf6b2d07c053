//! The pickup point card: where the parcel waits, the code that releases it (in digits and as a
//! QR code for the point's scanner), and until when. When the endpoint withheld the code and the
//! point (a seller with a second factor, a lookup by tracking number), the card says so and asks
//! for the factor; the lookup repeated with the reply shows them.

use crate::components::copy_button::CopyButton;
use crate::components::failure::SecondFactorForm;
use crate::components::result::Replying;
use crate::format;
use crate::i18n::{Lang, Msg};
use crate::qr::{qr_path, QrPath};
use leptos::prelude::*;
use trackline_core::link::safe_href;
use trackline_core::pickup::{storage_left, StorageLeft};
use trackline_core::second_factor::SecondFactor;
use trackline_core::url_template::percent_encode;
use trackline_core::{PickupPoint, Withheld};

/// The pickup point with the pickup code in large digits and as a QR code, a copy button and the
/// days left.
#[component]
pub fn PickupCard(
    /// The language of the labels.
    lang: Lang,
    /// The point the parcel waits at.
    point: PickupPoint,
    /// Today in the buyer's calendar (days since the epoch).
    today: i64,
) -> impl IntoView {
    let code = point.pickup_code.clone().map(|code| {
        let symbol = qr_path(&code).map(|QrPath { side, d }| {
            // Dark on light whatever the theme: scanners read nothing else. Screen readers skip
            // the picture and read the digits beside it.
            view! {
                <svg class="tl-pickup__qr" part="pickup-qr" data-testid="pickup-qr"
                    viewBox=format!("0 0 {side} {side}") aria-hidden="true" focusable="false"
                    shape-rendering="crispEdges">
                    <rect width=side height=side fill="#fff"/>
                    <path d=d fill="#000"/>
                </svg>
            }
        });
        view! {
            <div class="tl-pickup__code-box">
                <div class="tl-pickup__code-text">
                    <span class="tl-pickup__code-label" id="tl-pickup-code-label">{lang.t(Msg::PickupCode)}</span>
                    <span class="tl-pickup__code" part="pickup-code" data-testid="pickup-code"
                        aria-describedby="tl-pickup-code-label">{code.clone()}</span>
                    <p class="tl-pickup__code-hint">{lang.t(Msg::PickupCodeHint)}</p>
                    <CopyButton lang text=code label=Msg::PickupCopy testid="copy-code"/>
                </div>
                {symbol}
            </div>
        }
    });
    let withheld = point
        .withheld
        .clone()
        .filter(|note| !note.fields.is_empty())
        .map(|note| withheld_view(lang, &note));
    let until = point.storage_until.as_deref().map(|day| {
        let date = format::day(lang, day);
        let (text, urgent) = match storage_left(day, today) {
            Some(StorageLeft::DaysLeft(days)) => (
                format::count(lang, Msg::PickupDaysLeft, days, &[("date", &date)]),
                days <= 2,
            ),
            Some(StorageLeft::LastDay) => (lang.t(Msg::PickupLastDay).to_owned(), true),
            Some(StorageLeft::Expired) => (lang.fill(Msg::PickupExpired, &[("date", &date)]), true),
            None => (lang.fill(Msg::StorageUntil, &[("date", &date)]), false),
        };
        let class = if urgent {
            "tl-pickup__until tl-pickup__until--urgent"
        } else {
            "tl-pickup__until"
        };
        view! { <p class=class data-testid="storage-until">{text}</p> }
    });
    // The endpoint's map page if it is a safe https link, else a search for the point's address.
    let map = point
        .map_url
        .as_deref()
        .and_then(safe_href)
        .filter(|url| url.starts_with("https:"))
        .map(str::to_owned)
        .or_else(|| {
            point.address.as_deref().map(|address| {
                format!(
                    "https://www.openstreetmap.org/search?query={}",
                    percent_encode(address)
                )
            })
        })
        .map(|href| {
            view! {
                <a class="tl-button tl-button--quiet" href=href data-testid="pickup-map"
                    target="_blank" rel="noopener noreferrer">{lang.t(Msg::PickupMap)}</a>
            }
        });
    let hours = point.hours.map(|hours| {
        view! {
            <p class="tl-pickup__hours"><span class="tl-pickup__hours-label">{lang.t(Msg::PickupHours)}": "</span>{hours}</p>
        }
    });
    view! {
        <section class="tl-card tl-pickup" part="pickup" data-testid="pickup">
            <h3 class="tl-card__title">{lang.t(Msg::PickupPoint)}</h3>
            {withheld}
            {code}
            {until}
            {point.name.map(|name| view! { <p class="tl-pickup__name">{name}</p> })}
            {point.address.map(|address| view! { <p class="tl-pickup__address">{address}</p> })}
            {hours}
            {map}
        </section>
    }
}

/// What stands in for a withheld code and point: why they are not shown, and "Show the code",
/// which opens the second factor's form (a `<details>`, so that it opens without script too),
/// when a factor the widget knows opens them and the lookup can be repeated from here.
fn withheld_view(lang: Lang, note: &Withheld) -> AnyView {
    let factor = note.check.as_deref().and_then(SecondFactor::from_wire);
    match (factor, use_context::<Replying>()) {
        (Some(factor), Some(Replying { number, on_reply, post })) => view! {
            <div class="tl-pickup__withheld" data-testid="pickup-withheld">
                <p class="tl-pickup__withheld-text">{lang.t(Msg::PickupWithheld)}</p>
                <details class="tl-pickup__open">
                    <summary class="tl-button tl-button--primary tl-pickup__show" data-testid="pickup-show">
                        {lang.t(Msg::PickupShowCode)}
                    </summary>
                    <SecondFactorForm lang factor number=number.get_untracked()
                        submit=Msg::PickupShowCode on_reply post=post.get_value()/>
                </details>
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="tl-pickup__withheld" data-testid="pickup-withheld">
                <p class="tl-pickup__withheld-text">{lang.t(Msg::PickupWithheldClosed)}</p>
            </div>
        }
        .into_any(),
    }
}
