//! The share button: the system share sheet where there is one, else the link copied.

use crate::clipboard::{self, Shared};
use crate::i18n::{Lang, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Shares `url`; says "Link copied" for a moment when it went to the clipboard.
#[component]
pub fn ShareButton(
    /// The language of the labels.
    lang: Lang,
    /// The number, for the share sheet's title.
    number: String,
    /// The link to share.
    url: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let title = lang.fill(Msg::ShareTitle, &[("number", &number)]);
    let press = move |_| {
        let (title, url) = (title.clone(), url.clone());
        spawn_local(async move {
            if clipboard::share(&title, &url).await == Ok(Shared::Copied) {
                copied.set(true);
                set_timeout(move || copied.set(false), Duration::from_secs(2));
            }
        });
    };
    view! {
        <button type="button" class="tl-button tl-button--quiet" data-testid="share" on:click=press>
            {move || lang.t(if copied.get() { Msg::LinkCopied } else { Msg::Share })}
        </button>
    }
}
