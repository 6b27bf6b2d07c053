//! trackline's widget: type a number, see where the parcel is.
//!
//! Every entry point (the hosted page, later the custom element and the iframe
//! form) is a thin layer over [`mount`], which renders [`components::app::App`]
//! into an element the host chose.

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
pub mod page_url;
pub mod storage;

pub use config::Config;

use leptos::prelude::*;

/// Renders the widget into `parent` and keeps it there for the page's life.
pub fn mount(parent: web_sys::HtmlElement, config: Config) {
    leptos::mount::mount_to(parent, move || view! { <components::app::App config/> }).forget();
}
