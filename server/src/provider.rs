//! Whom the server asks about a shipment besides the seller (`Provider`: Russian Post, CDEK,
//! 17TRACK, Ozon), and the seller's keys for each (`Keys`, Ozon's `Credentials`): plain data,
//! kept sealed by the store and used by the clients in `providers/` and `ozon/`.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use trackline_core::number::{recognise, Recognised, RUSSIAN_POST};

/// A provider a shipment can be polled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Russian Post's tracking service (single access, SOAP).
    RussianPost,
    /// CDEK's integration API v2 (OAuth client credentials).
    Cdek,
    /// 17TRACK's tracking API v2.2: thousands of carriers, Chinese cross-border legs included.
    SeventeenTrack,
    /// Ozon's Seller API, for postings the seller pulled (by posting number, with the keys
    /// given at `/api/v1/seller/ozon`).
    Ozon,
}

impl Provider {
    /// Every provider this build speaks to.
    pub const ALL: [Provider; 4] = [
        Provider::RussianPost,
        Provider::Cdek,
        Provider::SeventeenTrack,
        Provider::Ozon,
    ];

    /// The provider's name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::RussianPost => "russian_post",
            Provider::Cdek => "cdek",
            Provider::SeventeenTrack => "seventeen_track",
            Provider::Ozon => "ozon",
        }
    }

    /// The provider a name names; `None` for any other text.
    pub fn from_wire(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|provider| provider.as_str() == name)
    }

    /// The providers that can track `number` (a tracking number in its normal form), the
    /// carrier's own first: its format names the carrier, and 17TRACK follows almost any.
    pub fn candidates(number: &str) -> Vec<Provider> {
        let own = match recognise(number) {
            Recognised::RussianPostDomestic {
                check_digit_ok: true,
            } => Some(Provider::RussianPost),
            Recognised::S10 {
                issuer: Some(issuer),
                check_digit_ok: true,
                ..
            } if issuer == RUSSIAN_POST => Some(Provider::RussianPost),
            // Ten digits in the tracking number's place: a CDEK waybill (as an order number
            // it could be anything, but the seller said it is the carrier's).
            Recognised::CdekOrSellerOrder => Some(Provider::Cdek),
            _ => None,
        };
        own.into_iter()
            .chain(std::iter::once(Provider::SeventeenTrack))
            .collect()
    }

    /// The least time between two polls with one seller's account, across all instances:
    /// what the provider allows an account, for the requests one poll may send (17TRACK: three
    /// a second, and a poll may register before it asks; CDEK: a token, then the order).
    pub fn poll_interval(self) -> Duration {
        match self {
            Provider::SeventeenTrack => Duration::from_millis(700),
            Provider::Cdek => Duration::from_millis(400),
            Provider::RussianPost | Provider::Ozon => Duration::from_millis(200),
        }
    }

    /// The names of the keys the provider's API asks for, in `Keys` on the wire.
    pub fn key_fields(self) -> &'static [&'static str] {
        match self {
            Provider::RussianPost => &["login", "password"],
            Provider::Cdek => &["client_id", "client_secret"],
            Provider::SeventeenTrack => &["api_key"],
            Provider::Ozon => &["client_id", "api_key"],
        }
    }
}

/// A seller's keys for a provider: what its API asks for. Written to the store (sealed) as
/// JSON with these field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Keys {
    /// A login and a password (Russian Post's tracking service, "Access settings").
    Login {
        /// The account's login.
        login: String,
        /// The account's password.
        password: String,
    },
    /// OAuth client credentials (CDEK: the integration's account and secure password); Ozon's
    /// `Client-Id` and `Api-Key` are kept in this shape too.
    Client {
        /// The client id (CDEK's "account").
        client_id: String,
        /// The client secret (CDEK's "secure password").
        client_secret: String,
    },
    /// One API key (17TRACK's security key, sent as `17token`; it also signs its webhook calls).
    ApiKey {
        /// The key.
        api_key: String,
    },
}

impl Keys {
    /// Whether these are the kind of keys `provider` asks for.
    pub fn fit(&self, provider: Provider) -> bool {
        matches!(
            (self, provider),
            (Keys::Login { .. }, Provider::RussianPost)
                | (Keys::Client { .. }, Provider::Cdek | Provider::Ozon)
                | (Keys::ApiKey { .. }, Provider::SeventeenTrack)
        )
    }
}

/// A seller's Ozon keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `Client-Id`.
    pub client_id: String,
    /// `Api-Key`.
    pub api_key: String,
}
