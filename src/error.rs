//! Every failure a buyer can meet, and the one place each becomes words.

use crate::i18n::{Lang, Msg};
use thiserror::Error;
use trackline_core::second_factor::{Needed, SecondFactor};
use trackline_core::{ContractError, InputError};

/// How a lookup failed, told apart as a buyer needs it told.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FetchError {
    /// The endpoint knows no shipment with this number (404, or an empty list).
    #[error("not found")]
    NotFound,
    /// Too many lookups; `retry_after` seconds from the `Retry-After` header if it gave them.
    #[error("rate limited")]
    RateLimited {
        /// Seconds to wait, when the endpoint said.
        retry_after: Option<u32>,
    },
    /// The endpoint failed (5xx).
    #[error("server error {status}")]
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// The endpoint refused the request (4xx other than 404 and 429).
    #[error("rejected with {status}")]
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// No answer at all: offline, DNS, CORS refused.
    #[error("network unreachable")]
    Network,
    /// No answer within the time allowed.
    #[error("timed out")]
    Timeout,
    /// A newer lookup replaced this one; nothing to show.
    #[error("cancelled")]
    Cancelled,
    /// An answer that is not contract v1 (HTML, truncated or wrong-shaped JSON).
    #[error("not the contract: {0}")]
    NotTheContract(ContractError),
    /// The seller shows this order only to its buyer: the second factor is needed, or was wrong.
    #[error("second factor needed")]
    SecondFactorNeeded(Needed),
}

/// A lookup that could not show a status.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The typed text is not a number.
    Input(InputError),
    /// The endpoint could not be asked, or did not answer with a status.
    Fetch(FetchError),
}

