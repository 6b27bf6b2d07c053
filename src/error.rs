//! Every failure a buyer can meet, and the one place each becomes words.

use crate::client::FetchError;
use crate::i18n::{Lang, Msg};
use trackline_core::InputError;

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
        }
    }

    /// A stable name for tests and host pages (`not_found`, `timeout`).
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Input(InputError::Empty) => "empty",
            Failure::Input(_) => "invalid_number",
            Failure::Fetch(FetchError::NotFound) => "not_found",
            Failure::Fetch(FetchError::RateLimited { .. }) => "rate_limited",
            Failure::Fetch(FetchError::Server { .. }) => "server",
            Failure::Fetch(FetchError::Rejected { .. }) => "rejected",
            Failure::Fetch(FetchError::Network | FetchError::Cancelled) => "network",
            Failure::Fetch(FetchError::Timeout) => "timeout",
            Failure::Fetch(FetchError::NotTheContract(_)) => "not_the_contract",
        }
    }

    /// Whether trying the same number again could help.
    pub fn retryable(&self) -> bool {
        matches!(self, Failure::Fetch(error) if !matches!(error, FetchError::Rejected { .. }))
    }
}
