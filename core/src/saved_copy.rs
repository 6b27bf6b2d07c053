//! The device's saved copy of the last response for a number, for when the endpoint cannot be reached.
//!
//! A buyer on a train opens the page they checked this morning: the status they
//! saw, marked with its age, is better than "no connection". The copy is the
//! endpoint's body as it came, behind the moment it was saved; reading it back is
//! as lenient as the storage it lives in is untrusted.

use crate::contract::{parse_track_response, TrackResponse};
use crate::time::UnixMillis;

/// Bodies larger than this are not saved: device storage is small and shared with the storefront.
pub const MAX_SAVED_BYTES: usize = 256 * 1024;

// The device's storage outlives releases: this key stays as it was first written.
const PREFIX: &str = "trackline:answer:";

/// A saved copy as read back: when it was saved, and the response it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedCopy {
    /// When the copy was saved.
    pub saved_at: UnixMillis,
    /// The response as it was, with at least one shipment.
    pub response: TrackResponse,
}

/// The storage key of a number's copy.
pub fn key(number: &str) -> String {
    format!("{PREFIX}{number}")
}

/// The stored form: the moment, a newline, the body; `None` when the body is too large to save.
pub fn encode(saved_at: UnixMillis, body: &str) -> Option<String> {
    (body.len() <= MAX_SAVED_BYTES).then(|| format!("{saved_at}\n{body}"))
}

/// The moment and the body of a stored copy; `None` for anything this module did not write.
pub fn decode(stored: &str) -> Option<(UnixMillis, &str)> {
    let (at, body) = stored.split_once('\n')?;
    let at = at.parse::<UnixMillis>().ok().filter(|at| *at >= 0)?;
    (!body.is_empty() && body.len() <= MAX_SAVED_BYTES).then_some((at, body))
}

/// A stored copy read back whole; `None` for anything that is not a saved response with a shipment.
pub fn read(stored: &str) -> Option<SavedCopy> {
    let (saved_at, body) = decode(stored)?;
    let response = parse_track_response(body).ok()?;
    (!response.shipments.is_empty()).then_some(SavedCopy { saved_at, response })
}

/// How old a copy is, in the largest whole unit, for `Intl.RelativeTimeFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// Whole minutes, at least one.
    Minutes(i64),
    /// Whole hours.
    Hours(i64),
    /// Whole days.
    Days(i64),
}

/// The age of a copy saved at `saved_at`, seen at `now`; a clock set back reads as a minute.
pub fn age(saved_at: UnixMillis, now: UnixMillis) -> Age {
    let minutes = (now.saturating_sub(saved_at) / 60_000).max(1);
    match minutes {
        ..60 => Age::Minutes(minutes),
        60..1_440 => Age::Hours(minutes / 60),
        _ => Age::Days(minutes / 1_440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_copy_reads_back_as_written() {
        let stored = encode(1_700_000_000_000, "{\"version\":1}").unwrap();
        assert_eq!(
            decode(&stored),
            Some((1_700_000_000_000, "{\"version\":1}"))
        );
        assert_eq!(key("RA1"), "trackline:answer:RA1");
    }

    #[test]
    fn what_this_module_did_not_write_is_nothing() {
        for stored in ["", "{}", "x\n{}", "-5\n{}", "12\n", "12"] {
            assert_eq!(decode(stored), None, "{stored:?}");
        }
        assert_eq!(encode(1, &"x".repeat(MAX_SAVED_BYTES + 1)), None);
    }

    #[test]
    fn a_copy_reads_back_whole_only_with_a_shipment_in_it() {
        let body = r#"{"version":1,"shipments":[{"stage":"in_transit"}]}"#;
        let copy = read(&encode(7, body).unwrap()).unwrap();
        assert_eq!(copy.saved_at, 7);
        assert_eq!(copy.response.shipments.len(), 1);
        assert_eq!(read(&encode(7, r#"{"shipments":[]}"#).unwrap()), None);
        assert_eq!(read(&encode(7, "<html>").unwrap()), None);
    }

    #[test]
    fn ages_are_told_in_the_largest_whole_unit() {
        let at = 1_000_000_000_000;
        assert_eq!(age(at, at), Age::Minutes(1));
        assert_eq!(age(at, at - 3_600_000), Age::Minutes(1));
        assert_eq!(age(at, at + 59 * 60_000), Age::Minutes(59));
        assert_eq!(age(at, at + 60 * 60_000), Age::Hours(1));
        assert_eq!(age(at, at + 47 * 3_600_000), Age::Days(1));
        assert_eq!(age(at, at + 3 * 86_400_000), Age::Days(3));
    }

    proptest! {
        #[test]
        fn any_stored_text_reads_without_panic(stored in ".{0,200}") {
            let _ = decode(&stored);
        }

        #[test]
        fn any_moment_and_body_round_trip(at in 0i64..i64::MAX, body in ".{1,200}") {
            let stored = encode(at, &body).unwrap();
            prop_assert_eq!(decode(&stored), Some((at, body.as_str())));
        }

        #[test]
        fn any_two_moments_give_a_positive_age(a in any::<i64>(), b in any::<i64>()) {
            let value = match age(a, b) { Age::Minutes(v) | Age::Hours(v) | Age::Days(v) => v };
            prop_assert!(value >= 1);
        }
    }
}