impl Failure {
    /// The buyer's message for this failure, in their language.
    pub fn message(&self, lang: Lang, number: &str) -> String {
        match self {
            Failure::Input(InputError::Empty) => lang.t(Msg::ErrorEmpty).to_owned(),
            Failure::Input(InputError::TooLong) => lang.t(Msg::ErrorTooLong).to_owned(),
            Failure::Input(InputError::BadCharacters) => lang.t(Msg::ErrorBadCharacters).to_owned(),
            Failure::Input(InputError::Mistyped) => lang.t(Msg::ErrorMistyped).to_owned(),
            Failure::Input(InputError::UnknownCountry) => {
                lang.t(Msg::ErrorUnknownCountry).to_owned()
            }
            Failure::Fetch(FetchError::NotFound) => {
                lang.fill(Msg::ErrorNotFound, &[("number", number)])
            }
            Failure::Fetch(FetchError::RateLimited {
                retry_after: Some(seconds),
            }) => lang.fill(Msg::ErrorRateLimited, &[("seconds", &seconds.to_string())]),
            Failure::Fetch(FetchError::RateLimited { retry_after: None }) => {
                lang.t(Msg::ErrorRateLimitedSoon).to_owned()
            }
            Failure::Fetch(FetchError::Server { .. }) => lang.t(Msg::ErrorServer).to_owned(),
            Failure::Fetch(FetchError::Rejected { .. }) => lang.t(Msg::ErrorRejected).to_owned(),
            Failure::Fetch(FetchError::Network | FetchError::Cancelled) => {
                lang.t(Msg::ErrorNetwork).to_owned()
            }
            Failure::Fetch(FetchError::Timeout) => lang.t(Msg::ErrorTimeout).to_owned(),
            Failure::Fetch(FetchError::NotTheContract(_)) => {
                lang.t(Msg::ErrorNotTheContract).to_owned()
            }
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed { failed: true, .. })) => {
                lang.t(Msg::CheckFailed).to_owned()
            }
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed {
                factor: SecondFactor::PhoneLast4,
                ..
            })) => lang.t(Msg::CheckRequiredPhone).to_owned(),
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed {
                factor: SecondFactor::Postcode,
                ..
            })) => lang.t(Msg::CheckRequiredPostcode).to_owned(),
        }
    }

    /// A stable name for tests and host pages (`not_found`, `timeout`).
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Input(InputError::Empty) => "empty",
            Failure::Input(InputError::Mistyped | InputError::UnknownCountry) => "mistyped",
            Failure::Input(_) => "invalid_number",
            Failure::Fetch(FetchError::NotFound) => "not_found",
            Failure::Fetch(FetchError::RateLimited { .. }) => "rate_limited",
            Failure::Fetch(FetchError::Server { .. }) => "server",
            Failure::Fetch(FetchError::Rejected { .. }) => "rejected",
            Failure::Fetch(FetchError::Network | FetchError::Cancelled) => "network",
            Failure::Fetch(FetchError::Timeout) => "timeout",
            Failure::Fetch(FetchError::NotTheContract(_)) => "not_the_contract",
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed { failed: false, .. })) => {
                "check_required"
            }
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed { failed: true, .. })) => {
                "check_failed"
            }
        }
    }

    /// Whether trying the same number again could help (a second factor has its own form instead).
    pub fn retryable(&self) -> bool {
        matches!(self, Failure::Fetch(error)
            if !matches!(error, FetchError::Rejected { .. } | FetchError::SecondFactorNeeded(_)))
    }

    /// What the endpoint asks the buyer before it shows the order, if anything.
    pub fn second_factor(&self) -> Option<Needed> {
        match self {
            Failure::Fetch(FetchError::SecondFactorNeeded(needed)) => Some(*needed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::ContractError;

    fn every_failure() -> Vec<Failure> {
        vec![
            Failure::Input(InputError::Empty),
            Failure::Input(InputError::TooLong),
            Failure::Input(InputError::BadCharacters),
            Failure::Input(InputError::Mistyped),
            Failure::Input(InputError::UnknownCountry),
            Failure::Fetch(FetchError::NotFound),
            Failure::Fetch(FetchError::RateLimited {
                retry_after: Some(42),
            }),
            Failure::Fetch(FetchError::RateLimited { retry_after: None }),
            Failure::Fetch(FetchError::Server { status: 502 }),
            Failure::Fetch(FetchError::Rejected { status: 400 }),
            Failure::Fetch(FetchError::Network),
            Failure::Fetch(FetchError::Timeout),
            Failure::Fetch(FetchError::NotTheContract(ContractError::Truncated)),
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed {
                factor: SecondFactor::PhoneLast4,
                failed: false,
            })),
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed {
                factor: SecondFactor::Postcode,
                failed: false,
            })),
            Failure::Fetch(FetchError::SecondFactorNeeded(Needed {
                factor: SecondFactor::Postcode,
                failed: true,
            })),
        ]
    }

    /// The element's description (`embed/element.json`), from which its TypeScript types are made.
    fn described(name: &str) -> Vec<String> {
        let element: serde_json::Value =
            serde_json::from_str(include_str!("../embed/element.json")).unwrap();
        serde_json::from_value(element["types"][name].clone()).unwrap()
    }

    #[test]
    fn the_elements_description_names_every_code_event_stage_and_exception() {
        let codes: std::collections::BTreeSet<String> = every_failure()
            .iter()
            .map(|failure| failure.code().to_owned())
            .collect();
        assert_eq!(codes, described("TracklineErrorCode").into_iter().collect());
        let stages: Vec<String> = trackline_core::Stage::KNOWN
            .iter()
            .map(|stage| stage.as_str().to_owned())
            .collect();
        assert_eq!(stages, described("TracklineStage"));
        let exceptions: Vec<String> = trackline_core::Exception::KNOWN
            .iter()
            .map(|exception| exception.as_str().to_owned())
            .collect();
        assert_eq!(exceptions, described("TracklineException"));
        let element: serde_json::Value =
            serde_json::from_str(include_str!("../embed/element.json")).unwrap();
        let events: Vec<&str> = element["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|event| event["name"].as_str())
            .collect();
        assert_eq!(
            events,
            [crate::events::STATUS_EVENT, crate::events::ERROR_EVENT]
        );
    }

    #[test]
    fn every_failure_has_its_own_message_in_every_language() {
        for lang in [Lang::En, Lang::Ru, Lang::Zh] {
            let messages: Vec<String> = every_failure()
                .iter()
                .map(|f| f.message(lang, "RA1"))
                .collect();
            for (failure, message) in every_failure().iter().zip(&messages) {
                assert!(
                    !message.is_empty() && !message.contains('{'),
                    "{lang:?} {failure:?}: {message}"
                );
            }
            let distinct: std::collections::HashSet<_> = messages.iter().collect();
            assert_eq!(
                distinct.len(),
                messages.len(),
                "{lang:?}: two failures read the same"
            );
        }
    }

    #[test]
    fn messages_carry_the_number_and_the_wait() {
        let not_found = Failure::Fetch(FetchError::NotFound).message(Lang::Ru, "RA123");
        assert!(not_found.contains("RA123"), "{not_found}");
        let limited = Failure::Fetch(FetchError::RateLimited {
            retry_after: Some(42),
        })
        .message(Lang::Zh, "x");
        assert!(limited.contains("42"), "{limited}");
    }

    #[test]
    fn only_failures_that_a_retry_could_mend_offer_one() {
        assert!(!Failure::Input(InputError::Empty).retryable());
        assert!(!Failure::Fetch(FetchError::Rejected { status: 400 }).retryable());
        assert!(Failure::Fetch(FetchError::Timeout).retryable());
        assert!(Failure::Fetch(FetchError::NotFound).retryable());
    }
}
