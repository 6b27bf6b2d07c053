//! A shipment's activity on its page: how many browsers are subscribed to its notifications and
//! its webhook deliveries, each with its state, tries, last answer and when; for an owner, the
//! way to the webhooks page where deliveries are sent again.

use super::connections::moment_of;
use super::webhooks::{kind_text, state_text};
use super::{reported, Gate};
use crate::api::{self, Activity, ApiError, Listed, ShipmentDelivery};
use crate::route::Place;
use crate::words::{fill, text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// A delivery's line: what it told of, its state, tries, last answer and when.
pub fn delivery_line(lang: Lang, delivery: &ShipmentDelivery) -> String {
    let answer = match (&delivery.last_status, delivery.attempts) {
        (Some(code), _) => fill(lang, Word::LastAnswer, &[("code", &code.to_string())]),
        (None, 0) => String::new(),
        (None, _) => t(lang, Word::NoAnswer).to_owned(),
    };
    [
        kind_text(lang, &delivery.kind),
        state_text(lang, &delivery.state),
        fill(
            lang,
            Word::Tries,
            &[("count", &delivery.attempts.to_string())],
        ),
        answer,
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" · ")
}

fn deliveries(lang: Lang, activity: &Activity) -> impl IntoView {
    if activity.deliveries.is_empty() {
        return view! { <p class="con__muted">{t(lang, Word::NoDeliveries)}</p> }.into_any();
    }
    let rows = activity
        .deliveries
        .iter()
        .map(|delivery| {
            let at = delivery
                .last_tried_at
                .clone()
                .unwrap_or_else(|| delivery.queued_at.clone());
            let when = moment_of(lang, &at);
            let line = delivery_line(lang, delivery);
            let why = delivery
                .last_error
                .clone()
                .map(|error| view! { <span class="con__muted">{error}</span> });
            view! {
                <li data-state=delivery.state.clone()>
                    <time datetime=at>{when}</time>" "<span>{line}</span>" "{why}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="con__history" data-testid="shipment-deliveries">{rows}</ul> }.into_any()
}

/// The activity's card; read when the page opens and again whenever the shipment changes on it
/// (an event added here queues its deliveries at once).
pub fn activity(
    lang: Lang,
    gate: RwSignal<Gate>,
    reference: StoredValue<String>,
    shown: RwSignal<Option<Listed>>,
) -> impl IntoView {
    let found = RwSignal::new(None::<Result<Activity, ApiError>>);
    Effect::new(move |_| {
        shown.track();
        spawn_local(async move {
            let answer = api::activity(&reference.get_value()).await;
            if let Err(error) = &answer {
                reported(gate, error.clone());
            }
            found.set(Some(answer));
        });
    });
    let owner = gate.with_untracked(|gate| match gate {
        Gate::In(session) => session.member.role.is_owner(),
        _ => false,
    });
    let body = move || {
        match found.get() {
        None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Some(Err(_)) => view! {
            <p class="con__muted" role="status" data-testid="activity-unavailable">{t(lang, Word::ActivityUnavailable)}</p>
        }
        .into_any(),
        Some(Ok(activity)) => {
            let browsers = fill(
                lang,
                Word::SubscribedBrowsers,
                &[("count", &activity.subscribed_browsers.to_string())],
            );
            let link = owner.then(|| {
                view! { <p><a href=Place::Webhooks.hash() data-testid="all-deliveries">{t(lang, Word::AllDeliveries)}</a></p> }
            });
            view! {
                <p data-testid="subscribed-browsers">{browsers}</p>
                <h3>{t(lang, Word::ShipmentDeliveries)}</h3>
                {deliveries(lang, &activity)}
                {link}
            }
            .into_any()
        }
    }
    };
    view! {
        <section class="con__card" aria-labelledby="con-activity" data-testid="activity">
            <h2 id="con-activity">{t(lang, Word::ActivityTitle)}</h2>
            {body}
        </section>
    }
}
