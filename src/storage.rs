//! What the device keeps in `localStorage`: the recent numbers and the last answer for each.
//!
//! Storage may be missing, full or refused (private windows, a shop's iframe
//! sandbox); remembering is a convenience, so every failure reads as "nothing kept".

use trackline_core::time::UnixMillis;
use trackline_core::{kept, recent};

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

/// Keeps the device's copy of a number's answer; too large an answer or a full storage keeps nothing.
pub fn keep_answer(number: &str, saved_at: UnixMillis, body: &str) {
    if let (Some(storage), Some(stored)) = (storage(), kept::encode(saved_at, body)) {
        let _ = storage.set_item(&kept::key(number), &stored);
    }
}

/// The device's copy of a number's answer, and when it was saved.
pub fn kept_answer(number: &str) -> Option<(UnixMillis, String)> {
    let stored = storage()?.get_item(&kept::key(number)).ok()??;
    kept::decode(&stored).map(|(at, body)| (at, body.to_owned()))
}

/// Forgets the device's copy of a number's answer.
pub fn forget_answer(number: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&kept::key(number));
    }
}
