//! The owners' keys page: Ozon's Seller API keys and each carrier's tracking keys, one form
//! each. Keys are sealed on the server and never shown again: each form says so, starts empty
//! and clears once saved; where the attention queue says a provider refused the keys kept, its
//! form says that too. Beside each provider with keys saved, a "Check" asks the provider once
//! with them and says what it answered, in a live region.

use super::connections::{moment_of, owners_only};
use super::shipment::provider_name;
use super::{alert, reported, Gate, Problem};
use crate::api::{self, ApiError, KeyCheck};
use crate::form;
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use trackline::i18n::Lang;

/// One key field: its wire name, its label, whether it is a secret (typed hidden).
type Field = (&'static str, Word, bool);

/// Each provider's form: its wire name, its hint and its fields (the server's
/// `Provider::key_fields`; Ozon's are `PUT /api/v1/seller/ozon`'s).
pub const PROVIDER_KEYS: [(&str, Word, &[Field]); 4] = [
    (
        "ozon",
        Word::KeysHintOzon,
        &[
            ("client_id", Word::KeyClientId, false),
            ("api_key", Word::KeyApiKey, true),
        ],
    ),
    (
        "russian_post",
        Word::KeysHintRussianPost,
        &[
            ("login", Word::KeyLogin, false),
            ("password", Word::Password, true),
        ],
    ),
    (
        "cdek",
        Word::KeysHintCdek,
        &[
            ("client_id", Word::KeyClientId, false),
            ("client_secret", Word::KeyClientSecret, true),
        ],
    ),
    (
        "seventeen_track",
        Word::KeysHintSeventeenTrack,
        &[("api_key", Word::KeyApiKey, true)],
    ),
];

/// A provider's refusal of the keys kept, as the attention queue tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `ozon` or a carrier's provider.
    pub provider: String,
    /// When (RFC 3339).
    pub refused_at: String,
    /// What the provider said.
    pub reason: String,
}

