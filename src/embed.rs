//! The entry point for the `<trackline-widget>` custom element.
//!
//! wasm-bindgen cannot extend `HTMLElement`, so the loader script defines the
//! element class in a few lines of JS and hands each connected element's
//! shadow-root container to [`mount_widget`].

use crate::client::Prefetched;
use crate::config::{Config, EntryPoint, PageSettings};
use crate::Mounted;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A mounted widget; unmounting (or dropping) it removes the view and cancels its lookup.
#[wasm_bindgen]
pub struct WidgetHandle {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget from its container.
    pub fn unmount(&mut self) {
        self.mounted = None;
    }

    /// Looks up `number` as if the buyer typed it and pressed Track (the element's `lookup()`).
    pub fn lookup(&self, number: String) {
        if let Some(mounted) = &self.mounted {
            mounted.lookup(number);
        }
    }

    /// Asks again for the number on screen (the element's `refresh()`).
    pub fn refresh(&self) {
        if let Some(mounted) = &self.mounted {
            mounted.refresh();
        }
    }
}

/// Mounts the widget into `container` with the element's settings; absent ones take defaults.
///
/// `settings` is a plain object from the loader: the attributes `endpoint`, `shop`, `lang`,
/// `number`, `theme` and `compact`; `server`, the origin the loader came from (the default
/// endpoint's server); `languages`, the browser's preferred ones for when `lang` is absent;
/// `draft`, what the buyer typed into the loader's form, and `focus`, whether they were still in it;
/// `first`, the lookup the loader already asked (`client::Prefetched`); `rendered`, whether the
/// loader put the server's rendering of the widget in `container` (`GET /widget`).
/// Anything missing or of another type reads as absent.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(container: web_sys::HtmlElement, settings: JsValue) -> WidgetHandle {
    let get = |name: &str| js_sys::Reflect::get(&settings, &name.into()).ok();
    let text = |name: &str| get(name).and_then(|value| value.as_string());
    let flag = |name: &str| get(name).is_some_and(|value| value.is_truthy());
    let languages = get("languages")
        .filter(js_sys::Array::is_array)
        .map(|list| {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|tag| tag.as_string())
                .collect()
        })
        .unwrap_or_default();
    let settings = PageSettings {
        endpoint: text("endpoint"),
        seller: text("shop"),
        server: text("server").unwrap_or_default(),
        lang: text("lang"),
        languages,
        number: text("number"),
        theme: text("theme"),
        compact: flag("compact"),
        draft: text("draft"),
        focus: flag("focus"),
        prefetched: get("first").and_then(Prefetched::from_js),
        ..PageSettings::default()
    };
    // The loader put the server's rendering in the container: the widget takes it over.
    let rendered = flag("rendered")
        .then(|| container.first_element_child())
        .flatten()
        .and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok())
        .and_then(|root| Some((crate::rendered_in(&root)?, root)));
    #[cfg(feature = "hydrate")]
    if let Some((rendered, root)) = rendered {
        let config = Config::new(
            EntryPoint::Element,
            PageSettings {
                rendered: Some(rendered),
                // The language the server drew it in (its pick from `Accept-Language` when the
                // element names none), or the views would not match the markup they take over.
                lang: root.get_attribute("data-lang").or(settings.lang),
                // The server that rendered it sends notifications: its page can turn them on.
                push_key: root.get_attribute("data-push-key"),
                ..settings
            },
        );
        let mounted = crate::hydrate(root.clone(), config);
        // For tests and tools, as on the hosted page: the markup is the widget's now.
        let _ = root.set_attribute("data-hydrated", "");
        return WidgetHandle {
            mounted: Some(mounted),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    drop(rendered);
    // Whatever the container holds (the drawn form, a rendering that cannot be taken over) goes.
    container.set_inner_html("");
    WidgetHandle {
        mounted: Some(crate::mount(
            container,
            Config::new(EntryPoint::Element, settings),
        )),
    }
}
