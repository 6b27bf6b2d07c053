//! Webhooks to the seller: which changes of a shipment a subscription hears of and what is sent
//! are decided with every other meaning of a change (`crate::change::tells`); here is how it is
//! signed (`signature`), when a failed delivery is tried again (`schedule`), and the
//! loop that delivers them, on every instance at once (`worker`).
//!
//! Deliveries are queued in the store in the same transaction as the change they tell of
//! (`crate::updates`), so none is lost to a crash and none is queued for a change that did not
//! commit; each is leased to one instance at a time, and an acknowledged one is never sent again
//! unless the seller asks for it (replay).

pub mod destination;
pub mod schedule;
pub mod signature;
pub mod worker;
