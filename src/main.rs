//! The hosted tracking page (and its iframe form): reads its settings from the page and mounts the
//! widget, or takes over the one the reference server rendered there for a number in a link.

use trackline::config::{Config, EntryPoint, PageSettings};
use trackline::frame;
use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    // A storefront that loads the custom element runs this too: only the hosted page has the marker.
    let Some(root) = document
        .query_selector("[data-trackline-hosted]")
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let params = window
        .location()
        .search()
        .ok()
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok());
    let param = |name: &str| params.as_ref().and_then(|p| p.get(name));
    // What the buyer typed into the page's plain form while the wasm was loading is kept.
    let plain_input = document
        .get_element_by_id("tl-number")
        .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok());
    let focus = plain_input.as_ref().is_some_and(|input| {
        document
            .active_element()
            .is_some_and(|active| active == ***input)
    });
    // A page the reference server rendered for a number: its lookup travels in the page. A page
    // rendered for no number under an address that holds one was not rendered for this address
    // (the worker's shell, opened without a network): the widget starts afresh on it.
    let stale_shell = root.get_attribute("data-number").is_none() && param("n").is_some();
    let rendered = trackline::rendered_in(&root).filter(|_| !stale_shell);
    let settings = PageSettings {
        endpoint: root.get_attribute("data-endpoint"),
        seller: param("shop").or_else(|| root.get_attribute("data-shop")),
        server: String::new(),
        lang: param("lang").or_else(|| root.get_attribute("data-lang")),
        languages: window
            .navigator()
            .languages()
            .iter()
            .filter_map(|lang| lang.as_string())
            .collect(),
        // The server names the number it rendered (a posted form has none in the address).
        number: root.get_attribute("data-number").or_else(|| param("n")),
        theme: param("theme").or_else(|| root.get_attribute("data-theme")),
        compact: trackline_core::switch::is_on(param("compact").as_deref()),
        draft: plain_input.as_ref().map(|input| input.value()),
        // Focus stays where it is on markup that is taken over: the nodes do not change.
        focus: focus && rendered.is_none(),
        keep: PageSettings::kept(param),
        prefetched: None,
        rendered,
        // The server drew "Notify me"'s place with it; in a frame the control stays empty.
        push_key: root.get_attribute("data-push-key"),
        framed: frame::is_framed(&window),
    };
    let config = Config::new(EntryPoint::HostedPage, settings);
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", config.lang.tag());
    }
    // The page around the widget follows a fixed theme too, not only the system setting.
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-theme", config.theme.as_str());
    }
    if frame::is_framed(&window) {
        if let Some(body) = document.body() {
            let _ = body.class_list().add_1("tl-page--framed");
        }
        if let Some(origin) = frame::parent_origin(&window, param("origin")) {
            frame::report_height(&window, origin);
        }
    }
    // The page's worker keeps its shell for offline visits and shows notifications; a page in a
    // frame on a storefront registers none.
    if !frame::is_framed(&window) {
        trackline::notify::register_worker();
    }
    #[cfg(feature = "hydrate")]
    if config.rendered.is_some() {
        // In a task of its own, after the wasm's start: two shorter tasks instead of one long
        // one, so a tap on the page in between is answered sooner.
        leptos::prelude::set_timeout(
            move || {
                trackline::hydrate(root.clone(), config).forget();
                // For the page's own tests and tools: the markup is the widget's now.
                let _ = root.set_attribute("data-hydrated", "");
            },
            std::time::Duration::ZERO,
        );
        return;
    }
    // The page's no-script form stays until the widget takes its place.
    root.set_inner_html("");
    trackline::mount(root, config).forget();
}
