//! The one client for the tracking endpoint: a typed result for every way a lookup ends.

use crate::error::FetchError;
use crate::response::{classify_status, received, Received};
use gloo_net::http::Request;
use js_sys::Reflect;
use std::cell::Cell;
use std::rc::Rc;
use trackline_core::contract::MAX_BODY_BYTES;
use trackline_core::retry::{Setback, LOOKUP};
use trackline_core::second_factor;
use trackline_core::ContractError;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestCredentials};

/// Whether trying again by itself could mend a failure, and after what.
fn setback(error: &FetchError) -> Setback {
    match error {
        FetchError::Server {
            status: 500 | 502 | 503 | 504,
        } => Setback::Transient,
        // Offline, another try only delays the device's saved copy; online, it may be a blip.
        FetchError::Network if online() => Setback::Transient,
        FetchError::RateLimited { retry_after } => Setback::Throttled(*retry_after),
        _ => Setback::Final,
    }
}

/// Whether the browser thinks it has a network; `true` when it cannot tell.
pub fn online() -> bool {
    web_sys::window().is_none_or(|window| window.navigator().on_line())
}

/// A request in flight that can be abandoned.
pub struct InFlight {
    controller: Option<AbortController>,
}

impl InFlight {
    /// Abandons the request; its result becomes `FetchError::Cancelled`.
    pub fn cancel(&self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

/// A request the element's loader started before the wasm arrived (`embed/trackline-widget.js`):
/// its URL, and the object whose `take(signal)` hands over its response once and whose
/// `abort()` abandons it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefetched {
    /// The URL the loader asked.
    pub url: String,
    handle: JsValue,
}

impl Prefetched {
    /// Reads the loader's object; `None` if it is not one.
    pub fn from_js(handle: JsValue) -> Option<Prefetched> {
        let url = Reflect::get(&handle, &"url".into()).ok()?.as_string()?;
        Some(Prefetched { url, handle })
    }

