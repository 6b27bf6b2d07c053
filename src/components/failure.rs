//! What the buyer sees when a lookup fails: the reason and a way to try again.

use crate::error::Failure;
use crate::i18n::{Lang, Msg};
use leptos::prelude::*;

/// A failed lookup's message, with a retry button when trying again could help.
#[component]
pub fn FailureView(
    /// The language of the message.
    lang: Lang,
    /// What went wrong.
    failure: Failure,
    /// The number that was looked up, as submitted.
    number: String,
    /// Runs the same lookup again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let retry = failure.retryable().then(|| {
        view! {
            <button class="tl-failure__retry" type="button" data-testid="retry"
                on:click=move |_| on_retry.run(())>
                {lang.t(Msg::Retry)}
            </button>
        }
    });
    view! {
        <div class="tl-failure" part="failure" role="alert" data-testid="failure" data-failure=failure.code()>
            <p class="tl-failure__message" data-testid="failure-message">{failure.message(lang, &number)}</p>
            {retry}
        </div>
    }
}
