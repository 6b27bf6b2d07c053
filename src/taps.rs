//! The buyer's taps on support contacts and on the carrier's link, told to a trackline server
//! with a beacon for the seller's insights; never to a seller's own endpoint, never when the
//! browser asks not to be tracked, and never in the way of the link's own navigation.

use leptos::prelude::*;
use std::sync::Arc;
use trackline_core::tap::{may_count, Tap};

/// Where taps are told, given to the views as context; nowhere when nothing is counted.
#[derive(Debug, Clone, Default)]
pub struct Taps(Option<Arc<str>>);

impl Taps {
    /// Taps told to `url` (`Config::counting`), or to nowhere.
    pub fn to(url: Option<String>) -> Taps {
        Taps(url.map(Arc::from))
    }

    /// The taps of the view being built: nowhere outside a widget that counts them.
    pub fn here() -> Taps {
        use_context::<Taps>().unwrap_or_default()
    }

    /// Tells the server of `tap` (only its kind), if it may be told: `sendBeacon` queues the
    /// request and returns at once, so the tap's link opens as it would without it.
    pub fn send(&self, tap: Tap) {
        let Some(url) = self.0.as_deref() else {
            return;
        };
        let Some(navigator) = web_sys::window().map(|window| window.navigator()) else {
            return;
        };
        // Read by name: browsers without Global Privacy Control have no such property, and
        // `doNotTrack` is leaving some of them.
        let read = |name: &str| js_sys::Reflect::get(&navigator, &name.into()).ok();
        let privacy = read("globalPrivacyControl").and_then(|value| value.as_bool());
        let do_not_track = read("doNotTrack").and_then(|value| value.as_string());
        if may_count(privacy, do_not_track.as_deref()) {
            // A browser without `sendBeacon` throws, caught here: a count is not worth more.
            let _ = navigator.send_beacon_with_opt_str(url, Some(&tap.body()));
        }
    }
}