    /// The response for `url` if this request asked for it (the loader asks without a reply to
    /// a second factor, so only for a request `without_reply`); otherwise it is abandoned.
    fn answer_for(
        self,
        url: &str,
        without_reply: bool,
        signal: Option<&AbortSignal>,
    ) -> Option<js_sys::Promise> {
        let method = |name: &str| -> Option<js_sys::Function> {
            Reflect::get(&self.handle, &name.into())
                .ok()?
                .dyn_into()
                .ok()
        };
        if self.url != url || !without_reply {
            let _ = method("abort")?.call0(&self.handle);
            return None;
        }
        let signal = signal.map_or(JsValue::UNDEFINED, JsValue::from);
        method("take")?
            .call1(&self.handle, &signal)
            .ok()?
            .dyn_into()
            .ok()
    }
}

/// Starts a request for `url`, with the buyer's `reply` to a second factor in its header
/// (never in the URL, which logs keep); returns a handle to cancel it and the future of its
/// result. A request the loader already made for the same URL, without a reply, stands in for
/// the first attempt.
///
/// Credentials are never sent: the lookup is public, and a seller's cookies are
/// no business of the endpoint's. A failure that may pass (5xx, a dropped connection,
/// a short `Retry-After`) is tried again under `retry::LOOKUP`, all within `timeout_ms`.
pub fn start(
    url: String,
    reply: Option<String>,
    timeout_ms: u32,
    prefetched: Option<Prefetched>,
) -> (
    InFlight,
    impl std::future::Future<Output = Result<Received, FetchError>>,
) {
    let controller = AbortController::new().ok();
    let in_flight = InFlight {
        controller: controller.clone(),
    };
    let future = async move {
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller
            .as_ref()
            .and_then(|c| arm_timeout(c, timeout_ms, timed_out.clone()));
        let signal = controller.as_ref().map(AbortController::signal);
        let aborted = || signal.as_ref().is_some_and(AbortSignal::aborted);
        let mut retry = 0;
        let reply = reply.map(|reply| second_factor::header_value(&reply));
        let mut prefetched =
            prefetched.and_then(|first| first.answer_for(&url, reply.is_none(), signal.as_ref()));
        let result = loop {
            let result = match prefetched.take() {
                Some(answer) => match JsFuture::from(answer)
                    .await
                    .and_then(JsCast::dyn_into::<web_sys::Response>)
                {
                    Ok(response) => read(response.into()).await,
                    Err(_) => Err(FetchError::Network),
                },
                None => fetch(&url, reply.as_deref(), signal.as_ref()).await,
            };
            let Err(error) = &result else {
                break result;
            };
            retry += 1;
            let Some(wait) = LOOKUP.wait_ms(retry, setback(error), js_sys::Math::random()) else {
                break result;
            };
            pause(wait, signal.as_ref()).await;
            if aborted() {
                break result;
            }
        };
        if let Some((window, handle, _closure)) = timer {
            window.clear_timeout_with_handle(handle);
        }
        match result {
            Err(_) if timed_out.get() => Err(FetchError::Timeout),
            Err(_) if aborted() => Err(FetchError::Cancelled),
            other => other,
        }
    };
    (in_flight, future)
}

/// Waits `ms`, or less if the lookup is abandoned meanwhile.
async fn pause(ms: u32, signal: Option<&AbortSignal>) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let armed = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    i32::try_from(ms).unwrap_or(i32::MAX),
                )
                .ok()
        });
        if armed.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
        if let Some(signal) = signal {
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Reads the body, refusing it before it reaches the wasm's memory if it is larger than any answer can be.
async fn read_body(response: gloo_net::http::Response) -> Result<String, FetchError> {
    let pending = web_sys::Response::from(response)
        .text()
        .map_err(|_| FetchError::Network)?;
    let text = JsFuture::from(pending)
        .await
        .map_err(|_| FetchError::Network)?;
    let text: js_sys::JsString = text.dyn_into().map_err(|_| FetchError::Network)?;
    // UTF-16 units never outnumber UTF-8 bytes: a string this long is too large as bytes too.
    if usize::try_from(text.length()).unwrap_or(usize::MAX) > MAX_BODY_BYTES {
        return Err(FetchError::NotTheContract(ContractError::TooLarge));
    }
    Ok(String::from(text))
}

type Timer = (web_sys::Window, i32, Closure<dyn FnMut()>);

fn arm_timeout(controller: &AbortController, ms: u32, flag: Rc<Cell<bool>>) -> Option<Timer> {
    let window = web_sys::window()?;
    let controller = controller.clone();
    let closure = Closure::<dyn FnMut()>::new(move || {
        flag.set(true);
        controller.abort();
    });
    let handle = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        )
        .ok()?;
    Some((window, handle, closure))
}

async fn fetch(
    url: &str,
    reply: Option<&str>,
    signal: Option<&AbortSignal>,
) -> Result<Received, FetchError> {
    let request = Request::get(url)
        .credentials(RequestCredentials::Omit)
        .header("Accept", "application/json");
    let request = match reply {
        Some(reply) => request.header(second_factor::REPLY_HEADER, reply),
        None => request,
    };
    let response = request
        .abort_signal(signal)
        .send()
        .await
        .map_err(|_| FetchError::Network)?;
    read(response).await
}

/// Reads an endpoint's response: its status first, and a body only where one can matter.
async fn read(response: gloo_net::http::Response) -> Result<Received, FetchError> {
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    // A 403 may be a question for the buyer, told in its body; any other failure is told by its status.
    if status != 403 {
        classify_status(status, retry_after.as_deref())?;
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|value| value.trim().parse::<usize>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
            return Err(FetchError::NotTheContract(ContractError::TooLarge));
        }
    }
    let body = match read_body(response).await {
        Ok(body) => body,
        Err(_) if status == 403 => String::new(),
        Err(error) => return Err(error),
    };
    received(status, retry_after.as_deref(), body)
}
