//! The number input and the Track button.
//!
//! The hosted page's plain form (`index.html`) and the custom element's loader
//! (`embed/trackline-widget.js`) draw the same markup before the wasm arrives, so that
//! nothing moves when it takes over; a component test holds the three copies together.

use crate::i18n::{Lang, Msg};
use crate::labels;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The form a buyer types a number into; submits by Enter and by the button.
#[component]
pub fn SearchForm(
    /// The language of the labels.
    lang: Lang,
    /// What is typed, kept by the parent so that it survives re-renders.
    value: RwSignal<String>,
    /// Whether a lookup is running.
    #[prop(into)]
    busy: Signal<bool>,
    /// Called with the typed text when the buyer submits.
    on_submit: Callback<String>,
    /// Takes the focus when mounted, caret at the end: the buyer was typing in the page's plain form.
    #[prop(optional)]
    autofocus: bool,
    /// Settings the form sends again with the number when it is sent without the widget (no script).
    #[prop(optional)]
    keep: Vec<(&'static str, String)>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    if autofocus {
        Effect::new(move |_| {
            if let Some(input) = input.get() {
                let _ = input.focus();
                let end = u32::try_from(input.value().encode_utf16().count()).unwrap_or(0);
                let _ = input.set_selection_range(end, end);
            }
        });
    }
    // What the number looks like, said as the buyer types: a mistyped S10 is caught here first.
    let hint = Memo::new(move |_| labels::recognised(lang, &value.get()));
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        on_submit.run(value.get_untracked());
    };
    let kept = keep
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view();
    view! {
        <form class="tl-form" part="form" role="search" method="get" novalidate=true on:submit=submit data-testid="form">
            {kept}
            <label class="tl-form__label" for="tl-number">{lang.t(Msg::InputLabel)}</label>
            <div class="tl-form__row">
                <input
                    node_ref=input
                    id="tl-number"
                    class="tl-form__input"
                    part="input"
                    name="n"
                    type="text"
                    inputmode="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    enterkeyhint="search"
                    maxlength="64"
                    placeholder=lang.t(Msg::InputPlaceholder)
                    data-testid="number-input"
                    aria-describedby="tl-number-hint"
                    // Written into the page by a server, for a page without script; the live value is the property.
                    value=Some(value.get_untracked()).filter(|typed| !typed.is_empty())
                    prop:value=move || value.get()
                    on:input=move |event| value.set(event_target_value(&event))
                />
                <button
                    class="tl-form__button"
                    part="button"
                    type="submit"
                    data-testid="track-button"
                    aria-busy=move || busy.get().to_string()
                >
                    {lang.t(Msg::TrackButton)}
                </button>
            </div>
            <p id="tl-number-hint" class="tl-form__hint" data-testid="number-hint" aria-live="polite">
                {move || hint.get()}
            </p>
        </form>
    }
}
