//! The snippet configurator for sellers (`/configure/` on the reference server): they choose
//! the shop or endpoint, the language, the theme, the brand colours and compact mode, watch the
//! real widget follow in a live preview, and copy the snippet, pinned by its integrity hash.

pub mod choice;
pub mod snippet;
pub mod view;
pub mod words;
