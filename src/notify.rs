//! Buyers' notifications in this browser: whether it can receive them, subscribing it to a
//! number through the Push API with the server's key, and ending that. The hosted page only:
//! its worker (`/sw.js`) is on the reference server's origin, and the element on a storefront
//! never registers one on the storefront's.

use crate::storage;
use js_sys::{Function, Object, Promise, Reflect};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The hosted page's service worker: the page's shell offline, and notifications.
pub const WORKER: &str = "/sw.js";

/// What this browser can do about notifications, before the buyer asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// It can subscribe (the buyer may still be asked for permission).
    Ready,
    /// It has said no to this site before: only its settings can change that.
    Blocked,
    /// An iPhone or iPad outside an installed page: Web Push needs the page on the Home Screen.
    NeedsInstall,
    /// No Push API here (an old browser, an in-app browser, a page that is not secure).
    Unsupported,
}

/// Why subscribing or ending a subscription failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NotifyError {
    /// The browser cannot do it here.
    #[error("this browser cannot receive notifications here")]
    Unsupported,
    /// The buyer (or the browser for them) did not allow notifications.
    #[error("notifications were not allowed")]
    Denied,
    /// The browser or its push service refused to make a subscription.
    #[error("the browser could not subscribe")]
    Browser,
    /// The server refused or could not be reached.
    #[error("the server did not take the subscription")]
    Server,
}

/// Whether this page may offer notifications at all: the hosted page in its own tab or installed,
/// not in a frame on a storefront, where the browser would not ask for a third party.
pub fn offered_here() -> bool {
    web_sys::window().is_some_and(|window| !crate::frame::is_framed(&window))
}

/// What the browser offers, read without asking the buyer anything.
pub fn capability() -> Capability {
    let global = js_sys::global();
    let has = |target: &JsValue, name: &str| Reflect::has(target, &name.into()).unwrap_or(false);
    let secure = Reflect::get(&global, &"isSecureContext".into())
        .ok()
        .and_then(|secure| secure.as_bool())
        .unwrap_or(false);
    let navigator = navigator();
    let pushes = secure
        && has(&global, "PushManager")
        && has(&global, "Notification")
        && navigator
            .as_ref()
            .is_some_and(|navigator| has(navigator, "serviceWorker"));
    if !pushes {
        return if on_apple_mobile() && !installed() {
            Capability::NeedsInstall
        } else {
            Capability::Unsupported
        };
    }
    match permission().as_deref() {
        Some("denied") => Capability::Blocked,
        _ => Capability::Ready,
    }
}

