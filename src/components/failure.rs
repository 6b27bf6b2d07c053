//! What the buyer sees when a lookup fails: the reason and a way to try again.

use crate::config::ReplyPost;
use crate::error::Failure;
use crate::i18n::{Lang, Msg};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use trackline_core::second_factor::SecondFactor;

/// The form that asks the buyer for the seller's second factor: where a lookup was refused for
/// want of it, and at a pickup card whose code was withheld. Without script it posts the reply
/// and the number to the page (never in the address), which renders what they open; in an
/// element, to the reference server's page, or nowhere: never to the storefront's server.
#[component]
pub fn SecondFactorForm(
    /// The language of the labels.
    lang: Lang,
    /// What the buyer is asked for.
    factor: SecondFactor,
    /// The number looked up, posted with the reply.
    number: String,
    /// The words on the button.
    submit: Msg,
    /// Repeats the lookup with the reply.
    on_reply: Callback<String>,
    /// Where the form posts without script.
    post: ReplyPost,
) -> impl IntoView {
    let reply = RwSignal::new(String::new());
    let (method, action) = post.form();
    let (label, inputmode, autocomplete) = match factor {
        SecondFactor::PhoneLast4 => (Msg::CheckPhoneLabel, "numeric", "off"),
        SecondFactor::Postcode => (Msg::CheckPostcodeLabel, "text", "postal-code"),
    };
    let sent = move |event: SubmitEvent| {
        event.prevent_default();
        on_reply.run(reply.get_untracked());
    };
    view! {
        <form class="tl-check" method=method action=action on:submit=sent novalidate=true data-testid="check-form">
            <input type="hidden" name="n" value=number/>
            <label class="tl-form__label" for="tl-check-reply">{lang.t(label)}</label>
            <div class="tl-form__row">
                <input id="tl-check-reply" class="tl-form__input" name="check" type="text" inputmode=inputmode
                    autocomplete=autocomplete maxlength="20" data-testid="check-input"
                    prop:value=move || reply.get()
                    on:input=move |event| reply.set(event_target_value(&event))/>
                <button class="tl-form__button" type="submit" data-testid="check-submit">
                    {lang.t(submit)}
                </button>
            </div>
        </form>
    }
}

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
    /// Repeats the lookup with the buyer's reply to the seller's second factor.
    on_reply: Callback<String>,
    /// Where the second factor's form posts without script.
    post: ReplyPost,
) -> impl IntoView {
    let second_factor = failure.second_factor().map(|needed| {
        view! { <SecondFactorForm lang factor=needed.factor number=number.clone() submit=Msg::CheckSubmit on_reply post/> }
    });
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
            {second_factor}
        </div>
    }
}
