//! The widget's views: each renders state it is given and does no I/O.

pub mod app;
pub mod compact;
pub mod failure;
pub mod pickup;
pub mod search_form;
pub mod shipment;
pub mod support;
pub mod timeline;
