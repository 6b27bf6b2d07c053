//! Web Push to buyers who asked to hear about their parcel: which changes are told and in what
//! words is decided with every other meaning of a change (`crate::change`); here is how one is
//! encrypted and signed for the browser's push service
//! (`sender`, RFC 8291 and RFC 8292 through `web-push-native`), with the server's key
//! (`vapid`), to which push services only (`services`), and the loop that sends them from every
//! instance at once (`worker`).
//!
//! Messages are queued in the store in the same transaction as the change they tell of
//! (`crate::updates`), as webhooks are: whatever moved the status (the seller API, Ozon, a carrier's
//! poll or push), each change is told once, by one instance.

pub mod sender;
pub mod services;
pub mod vapid;
pub mod worker;
