//! The recent numbers kept on the device, in `localStorage`.
//!
//! Storage may be missing, full or refused (private windows, a shop's iframe
//! sandbox); remembering is a convenience, so every failure reads as "nothing kept".

use trackline_core::recent;

const KEY: &str = "trackline:recent";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The numbers kept, newest first.
pub fn recent_numbers() -> Vec<String> {
    storage()
        .and_then(|storage| storage.get_item(KEY).ok().flatten())
        .map(|stored| recent::read(&stored))
        .unwrap_or_default()
}

/// Keeps the list; a failure to write is ignored.
pub fn keep_recent_numbers(numbers: &[String]) {
    if let Some(storage) = storage() {
        let _ = if numbers.is_empty() {
            storage.remove_item(KEY)
        } else {
            storage.set_item(KEY, &recent::write(numbers))
        };
    }
}
