//! The clock a seller's buyers most likely read: the zone where its support keeps hours. The page
//! renders statuses on it, and the demo moves its dates to that clock's today.

use trackline_core::time::{Now, DAY_MILLIS};
use trackline_core::Shipment;

/// The zone where the shipments' support keeps its hours (their buyers are most likely there).
pub fn support_zone(shipments: &[Shipment]) -> Option<String> {
    shipments
        .iter()
        .find_map(|shipment| Some(shipment.support.as_ref()?.hours.as_ref()?.time_zone.clone()))
}

/// Now on the clocks of `zone` (UTC for a zone it does not know), to the minute (so that a page
/// rendered twice in a minute is the same page, with the same ETag).
pub fn now_in(zone: &str) -> Now {
    let millis = jiff::Timestamp::now().as_millisecond().div_euclid(60_000) * 60_000;
    let offset_minutes = jiff::tz::TimeZone::get(zone)
        .ok()
        .and_then(|zone| Some(zone.to_offset(jiff::Timestamp::from_millisecond(millis).ok()?)))
        .map_or(0, |offset| offset.seconds() / 60);
    Now {
        millis,
        today: (millis + i64::from(offset_minutes) * 60_000).div_euclid(DAY_MILLIS),
        offset_minutes,
    }
}
