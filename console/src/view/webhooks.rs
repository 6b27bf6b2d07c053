//! The owners' webhooks: their subscriptions, a new one (its signing secret shown once), a new
//! secret, deleting one behind a confirmation, and each one's deliveries with their tries, sent
//! again on demand.

use super::connections::moment_of;
use super::{alert, reported, Gate, Problem};
use crate::api::{self, Delivery, Webhook};
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// The kinds of change a subscription hears of, by wire name, in the order offered.
pub const KINDS: [(&str, Word); 5] = [
    ("status_changed", Word::KindStatusChanged),
    ("exception_raised", Word::KindExceptionRaised),
    ("gone_stale", Word::KindGoneStale),
    ("ready_for_pickup", Word::KindReadyForPickup),
    ("delivered", Word::KindDelivered),
];

/// A kind in the seller's words, a kind this console does not know as sent.
pub fn kind_text(lang: Lang, wire: &str) -> String {
    KINDS
        .iter()
        .find(|(known, _)| *known == wire)
        .map_or_else(|| wire.to_owned(), |(_, word)| t(lang, *word).to_owned())
}

/// A delivery's state in the seller's words.
pub fn state_text(lang: Lang, state: &str) -> String {
    match state {
        "pending" => t(lang, Word::StatePending).to_owned(),
        "delivered" => t(lang, Word::StateDelivered).to_owned(),
        "failed" => t(lang, Word::StateFailed).to_owned(),
        other => other.to_owned(),
    }
}

/// The secret a subscription's answer carried, shown this once with its receiver.
fn secret_view(lang: Lang, shown: RwSignal<Option<(String, String)>>) -> impl IntoView {
    move || {
        shown.get().map(|(url, secret)| {
            view! {
                <section class="con__card con__secret" role="status" data-testid="secret">
                    <p><strong>{t(lang, Word::SecretOnce)}</strong></p>
                    <p class="con__muted">{url}</p>
                    <p><code>{secret}</code></p>
                </section>
            }
        })
    }
}

fn delivery_row(lang: Lang, id: StoredValue<String>, delivery: Delivery) -> impl IntoView {
    let done = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let last = delivery.attempts.last().map(|attempt| {
        attempt
            .status
            .map(|status| format!("HTTP {status}"))
            .or_else(|| attempt.error.clone())
            .unwrap_or_default()
    });
    let tries = words::fill(
        lang,
        Word::Tries,
        &[("count", &delivery.attempts.len().to_string())],
    );
    let delivery_id = StoredValue::new(delivery.id.clone());
    let replay = move |_| {
        problem.set(None);
        spawn_local(async move {
            match api::replay(&id.get_value(), &delivery_id.get_value()).await {
                Ok(()) => done.set(true),
                Err(error) => problem.set(Some(Problem::Api(error))),
            }
        });
    };
    view! {
        <li data-testid="delivery">
            <time datetime=delivery.queued_at.clone()>{moment_of(lang, &delivery.queued_at)}</time>
            " " <strong>{kind_text(lang, &delivery.kind)}</strong>
            " · " {state_text(lang, &delivery.state)}
            <p class="con__muted">{tries} {last.map(|last| format!(" · {last}"))}</p>
            {alert(lang, problem)}
            <p role="status" class="con__ok">{move || done.get().then(|| t(lang, Word::Replayed))}</p>
            <button type="button" on:click=replay>{t(lang, Word::Replay)}</button>
        </li>
    }
}

