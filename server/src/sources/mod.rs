//! Where statuses come from besides the seller's own calls: carriers polled with the seller's
//! keys. One shape for all of them (`Reading`, `SourceError`), one adapter per provider, and
//! the poller that many instances share (`poller`).

pub mod poller;
pub mod russian_post;

use thiserror::Error;
use trackline_core::{Event, Exception, Stage};

/// A provider a shipment can be polled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Russian Post's tracking service (single access, SOAP).
    RussianPost,
}

impl Provider {
    /// Every provider this build speaks to.
    pub const ALL: [Provider; 1] = [Provider::RussianPost];

    /// The provider's name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::RussianPost => "russian_post",
        }
    }

    /// The provider a name names; `None` for any other text.
    pub fn from_wire(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|provider| provider.as_str() == name)
    }

    /// The provider that tracks `number` (in its normal form), by its format, if this build speaks to it.
    pub fn for_number(number: &str) -> Option<Provider> {
        use trackline_core::number::{recognise, Recognised};
        match recognise(number) {
            Recognised::RussianPostDomestic {
                check_digit_ok: true,
            } => Some(Provider::RussianPost),
            Recognised::S10 {
                carrier: Some(carrier),
                check_digit_ok: true,
                ..
            } if carrier == trackline_core::number::RUSSIAN_POST => Some(Provider::RussianPost),
            _ => None,
        }
    }
}

/// A seller's keys for a provider: what its API asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The account's login.
    pub login: String,
    /// The account's password.
    pub password: String,
}

/// What a provider says of a parcel: the status its newest operation means, and every
/// operation as an event. Never the sender's or the addressee's names.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The stage and exception of the newest operation that says one; `None` if none does.
    pub status: Option<(Stage, Option<Exception>)>,
    /// The provider's words for the newest operation.
    pub status_text: Option<String>,
    /// When the newest operation happened (RFC 3339).
    pub updated_at: Option<String>,
    /// Every operation, in the provider's words.
    pub events: Vec<Event>,
}

/// How asking a provider failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourceError {
    /// The provider refused the seller's keys.
    #[error("the provider refused the seller's keys")]
    Unauthorized,
    /// The provider knows no parcel with this number (or refused the request for it).
    #[error("the provider cannot tell of this number: {0}")]
    Refused(String),
    /// No answer, a timeout or a server error: worth trying again later.
    #[error("the provider is unavailable ({0})")]
    Unavailable(String),
    /// An answer that cannot be read.
    #[error("the provider sent an answer that cannot be read: {0}")]
    BadAnswer(String),
}
