//! The number in the page's address (`?n=…`), so that a status can be reloaded and shared.

/// Writes the number into the address bar without a reload or a new history entry.
pub fn show_number(number: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(href) = window.location().href() else {
        return;
    };
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    url.search_params().set("n", number);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}

/// The page's address with the number in it, for sharing.
pub fn link_for(number: &str) -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    let url = web_sys::Url::new(&href).ok()?;
    url.search_params().set("n", number);
    url.set_hash("");
    Some(url.href())
}
