//! The owners' settings: the storefronts allowed to show the shop's parcels (one origin a line,
//! checked as the server checks them), the second factor for lookups by order number, and the
//! way to the configurator for the snippet.

use super::connections::owners_only;
use super::{alert, reported, Gate, Problem};
use crate::api::{self, Settings};
use crate::form::{self, OriginsError, MAX_ORIGINS};
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// The second factors offered, by wire name (`""` for none).
pub const ORDER_CHECKS: [(&str, Word); 3] = [
    ("", Word::OrderCheckNone),
    ("phone_last4", Word::OrderCheckPhone),
    ("postcode", Word::OrderCheckPostcode),
];

/// The settings the form's text and choice give, or what is wrong with them, in `lang`.
///
/// # Errors
/// The origins' problem, told in `lang`.
pub fn from_form(lang: Lang, origins: &str, check: &str) -> Result<Settings, String> {
    let allowed_origins = form::origins(origins).map_err(|error| match error {
        OriginsError::Line(line) => {
            words::fill(lang, Word::ErrOriginLine, &[("line", &line.to_string())])
        }
        OriginsError::TooMany => words::fill(
            lang,
            Word::ErrTooManyOrigins,
            &[("count", &MAX_ORIGINS.to_string())],
        ),
    })?;
    let order_check = ORDER_CHECKS
        .iter()
        .find(|(wire, _)| !wire.is_empty() && *wire == check)
        .map(|(wire, _)| (*wire).to_owned());
    Ok(Settings {
        allowed_origins,
        order_check,
    })
}

/// The owners' settings page.
#[component]
pub fn SettingsPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    owners_only(lang, gate, move || settings_page(lang, gate))
}

fn settings_page(lang: Lang, gate: RwSignal<Gate>) -> impl IntoView {
    // The configurator opens with this seller's shop filled in.
    let handle = gate.with_untracked(|gate| match gate {
        Gate::In(session) => session.seller.handle.clone(),
        _ => String::new(),
    });
    let configurator = crate::route::configurator(&handle, lang.tag());
    let origins = RwSignal::new(String::new());
    let check = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let show = move |settings: Settings| {
        origins.set(settings.allowed_origins.join("\n"));
        check.set(settings.order_check.unwrap_or_default());
        loaded.set(true);
    };
    spawn_local(async move {
        match api::settings().await {
            Ok(settings) => show(settings),
            Err(error) => problem.set(Some(reported(gate, error))),
        }
    });
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let refused = RwSignal::new(None::<String>);
    let save = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        saved.set(false);
        let settings = match from_form(lang, &origins.get_untracked(), &check.get_untracked()) {
            Ok(settings) => settings,
            Err(said) => return refused.set(Some(said)),
        };
        busy.set(true);
        refused.set(None);
        problem.set(None);
        spawn_local(async move {
            let answer = api::put_settings(&settings).await;
            busy.set(false);
            match answer {
                Ok(stored) => {
                    show(stored);
                    saved.set(true);
                }
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let choices = ORDER_CHECKS
        .iter()
        .map(|(wire, word)| view! { <option value=*wire>{t(lang, *word)}</option> })
        .collect_view();
    view! {
        <h1>{t(lang, Word::SettingsTitle)}</h1>
        {alert(lang, problem)}
        <section class="con__card">
            <form class="con__form" on:submit=save aria-busy=move || if loaded.get() { "false" } else { "true" }>
                <label for="con-origins">{t(lang, Word::AllowedOrigins)}</label>
                <textarea id="con-origins" rows="4" spellcheck="false" autocomplete="off"
                    aria-describedby="con-origins-hint" placeholder="https://shop.example"
                    prop:value=move || origins.get() on:input=move |event| origins.set(event_target_value(&event))></textarea>
                <p id="con-origins-hint" class="con__hint">{t(lang, Word::OriginsHint)}</p>
                {move || refused.get().map(|said| view! { <p class="con__error" role="alert">{said}</p> })}
                <label for="con-order-check">{t(lang, Word::OrderCheck)}</label>
                <select id="con-order-check" prop:value=move || check.get()
                    on:change=move |event| check.set(event_target_value(&event))>
                    {choices}
                </select>
                <p role="status" class="con__ok">{move || saved.get().then(|| t(lang, Word::SettingsSaved))}</p>
                <button type="submit" class="con__primary" disabled=move || busy.get() || !loaded.get()>{t(lang, Word::SaveSettings)}</button>
            </form>
        </section>
        <section class="con__card" aria-labelledby="con-snippet">
            <h2 id="con-snippet">{t(lang, Word::SnippetTitle)}</h2>
            <p>{t(lang, Word::SnippetHint)}</p>
            <p><a href=configurator data-testid="configurator">{t(lang, Word::OpenConfigurator)}</a></p>
        </section>
    }
}
