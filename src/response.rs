//! What an endpoint's response means, read once: for the widget's own requests (`client`), for
//! the response the server put in the page it rendered, and on the server rendering it.

use crate::error::FetchError;
use trackline_core::contract::{parse_track_response, MAX_BODY_BYTES};
use trackline_core::second_factor::Needed;
use trackline_core::{ContractError, ErrorBody, TrackResponse};

/// A response in the contract, parsed once here, with the text it came as (for the device's saved copy).
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The parsed response, with at least one shipment.
    pub response: TrackResponse,
    /// The body as received.
    pub body: String,
}

/// Reads the HTTP status before any body: only a 2xx answer is decoded.
///
/// # Errors
/// The `FetchError` that the status means; `retry_after` is the `Retry-After` header, in seconds.
pub fn classify_status(status: u16, retry_after: Option<&str>) -> Result<(), FetchError> {
    match status {
        200..=299 => Ok(()),
        404 | 410 => Err(FetchError::NotFound),
        429 => Err(FetchError::RateLimited {
            retry_after: retry_after.and_then(|value| value.trim().parse::<u32>().ok()),
        }),
        500..=599 => Err(FetchError::Server { status }),
        _ => Err(FetchError::Rejected { status }),
    }
}

/// What an endpoint's response means: its status, its `Retry-After` header and its body, read
/// once here for the widget's own requests and for a response the server sent inside the page.
///
/// # Errors
/// The `FetchError` the response amounts to: a status that is no status, a question for the
/// buyer (a 403 naming a second factor), or a body that is not the contract or names no shipment.
pub fn received(
    status: u16,
    retry_after: Option<&str>,
    body: String,
) -> Result<Received, FetchError> {
    if status == 403 {
        let needed = serde_json::from_str::<ErrorBody>(&body)
            .ok()
            .and_then(|error| Needed::from_error(&error.error, error.field.as_deref()));
        return Err(needed.map_or(
            FetchError::Rejected { status: 403 },
            FetchError::SecondFactorNeeded,
        ));
    }
    classify_status(status, retry_after)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(FetchError::NotTheContract(ContractError::TooLarge));
    }
    let response = parse_track_response(&body).map_err(FetchError::NotTheContract)?;
    if response.shipments.is_empty() {
        return Err(FetchError::NotFound);
    }
    Ok(Received { response, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_told_apart_before_any_body_is_read() {
        assert_eq!(classify_status(200, None), Ok(()));
        assert_eq!(classify_status(404, None), Err(FetchError::NotFound));
        assert_eq!(
            classify_status(429, Some(" 30 ")),
            Err(FetchError::RateLimited {
                retry_after: Some(30)
            })
        );
        // An HTTP-date or garbage is not a number of seconds: the buyer is told "in a moment".
        assert_eq!(
            classify_status(429, Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            Err(FetchError::RateLimited { retry_after: None })
        );
        assert_eq!(
            classify_status(503, None),
            Err(FetchError::Server { status: 503 })
        );
        assert_eq!(
            classify_status(400, None),
            Err(FetchError::Rejected { status: 400 })
        );
        assert_eq!(
            classify_status(302, None),
            Err(FetchError::Rejected { status: 302 })
        );
    }
}
