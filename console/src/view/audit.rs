//! The owners' audit log: who changed what and when, newest first, a page at a time, each
//! change told as a sentence in the seller's language ("Anna moved the shipment A-1001 …").

use super::connections::{moment, owners_only};
use super::shipment::provider_name;
use super::{alert, reported, Gate, Problem};
use crate::api::{self, AuditEntry};
use crate::words::{self, text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// The actions the server names (`http::audit::action`), each with its sentence.
pub const ACTIONS: [(&str, Word); 21] = [
    ("shipment.put", Word::AuditShipmentPut),
    ("shipment.patch", Word::AuditShipmentPatch),
    ("shipment.delete", Word::AuditShipmentDelete),
    ("shipments.put", Word::AuditShipmentsPut),
    ("events.append", Word::AuditEventsAppend),
    ("settings.put", Word::AuditSettingsPut),
    ("webhook.create", Word::AuditWebhookCreate),
    ("webhook.delete", Word::AuditWebhookDelete),
    ("webhook.rotate", Word::AuditWebhookRotate),
    ("token.create", Word::AuditTokenCreate),
    ("token.revoke", Word::AuditTokenRevoke),
    ("ozon_keys.put", Word::AuditOzonKeysPut),
    ("provider_keys.put", Word::AuditProviderKeysPut),
    ("member.invite", Word::AuditMemberInvite),
    ("member.remove", Word::AuditMemberRemove),
    ("invitation.revoke", Word::AuditInvitationRevoke),
    ("sign_in.password", Word::AuditSignInPassword),
    ("sign_in.passkey", Word::AuditSignInPasskey),
    ("sign_out.everywhere", Word::AuditSignOutEverywhere),
    ("ozon_keys.check", Word::AuditOzonKeysCheck),
    ("provider_keys.check", Word::AuditProviderKeysCheck),
];

/// `template` with each `{name}` replaced by its value in one pass, so that a value (a member's
/// name, a reference) that itself reads `{target}` is shown as written.
fn fill_once(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[1..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (close, *value))
        });
        match filled {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Who made the change, in the seller's words: the member's name, the token's, or someone.
pub fn who(lang: Lang, entry: &AuditEntry) -> String {
    match (&entry.member, &entry.token) {
        (Some(member), _) if !member.name.trim().is_empty() => member.name.clone(),
        (_, Some(token)) => words::fill(lang, Word::AuditByToken, &[("name", token)]),
        _ => t(lang, Word::AuditSomeone).to_owned(),
    }
}

/// The change as a sentence in `lang`; an action this console does not name as its method and
/// route (`POST /api/v1/seller/…`).
pub fn sentence(lang: Lang, entry: &AuditEntry) -> String {
    let who = who(lang, entry);
    let target = entry.target.as_deref().unwrap_or("—");
    let known = ACTIONS
        .iter()
        .find(|(action, _)| *action == entry.action)
        .map(|(_, word)| *word);
    match known {
        Some(word) => {
            let target = if matches!(
                word,
                Word::AuditProviderKeysPut | Word::AuditProviderKeysCheck
            ) {
                provider_name(lang, target)
            } else {
                target
            };
            // A token made is named since the log names what it made; older entries name none.
            let word = if word == Word::AuditTokenCreate && entry.target.is_some() {
                Word::AuditTokenCreateNamed
            } else {
                word
            };
            fill_once(t(lang, word), &[("who", &who), ("target", target)])
        }
        None => {
            let (method, route) = entry
                .action
                .split_once(' ')
                .unwrap_or(("", entry.action.as_str()));
            let mut call = format!("{} {route}", method.to_ascii_uppercase());
            if let Some(target) = &entry.target {
                call.push_str(&format!(" ({target})"));
            }
            fill_once(
                t(lang, Word::AuditOther),
                &[("who", &who), ("call", call.trim())],
            )
        }
    }
}

/// The owners' audit log page.
#[component]
pub fn AuditPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    owners_only(lang, gate, move || audit_page(lang, gate))
}

fn audit_page(lang: Lang, gate: RwSignal<Gate>) -> impl IntoView {
    let entries = RwSignal::new(None::<Vec<AuditEntry>>);
    let next = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let load = move |before: Option<String>| {
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::audit(before.as_deref()).await;
            busy.set(false);
            match answer {
                Ok(page) => {
                    next.set(page.next);
                    entries.update(|shown| match shown {
                        Some(shown) if before.is_some() => shown.extend(page.entries),
                        _ => *shown = Some(page.entries),
                    });
                }
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    load(None);
    let shown = move || match entries.get() {
        None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Some(found) if found.is_empty() => {
            view! { <p class="con__muted">{t(lang, Word::AuditEmpty)}</p> }.into_any()
        }
        Some(found) => view! {
            <ol class="con__history">
                {found.into_iter().map(|entry| {
                    let at = trackline_core::time::format_rfc3339(entry.at_ms);
                    view! {
                        <li data-testid="audit-entry">
                            <time datetime=at>{moment(lang, entry.at_ms)}</time>
                            " " <span>{sentence(lang, &entry)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
        .into_any(),
    };
    view! {
        <h1>{t(lang, Word::AuditTitle)}</h1>
        {alert(lang, problem)}
        {shown}
        {move || next.get().map(|cursor| {
            let cursor = StoredValue::new(cursor);
            view! {
                <button type="button" disabled=move || busy.get()
                    on:click=move |_| load(Some(cursor.get_value()))>{t(lang, Word::More)}</button>
            }
        })}
    }
}
