//! What the owners' connection pages share: the guard that keeps staff out, a secret shown once
//! with its copy button, a confirmation before a removal, and moments in the seller's words.

use super::Gate;
use crate::words::{text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// Whether the gate's member is an owner.
pub fn is_owner(gate: RwSignal<Gate>) -> bool {
    gate.with_untracked(|gate| matches!(gate, Gate::In(session) if session.member.role.is_owner()))
}

/// The page for owners, or "owners only" for anyone else: the shell refuses staff already, and
/// each page again, so that no page of keys or members ever asks the server from a staff
/// session (which the server would refuse anyway).
pub fn owners_only<V: IntoView + 'static>(
    lang: Lang,
    gate: RwSignal<Gate>,
    page: impl FnOnce() -> V,
) -> AnyView {
    if is_owner(gate) {
        page().into_any()
    } else {
        view! {
            <h1>{t(lang, Word::Title)}</h1>
            <p class="con__lead" role="alert" data-testid="owners-only">{t(lang, Word::OwnersOnly)}</p>
        }
        .into_any()
    }
}

/// An instant (ms since the epoch) in the seller's language and time zone, by the browser's
/// `Intl.DateTimeFormat` (the widget's own formatter).
pub fn moment(lang: Lang, millis: i64) -> String {
    trackline::format::date_time(lang, &trackline_core::time::format_rfc3339(millis))
}

/// An RFC 3339 instant in the seller's language and time zone.
pub fn moment_of(lang: Lang, rfc3339: &str) -> String {
    trackline::format::date_time(lang, rfc3339)
}

/// A secret shown this once (a token, an invitation link), with what it is and a copy button.
pub fn shown_once(lang: Lang, said: String, secret: String, testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let value = StoredValue::new(secret.clone());
    let copy = move |_| {
        spawn_local(async move {
            let done = trackline::clipboard::copy(&value.get_value()).await.is_ok();
            copied.set(Some(done));
        });
    };
    view! {
        <section class="con__card con__secret" role="status" data-testid=testid>
            <p><strong>{said}</strong></p>
            <p><code>{secret}</code></p>
            <div class="con__inline">
                <button type="button" class="con__primary" on:click=copy>{t(lang, Word::Copy)}</button>
                <span role="status">{move || copied.get().map(|done| {
                    t(lang, if done { Word::Copied } else { Word::CopyFailed })
                })}</span>
            </div>
        </section>
    }
}

/// A destructive button behind a confirmation: the question and "cancel" (focused, Escape) or
/// "yes".
pub fn confirmed(
    lang: Lang,
    ask: Word,
    question: String,
    yes: Word,
    busy: RwSignal<bool>,
    on_yes: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if asking.get() {
            if let Some(cancel) = cancel.get() {
                let _ = cancel.focus();
            }
        }
    });
    // The question is asked again each time: a "yes" answered closes it.
    Effect::new(move |_| {
        if !busy.get() {
            asking.set(false);
        }
    });
    view! {
        <button type="button" class="con__warn" aria-expanded=move || if asking.get() { "true" } else { "false" }
            on:click=move |_| asking.set(true)>{t(lang, ask)}</button>
        <div role="group" aria-label=t(lang, ask) hidden=move || !asking.get()
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                if event.key() == "Escape" {
                    asking.set(false);
                }
            }>
            <p>{question}</p>
            <div class="con__inline">
                <button type="button" node_ref=cancel on:click=move |_| asking.set(false)>{t(lang, Word::Cancel)}</button>
                <button type="button" class="con__warn" disabled=move || busy.get() on:click=move |_| on_yes()>{t(lang, yes)}</button>
            </div>
        </div>
    }
}
