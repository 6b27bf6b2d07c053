//! A button that copies a text and says so for a moment.

use crate::clipboard;
use crate::i18n::{Lang, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Copies `text` on press; the label reads "Copied" for two seconds after it worked.
#[component]
pub fn CopyButton(
    /// The language of the labels.
    lang: Lang,
    /// What goes on the clipboard.
    text: String,
    /// The button's label before copying.
    label: Msg,
    /// The `data-testid` of the button.
    testid: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(text);
    let press = move |_| {
        let text = text.get_value();
        spawn_local(async move {
            // Where the clipboard is refused the label simply stays: the text is on screen to copy by hand.
            if clipboard::copy(&text).await.is_ok() {
                copied.set(true);
                set_timeout(move || copied.set(false), Duration::from_secs(2));
            }
        });
    };
    view! {
        <button type="button" class="tl-button tl-button--quiet tl-needs-script" data-testid=testid on:click=press>
            {move || lang.t(if copied.get() { Msg::Copied } else { label })}
        </button>
    }
}
