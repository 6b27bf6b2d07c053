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

/// Mounts the widget into `container` with the element's settings; absent ones take defaults.
///
/// `settings` is a plain object from the loader: the attributes `endpoint`, `lang`, `number`,
/// `theme` and `compact`; `languages`, the browser's preferred ones for when `lang` is absent;
/// `draft`, what the buyer typed into the loader's form, and `focus`, whether they were still in it.
/// Anything missing or of another type reads as absent.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(container: web_sys::HtmlElement, settings: JsValue) -> WidgetHandle {
    let text = |name: &str| {
        js_sys::Reflect::get(&settings, &name.into())
            .ok()
            .and_then(|value| value.as_string())
            .filter(|value| !value.trim().is_empty())
    };
    let flag = |name: &str| {
        js_sys::Reflect::get(&settings, &name.into()).is_ok_and(|value| value.is_truthy())
    };
    let languages: Vec<String> = js_sys::Reflect::get(&settings, &"languages".into())
        .ok()
        .filter(js_sys::Array::is_array)
        .map(|list| {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|tag| tag.as_string())
                .collect()
        })
        .unwrap_or_default();
    let config = Config {
        endpoint: text("endpoint").unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
        lang: Config::pick_lang(
            text("lang").as_deref(),
            languages.iter().map(String::as_str),
        ),
        number: text("number"),
        theme: Theme::from_attr(text("theme").as_deref()),
        compact: flag("compact"),
        draft: text("draft"),
        focus: flag("focus"),
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