/// Registers the page's worker, for its shell offline; what fails is left alone (the page works
/// without it).
pub fn register_worker() {
    if let Some(promise) =
        worker_container().and_then(|container| call(&container, "register", &[WORKER.into()]))
    {
        // A refusal is the browser's to log; nothing here depends on it.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// Subscribes this browser to notifications about `number`, sent to `api` (the number's push path
/// on the reference server), signed by `key`, in `lang`; `reply` is the buyer's reply to the
/// seller's second factor, if it asked one.
///
/// # Errors
/// `NotifyError` saying whose refusal it was.
pub async fn subscribe(
    number: &str,
    api: &str,
    key: &str,
    lang: &str,
    reply: Option<&str>,
) -> Result<(), NotifyError> {
    let container = worker_container().ok_or(NotifyError::Unsupported)?;
    let registration = wait(call(&container, "register", &[WORKER.into()]))
        .await
        .ok_or(NotifyError::Unsupported)?;
    let notification = Reflect::get(&js_sys::global(), &"Notification".into())
        .map_err(|_| NotifyError::Unsupported)?;
    let answer = wait(call(&notification, "requestPermission", &[])).await;
    if answer.and_then(|answer| answer.as_string()).as_deref() != Some("granted") {
        return Err(NotifyError::Denied);
    }
    let manager =
        Reflect::get(&registration, &"pushManager".into()).map_err(|_| NotifyError::Unsupported)?;
    let existing = wait(call(&manager, "getSubscription", &[]))
        .await
        .filter(|subscription| subscription.is_object());
    let subscription = match existing {
        Some(subscription) => subscription,
        None => {
            let options = Object::new();
            let _ = Reflect::set(&options, &"userVisibleOnly".into(), &true.into());
            // The Push API takes the key as base64url text as well as bytes.
            let _ = Reflect::set(&options, &"applicationServerKey".into(), &key.into());
            let subscribing = call(&manager, "subscribe", &[options.into()]);
            // A browser whose push service cannot be reached may never answer: give up in time.
            wait(subscribing.map(|promise| within(promise, SUBSCRIBE_DEADLINE_MS)))
                .await
                .ok_or(NotifyError::Browser)?
        }
    };
    let json = call_value(&subscription, "toJSON").ok_or(NotifyError::Browser)?;
    let body = Object::new();
    let _ = Reflect::set(&body, &"subscription".into(), &json);
    let _ = Reflect::set(&body, &"lang".into(), &lang.into());
    if let Some(reply) = reply {
        let _ = Reflect::set(&body, &"check".into(), &reply.into());
    }
    let body = js_sys::JSON::stringify(&body)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or(NotifyError::Browser)?;
    send("PUT", api, &body).await?;
    storage::remember_notifying(number, true);
    Ok(())
}

/// Ends this browser's notifications about `number` at `api`; its subscription stays for others.
///
/// # Errors
/// `Server` when the server could not be told; the device forgets it anyway.
pub async fn unsubscribe(number: &str, api: &str) -> Result<(), NotifyError> {
    storage::remember_notifying(number, false);
    let container = worker_container().ok_or(NotifyError::Unsupported)?;
    let registration = wait(call(&container, "getRegistration", &[]))
        .await
        .filter(|registration| registration.is_object())
        .ok_or(NotifyError::Unsupported)?;
    let manager =
        Reflect::get(&registration, &"pushManager".into()).map_err(|_| NotifyError::Unsupported)?;
    let Some(subscription) = wait(call(&manager, "getSubscription", &[]))
        .await
        .filter(|subscription| subscription.is_object())
    else {
        return Ok(());
    };
    let endpoint = Reflect::get(&subscription, &"endpoint".into())
        .ok()
        .and_then(|endpoint| endpoint.as_string())
        .ok_or(NotifyError::Browser)?;
    let body = serde_json::json!({ "endpoint": endpoint }).to_string();
    send("DELETE", api, &body).await
}

/// Whether this device asked for notifications about `number` (and has not ended them).
pub fn notifying(number: &str) -> bool {
    storage::notifying(number)
}

async fn send(method: &str, api: &str, body: &str) -> Result<(), NotifyError> {
    let request = match method {
        "PUT" => gloo_net::http::Request::put(api),
        _ => gloo_net::http::Request::delete(api),
    };
    let response = request
        .header("content-type", "application/json")
        .body(body)
        .map_err(|_| NotifyError::Server)?
        .send()
        .await
        .map_err(|_| NotifyError::Server)?;
    if response.ok() {
        Ok(())
    } else {
        Err(NotifyError::Server)
    }
}

fn permission() -> Option<String> {
    let notification = Reflect::get(&js_sys::global(), &"Notification".into()).ok()?;
    Reflect::get(&notification, &"permission".into())
        .ok()?
        .as_string()
}

/// iOS and iPadOS (which says it is a Mac, with a touch screen).
fn on_apple_mobile() -> bool {
    let Some(navigator) = navigator() else {
        return false;
    };
    let agent = Reflect::get(&navigator, &"userAgent".into())
        .ok()
        .and_then(|agent| agent.as_string())
        .unwrap_or_default();
    let touch = Reflect::get(&navigator, &"maxTouchPoints".into())
        .ok()
        .and_then(|points| points.as_f64())
        .unwrap_or(0.0);
    ["iPhone", "iPad", "iPod"]
        .iter()
        .any(|device| agent.contains(device))
        || (agent.contains("Macintosh") && touch > 1.0)
}

/// Whether the page runs installed (from the Home Screen), not in a browser tab.
fn installed() -> bool {
    let standalone = call_value_with(
        &js_sys::global(),
        "matchMedia",
        &["(display-mode: standalone)".into()],
    )
    .and_then(|query| Reflect::get(&query, &"matches".into()).ok())
    .and_then(|matches| matches.as_bool())
    .unwrap_or(false);
    standalone
        || navigator()
            .and_then(|navigator| Reflect::get(&navigator, &"standalone".into()).ok())
            .and_then(|standalone| standalone.as_bool())
            .unwrap_or(false)
}

fn navigator() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"navigator".into()).ok()
}

fn worker_container() -> Option<JsValue> {
    Reflect::get(&navigator()?, &"serviceWorker".into())
        .ok()
        .filter(|container| container.is_object())
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<Promise> {
    call_value_with(target, method, args)?.dyn_into().ok()
}

fn call_value(target: &JsValue, method: &str) -> Option<JsValue> {
    call_value_with(target, method, &[])
}

fn call_value_with(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let method: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().collect();
    method.apply(target, &args).ok()
}

/// How long the browser may take to make a subscription with its push service.
const SUBSCRIBE_DEADLINE_MS: i32 = 10_000;

/// `promise`, or a rejection once `ms` have passed without its answer.
fn within(promise: Promise, ms: i32) -> Promise {
    let deadline = Promise::new(&mut |_, reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, ms);
        }
    });
    Promise::race(&js_sys::Array::of2(&promise, &deadline))
}

/// The promise's value; `None` when there is none or it was rejected.
async fn wait(promise: Option<Promise>) -> Option<JsValue> {
    JsFuture::from(promise?).await.ok()
}