/// The refusals in an attention answer (`refused_keys`), read loosely.
pub fn refusals(answer: &Value) -> Vec<Refusal> {
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(|text| text.chars().take(300).collect::<String>())
    };
    answer
        .get("refused_keys")
        .and_then(Value::as_array)
        .map(|found| {
            found
                .iter()
                .filter_map(|value| {
                    Some(Refusal {
                        provider: text(value, "provider")?,
                        refused_at: text(value, "refused_at").unwrap_or_default(),
                        reason: text(value, "reason").unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The keys as the form's values give them, checked as the server checks them.
///
/// # Errors
/// The word that says what is wrong.
pub fn checked_keys(
    provider: &str,
    fields: &[Field],
    values: &[String],
) -> Result<Vec<(&'static str, String)>, Word> {
    fields
        .iter()
        .zip(values)
        .map(|((name, _, _), value)| {
            let value = if provider == "ozon" && *name == "client_id" {
                form::ozon_client_id(value)?
            } else {
                form::key(value)?
            };
            Ok((*name, value))
        })
        .collect()
}

/// What a check's answer (or the call's failure) says to the seller, in `lang`.
pub fn check_said(lang: Lang, provider: &str, answer: &Result<KeyCheck, ApiError>) -> String {
    let name = provider_name(lang, provider);
    let said = |word: Word, more: &[(&str, &str)]| {
        let mut values = vec![("provider", name)];
        values.extend_from_slice(more);
        words::fill(lang, word, &values)
    };
    let check = match answer {
        Ok(check) => check,
        Err(ApiError::TooMany(Some(seconds))) => {
            return said(Word::CheckTooOften, &[("seconds", &seconds.to_string())])
        }
        Err(error) => return super::Problem::Api(error.clone()).text(lang),
    };
    match check.answer.as_str() {
        "accepted" => said(Word::CheckAccepted, &[]),
        "refused" => match check.message.as_deref().map(str::trim) {
            Some(message) if !message.is_empty() => {
                let message: String = message.chars().take(200).collect();
                said(Word::CheckRefusedSaid, &[("message", &message)])
            }
            _ => said(Word::CheckRefused, &[]),
        },
        "limited" => match check.retry_after_s {
            Some(seconds) => said(Word::CheckLimited, &[("seconds", &seconds.to_string())]),
            None => said(Word::CheckLimitedLater, &[]),
        },
        "unreachable" => said(Word::CheckUnreachable, &[]),
        "no_keys" => said(Word::CheckNoKeys, &[]),
        _ => said(
            Word::CheckUnexpected,
            &[(
                "status",
                &check
                    .status
                    .map_or_else(|| "?".to_owned(), |status| status.to_string()),
            )],
        ),
    }
}

/// The check of one provider's saved keys: its button, shown while the seller has keys saved
/// there, and the live region that says what the provider answered (there from the start, so
/// that screen readers announce the answer when it comes).
#[component]
pub fn KeyCheckControl(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
    /// The provider's wire name.
    provider: &'static str,
    /// The providers with keys saved.
    saved: RwSignal<Vec<String>>,
    /// The refusals the attention queue told of; an accepted check clears this provider's.
    refused: RwSignal<Vec<Refusal>>,
    /// What the last check said.
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let check = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        said.set(Some(words::fill(
            lang,
            Word::CheckAsking,
            &[("provider", provider_name(lang, provider))],
        )));
        spawn_local(async move {
            let answer = api::check_keys(provider).await;
            busy.set(false);
            match &answer {
                Ok(check) if check.answer == "accepted" => {
                    refused.update(|found| found.retain(|refusal| refusal.provider != provider));
                }
                Ok(check) if check.answer == "no_keys" => {
                    saved.update(|found| found.retain(|saved| saved != provider));
                }
                Err(ApiError::SignedOut) => {
                    reported(gate, ApiError::SignedOut);
                }
                _ => {}
            }
            said.set(Some(check_said(lang, provider, &answer)));
        });
    };
    let has_keys = move || saved.with(|found| found.iter().any(|saved| saved == provider));
    view! {
        <div class="con__check" data-testid=format!("check-{provider}")>
            {move || has_keys().then(|| view! {
                <button type="button" on:click=check disabled=move || busy.get()>{t(lang, Word::CheckKeys)}</button>
            })}
            <p aria-live="polite" role="status" data-testid="check-said">{move || said.get()}</p>
        </div>
    }
}

fn provider_form(
    lang: Lang,
    gate: RwSignal<Gate>,
    provider: &'static str,
    hint: Word,
    fields: &'static [Field],
    refused: RwSignal<Vec<Refusal>>,
    saved_keys: RwSignal<Vec<String>>,
) -> impl IntoView {
    let checked = RwSignal::new(None::<String>);
    let values: Vec<RwSignal<String>> = fields
        .iter()
        .map(|_| RwSignal::new(String::new()))
        .collect();
    let values = StoredValue::new(values);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        let typed: Vec<String> =
            values.with_value(|values| values.iter().map(|v| v.get_untracked()).collect());
        let keys = match checked_keys(provider, fields, &typed) {
            Ok(keys) => keys,
            Err(word) => return problem.set(Some(Problem::Said(word))),
        };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = if provider == "ozon" {
                let key = |name: &str| {
                    keys.iter()
                        .find(|(field, _)| *field == name)
                        .map(|(_, value)| value.clone())
                        .unwrap_or_default()
                };
                api::put_ozon_keys(&key("client_id"), &key("api_key")).await
            } else {
                api::put_source_keys(provider, &keys).await
            };
            busy.set(false);
            match answer {
                Ok(()) => {
                    // Sealed: nothing of them stays in the page.
                    values.with_value(|values| {
                        values.iter().for_each(|value| value.set(String::new()))
                    });
                    refused.update(|found| found.retain(|refusal| refusal.provider != provider));
                    saved_keys.update(|found| {
                        if !found.iter().any(|saved| saved == provider) {
                            found.push(provider.to_owned());
                        }
                    });
                    // What a check said of the keys before is not said of these.
                    checked.set(None);
                    saved.set(true);
                }
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let name = provider_name(lang, provider).to_owned();
    let heading = format!("con-keys-{provider}");
    let labelled = heading.clone();
    let refusal =
        move || {
            refused.with(|found| {
                found.iter().find(|refusal| refusal.provider == provider).map(|refusal| {
                let said = words::fill(
                    lang,
                    Word::KeysRefused,
                    &[
                        ("provider", provider_name(lang, provider)),
                        ("date", &moment_of(lang, &refusal.refused_at)),
                        ("reason", &refusal.reason),
                    ],
                );
                view! { <p class="con__error" role="alert" data-testid="refused">{said}</p> }
            })
            })
        };
    let inputs = fields
        .iter()
        .enumerate()
        .map(|(at, (field, label, secret))| {
            let id = format!("con-key-{provider}-{field}");
            let value = values.with_value(|values| values[at]);
            view! {
                <label for=id.clone()>{t(lang, *label)}</label>
                <input id=id type=if *secret { "password" } else { "text" }
                    autocomplete=if *secret { "new-password" } else { "off" }
                    spellcheck="false" maxlength="200" required
                    prop:value=move || value.get() on:input=move |event| value.set(event_target_value(&event))/>
            }
        })
        .collect_view();
    view! {
        <section class="con__card" aria-labelledby=labelled data-testid=format!("keys-{provider}")>
            <h2 id=heading>{name}</h2>
            <p class="con__muted">{t(lang, hint)}</p>
            {refusal}
            <form class="con__form" on:submit=save>
                {inputs}
                {alert(lang, problem)}
                <p role="status" class="con__ok">{move || saved.get().then(|| t(lang, Word::KeysSaved))}</p>
                <button type="submit" class="con__primary" disabled=move || busy.get()>{t(lang, Word::SaveKeys)}</button>
            </form>
            <KeyCheckControl lang gate provider saved=saved_keys refused said=checked/>
        </section>
    }
}

/// The owners' keys page.
#[component]
pub fn KeysPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    owners_only(lang, gate, move || keys_page(lang, gate))
}

fn keys_page(lang: Lang, gate: RwSignal<Gate>) -> impl IntoView {
    let refused = RwSignal::new(Vec::<Refusal>::new());
    let saved = RwSignal::new(Vec::<String>::new());
    let problem = RwSignal::new(None::<Problem>);
    spawn_local(async move {
        match api::attention().await {
            Ok(answer) => refused.set(refusals(&answer)),
            Err(error) => problem.set(Some(reported(gate, error))),
        }
        match api::saved_keys().await {
            Ok(found) => saved.set(found.providers),
            Err(error) => problem.set(Some(reported(gate, error))),
        }
    });
    view! {
        <h1>{t(lang, Word::KeysTitle)}</h1>
        <p class="con__lead">{t(lang, Word::KeysSealed)}</p>
        {alert(lang, problem)}
        {PROVIDER_KEYS
            .iter()
            .map(|(provider, hint, fields)| provider_form(lang, gate, provider, *hint, fields, refused, saved))
            .collect_view()}
    }
}
