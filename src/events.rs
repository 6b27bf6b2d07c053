//! DOM events the host page can listen to on the widget (`trackline:status`, `trackline:error`).
//!
//! They bubble and are composed, so they cross the custom element's shadow root and
//! reach listeners on `<trackline-widget>` and on the document.

use crate::state::LookupState;
use js_sys::{Object, Reflect};
use trackline_core::TrackResponse;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

/// A status was shown: `detail` is `{ number, shipments: [{ stage, exception, shipment_number }] }`.
pub const STATUS_EVENT: &str = "trackline:status";
/// A lookup failed: `detail` is `{ number, code }` with the failure's stable code.
pub const ERROR_EVENT: &str = "trackline:error";

/// Tells the host what the buyer now sees: a status, or why there is none.
pub fn tell_host(target: &EventTarget, state: &LookupState) {
    match state {
        LookupState::Found(number, response, _) => status_shown(target, number, response),
        LookupState::Failed(failure, number) => lookup_failed(target, number, failure.code()),
        LookupState::Idle | LookupState::Loading(_) | LookupState::Saved { .. } => {}
    }
}

/// Tells the host that a status is on screen.
pub fn status_shown(target: &EventTarget, number: &str, response: &TrackResponse) {
    let shipments = js_sys::Array::new();
    for shipment in &response.shipments {
        let entry = Object::new();
        set(&entry, "stage", &shipment.stage.as_str().into());
        set(
            &entry,
            "exception",
            &shipment
                .exception
                .as_ref()
                .map_or(JsValue::NULL, |e| e.as_str().into()),
        );
        set(
            &entry,
            "shipment_number",
            &shipment
                .shipment_number
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from),
        );
        shipments.push(&entry);
    }
    let detail = Object::new();
    set(&detail, "number", &number.into());
    set(&detail, "shipments", &shipments);
    dispatch(target, STATUS_EVENT, &detail);
}

/// Tells the host that a lookup failed.
pub fn lookup_failed(target: &EventTarget, number: &str, code: &str) {
    let detail = Object::new();
    set(&detail, "number", &number.into());
    set(&detail, "code", &code.into());
    dispatch(target, ERROR_EVENT, &detail);
}

fn dispatch(target: &EventTarget, name: &str, detail: &Object) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        // A host listener that throws must not break the widget.
        let _ = target.dispatch_event(&event);
    }
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}
