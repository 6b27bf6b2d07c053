//! trackline's domain: the status model, the wire contract, timelines and number checks.
//!
//! Plain Rust with no browser or database in sight, so that the widget and the
//! reference endpoint share one definition and it can be tested natively.

pub mod contract;
pub mod delivery;
pub mod freshness;
pub mod hours;
pub mod link;
pub mod number;
#[cfg(feature = "openapi")]
mod openapi;
pub mod outlook;
pub mod pickup;
pub mod place;
pub mod query;
pub mod recent;
pub mod retry;
pub mod saved_copy;
pub mod second_factor;
pub mod status;
pub mod summary;
pub mod switch;
pub mod tap;
pub mod time;
pub mod timeline;
pub mod url_template;
pub mod way_in;

pub use contract::{
    Carrier, Contact, ContactKind, ContractError, DeliveryWindow, ErrorBody, Event, OpeningHours,
    OpeningPeriod, PickupPoint, Shipment, Support, TrackResponse, Withheld, CONTRACT_VERSION,
};
pub use query::{InputError, TrackingQuery};
pub use status::{Exception, Stage};
pub use timeline::{Step, StepState, Timeline};