fn webhook_card(
    lang: Lang,
    gate: RwSignal<Gate>,
    webhook: Webhook,
    secret: RwSignal<Option<(String, String)>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = StoredValue::new(webhook.id.clone());
    let url = StoredValue::new(webhook.url.clone());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let deliveries = RwSignal::new(None::<Vec<Delivery>>);
    let open = RwSignal::new(false);
    let asking = RwSignal::new(false);
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if asking.get() {
            if let Some(cancel) = cancel.get() {
                let _ = cancel.focus();
            }
        }
    });
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening {
            spawn_local(async move {
                match api::deliveries(&id.get_value()).await {
                    Ok(found) => deliveries.set(Some(found.deliveries)),
                    Err(error) => problem.set(Some(reported(gate, error))),
                }
            });
        }
    };
    let rotate = move |_| {
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::rotate(&id.get_value()).await;
            busy.set(false);
            match answer {
                Ok(rotated) => secret.set(rotated.secret.map(|s| (url.get_value(), s))),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let delete = move |_| {
        busy.set(true);
        spawn_local(async move {
            let answer = api::unsubscribe(&id.get_value()).await;
            busy.set(false);
            asking.set(false);
            match answer {
                Ok(()) => reload(),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let kinds = webhook
        .events
        .iter()
        .map(|kind| kind_text(lang, kind))
        .collect::<Vec<_>>()
        .join(", ");
    let log = move || {
        open.get().then(|| match deliveries.get() {
            None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
            Some(list) if list.is_empty() => {
                view! { <p class="con__muted">{t(lang, Word::NoDeliveries)}</p> }.into_any()
            }
            Some(list) => view! {
                <ol class="con__history">
                    {list.into_iter().map(|delivery| delivery_row(lang, id, delivery)).collect_view()}
                </ol>
            }
            .into_any(),
        })
    };
    view! {
        <li class="con__card" data-testid="webhook">
            <p class="con__ref">{webhook.url}</p>
            <p class="con__muted">{kinds}</p>
            {alert(lang, problem)}
            <div class="con__inline">
                <button type="button" aria-expanded=move || if open.get() { "true" } else { "false" }
                    on:click=toggle>{t(lang, Word::ShowDeliveries)}</button>
                <button type="button" disabled=move || busy.get() on:click=rotate>{t(lang, Word::Rotate)}</button>
                <button type="button" class="con__warn" aria-expanded=move || if asking.get() { "true" } else { "false" }
                    on:click=move |_| asking.set(true)>{t(lang, Word::Unsubscribe)}</button>
            </div>
            <div role="group" aria-label=t(lang, Word::Unsubscribe) hidden=move || !asking.get()
                on:keydown=move |event: leptos::ev::KeyboardEvent| {
                    if event.key() == "Escape" {
                        asking.set(false);
                    }
                }>
                <div class="con__inline">
                    <button type="button" node_ref=cancel on:click=move |_| asking.set(false)>{t(lang, Word::Cancel)}</button>
                    <button type="button" class="con__warn" disabled=move || busy.get() on:click=delete>{t(lang, Word::DeleteYes)}</button>
                </div>
            </div>
            {log}
        </li>
    }
}

/// The owners' webhooks page.
#[component]
pub fn WebhooksPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    let list = RwSignal::new(None::<Vec<Webhook>>);
    let problem = RwSignal::new(None::<Problem>);
    let secret = RwSignal::new(None::<(String, String)>);
    let reload = move || {
        spawn_local(async move {
            match api::webhooks().await {
                Ok(found) => list.set(Some(found.webhooks)),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    reload();
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec!["status_changed".to_owned()]);
    let busy = RwSignal::new(false);
    let added = RwSignal::new(None::<Problem>);
    let subscribe = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let kinds = chosen.get_untracked();
        if kinds.is_empty() {
            return added.set(Some(Problem::Said(Word::ErrNoKind)));
        }
        let address = url.get_untracked().trim().to_owned();
        busy.set(true);
        added.set(None);
        spawn_local(async move {
            let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
            let answer = api::subscribe(&address, &kinds).await;
            busy.set(false);
            match answer {
                Ok(made) => {
                    secret.set(made.secret.map(|s| (made.url, s)));
                    url.set(String::new());
                    reload();
                }
                Err(error) => added.set(Some(reported(gate, error))),
            }
        });
    };
    let boxes = KINDS
        .iter()
        .map(|(wire, word)| {
            let wire = *wire;
            let id = format!("con-kind-{wire}");
            let labelled = id.clone();
            view! {
                <div class="con__check">
                    <input type="checkbox" id=id
                        prop:checked=move || chosen.with(|kinds| kinds.iter().any(|k| k == wire))
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            chosen.update(|kinds| {
                                kinds.retain(|k| k != wire);
                                if on {
                                    kinds.push(wire.to_owned());
                                }
                            });
                        }/>
                    <label for=labelled>{t(lang, *word)}</label>
                </div>
            }
        })
        .collect_view();
    let shown = move || {
        match list.get() {
        None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Some(found) if found.is_empty() => {
            view! { <p class="con__muted">{t(lang, Word::WebhooksEmpty)}</p> }.into_any()
        }
        Some(found) => view! {
            <ul class="con__list">
                {found.into_iter().map(|webhook| webhook_card(lang, gate, webhook, secret, reload)).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    view! {
        <h1>{t(lang, Word::WebhooksTitle)}</h1>
        {alert(lang, problem)}
        {secret_view(lang, secret)}
        {shown}
        <section class="con__card" aria-labelledby="con-new-webhook">
            <h2 id="con-new-webhook">{t(lang, Word::NewWebhook)}</h2>
            <form class="con__form" on:submit=subscribe>
                <label for="con-webhook-url">{t(lang, Word::WebhookUrl)}</label>
                <input id="con-webhook-url" type="url" inputmode="url" autocomplete="off" spellcheck="false"
                    maxlength="2000" required placeholder="https://shop.example/hooks/trackline"
                    prop:value=move || url.get() on:input=move |event| url.set(event_target_value(&event))/>
                <fieldset class="con__kinds">
                    <legend>{t(lang, Word::WebhookEvents)}</legend>
                    {boxes}
                </fieldset>
                {alert(lang, added)}
                <button type="submit" class="con__primary" disabled=move || busy.get()>{t(lang, Word::Subscribe)}</button>
            </form>
        </section>
    }
}
