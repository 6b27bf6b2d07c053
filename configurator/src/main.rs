//! Mounts the configurator into `#configurator`, with this server's origin and its pinned
//! loader (`loader.json`, written by the build beside the page).

use leptos::prelude::*;
use trackline::i18n::Lang;
use trackline_configurator::choice::asked_shop;
use trackline_configurator::snippet::Pinned;
use trackline_configurator::view::Configurator;
use trackline_configurator::words::{self, Word};
use wasm_bindgen::JsCast;

/// Reads the pinned loader's file and hash; `None` when it cannot (the snippet then names the latest loader).
async fn pinned() -> Option<Pinned> {
    let response = gloo_net::http::Request::get("loader.json")
        .send()
        .await
        .ok()?;
    Pinned::from_json(&response.text().await.ok()?)
}

fn main() {
    console_error_panic_hook::set_once();
    let Some(window) = web_sys::window() else {
        return;
    };
    let origin = window.location().origin().unwrap_or_default();
    let Some(root) = window
        .document()
        .and_then(|document| document.get_element_by_id("configurator"))
        .and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let params =
        web_sys::UrlSearchParams::new_with_str(&window.location().search().unwrap_or_default())
            .ok();
    // The shop the console opens the configurator with: `?shop=`.
    let shop = asked_shop(
        params
            .as_ref()
            .and_then(|params| params.get("shop"))
            .as_deref(),
    );
    // The seller's language: `?lang=`, else the browser's first known, else English.
    let asked = params.and_then(|params| params.get("lang"));
    let preferred = window
        .navigator()
        .languages()
        .into_iter()
        .filter_map(|tag| tag.as_string());
    let lang = asked
        .into_iter()
        .chain(preferred)
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default();
    if let Some(document) = window.document() {
        if let Some(html) = document.document_element() {
            let _ = html.set_attribute("lang", lang.tag());
        }
        document.set_title(words::text(lang, Word::Title));
    }
    // What the page drew for a browser without script goes: the view draws the heading.
    root.set_inner_html("");
    let (read, write) = signal(None);
    leptos::mount::mount_to(
        root,
        move || view! { <Configurator origin pinned=read lang shop=shop.clone()/> },
    )
    .forget();
    // After the mount, which starts Leptos's executor.
    leptos::task::spawn_local(async move {
        if let Some(found) = pinned().await {
            write.set(Some(found));
        }
    });
}
