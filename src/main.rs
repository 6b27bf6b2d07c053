//! The hosted tracking page: reads its settings from the page and mounts the widget.

use trackline::config::{Config, Theme, DEFAULT_ENDPOINT};
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
    let param = |name: &str| {
        params
            .as_ref()
            .and_then(|p| p.get(name))
            .filter(|v| !v.trim().is_empty())
    };
    let browser_langs: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|lang| lang.as_string())
        .collect();
    let host_lang = param("lang").or_else(|| root.get_attribute("data-lang"));
    // What the buyer typed into the page's plain form while the wasm was loading is kept.
    let plain_input = document
        .get_element_by_id("tl-number")
        .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok());
    let draft = plain_input
        .as_ref()
        .map(|input| input.value())
        .filter(|value| !value.trim().is_empty());
    let focus = plain_input.is_some_and(|input| {
        document
            .active_element()
            .is_some_and(|active| active == **input)
    });
    let config = Config {
        endpoint: root
            .get_attribute("data-endpoint")
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
        lang: Config::pick_lang(
            host_lang.as_deref(),
            browser_langs.iter().map(String::as_str),
        ),
        number: param("n"),
        draft,
        focus,
        theme: Theme::from_attr(
            param("theme")
                .or_else(|| root.get_attribute("data-theme"))
                .as_deref(),
        ),
        compact: param("compact").is_some_and(|v| v == "1" || v == "true"),
        share: true,
        ..Config::default()
    };
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", config.lang.tag());
    }
    // The page around the widget follows a fixed theme too, not only the system setting.
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-theme", config.theme.as_str());
    }
    if trackline::frame::is_framed(&window) {
        if let Some(body) = document.body() {
            let _ = body.class_list().add_1("tl-page--framed");
        }
        if let Some(origin) = trackline::frame::parent_origin(&window, param("origin")) {
            trackline::frame::report_height(&window, origin);
        }
    }
    // The page's no-script form stays until the widget takes its place.
    root.set_inner_html("");
    trackline::mount(root, config);
}
