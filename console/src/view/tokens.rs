//! The owners' API tokens page: the seller's tokens (name, made, last used), a new named one
//! (the token shown once, with a copy button), and revoking one behind a confirmation (never the
//! last: the server says 409).

use super::connections::{confirmed, moment_of, owners_only, shown_once};
use super::{alert, reported, Gate, Problem};
use crate::api::{self, ApiError, ApiToken};
use crate::form;
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

fn token_row(
    lang: Lang,
    gate: RwSignal<Gate>,
    token: ApiToken,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let id = StoredValue::new(token.id.clone());
    let revoke = move || {
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::revoke_token(&id.get_value()).await;
            busy.set(false);
            match answer {
                Ok(()) => reload(),
                Err(ApiError::Conflict) => problem.set(Some(Problem::Said(Word::ErrLastToken))),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let made = words::fill(
        lang,
        Word::TokenMade,
        &[("date", &moment_of(lang, &token.created_at))],
    );
    let used = token.last_used_at.as_deref().map_or_else(
        || t(lang, Word::TokenNeverUsed).to_owned(),
        |at| words::fill(lang, Word::TokenUsed, &[("date", &moment_of(lang, at))]),
    );
    let question = words::fill(lang, Word::RevokeConfirm, &[("name", &token.name)]);
    view! {
        <li class="con__card" data-testid="token">
            <p class="con__ref">{token.name}</p>
            <p class="con__muted">{made} " · " {used}</p>
            {alert(lang, problem)}
            {confirmed(lang, Word::RevokeToken, question, Word::RevokeToken, busy, revoke)}
        </li>
    }
}

/// The owners' API tokens page.
#[component]
pub fn TokensPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    owners_only(lang, gate, move || tokens_page(lang, gate))
}

fn tokens_page(lang: Lang, gate: RwSignal<Gate>) -> impl IntoView {
    let list = RwSignal::new(None::<Vec<ApiToken>>);
    let problem = RwSignal::new(None::<Problem>);
    let reload = move || {
        spawn_local(async move {
            match api::tokens().await {
                Ok(found) => list.set(Some(found.tokens)),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    reload();
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<(String, String)>);
    let refused = RwSignal::new(None::<Problem>);
    let create = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let named = match form::token_name(&name.get_untracked()) {
            Ok(named) => named,
            Err(word) => return refused.set(Some(Problem::Said(word))),
        };
        busy.set(true);
        refused.set(None);
        made.set(None);
        spawn_local(async move {
            let answer = api::create_token(&named).await;
            busy.set(false);
            match answer {
                Ok(token) => {
                    made.set(token.token.map(|secret| (token.name, secret)));
                    name.set(String::new());
                    reload();
                }
                Err(error) => refused.set(Some(reported(gate, error))),
            }
        });
    };
    let secret = move || {
        made.get().map(|(named, secret)| {
            let said = format!("{} ({named})", t(lang, Word::TokenOnce));
            shown_once(lang, said, secret, "token-secret")
        })
    };
    let shown = move || match list.get() {
        None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Some(found) if found.is_empty() => {
            view! { <p class="con__muted">{t(lang, Word::TokensEmpty)}</p> }.into_any()
        }
        Some(found) => view! {
            <ul class="con__list">
                {found.into_iter().map(|token| token_row(lang, gate, token, reload)).collect_view()}
            </ul>
        }
        .into_any(),
    };
    view! {
        <h1>{t(lang, Word::TokensTitle)}</h1>
        {alert(lang, problem)}
        {secret}
        {shown}
        <section class="con__card" aria-labelledby="con-new-token">
            <h2 id="con-new-token">{t(lang, Word::NewToken)}</h2>
            <form class="con__form" on:submit=create>
                <label for="con-token-name">{t(lang, Word::TokenName)}</label>
                <input id="con-token-name" type="text" autocomplete="off" maxlength="64" required
                    placeholder="shop backend"
                    prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event))/>
                {alert(lang, refused)}
                <button type="submit" class="con__primary" disabled=move || busy.get()>{t(lang, Word::CreateToken)}</button>
            </form>
        </section>
    }
}
