//! What the widget shows for a lookup, and the pure rules that decide it.
//!
//! Plain data, free of browser types, so that a server can produce it for a number in a
//! link as well as the widget can after a fetch; `lookup` does the I/O and hands what
//! happened to the functions here.

use crate::error::{Failure, FetchError};
use crate::response::{received, Received};
use trackline_core::freshness::worth_refreshing;
use trackline_core::saved_copy::SavedCopy;
use trackline_core::time::Now;
use trackline_core::TrackResponse;
use trackline_core::TrackingQuery;

/// Where a lookup stands.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupState {
    /// Nothing asked yet.
    Idle,
    /// Waiting for the endpoint about this number.
    Loading(String),
    /// The endpoint's response for the number as submitted, and when it came.
    Found(String, TrackResponse, Now),
    /// The endpoint could not be reached: the device's saved copy of the number's last response instead.
    Saved {
        /// The number as submitted.
        number: String,
        /// The response as it was saved.
        response: TrackResponse,
        /// When the copy is shown.
        now: Now,
        /// When the copy was saved.
        saved_at: trackline_core::time::UnixMillis,
        /// The device has no network (rather than the endpoint not answering).
        offline: bool,
    },
    /// Why no status can be shown, and for which typed text.
    Failed(Failure, String),
}

/// The endpoint's response as a rendered page carries it to the widget: its status, its
/// `Retry-After` header and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct PageResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body, as the endpoint wrote it.
    pub body: String,
}

/// A lookup the server already made and rendered into the page: the widget takes it over (hydrates)
/// instead of asking again.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLookup {
    /// What the page shows.
    pub state: LookupState,
    /// The endpoint's body when it held a status, for the device's saved copy.
    pub body: Option<String>,
    /// The buyer's reply to a second factor that opened the status (posted, never in the address).
    pub reply: Option<String>,
}

impl PageLookup {
    /// What a page shows for the number in its address (`typed`, as given) and the endpoint's
    /// response to it: the form when there is none, the refusal of text that is no number, else
    /// what the response says. The one rule for the server rendering the page and for the
    /// widget taking it over, so that the two cannot differ. `None` for a page that names a
    /// number but carries no response for it: the widget then asks itself.
    pub fn of_page(
        typed: Option<&str>,
        response: Option<PageResponse>,
        reply: Option<String>,
        now: Now,
    ) -> Option<PageLookup> {
        let rendered = |state, body| PageLookup { state, body, reply };
        let Some(typed) = typed else {
            return Some(rendered(LookupState::Idle, None));
        };
        let number = match TrackingQuery::parse(typed) {
            Ok(query) => query.as_str().to_owned(),
            Err(error) => {
                let state = LookupState::Failed(Failure::Input(error), typed.to_owned());
                return Some(rendered(state, None));
            }
        };
        let response = response?;
        let outcome = received(
            response.status,
            response.retry_after.as_deref(),
            response.body,
        );
        let (outcome, body) = match outcome {
            Ok(Received { response, body }) => (Ok(response), Some(body)),
            Err(error) => (Err(error), None),
        };
        let state = LookupState::settle(number, outcome, || None, now, true)?;
        Some(rendered(state, body))
    }
}

impl LookupState {
    /// What a lookup of `number` that ended in `outcome` shows; `None` when a newer lookup
    /// replaced it and it shows nothing.
    ///
    /// When the endpoint cannot be reached (no network, a timeout, a 5xx), the device's saved
    /// copy beats an error: `saved` is asked for it then, and only then.
    pub fn settle(
        number: String,
        outcome: Result<TrackResponse, FetchError>,
        saved: impl FnOnce() -> Option<SavedCopy>,
        now: Now,
        online: bool,
    ) -> Option<LookupState> {
        let error = match outcome {
            Ok(response) => return Some(LookupState::Found(number, response, now)),
            Err(FetchError::Cancelled) => return None,
            Err(error) => error,
        };
        let unreachable = matches!(
            error,
            FetchError::Network | FetchError::Timeout | FetchError::Server { .. }
        );
        Some(match unreachable.then(saved).flatten() {
            Some(copy) => LookupState::Saved {
                number,
                response: copy.response,
                now,
                saved_at: copy.saved_at,
                offline: error == FetchError::Network && !online,
            },
            None => LookupState::Failed(Failure::Fetch(error), number),
        })
    }

    /// The number to look at again without a spinner, and the response now shown for it
    /// (`None` for a saved copy, which any response replaces); `None` when nothing shown may change.
    pub fn refresh_target(&self) -> Option<(String, Option<TrackResponse>)> {
        match self {
            LookupState::Found(number, shown, _) if worth_refreshing(&shown.shipments) => {
                Some((number.clone(), Some(shown.clone())))
            }
            LookupState::Saved { number, .. } => Some((number.clone(), None)),
            _ => None,
        }
    }

    /// The number whose status is on screen (found, or a saved copy); `None` while there is none.
    pub fn status_number(&self) -> Option<&str> {
        match self {
            LookupState::Found(number, ..) | LookupState::Saved { number, .. } => Some(number),
            LookupState::Idle | LookupState::Loading(_) | LookupState::Failed(..) => None,
        }
    }

