//! Copying text and sharing links: the browser's Clipboard and Web Share APIs.

use js_sys::{Function, Object, Promise, Reflect};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why nothing was copied or shared.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShareError {
    /// The page is not a secure context, or the browser has no such API.
    #[error("not available here")]
    Unavailable,
    /// The browser or the buyer said no (permission refused, share sheet dismissed).
    #[error("refused")]
    Refused,
}

/// How a link left the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    /// Through the system share sheet.
    Sheet,
    /// Onto the clipboard.
    Copied,
}

/// Puts text on the clipboard.
///
/// # Errors
/// `Unavailable` outside a secure context, `Refused` when the browser denies it.
pub async fn copy(text: &str) -> Result<(), ShareError> {
    let navigator = navigator().ok_or(ShareError::Unavailable)?;
    let clipboard = Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|clipboard| clipboard.is_object())
        .ok_or(ShareError::Unavailable)?;
    let promise = call(&clipboard, "writeText", &text.into()).ok_or(ShareError::Unavailable)?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| ShareError::Refused)
}

/// Shares a link through the system share sheet where there is one, else copies it.
///
/// # Errors
/// `Refused` when the buyer dismisses the sheet or the clipboard is denied; `Unavailable` when neither API exists.
pub async fn share(title: &str, url: &str) -> Result<Shared, ShareError> {
    let navigator = navigator().ok_or(ShareError::Unavailable)?;
    let data = Object::new();
    let _ = Reflect::set(&data, &"title".into(), &title.into());
    let _ = Reflect::set(&data, &"url".into(), &url.into());
    if let Some(promise) = call(&navigator, "share", &data) {
        return JsFuture::from(promise)
            .await
            .map(|_| Shared::Sheet)
            .map_err(|_| ShareError::Refused);
    }
    copy(url).await.map(|()| Shared::Copied)
}

fn navigator() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"navigator".into()).ok()
}

fn call(target: &JsValue, method: &str, arg: &JsValue) -> Option<Promise> {
    let method: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    method.call1(target, arg).ok()?.dyn_into().ok()
}
