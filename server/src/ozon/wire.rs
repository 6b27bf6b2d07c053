//! The parts of Ozon Seller API answers the adapter reads, and nothing more.
//!
//! Ozon's posting answers also carry the buyer (`customer`, `addressee`) for some
//! schemes; those fields are deliberately absent here, so they are never even parsed.

use serde::Deserialize;

/// `POST /v3/posting/fbs/get` and `POST /v2/posting/fbo/get` answer `{"result": …}`.
#[derive(Debug, Deserialize)]
pub struct PostingAnswer {
    /// The posting.
    pub result: Posting,
}

/// A posting as the adapter needs it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Posting {
    /// `12345678-0001-1`.
    pub posting_number: String,
    /// `12345678-0001`.
    pub order_number: String,
    /// `awaiting_packaging`, `delivering`, …
    pub status: String,
    /// FBS only: `posting_in_pickup_point`, …
    pub substatus: String,
    /// The carrier's number, empty until there is one.
    pub tracking_number: String,
    /// How it is delivered (FBS).
    pub delivery_method: Option<DeliveryMethod>,
    /// When Ozon started processing it (RFC 3339).
    pub in_process_at: Option<String>,
    /// When it is (or was) to be handed over (FBS).
    pub shipment_date: Option<String>,
    /// When it went out for delivery (FBS).
    pub delivering_date: Option<String>,
    /// When it was created (FBO).
    pub created_at: Option<String>,
}

/// The delivery method of an FBS posting.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeliveryMethod {
    /// The third-party carrier's name (`Ozon Логистика`).
    pub tpl_provider: String,
}

/// Ozon's error body: `{"code": 5, "message": "Posting not found"}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OzonErrorBody {
    /// gRPC-style code.
    pub code: i64,
    /// Ozon's message.
    pub message: String,
}
