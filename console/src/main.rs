//! Mounts the console into `#console`, in the seller's language, with the invitation a link
//! brought (taken out of the address bar at once, so that it is neither kept in the history nor
//! shown over a shoulder).

use trackline_console::route;
use trackline_console::view::app::Console;
use trackline_console::words::{self, Word};
use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let Some(root) = window
        .document()
        .and_then(|document| document.get_element_by_id("console"))
        .and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let asked = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
        .ok()
        .and_then(|params| params.get("lang"));
    let preferred = window
        .navigator()
        .languages()
        .into_iter()
        .filter_map(|tag| tag.as_string());
    let lang = words::choose(asked.as_deref(), preferred);
    if let Some(document) = window.document() {
        if let Some(html) = document.document_element() {
            let _ = html.set_attribute("lang", lang.tag());
        }
        document.set_title(words::text(lang, Word::Title));
    }
    let invitation = route::invitation(&location.hash().unwrap_or_default());
    if invitation.is_some() {
        // The page's own address without the fragment: the token goes only in request bodies.
        let bare = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&bare));
        }
    }
    // What the page drew for a browser without script goes: the views draw the heading.
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || {
        leptos::view! { <Console lang invitation/> }
    })
    .forget();
}
