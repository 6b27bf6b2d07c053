//! The shipment's edit form: its tracking number, carrier, estimated delivery, pickup point and
//! support contacts, prefilled; only what changed is sent (`PATCH`), and a field the server
//! refuses is marked where it is, in words.

use super::{alert, reported, Gate, Problem};
use crate::api::{self, ApiError, Listed};
use crate::edit::{self, Access, ContactField, Fields, FIELDS, MAX_CONTACTS};
use crate::words::{fill, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;
use trackline_core::ContactKind;

/// The word that labels each of the form's fields, in `FIELDS`' order.
const LABELS: [Word; 11] = [
    Word::TrackingNumber,
    Word::NameLabel,
    Word::PhoneLabel,
    Word::CarrierLink,
    Word::DeliveryFrom,
    Word::DeliveryTo,
    Word::NameLabel,
    Word::AddressLabel,
    Word::HoursLabel,
    Word::PickupCode,
    Word::StorageUntil,
];

/// The input type of a field: a calendar for days, a phone pad, a link, text.
fn input_type(server_name: &str) -> &'static str {
    match server_name {
        "estimated_delivery.from" | "estimated_delivery.to" | "pickup_point.storage_until" => {
            "date"
        }
        "carrier.phone" => "tel",
        "carrier.tracking_url" => "url",
        _ => "text",
    }
}

/// One labelled input of the form, marked when the server refused it.
fn input(
    lang: Lang,
    fields: RwSignal<Fields>,
    refused: RwSignal<Option<String>>,
    index: usize,
) -> impl IntoView {
    let (id, name, read, write): Access = FIELDS[index];
    let error_id = format!("{id}-error");
    let wrong = move || refused.with(|refused| refused.as_deref() == Some(name));
    let message = move || {
        wrong().then(|| view! { <p class="con__error" id=format!("{id}-error")>{t(lang, Word::FieldRefused)}</p> })
    };
    view! {
        <label for=id>{t(lang, LABELS[index])}</label>
        <input id=id type=input_type(name) maxlength="500" autocomplete="off"
            aria-invalid=move || if wrong() { "true" } else { "false" }
            aria-describedby=move || wrong().then(|| error_id.clone())
            prop:value=move || fields.with(|fields| read(fields).clone())
            on:input=move |event| {
                let value = event_target_value(&event);
                fields.update(|fields| *write(fields) = value);
            }/>
        {message}
    }
}

fn group(
    lang: Lang,
    legend: Word,
    fields: RwSignal<Fields>,
    refused: RwSignal<Option<String>>,
    range: std::ops::Range<usize>,
) -> impl IntoView {
    let inputs = range
        .map(|index| input(lang, fields, refused, index))
        .collect_view();
    view! {
        <fieldset class="con__kinds">
            <legend>{t(lang, legend)}</legend>
            {inputs}
        </fieldset>
    }
}

/// What a failed save tells: a refused field of the form is marked where it is; anything else
/// is said under the form.
pub fn refusal(error: &ApiError) -> Option<&str> {
    match error {
        ApiError::Invalid(Some(field)) => {
            let shown = FIELDS.iter().any(|(_, name, ..)| name == field)
                || (field.starts_with("support.contacts[") && edit::field_id(field).is_some());
            shown.then_some(field.as_str())
        }
        _ => None,
    }
}

