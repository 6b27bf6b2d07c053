//! Any text a buyer could type: normalising never panics and is idempotent, recognising never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trackline_core::number::{normalise, recognise};
use trackline_core::TrackingQuery;

fuzz_target!(|data: &[u8]| {
    let typed = String::from_utf8_lossy(data);
    let once = normalise(&typed);
    assert_eq!(normalise(&once), once);
    let _ = recognise(&once);
    if let Ok(query) = TrackingQuery::parse(&typed) {
        assert_eq!(TrackingQuery::parse(query.as_str()).as_ref(), Ok(&query));
        assert!(!query.recognised().is_mistyped());
    }
});
