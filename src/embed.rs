//! The entry point for the `<trackline-widget>` custom element.
//!
//! wasm-bindgen cannot extend `HTMLElement`, so the loader script defines the
//! element class in a few lines of JS and hands each connected element's
//! shadow-root container to [`mount_widget`].

use crate::config::{Config, Theme, DEFAULT_ENDPOINT};
use leptos::prelude::*;
use std::any::Any;
use wasm_bindgen::prelude::*;

/// A mounted widget; unmounting (or dropping) it removes the view and cancels its lookup.
#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget from its container.
    pub fn unmount(&mut self) {
        self.mounted = None;
    }
}

/// Mounts the widget into `container` with the element's attributes; absent ones take defaults.
///
/// `languages` are the browser's preferred languages, used when `lang` is absent; `draft` is
/// what the buyer typed into the loader's form, and `focus` whether they were still in it.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(
    container: web_sys::HtmlElement,
    endpoint: Option<String>,
    lang: Option<String>,
    number: Option<String>,
    theme: Option<String>,
    compact: bool,
    languages: Vec<String>,
    draft: Option<String>,
    focus: bool,
) -> WidgetHandle {
    let config = Config {
        endpoint: endpoint
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
        lang: Config::pick_lang(lang.as_deref(), languages.iter().map(String::as_str)),
        number: number.filter(|n| !n.trim().is_empty()),
        theme: Theme::from_attr(theme.as_deref()),
        compact,
        draft: draft.filter(|d| !d.trim().is_empty()),
        focus,
        ..Config::default()
    };
    let handle = leptos::mount::mount_to(
        container,
        move || view! { <crate::components::app::App config/> },
    );
    WidgetHandle {
        mounted: Some(Box::new(handle)),
    }
}
