//! One shipment's page: what the buyer sees (the widget's own view, read only), its numbers and
//! carrier, its whole history, its notifications (`activity`), and the seller's actions: edit its
//! fields (`edit`), move it to a stage or add an event (asking for the pickup code when it moves
//! to "ready for pickup" without one), choose where its status is polled from, delete it.

use super::activity::activity;
use super::connections::moment_of;
use super::edit::edit_form;
use super::{alert, reported, Gate, Problem};
use crate::api::{self, Listed, NewEvent};
use crate::route::Place;
use crate::words::{text as t, Word};
use crate::{edit, form};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::components::shipment::ShipmentView;
use trackline::i18n::Lang;
use trackline::labels;
use trackline_core::{Exception, Shipment, Stage};

/// The language tag an event written in the console carries: the seller's.
fn event_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "ru",
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    }
}

/// The event the form describes, at `at`; `None` for "keep" and "none".
pub fn new_event(at: String, stage: &str, exception: &str, text: String, lang: Lang) -> NewEvent {
    let chosen = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    NewEvent {
        at,
        stage: chosen(stage),
        exception: chosen(exception),
        text,
        text_lang: event_lang(lang).to_owned(),
    }
}

fn details(lang: Lang, shipment: &Shipment) -> impl IntoView {
    let rows = [
        (Word::OrderNumber, shipment.order_number.clone()),
        (Word::ShipmentNumber, shipment.shipment_number.clone()),
        (Word::TrackingNumber, shipment.tracking_number.clone()),
        (
            Word::Carrier,
            shipment
                .carrier
                .as_ref()
                .map(|carrier| carrier.name.clone()),
        ),
        (Word::StatusText, shipment.status_text.clone()),
    ];
    let rows = rows
        .into_iter()
        .filter_map(|(word, value)| {
            value.map(|value| view! { <dt>{t(lang, word)}</dt><dd>{value}</dd> })
        })
        .collect_view();
    view! {
        <section class="con__card" aria-labelledby="con-details">
            <h2 id="con-details">{t(lang, Word::Details)}</h2>
            <dl class="con__facts">{rows}</dl>
        </section>
    }
}

fn history(lang: Lang, shipment: &Shipment) -> impl IntoView {
    let mut events = shipment.events.clone();
    // RFC 3339 with offsets does not sort as text across offsets: by the instant, newest first.
    events.sort_by_key(|event| {
        std::cmp::Reverse(trackline_core::time::parse_rfc3339(&event.at).unwrap_or(i64::MIN))
    });
    let list = events
        .into_iter()
        .map(|event| {
            let moved = event
                .stage
                .as_ref()
                .map(|stage| labels::stage(lang, stage))
                .into_iter()
                .chain(event.exception.as_ref().map(|e| labels::exception(lang, e)))
                .collect::<Vec<_>>()
                .join(" · ");
            let place = event
                .location
                .map(|place| view! { <span class="con__muted">{place}</span> });
            view! {
                <li>
                    <time datetime=event.at.clone()>{moment_of(lang, &event.at)}</time>
                    " "<strong>{moved}</strong>
                    <p>{event.text}</p>
                    {place}
                </li>
            }
        })
        .collect_view();
    let empty = shipment
        .events
        .is_empty()
        .then(|| view! { <p class="con__muted">{t(lang, Word::NoEvents)}</p> });
    view! {
        <section class="con__card" aria-labelledby="con-history">
            <h2 id="con-history">{t(lang, Word::History)}</h2>
            {empty}
            <ol class="con__history" data-testid="history">{list}</ol>
        </section>
    }
}

