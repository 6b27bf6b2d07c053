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
