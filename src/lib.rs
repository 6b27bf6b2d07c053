//! trackline's widget: type a number, see where the parcel is.
//!
//! Every entry point (the hosted page and its iframe form in `main.rs`, the custom element
//! in `embed`) reads its settings, builds a `Config` with `Config::new` and calls [`mount`].

pub mod client;
pub mod clipboard;
pub mod clock;
pub mod components;
pub mod config;
pub mod embed;
pub mod error;
pub mod events;
pub mod format;
pub mod frame;
pub mod i18n;
pub mod labels;
pub mod lookup;
pub mod page_url;
pub mod response;
pub mod state;
pub mod storage;

pub use config::Config;

use leptos::prelude::*;
use std::any::Any;

/// A mounted widget: dropping it removes the view and abandons its lookup.
pub struct Mounted {
    _view: Box<dyn Any>,
}

impl Mounted {
    /// Keeps the widget for the page's life.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

/// Renders the widget into `container`; it stays while the returned handle lives.
pub fn mount(container: web_sys::HtmlElement, config: Config) -> Mounted {
    let handle = leptos::mount::mount_to(container, move || {
        view! { <components::app::App config/> }
    });
    Mounted {
        _view: Box::new(handle),
    }
}

thread_local! {
    static TAKING_OVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the views are being built over markup that a server rendered, which they must match
/// node for node (hydration): nothing may be left for later then.
pub fn taking_over() -> bool {
    !cfg!(target_arch = "wasm32") || TAKING_OVER.get()
}

/// Takes over the widget that a server rendered into `container` for the same configuration
/// (`config.rendered`): the same views, attached to the markup that is there instead of drawn
/// again, so nothing on screen changes and what the buyer typed stays.
#[cfg(feature = "hydrate")]
pub fn hydrate(container: web_sys::HtmlElement, config: Config) -> Mounted {
    TAKING_OVER.set(true);
    let handle = leptos::mount::hydrate_from(container, move || {
        view! { <components::app::App config/> }
    });
    TAKING_OVER.set(false);
    Mounted {
        _view: Box::new(handle),
    }
}

/// The widget for `config` as HTML, for a server to put in a page that the wasm then takes over
/// (`hydrate`); the buyer's times are shown on the clocks of `zone` (an IANA name).
#[cfg(feature = "ssr")]
pub fn render_to_html(config: Config, zone: &str) -> String {
    use leptos::tachys::view::RenderHtml;
    format::native::in_zone(zone, || {
        let context = hydration_context::SsrSharedContext::new();
        let owner = Owner::new_root(Some(std::sync::Arc::new(context)));
        owner.with(|| view! { <components::app::App config/> }.to_html())
    })
}
