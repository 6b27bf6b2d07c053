//! The seller's console (`/console/` on the reference server): a shop's members sign in with a
//! passkey or a password (from an invitation link), see what needs attention, list the shop's
//! shipments, open one as the buyer sees it with its activity, edit its fields, move it to a stage or add an event, or delete it.
//!
//! Its own wasm, built by trunk like the configurator: never in the buyers' wasm.

pub mod api;
pub mod attention;
pub mod edit;
pub mod form;
pub mod import;
pub mod insights;
pub mod query;
pub mod route;
pub mod view;
pub mod webauthn;
pub mod words;
