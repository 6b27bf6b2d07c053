//! Any bytes an endpoint could send: the contract parser answers or refuses, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trackline_core::contract::parse_track_response;
use trackline_core::Timeline;

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = std::str::from_utf8(data) {
        if let Ok(response) = parse_track_response(body) {
            for shipment in &response.shipments {
                let _ = Timeline::of(shipment);
            }
        }
    }
});
