//! The iframe form: tells the embedding page how tall the widget is, so it can avoid inner scroll bars.
//!
//! The message goes only to the embedding page's origin (from `location.ancestorOrigins`,
//! else the referrer, else an `origin` query parameter); with none known nothing is sent.

use js_sys::{Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ResizeObserver, Window};

/// The `type` of the height message the parent's resize snippet listens for.
pub const HEIGHT_MESSAGE: &str = "trackline:height";

/// Whether the page runs inside a frame.
pub fn is_framed(window: &Window) -> bool {
    match (window.parent(), window.self_()) {
        (Ok(Some(parent)), own) => !Object::is(&parent, &own),
        _ => false,
    }
}

/// The embedding page's origin, if the browser or the page's URL says it.
pub fn parent_origin(window: &Window, origin_param: Option<String>) -> Option<String> {
    let location = window.location();
    let ancestor = Reflect::get(&location, &"ancestorOrigins".into())
        .ok()
        .filter(|list| !list.is_undefined())
        .and_then(|list| Reflect::get(&list, &0.into()).ok())
        .and_then(|first| first.as_string());
    let referrer = window
        .document()
        .map(|document| document.referrer())
        .and_then(|referrer| web_sys::Url::new(&referrer).ok())
        .map(|url| url.origin());
    ancestor
        .or(referrer)
        .or(origin_param)
        .filter(|origin| origin.starts_with("https://") || origin.starts_with("http://"))
}

/// Posts the page's height to `target_origin` now and whenever the page's size changes.
pub fn report_height(window: &Window, target_origin: String) {
    let Some(body) = window.document().and_then(|document| document.body()) else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    let measured = body.clone();
    let post = Closure::<dyn FnMut()>::new(move || {
        let message = Object::new();
        let _ = Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
        let height = measured.scroll_height().max(measured.offset_height());
        let _ = Reflect::set(&message, &"height".into(), &JsValue::from(height));
        // postMessage refuses a target origin that does not match: the height goes nowhere else.
        let _ = parent.post_message(&message, &target_origin);
    });
    if let Ok(observer) = ResizeObserver::new(post.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer calls back for the page's whole life.
    post.forget();
}
