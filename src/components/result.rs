//! What a lookup shows below the form: nothing yet, a spinner, the parcels, a saved copy, or
//! why there is no status; and the one sentence a screen reader hears when that changes.

use crate::components::compact::CompactStatus;
use crate::components::failure::FailureView;
use crate::components::notify::NotifyButton;
use crate::components::parcels::Parcels;
use crate::components::saved_notice::SavedNotice;
use crate::components::share::ShareButton;
use crate::config::{push_path, ReplyPost};
use crate::i18n::{Lang, Msg};
use crate::labels;
use crate::lookup::Lookup;
use crate::state::LookupState;
use leptos::prelude::*;
use trackline_core::delivery::expected;
use trackline_core::summary::{progress, Progress};
use trackline_core::TrackResponse;

/// What "Notify me" needs: the server's key, the endpoint's template, and for an element the
/// server's page it opens instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    /// The server's VAPID public key.
    pub key: String,
    /// The endpoint's template, whose push path is the lookup's with `/push`.
    pub endpoint: String,
    /// For an element, the reference server's page (`…/?shop=…&`).
    pub page: Option<String>,
}

/// What a view inside a status needs to ask for the seller's second factor and repeat the lookup
/// with the reply (the pickup card whose code was withheld): given by [`LookupResult`] to the
/// views under it, so that the status's views need not carry it.
#[derive(Debug, Clone, Copy)]
pub struct Replying {
    /// The number looked up, as the lookup has it.
    pub number: Signal<String>,
    /// Repeats the lookup with the buyer's reply.
    pub on_reply: Callback<String>,
    /// Where the second factor's form posts without script.
    pub post: StoredValue<ReplyPost>,
}

/// The result area of the widget.
#[component]
pub fn LookupResult(
    /// The language of the labels.
    lang: Lang,
    /// The lookup whose state is shown.
    lookup: Lookup,
    /// One line a parcel, for order pages.
    compact: bool,
    /// Whether a share button goes with a status (the hosted page).
    share: bool,
    /// What "Notify me" needs, when it is offered.
    push: Option<Push>,
    /// Where the second factor's form posts without script.
    reply_post: ReplyPost,
) -> impl IntoView {
    let post = StoredValue::new(reply_post);
    let retry = Callback::new(move |()| lookup.retry());
    let reply = Callback::new(move |reply: String| lookup.reply_to_second_factor(reply));
    provide_context(Replying {
        number: Signal::derive(move || {
            lookup
                .state
                .with(|state| state.number().unwrap_or_default().to_owned())
        }),
        on_reply: reply,
        post,
    });
    let selected = lookup.selected;
    let history_expanded = lookup.history_expanded;
    // The number whose status is on screen, to tell a status drawn again for it (a refresh that
    // found a change, the buyer's clock after a takeover, a saved copy replaced) from a new one.
    let on_screen = StoredValue::new(None::<String>);
    move || {
        let state = lookup.state.get();
        let shown = state.status_number().map(str::to_owned);
        let redrawn = shown.is_some() && on_screen.with_value(|before| *before == shown);
        on_screen.set_value(shown);
        match state {
            LookupState::Idle => ().into_any(),
            LookupState::Loading(number) => view! {
                <p class="tl-loading" data-testid="loading">
                    <span class="tl-loading__spinner" aria-hidden="true"></span>
                    {lang.fill(Msg::Loading, &[("number", &number)])}
                </p>
            }
            .into_any(),
            LookupState::Failed(failure, number) => {
                let post = post.get_value();
                view! { <FailureView lang failure number on_retry=retry on_reply=reply post/> }
                    .into_any()
            }
            LookupState::Saved {
                response,
                now,
                saved_at,
                offline,
                ..
            } => {
                let status = if compact {
                    view! { <CompactStatus lang response today=now.today/> }.into_any()
                } else {
                    view! { <Parcels lang response now selected redrawn history_expanded/> }
                        .into_any()
                };
                view! {
                    <SavedNotice lang saved_at now=now.millis offline on_retry=retry/>
                    {status}
                }
                .into_any()
            }
            LookupState::Found(_, response, now) if compact => {
                view! { <CompactStatus lang response today=now.today/> }.into_any()
            }
            LookupState::Found(number, response, now) => {
                let bar = status_bar(lang, number, &response, push.clone(), share, lookup.reply());
                view! {
                    {bar}
                    <Parcels lang response now selected redrawn history_expanded/>
                }
                .into_any()
            }
        }
    }
}

/// The bar above a found status: "Notify me" while some parcel can still move (a settled order
/// has nothing to tell), and the share button on the hosted page.
fn status_bar(
    lang: Lang,
    number: String,
    response: &TrackResponse,
    push: Option<Push>,
    share: bool,
    reply: Option<String>,
) -> Option<AnyView> {
    let moving = response.shipments.iter().any(|shipment| {
        !matches!(
            progress(shipment),
            Progress::Delivered | Progress::Returned | Progress::Cancelled
        )
    });
    let notify = push.filter(|_| moving).map(
        |Push {
             key,
             endpoint,
             page,
         }| {
            let api = push_path(&endpoint, &number);
            view! { <NotifyButton lang number=number.clone() api key reply page/> }
        },
    );
    if share {
        Some(
            view! { <div class="tl-widget__bar">{notify}<ShareButton lang number/></div> }
                .into_any(),
        )
    } else {
        notify.map(|notify| view! { <div class="tl-widget__bar">{notify}</div> }.into_any())
    }
}

/// The short sentence a screen reader hears when the status changes.
pub fn announcement(lang: Lang, state: &LookupState) -> String {
    match state {
        LookupState::Loading(number) => lang.fill(Msg::Loading, &[("number", number)]),
        LookupState::Found(_, response, now) => match response.shipments.as_slice() {
            [one] => {
                let eta = expected(one, now.today)
                    .map(|phrase| {
                        format!(
                            ". {}: {}",
                            lang.t(Msg::EstimatedDelivery),
                            labels::eta(lang, &phrase)
                        )
                    })
                    .unwrap_or_default();
                format!("{}{eta}", labels::headline(lang, one))
            }
            several => labels::order_summary(lang, several),
        },
        // A failure, or a saved copy's notice, is an alert of its own.
        LookupState::Idle | LookupState::Failed(..) | LookupState::Saved { .. } => String::new(),
    }
}
