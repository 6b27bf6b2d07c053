//! The widget's views: each renders state it is given; the clipboard, storage and
//! address bar are reached only through the edge modules (`clipboard`, `storage`, `page_url`).

pub mod after_paint;
pub mod app;
pub mod compact;
pub mod copy_button;
pub mod failure;
pub mod history;
pub mod notify;
pub mod parcels;
pub mod pickup;
pub mod recent;
pub mod result;
pub mod saved_notice;
pub mod search_form;
pub mod share;
pub mod shipment;
pub mod status;
pub mod support;
pub mod timeline;
