//! trackline's widget: type a number, see where the parcel is.
//!
//! Every entry point (the hosted page and its iframe form in `main.rs`, the custom element
//! in `embed`) reads its settings, builds a `Config` with `Config::new` and calls [`mount`].

pub mod client;
pub mod clipboard;
pub mod clock;
pub mod components;
pub mod config;
#[cfg(feature = "element")]
pub mod embed;
pub mod error;
pub mod events;
pub mod format;
pub mod frame;
pub mod i18n;
pub mod labels;
pub mod lookup;
pub mod notify;
pub mod page_url;
pub mod qr;
pub mod response;
pub mod state;
pub mod storage;
pub mod taps;

pub use config::Config;

use leptos::prelude::*;
use std::any::Any;

/// A mounted widget: dropping it removes the view and abandons its lookup.
pub struct Mounted {
    _view: Box<dyn Any>,
    remote: Remote,
}

impl Mounted {
    /// Keeps the widget for the page's life.
    pub fn forget(self) {
        std::mem::forget(self);
    }

    /// Looks up `text` as if the buyer typed it into the form and pressed Track.
    pub fn lookup(&self, text: String) {
        if let Some(&lookup) = self.remote.0.get() {
            lookup.typed.set(text.clone());
            lookup.submit(text);
        }
    }

    /// Asks again for the number on screen without a spinner; a failed lookup is tried again.
    pub fn refresh(&self) {
        if let Some(&lookup) = self.remote.0.get() {
            if lookup
                .state
                .with_untracked(|state| matches!(state, state::LookupState::Failed(..)))
            {
                lookup.retry();
            } else {
                lookup.refresh();
            }
        }
    }
}

/// The mounted widget's lookup, for the page that mounted it (the element's `lookup()` and
/// `refresh()`): given to the view as context, which puts its lookup in once built.
#[derive(Clone, Default)]
pub struct Remote(std::sync::Arc<std::sync::OnceLock<lookup::Lookup>>);

impl Remote {
    /// Puts the view's lookup in (once: a view builds one).
    pub fn hold(&self, lookup: lookup::Lookup) {
        let _ = self.0.set(lookup);
    }
}

/// Renders the widget into `container`; it stays while the returned handle lives.
pub fn mount(container: web_sys::HtmlElement, config: Config) -> Mounted {
    let remote = Remote::default();
    let given = remote.clone();
    let handle = leptos::mount::mount_to(container, move || {
        provide_context(given);
        view! { <components::app::App config/> }
    });
    Mounted {
        _view: Box::new(handle),
        remote,
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

/// Takes over the widget that a server rendered into `root` for the same configuration
/// (`config.rendered`): the same views, attached to the markup that is there instead of drawn
/// again, so nothing on screen changes and what the buyer typed stays.
///
/// The views are built from exactly what the server had, or they would not match its markup;
/// what the buyer typed into its input meanwhile goes back in right after, in the same task (no
/// frame in between), as if typed now.
#[cfg(feature = "hydrate")]
pub fn hydrate(root: web_sys::HtmlElement, config: Config) -> Mounted {
    use wasm_bindgen::JsCast;
    let input = root
        .query_selector("#tl-number")
        .ok()
        .flatten()
        .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok());
    let typed = input.as_ref().map(|input| {
        let at = (
            input.selection_start().ok().flatten(),
            input.selection_end().ok().flatten(),
        );
        let drawn = input.get_attribute("value").unwrap_or_default();
        (input.value(), drawn, at)
    });
    TAKING_OVER.set(true);
    let remote = Remote::default();
    let given = remote.clone();
    let handle = leptos::mount::hydrate_from(root, move || {
        provide_context(given);
        view! { <components::app::App config/> }
    });
    TAKING_OVER.set(false);
    if let (Some(input), Some((value, drawn, (start, end)))) = (input, typed) {
        if value != drawn {
            input.set_value(&value);
            if let (Some(start), Some(end)) = (start, end) {
                let _ = input.set_selection_range(start, end);
            }
            if let Ok(event) = web_sys::Event::new("input") {
                let _ = input.dispatch_event(&event);
            }
        }
    }
    Mounted {
        _view: Box::new(handle),
        remote,
    }
}

/// The lookup a server rendered into `root` (`data-rendered`): the number and the clock it was
/// rendered for, on the root, and the endpoint's response in the `script[data-response]` after
/// it; `None` where there is none, or it does not read.
pub fn rendered_in(root: &web_sys::Element) -> Option<state::PageLookup> {
    if !root.has_attribute("data-rendered") {
        return None;
    }
    let now = root.get_attribute("data-now")?;
    let mut parts = now.split(',').map(str::trim);
    let now = trackline_core::time::Now {
        millis: parts.next()?.parse().ok()?,
        today: parts.next()?.parse().ok()?,
        offset_minutes: parts.next()?.parse().ok()?,
    };
    let response = root
        .next_element_sibling()
        .filter(|script| script.has_attribute("data-response"))
        .and_then(|script| {
            Some(state::PageResponse {
                status: script.get_attribute("data-status")?.parse().ok()?,
                retry_after: script.get_attribute("data-retry-after"),
                body: script.text_content()?,
            })
        });
    state::PageLookup::of_page(
        root.get_attribute("data-number").as_deref(),
        response,
        root.get_attribute("data-reply"),
        now,
    )
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