/// Takes the seller to the refused field (its message is read with it).
fn focus(server_name: &str) {
    use wasm_bindgen::JsCast;
    let input = edit::field_id(server_name)
        .and_then(|id| web_sys::window()?.document()?.get_element_by_id(&id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}

/// The input type of a contact's value by its kind: a phone pad, an e-mail keyboard, a link.
fn contact_input_type(kind: &str) -> &'static str {
    match ContactKind::from_wire(kind) {
        ContactKind::Phone => "tel",
        ContactKind::Email => "email",
        _ => "url",
    }
}

/// The word for a contact kind the contract knows; none for one it does not.
fn kind_word(kind: &ContactKind) -> Option<Word> {
    Some(match kind {
        ContactKind::Phone => Word::KindPhone,
        ContactKind::Email => Word::KindEmail,
        ContactKind::Telegram => Word::KindTelegram,
        ContactKind::Vk => Word::KindVk,
        ContactKind::HelpCenter => Word::KindHelpCenter,
        ContactKind::Ticket => Word::KindTicket,
        ContactKind::Unknown(_) => return None,
    })
}

/// One support contact: its kind, its value (marked when the server refused it) and its removal.
fn contact_row(
    lang: Lang,
    fields: RwSignal<Fields>,
    refused: RwSignal<Option<String>>,
    i: usize,
) -> impl IntoView {
    let kind_id = edit::contact_kind_id(i);
    let value_id = edit::contact_value_id(i);
    let error_id = format!("{value_id}-error");
    let name = StoredValue::new(edit::contact_value_name(i));
    let wrong = move || {
        refused.with(|refused| name.with_value(|name| refused.as_deref() == Some(name.as_str())))
    };
    let message = move || {
        wrong().then(|| view! { <p class="con__error" id=format!("{}-error", edit::contact_value_id(i))>{t(lang, Word::FieldRefused)}</p> })
    };
    let kind = move || {
        fields.with(|f| {
            f.contacts
                .get(i)
                .map(|c| c.kind.clone())
                .unwrap_or_default()
        })
    };
    // The kinds the contract allows; an unknown one stored is offered too, so it is kept.
    let options = move || {
        let now = kind();
        let mut kinds: Vec<ContactKind> = ContactKind::KNOWN.to_vec();
        if matches!(ContactKind::from_wire(&now), ContactKind::Unknown(_)) {
            kinds.push(ContactKind::Unknown(now.clone()));
        }
        kinds
            .into_iter()
            .map(|option| {
                let wire = option.as_str().to_owned();
                let shown = kind_word(&option)
                    .map_or_else(|| wire.clone(), |word| t(lang, word).to_owned());
                let selected = wire == now;
                view! { <option value=wire selected=selected>{shown}</option> }
            })
            .collect_view()
    };
    let n = (i + 1).to_string();
    let legend = fill(lang, Word::ContactN, &[("n", &n)]);
    let remove = fill(lang, Word::RemoveContact, &[("n", &n)]);
    view! {
        <fieldset class="con__contact" data-testid="contact">
            <legend>{legend}</legend>
            <label for=kind_id.clone()>{t(lang, Word::ContactKind)}</label>
            <select id=kind_id prop:value=kind on:change=move |event| {
                let value = event_target_value(&event);
                fields.update(|f| if let Some(contact) = f.contacts.get_mut(i) { contact.kind = value });
            }>{options}</select>
            <label for=value_id.clone()>{t(lang, Word::ContactValue)}</label>
            <input id=value_id type=move || contact_input_type(&kind()) maxlength="500" autocomplete="off"
                aria-invalid=move || if wrong() { "true" } else { "false" }
                aria-describedby=move || wrong().then(|| error_id.clone())
                prop:value=move || fields.with(|f| f.contacts.get(i).map(|c| c.value.clone()).unwrap_or_default())
                on:input=move |event| {
                    let value = event_target_value(&event);
                    fields.update(|f| if let Some(contact) = f.contacts.get_mut(i) { contact.value = value });
                }/>
            {message}
            <button type="button" class="con__quiet" data-testid="remove-contact"
                on:click=move |_| {
                    fields.update(|f| if i < f.contacts.len() { f.contacts.remove(i); });
                    // The marks name contacts by place: after a removal they may name another.
                    refused.set(None);
                }>{remove}</button>
        </fieldset>
    }
}

/// The support contacts: one row each, a button for another.
fn contacts(
    lang: Lang,
    fields: RwSignal<Fields>,
    refused: RwSignal<Option<String>>,
) -> impl IntoView {
    // Drawn again only when a contact comes or goes, not at every key typed.
    let count = Memo::new(move |_| fields.with(|f| f.contacts.len()));
    let full = move || count.get() >= MAX_CONTACTS;
    let add = move |_| {
        fields.update(|f| {
            if f.contacts.len() < MAX_CONTACTS {
                f.contacts.push(ContactField::new());
            }
        })
    };
    view! {
        <fieldset class="con__kinds" data-testid="support">
            <legend>{t(lang, Word::SupportTitle)}</legend>
            <p class="con__hint">{t(lang, Word::SupportHint)}</p>
            {move || (0..count.get()).map(|i| contact_row(lang, fields, refused, i)).collect_view()}
            <button type="button" data-testid="add-contact" disabled=full on:click=add>
                {t(lang, Word::AddContact)}
            </button>
        </fieldset>
    }
}

/// The edit form; what it saves is shown at once in the buyer's view above it.
pub fn edit_form(
    lang: Lang,
    gate: RwSignal<Gate>,
    reference: StoredValue<String>,
    shown: RwSignal<Option<Listed>>,
) -> impl IntoView {
    let start = shown.with_untracked(|listed| {
        listed
            .as_ref()
            .map(|listed| Fields::of(&listed.shipment))
            .unwrap_or_default()
    });
    let fields = RwSignal::new(start);
    // A shipment changed elsewhere on the page (an event that set the pickup code) fills the form
    // again: what the form sends is measured against what is shown.
    Effect::new(move |_| {
        shown.with(|listed| {
            if let Some(listed) = listed {
                fields.set(Fields::of(&listed.shipment));
            }
        })
    });
    let refused = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<Problem>);
    let said = RwSignal::new(None::<Word>);
    let busy = RwSignal::new(false);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(before) =
            shown.with_untracked(|listed| listed.as_ref().map(|l| l.shipment.clone()))
        else {
            return;
        };
        let body = fields.with_untracked(|now| edit::patch(&before, now));
        refused.set(None);
        problem.set(None);
        if body.is_empty() {
            return said.set(Some(Word::NothingChanged));
        }
        said.set(None);
        busy.set(true);
        spawn_local(async move {
            let answer = api::patch_shipment(&reference.get_value(), &body).await;
            busy.set(false);
            match answer {
                Ok(listed) => {
                    shown.set(Some(listed));
                    said.set(Some(Word::Saved));
                }
                Err(error) => match refusal(&error) {
                    Some(name) => {
                        refused.set(Some(name.to_owned()));
                        focus(name);
                    }
                    None => problem.set(Some(reported(gate, error))),
                },
            }
        });
    };
    view! {
        <section class="con__card" aria-labelledby="con-edit">
            <h2 id="con-edit">{t(lang, Word::EditTitle)}</h2>
            <form class="con__form" on:submit=submit data-testid="edit-form" novalidate>
                {input(lang, fields, refused, 0)}
                {group(lang, Word::Carrier, fields, refused, 1..4)}
                {group(lang, Word::EstimatedDelivery, fields, refused, 4..6)}
                {group(lang, Word::PickupPoint, fields, refused, 6..11)}
                {contacts(lang, fields, refused)}
                {alert(lang, problem)}
                <p role="status" class="con__ok">{move || said.get().map(|word| t(lang, word))}</p>
                <button type="submit" class="con__primary" data-testid="save-fields" disabled=move || busy.get()>
                    {t(lang, Word::Save)}
                </button>
            </form>
        </section>
    }
}