/// The form that moves the shipment to a stage or adds an event.
fn event_form(
    lang: Lang,
    gate: RwSignal<Gate>,
    reference: StoredValue<String>,
    shown: RwSignal<Option<Listed>>,
) -> impl IntoView {
    let stage = RwSignal::new(String::new());
    let exception = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let done = RwSignal::new(false);
    // Moving to "ready for pickup" without a code asks for it and the point (the buyer's page
    // shows the code in big digits): they are saved first, then the event.
    let code = RwSignal::new(String::new());
    let point_name = RwSignal::new(String::new());
    let point_address = RwSignal::new(String::new());
    let asks = Memo::new(move |_| {
        let stage = stage.get();
        shown.with(|listed| {
            listed
                .as_ref()
                .is_some_and(|listed| edit::asks_pickup_code(&listed.shipment, &stage))
        })
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let written = match form::event_text(&text.get_untracked()) {
            Ok(written) => written,
            Err(word) => return problem.set(Some(Problem::Said(word))),
        };
        let point = if asks.get_untracked() {
            if code.get_untracked().trim().is_empty() {
                return problem.set(Some(Problem::Said(Word::ErrNeedCode)));
            }
            shown.with_untracked(|listed| {
                listed.as_ref().map(|listed| {
                    let mut fields = edit::Fields::of(&listed.shipment);
                    fields.pickup_code = code.get_untracked();
                    if !point_name.get_untracked().trim().is_empty() {
                        fields.pickup_name = point_name.get_untracked();
                    }
                    if !point_address.get_untracked().trim().is_empty() {
                        fields.pickup_address = point_address.get_untracked();
                    }
                    edit::patch(&listed.shipment, &fields)
                })
            })
        } else {
            None
        };
        let at = String::from(js_sys::Date::new_0().to_iso_string());
        let event = new_event(
            at,
            &stage.get_untracked(),
            &exception.get_untracked(),
            written,
            lang,
        );
        busy.set(true);
        problem.set(None);
        done.set(false);
        spawn_local(async move {
            let reference = reference.get_value();
            if let Some(body) = point.filter(|body| !body.is_empty()) {
                match api::patch_shipment(&reference, &body).await {
                    Ok(listed) => shown.set(Some(listed)),
                    Err(error) => {
                        busy.set(false);
                        return problem.set(Some(reported(gate, error)));
                    }
                }
            }
            let answer = api::add_event(&reference, &event).await;
            busy.set(false);
            match answer {
                Ok(listed) => {
                    shown.set(Some(listed));
                    text.set(String::new());
                    done.set(true);
                }
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let typed =
        move |id: &'static str, word: Word, testid: &'static str, value: RwSignal<String>| {
            view! {
                <label for=id>{t(lang, word)}</label>
                <input id=id type="text" maxlength="500" autocomplete="off" data-testid=testid
                    aria-describedby="con-pickup-hint"
                    prop:value=move || value.get()
                    on:input=move |event| value.set(event_target_value(&event))/>
            }
        };
    let pickup = move || {
        asks.get().then(|| {
            view! {
                <fieldset class="con__kinds" data-testid="pickup-ask">
                    <legend>{t(lang, Word::PickupPoint)}</legend>
                    <p class="con__hint" id="con-pickup-hint">{t(lang, Word::PickupAsk)}</p>
                    {typed("con-pickup-code", Word::PickupCode, "ask-pickup-code", code)}
                    {typed("con-pickup-name", Word::NameLabel, "ask-pickup-name", point_name)}
                    {typed("con-pickup-address", Word::AddressLabel, "ask-pickup-address", point_address)}
                </fieldset>
            }
        })
    };
    let stages = Stage::KNOWN
        .iter()
        .map(|stage| view! { <option value=stage.as_str().to_owned()>{labels::stage(lang, stage)}</option> })
        .collect_view();
    let exceptions = Exception::KNOWN
        .iter()
        .map(|exception| view! { <option value=exception.as_str().to_owned()>{labels::exception(lang, exception)}</option> })
        .collect_view();
    view! {
        <section class="con__card" aria-labelledby="con-add">
            <h2 id="con-add">{t(lang, Word::AddEventTitle)}</h2>
            <form class="con__form" on:submit=submit>
                <label for="con-stage">{t(lang, Word::MoveToStage)}</label>
                <select id="con-stage" on:change=move |event| stage.set(event_target_value(&event))>
                    <option value="">{t(lang, Word::KeepStage)}</option>
                    {stages}
                </select>
                <label for="con-exception">{t(lang, Word::ExceptionLabel)}</label>
                <select id="con-exception" on:change=move |event| exception.set(event_target_value(&event))>
                    <option value="">{t(lang, Word::NoException)}</option>
                    {exceptions}
                </select>
                {pickup}
                <label for="con-text">{t(lang, Word::EventText)}</label>
                <textarea id="con-text" rows="3" maxlength="500" required
                    prop:value=move || text.get() on:input=move |event| text.set(event_target_value(&event))></textarea>
                {alert(lang, problem)}
                <p role="status" class="con__ok">{move || done.get().then(|| t(lang, Word::EventAdded))}</p>
                <button type="submit" class="con__primary" data-testid="add-event" disabled=move || busy.get()>
                    {t(lang, Word::AddEvent)}
                </button>
            </form>
        </section>
    }
}

/// The providers a shipment may be polled from, by wire name.
pub const PROVIDERS: [&str; 4] = ["russian_post", "cdek", "seventeen_track", "ozon"];

/// A provider's name as the seller knows it in `lang`.
pub fn provider_name(lang: Lang, wire: &str) -> &str {
    match (lang, wire) {
        (Lang::Ru, "russian_post") => "Почта России",
        (Lang::En, "russian_post") => "Russian Post",
        (Lang::Zh, "russian_post") => "俄罗斯邮政",
        (Lang::Ru, "cdek") => "СДЭК",
        (_, "cdek") => "CDEK",
        (_, "seventeen_track") => "17TRACK",
        (_, "ozon") => "Ozon",
        (_, other) => other,
    }
}

/// The form that chooses where the shipment's status is polled from (the server does not say
/// where it is polled from now: the form starts at no choice).
fn source_form(lang: Lang, gate: RwSignal<Gate>, reference: StoredValue<String>) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let provider = chosen.get_untracked();
        busy.set(true);
        done.set(false);
        problem.set(None);
        spawn_local(async move {
            let provider = (!provider.is_empty()).then_some(provider);
            let answer = api::set_source(&reference.get_value(), provider.as_deref()).await;
            busy.set(false);
            match answer {
                Ok(()) => done.set(true),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let options = PROVIDERS
        .iter()
        .map(|wire| view! { <option value=*wire>{provider_name(lang, wire).to_owned()}</option> })
        .collect_view();
    view! {
        <section class="con__card" aria-labelledby="con-source">
            <h2 id="con-source">{t(lang, Word::SourceTitle)}</h2>
            <form class="con__form" on:submit=submit>
                <label for="con-provider">{t(lang, Word::SourceLabel)}</label>
                <select id="con-provider" aria-describedby="con-source-hint"
                    on:change=move |event| chosen.set(event_target_value(&event))>
                    <option value="">{t(lang, Word::SourceNowhere)}</option>
                    {options}
                </select>
                <p class="con__hint" id="con-source-hint">{t(lang, Word::SourceHint)}</p>
                {alert(lang, problem)}
                <p role="status" class="con__ok">{move || done.get().then(|| t(lang, Word::SourceSet))}</p>
                <button type="submit" disabled=move || busy.get()>{t(lang, Word::SetSource)}</button>
            </form>
        </section>
    }
}

/// Deleting, behind a confirmation that takes the focus (its safe answer first).
fn delete_control(
    lang: Lang,
    gate: RwSignal<Gate>,
    reference: StoredValue<String>,
    deleted: RwSignal<bool>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let cancel = NodeRef::<leptos::html::Button>::new();
    let ask = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if asking.get() {
            if let Some(cancel) = cancel.get() {
                let _ = cancel.focus();
            }
        }
    });
    let confirm = move |_| {
        busy.set(true);
        spawn_local(async move {
            let answer = api::delete_shipment(&reference.get_value()).await;
            busy.set(false);
            match answer {
                Ok(()) => deleted.set(true),
                Err(error) => {
                    asking.set(false);
                    problem.set(Some(reported(gate, error)));
                }
            }
        });
    };
    let back = move || {
        asking.set(false);
        if let Some(ask) = ask.get_untracked() {
            let _ = ask.focus();
        }
    };
    view! {
        <section class="con__card con__danger">
            {alert(lang, problem)}
            <button type="button" class="con__warn" data-testid="delete" node_ref=ask
                aria-expanded=move || if asking.get() { "true" } else { "false" }
                on:click=move |_| asking.set(true)>{t(lang, Word::Delete)}</button>
            <div role="group" aria-labelledby="con-confirm" hidden=move || !asking.get()
                on:keydown=move |event: leptos::ev::KeyboardEvent| {
                    if event.key() == "Escape" {
                        back();
                    }
                }>
                <p id="con-confirm">{t(lang, Word::DeleteConfirm)}</p>
                <div class="con__inline">
                    <button type="button" node_ref=cancel on:click=move |_| back()>{t(lang, Word::Cancel)}</button>
                    <button type="button" class="con__warn" data-testid="delete-yes" disabled=move || busy.get()
                        on:click=confirm>{t(lang, Word::DeleteYes)}</button>
                </div>
            </div>
        </section>
    }
}

/// A shipment's page.
#[component]
pub fn ShipmentPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
    /// The seller's reference.
    reference: String,
) -> impl IntoView {
    let shown = RwSignal::new(None::<Listed>);
    let problem = RwSignal::new(None::<Problem>);
    let deleted = RwSignal::new(false);
    let reference = StoredValue::new(reference);
    spawn_local(async move {
        match api::shipment(&reference.get_value()).await {
            Ok(listed) => shown.set(Some(listed)),
            Err(error) => problem.set(Some(reported(gate, error))),
        }
    });
    let back = Place::Shipments {
        problems: false,
        stale: false,
    }
    .hash();
    // What a new event changes is drawn again; the forms stay (and say what they did).
    let page = move || {
        if deleted.get() {
            return Some(
                view! { <p class="con__lead" role="status" data-testid="deleted">{t(lang, Word::Deleted)}</p> }
                    .into_any(),
            );
        }
        let shipment = shown.get()?.shipment;
        let now = trackline::clock::now();
        let buyer = shipment.clone();
        Some(
            view! {
                <section class="con__card" aria-labelledby="con-buyer">
                    <h2 id="con-buyer">{t(lang, Word::BuyerSees)}</h2>
                    // The widget's own view, in its own classes and stylesheet; it only reads.
                    <div class="tl-widget con__buyer" data-theme="auto" lang=lang.tag() data-testid="buyer-view">
                        <ShipmentView lang shipment=buyer now/>
                    </div>
                </section>
                {details(lang, &shipment)}
                {history(lang, &shipment)}
            }
            .into_any(),
        )
    };
    let loaded = Memo::new(move |_| shown.with(Option::is_some));
    let actions = move || {
        (loaded.get() && !deleted.get()).then(|| {
            view! {
                {activity(lang, gate, reference, shown)}
                {edit_form(lang, gate, reference, shown)}
                {event_form(lang, gate, reference, shown)}
                {source_form(lang, gate, reference)}
                {delete_control(lang, gate, reference, deleted)}
            }
        })
    };
    let loading = move || {
        (shown.with(Option::is_none) && problem.with(Option::is_none) && !deleted.get())
            .then(|| view! { <p role="status">{t(lang, Word::Loading)}</p> })
    };
    view! {
        <p><a href=back>{t(lang, Word::BackToList)}</a></p>
        <h1 class="con__reference">{reference.get_value()}</h1>
        {alert(lang, problem)}
        {loading}
        {page}
        {actions}
    }
}
