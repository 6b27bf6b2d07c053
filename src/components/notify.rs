//! "Notify me": subscribes this browser to the parcel's changes where it can, and where it
//! cannot, says why and what to do, once the buyer asks (never before: it does not nag).

use crate::config::page_link;
use crate::i18n::{Lang, Msg};
use crate::notify::{self, Capability, NotifyError};
use crate::page_url;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Where the control stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stand {
    /// Offered.
    Offer,
    /// Asking the browser and the server.
    Working,
    /// Subscribed: it can be stopped.
    On,
    /// The buyer asked, and the browser cannot: why, and what to do.
    Cannot(Capability),
    /// The buyer asked, and it failed.
    Failed(NotifyError),
    /// In a frame on a storefront, where the browser would not ask for a third party: the page
    /// opens in a tab of its own, where the buyer can turn them on.
    Elsewhere,
}

/// The control under a status that may still change, on the hosted page. The server draws it
/// offered, hidden where script does not run (it could do nothing there); the browser keeps it
/// as it is, shows it on for a parcel it already hears of, and in a frame (the iframe form)
/// makes it a link that opens the page in its own tab.
#[component]
pub fn NotifyButton(
    /// The language of the labels, and of the notifications.
    lang: Lang,
    /// The number looked up.
    number: String,
    /// Its push path on the reference server.
    api: String,
    /// The server's VAPID public key.
    key: String,
    /// The buyer's reply to the seller's second factor, if one was asked.
    reply: Option<String>,
    /// For an element on a storefront: the reference server's page (`…/?shop=…&`), which it opens.
    page: Option<String>,
) -> impl IntoView {
    let on_storefront = page.is_some();
    let stand = RwSignal::new(if on_storefront {
        Stand::Elsewhere
    } else {
        Stand::Offer
    });
    let elsewhere = RwSignal::new(None::<String>);
    let known = number.clone();
    // Effects run only in the browser, after the page is shown (and after hydration): the link's
    // address is the browser's to make (a server rendering an element does not know its origin).
    Effect::new(move |_| match &page {
        Some(base) => elsewhere.set(Some(page_link(base, &known, lang))),
        None if !notify::offered_here() => {
            elsewhere.set(page_url::link_for(&known));
            stand.set(Stand::Elsewhere);
        }
        None if notify::notifying(&known) => stand.set(Stand::On),
        None => {}
    });
    let (number, api) = (StoredValue::new(number), StoredValue::new(api));
    let (key, reply) = (StoredValue::new(key), StoredValue::new(reply));
    let turn_on = move |_| {
        let capability = notify::capability();
        if capability != Capability::Ready {
            stand.set(Stand::Cannot(capability));
            return;
        }
        stand.set(Stand::Working);
        spawn_local(async move {
            let done = notify::subscribe(
                &number.get_value(),
                &api.get_value(),
                &key.get_value(),
                lang.tag(),
                reply.get_value().as_deref(),
            )
            .await;
            stand.set(match done {
                Ok(()) => Stand::On,
                // Dismissed without an answer: offered again, never asked again unprompted.
                Err(NotifyError::Denied) => match notify::capability() {
                    Capability::Ready => Stand::Offer,
                    other => Stand::Cannot(other),
                },
                Err(error) => Stand::Failed(error),
            });
        });
    };
    let turn_off = move |_| {
        stand.set(Stand::Working);
        spawn_local(async move {
            let _ = notify::unsubscribe(&number.get_value(), &api.get_value()).await;
            stand.set(Stand::Offer);
        });
    };
    move || {
        let said = |msg: Msg| {
            view! { <p class="tl-notify__said" role="status" data-testid="notify-said">{lang.t(msg)}</p> }
        };
        match stand.get() {
            Stand::Offer | Stand::Working => view! {
                <div class="tl-notify tl-needs-script" data-testid="notify">
                    <button type="button" class="tl-button tl-button--quiet" data-testid="notify-me"
                        disabled=move || stand.get() == Stand::Working on:click=turn_on>
                        {lang.t(Msg::NotifyMe)}
                    </button>
                </div>
            }
            .into_any(),
            Stand::On => view! {
                <div class="tl-notify" data-testid="notify" data-notify="on">
                    {said(Msg::NotifyOn)}
                    <button type="button" class="tl-button tl-button--quiet" data-testid="notify-stop" on:click=turn_off>
                        {lang.t(Msg::NotifyStop)}
                    </button>
                </div>
            }
            .into_any(),
            Stand::Cannot(capability) => {
                let (msg, kind) = match capability {
                    Capability::Blocked => (Msg::NotifyBlocked, "blocked"),
                    Capability::NeedsInstall => (Msg::NotifyInstall, "install"),
                    Capability::Unsupported | Capability::Ready => {
                        (Msg::NotifyUnsupported, "unsupported")
                    }
                };
                view! { <div class="tl-notify" data-testid="notify" data-notify=kind>{said(msg)}</div> }
                    .into_any()
            }
            Stand::Elsewhere => view! {
                <div class="tl-notify tl-needs-script" data-testid="notify" data-notify="elsewhere">
                    <a class="tl-button tl-button--quiet" href=move || elsewhere.get() target="_blank" rel="noopener"
                        data-testid="notify-elsewhere">{lang.t(Msg::NotifyMe)}</a>
                </div>
            }
            .into_any(),
            Stand::Failed(_) => view! {
                <div class="tl-notify" data-testid="notify" data-notify="failed">
                    {said(Msg::NotifyFailed)}
                    <button type="button" class="tl-button tl-button--quiet" data-testid="notify-me" on:click=turn_on>
                        {lang.t(Msg::NotifyMe)}
                    </button>
                </div>
            }
            .into_any(),
        }
    }
}
