//! The notice above a saved copy: why it is shown, how old it is, and a way to look again.

use crate::format;
use crate::i18n::{Lang, Msg};
use leptos::prelude::*;
use trackline_core::saved_copy::age;
use trackline_core::time::UnixMillis;

/// Says that the status below is the device's saved copy, and since when.
#[component]
pub fn SavedNotice(
    /// The language of the notice.
    lang: Lang,
    /// When the copy was saved.
    saved_at: UnixMillis,
    /// The moment the copy is shown.
    now: UnixMillis,
    /// The device has no network (rather than the endpoint not answering).
    offline: bool,
    /// Looks the number up again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let message = if offline {
        Msg::SavedOffline
    } else {
        Msg::SavedUnreachable
    };
    let ago = format::ago(lang, age(saved_at, now));
    view! {
        <div class="tl-saved" role="alert" data-testid="saved" data-saved-at=saved_at.to_string()>
            <p class="tl-saved__message" data-testid="saved-message">{lang.fill(message, &[("age", &ago)])}</p>
            <button class="tl-failure__retry" type="button" data-testid="retry" on:click=move |_| on_retry.run(())>
                {lang.t(Msg::Retry)}
            </button>
        </div>
    }
}
