//! The head of a shipment: where it stands, when it comes, what happens next, and whether to ask support.

use crate::components::support::SUPPORT_ID;
use crate::i18n::{Lang, Msg};
use crate::{format, labels};
use leptos::prelude::*;
use trackline_core::delivery::{source, EtaPhrase};
use trackline_core::outlook::Outlook;
use trackline_core::summary::{progress, Progress};
use trackline_core::{Shipment, StepState};
use wasm_bindgen::JsCast;

/// The headline, the estimate or the lateness, the next step and the numbers.
#[component]
pub fn StatusHeader(
    /// The language of the labels.
    lang: Lang,
    /// The parcel.
    shipment: Shipment,
    /// The estimate, staleness and support emphasis.
    outlook: Outlook,
) -> impl IntoView {
    let headline = labels::headline(lang, &shipment);
    let detail = shipment
        .status_text
        .clone()
        .filter(|text| *text != headline);
    let source = shipment
        .estimated_delivery
        .as_ref()
        .and_then(source)
        .map(|source| {
            view! { <p class="tl-status__eta-source" data-testid="eta-source">{labels::estimate_source(lang, &source)}</p> }
        });
    let eta = outlook.eta.clone().map(|phrase| {
        let late = match &phrase {
            EtaPhrase::Overdue { days_late, .. } => Some(view! {
                <p class="tl-status__late" data-testid="overdue">
                    {format::count(lang, Msg::OverdueDays, *days_late, &[])}" "{lang.t(Msg::OverdueAdvice)}
                </p>
            }),
            _ => None,
        };
        let class = if late.is_some() {
            "tl-status__eta tl-status__eta--late"
        } else {
            "tl-status__eta"
        };
        view! {
            <div class=class data-testid="eta">
                <span class="tl-status__eta-label">{lang.t(Msg::EstimatedDelivery)}</span>
                <strong class="tl-status__eta-value" data-testid="eta-value">{labels::eta(lang, &phrase)}</strong>
                {source}
                {late}
            </div>
        }
    });
    let next = shipment
        .exception
        .as_ref()
        .and_then(|exception| labels::next_step(lang, exception))
        .map(|text| view! { <p class="tl-status__next" data-testid="next-step">{text}</p> });
    let stale = outlook.stale_days.map(|days| {
        view! {
            <div class="tl-status__stale" data-testid="stale">
                <strong>{format::count(lang, Msg::StaleDays, days, &[])}</strong>
                <p>{lang.t(Msg::StaleAdvice)}</p>
            </div>
        }
    });
    let support_action = outlook.support_first.then(|| {
        // A link to the support block, so that it works on a page without script too.
        view! {
            <a class="tl-button tl-button--primary" href=format!("#{SUPPORT_ID}") data-testid="contact-support"
                on:click=move |event| focus_support(&event)>
                {lang.t(Msg::ContactSupport)}
            </a>
        }
    });
    let updated = shipment.updated_at.as_deref().map(|at| {
        view! { <p class="tl-status__updated">{lang.fill(Msg::UpdatedAt, &[("time", &format::date_time(lang, at))])}</p> }
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
    // Each kind of progress has its own colour, and the bar shows how far the journey is.
    let tone = match progress(&shipment) {
        _ if outlook.support_first => "warn",
        Progress::NeedsAttention => "warn",
        Progress::Delivered => "done",
        Progress::ReadyForPickup | Progress::OutForDelivery => "near",
        Progress::Returned | Progress::Cancelled => "closed",
        Progress::OnTheWay | Progress::Preparing => "moving",
    };
    let segments = outlook
        .steps
        .iter()
        .map(|state| {
            let class = match state {
                StepState::Done => "tl-progress__step tl-progress__step--done",
                StepState::Current => "tl-progress__step tl-progress__step--current",
                StepState::Upcoming => "tl-progress__step",
            };
            view! { <span class=class></span> }
        })
        .collect_view();
    view! {
        <header class="tl-status" part="status" data-tone=tone data-testid="status">
            <div class="tl-progress" aria-hidden="true">{segments}</div>
            <h2 class="tl-status__headline" data-testid="headline">{headline}</h2>
            {detail.map(|text| view! { <p class="tl-status__detail">{text}</p> })}
            {eta}
            {next}
            {stale}
            {support_action}
            {updated}
            <dl class="tl-numbers">{numbers}</dl>
        </header>
    }
}

/// Scrolls to this shipment's support block and moves focus there, inside whichever root the
/// widget lives in (a storefront's address keeps its own fragment).
fn focus_support(event: &leptos::ev::MouseEvent) {
    event.prevent_default();
    let support = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|button| button.closest(".tl-shipment").ok().flatten())
        .and_then(|shipment| {
            shipment
                .query_selector(&format!("#{SUPPORT_ID}"))
                .ok()
                .flatten()
        })
        .and_then(|support| support.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(support) = support {
        support.scroll_into_view();
        let _ = support.focus();
    }
}
