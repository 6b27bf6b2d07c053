//! What the device keeps in `localStorage`: the recent numbers and a saved copy of the last response for each.
//!
//! Storage may be missing, full or refused (private windows, a storefront's iframe
//! sandbox); remembering is a convenience, so every failure reads as "nothing saved".

use trackline_core::recent;
use trackline_core::saved_copy::{self, SavedCopy};
use trackline_core::time::UnixMillis;

const KEY: &str = "trackline:recent";

/// Where the numbers this device gets notifications about are marked.
const NOTIFY_KEY: &str = "trackline:notify:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The numbers remembered, newest first.
pub fn recent_numbers() -> Vec<String> {
    storage()
        .and_then(|storage| storage.get_item(KEY).ok().flatten())
        .map(|stored| recent::read(&stored))
        .unwrap_or_default()
}

/// Remembers the list; a failure to write is ignored.
pub fn remember_numbers(numbers: &[String]) {
    if let Some(storage) = storage() {
        let _ = if numbers.is_empty() {
            storage.remove_item(KEY)
        } else {
            storage.set_item(KEY, &recent::write(numbers))
        };
    }
}

/// Saves a copy of a number's response; too large a body or a full storage saves nothing.
pub fn save_copy(number: &str, saved_at: UnixMillis, body: &str) {
    if let (Some(storage), Some(stored)) = (storage(), saved_copy::encode(saved_at, body)) {
        let _ = storage.set_item(&saved_copy::key(number), &stored);
    }
}

/// The device's saved copy of a number's response, read back whole.
pub fn saved_copy(number: &str) -> Option<SavedCopy> {
    let stored = storage()?.get_item(&saved_copy::key(number)).ok()??;
    saved_copy::read(&stored)
}

/// Remembers that this device asked for notifications about `number` (or no longer does).
pub fn remember_notifying(number: &str, on: bool) {
    if let Some(storage) = storage() {
        let key = format!("{NOTIFY_KEY}{number}");
        let _ = if on {
            storage.set_item(&key, "1")
        } else {
            storage.remove_item(&key)
        };
    }
}

/// Whether this device asked for notifications about `number`.
pub fn notifying(number: &str) -> bool {
    storage()
        .and_then(|storage| {
            storage
                .get_item(&format!("{NOTIFY_KEY}{number}"))
                .ok()
                .flatten()
        })
        .is_some()
}

/// Forgets the device's saved copy of a number's response.
pub fn forget_copy(number: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&saved_copy::key(number));
    }
}