    /// The number the buyer asked about, whatever became of it; `None` before any.
    pub fn number(&self) -> Option<&str> {
        match self {
            LookupState::Idle => None,
            LookupState::Loading(number)
            | LookupState::Found(number, ..)
            | LookupState::Saved { number, .. }
            | LookupState::Failed(_, number) => Some(number),
        }
    }

    /// Whether a silent refresh of `number`, started while `before` was shown, should replace
    /// what is shown now with `fresh`: only if the buyer still sees the same, and `fresh` differs.
    pub fn refreshed_by(
        &self,
        number: &str,
        before: Option<&TrackResponse>,
        fresh: &TrackResponse,
    ) -> bool {
        let still_shown = match self {
            LookupState::Found(shown_number, shown, _) => {
                shown_number == number && before == Some(shown)
            }
            LookupState::Saved {
                number: shown_number,
                ..
            } => shown_number == number && before.is_none(),
            _ => false,
        };
        still_shown && before != Some(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::contract::parse_track_response;

    const NOW: Now = Now {
        millis: 1_764_000_000_000,
        today: 20_416,
        offset_minutes: 180,
    };

    fn response(stage: &str) -> TrackResponse {
        parse_track_response(&format!(r#"{{"shipments":[{{"stage":"{stage}"}}]}}"#)).unwrap()
    }

    fn copy() -> Option<SavedCopy> {
        Some(SavedCopy {
            saved_at: NOW.millis - 300_000,
            response: response("arrived"),
        })
    }

    #[test]
    fn a_response_is_shown_as_found() {
        let shown = LookupState::settle("RA1".into(), Ok(response("in_transit")), copy, NOW, true);
        assert_eq!(
            shown,
            Some(LookupState::Found(
                "RA1".into(),
                response("in_transit"),
                NOW
            ))
        );
    }

    #[test]
    fn an_unreachable_endpoint_shows_the_saved_copy_and_says_whether_the_device_is_offline() {
        for (error, online, offline) in [
            (FetchError::Network, false, true),
            (FetchError::Network, true, false),
            (FetchError::Timeout, false, false),
            (FetchError::Server { status: 503 }, true, false),
        ] {
            let shown = LookupState::settle("RA1".into(), Err(error.clone()), copy, NOW, online);
            assert_eq!(
                shown,
                Some(LookupState::Saved {
                    number: "RA1".into(),
                    response: response("arrived"),
                    now: NOW,
                    saved_at: NOW.millis - 300_000,
                    offline,
                }),
                "{error:?}"
            );
        }
    }

    #[test]
    fn an_endpoint_that_answered_is_believed_over_the_saved_copy() {
        for error in [
            FetchError::NotFound,
            FetchError::Rejected { status: 400 },
            FetchError::RateLimited { retry_after: None },
        ] {
            let asked = std::cell::Cell::new(false);
            let shown = LookupState::settle(
                "RA1".into(),
                Err(error.clone()),
                || {
                    asked.set(true);
                    copy()
                },
                NOW,
                true,
            );
            assert_eq!(
                shown,
                Some(LookupState::Failed(Failure::Fetch(error), "RA1".into()))
            );
            assert!(!asked.get(), "storage is not read for an answer");
        }
        let without_copy =
            LookupState::settle("RA1".into(), Err(FetchError::Timeout), || None, NOW, true);
        assert_eq!(
            without_copy,
            Some(LookupState::Failed(
                Failure::Fetch(FetchError::Timeout),
                "RA1".into()
            ))
        );
    }

    #[test]
    fn a_cancelled_lookup_shows_nothing() {
        assert_eq!(
            LookupState::settle("RA1".into(), Err(FetchError::Cancelled), copy, NOW, true),
            None
        );
    }

    #[test]
    fn only_a_status_that_may_still_change_is_looked_at_again() {
        let moving = LookupState::Found("RA1".into(), response("in_transit"), NOW);
        assert_eq!(
            moving.refresh_target(),
            Some(("RA1".into(), Some(response("in_transit"))))
        );
        let delivered = LookupState::Found("RA1".into(), response("delivered"), NOW);
        assert_eq!(delivered.refresh_target(), None);
        let saved = LookupState::settle("RA1".into(), Err(FetchError::Timeout), copy, NOW, true);
        assert_eq!(saved.unwrap().refresh_target(), Some(("RA1".into(), None)));
        assert_eq!(LookupState::Loading("RA1".into()).refresh_target(), None);
    }

    #[test]
    fn a_refresh_replaces_only_what_the_buyer_still_sees_and_only_when_it_changed() {
        let before = response("in_transit");
        let shown = LookupState::Found("RA1".into(), before.clone(), NOW);
        assert!(shown.refreshed_by("RA1", Some(&before), &response("arrived")));
        assert!(!shown.refreshed_by("RA1", Some(&before), &before));
        assert!(!shown.refreshed_by("RA2", Some(&before), &response("arrived")));
        let moved_on = LookupState::Loading("RA2".into());
        assert!(!moved_on.refreshed_by("RA1", Some(&before), &response("arrived")));
        let saved =
            LookupState::settle("RA1".into(), Err(FetchError::Timeout), copy, NOW, true).unwrap();
        assert!(saved.refreshed_by("RA1", None, &response("arrived")));
    }
}
