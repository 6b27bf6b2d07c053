//! The one client for the tracking endpoint: a typed result for every way a lookup ends.

use gloo_net::http::Request;
use std::cell::Cell;
use std::rc::Rc;
use thiserror::Error;
use trackline_core::contract::{parse_track_response, MAX_BODY_BYTES};
use trackline_core::{ContractError, TrackResponse};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCredentials};

/// How a lookup failed, told apart as a buyer needs it told.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FetchError {
    /// The endpoint knows no shipment with this number (404, or an empty list).
    #[error("not found")]
    NotFound,
    /// Too many lookups; `retry_after` seconds from the `Retry-After` header if it gave them.
    #[error("rate limited")]
    RateLimited {
        /// Seconds to wait, when the endpoint said.
        retry_after: Option<u32>,
    },
    /// The endpoint failed (5xx).
    #[error("server error {status}")]
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// The endpoint refused the request (4xx other than 404 and 429).
    #[error("rejected with {status}")]
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// No answer at all: offline, DNS, CORS refused.
    #[error("network unreachable")]
    Network,
    /// No answer within the time allowed.
    #[error("timed out")]
    Timeout,
    /// A newer lookup replaced this one; nothing to show.
    #[error("cancelled")]
    Cancelled,
    /// An answer that is not contract v1 (HTML, truncated or wrong-shaped JSON).
    #[error("not the contract: {0}")]
    NotTheContract(ContractError),
}

/// A lookup in flight that can be abandoned.
pub struct Lookup {
    controller: Option<AbortController>,
}

impl Lookup {
    /// Abandons the request; its result becomes `FetchError::Cancelled`.
    pub fn cancel(&self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

/// Starts a lookup of `url`; returns a handle to cancel it and the future of its result.
///
/// Credentials are never sent: the lookup is public, and a seller's cookies are
/// no business of the endpoint's.
pub fn start(
    url: String,
    timeout_ms: u32,
) -> (
    Lookup,
    impl std::future::Future<Output = Result<TrackResponse, FetchError>>,
) {
    let controller = AbortController::new().ok();
    let lookup = Lookup {
        controller: controller.clone(),
    };
    let future = async move {
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller
            .as_ref()
            .and_then(|c| arm_timeout(c, timeout_ms, timed_out.clone()));
        let result = fetch(&url, controller.as_ref()).await;
        if let Some((window, handle, _closure)) = timer {
            window.clear_timeout_with_handle(handle);
        }
        match result {
            Err(FetchError::Network) if timed_out.get() => Err(FetchError::Timeout),
            Err(FetchError::Network)
                if controller.as_ref().is_some_and(|c| c.signal().aborted()) =>
            {
                Err(FetchError::Cancelled)
            }
            other => other,
        }
    };
    (lookup, future)
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
    controller: Option<&AbortController>,
) -> Result<TrackResponse, FetchError> {
    let signal = controller.map(AbortController::signal);
    let response = Request::get(url)
        .credentials(RequestCredentials::Omit)
        .header("Accept", "application/json")
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(|_| FetchError::Network)?;
    match response.status() {
        200..=299 => {}
        404 | 410 => return Err(FetchError::NotFound),
        429 => {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|value| value.trim().parse::<u32>().ok());
            return Err(FetchError::RateLimited { retry_after });
        }
        status @ 500..=599 => return Err(FetchError::Server { status }),
        status => return Err(FetchError::Rejected { status }),
    }
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|value| value.trim().parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(FetchError::NotTheContract(ContractError::TooLarge));
    }
    let body = response.text().await.map_err(|_| FetchError::Network)?;
    let parsed = parse_track_response(&body).map_err(FetchError::NotTheContract)?;
    if parsed.shipments.is_empty() {
        return Err(FetchError::NotFound);
    }
    Ok(parsed)
}
