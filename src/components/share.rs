//! The share button: the system share sheet where there is one, else the link copied.

use crate::clipboard::{self, Shared};
use crate::i18n::{Lang, Msg};
use crate::page_url;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Shares the page's link to `number`; says "Link copied" for a moment when it went to the clipboard.
#[component]
pub fn ShareButton(
    /// The language of the labels.
    lang: Lang,
    /// The number, for the share sheet's title and the link.
    number: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let title = lang.fill(Msg::ShareTitle, &[("number", &number)]);
    let press = move |_| {
        // The link is the page's own address, read when the buyer asks: a server rendering the
        // page has no window to read it from.
        let Some(url) = page_url::link_for(&number) else {
            return;
        };
        let title = title.clone();
        spawn_local(async move {
            if clipboard::share(&title, &url).await == Ok(Shared::Copied) {
                copied.set(true);
                set_timeout(move || copied.set(false), Duration::from_secs(2));
            }
        });
    };
    view! {
        <button type="button" class="tl-button tl-button--quiet tl-needs-script" data-testid="share" on:click=press>
            {move || lang.t(if copied.get() { Msg::LinkCopied } else { Msg::Share })}
        </button>
    }
}
