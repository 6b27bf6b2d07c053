//! The seller's two-line snippet for the built widget, pinned to this version by its integrity hash.

use crate::cmd::Done;
use std::path::Path;

/// Prints the snippet for a widget served from `origin` (`https://track.shop.example` by
/// default), for the shop whose handle is `shop` (the server's only shop when absent).
///
/// # Errors
/// When no widget has been built.
pub fn print(origin: Option<&str>, shop: Option<&str>) -> Done {
    let origin = origin.unwrap_or("https://track.shop.example");
    let (loader, hash) = crate::dist::pinned_loader(Path::new("dist"))?;
    println!(
        "<script type=\"module\" src=\"{origin}/{loader}\" integrity=\"{hash}\" crossorigin=\"anonymous\"></script>"
    );
    let shop = shop
        .map(|shop| format!(" shop=\"{shop}\""))
        .unwrap_or_default();
    println!("<trackline-widget{shop} number=\"RA100000048RU\"></trackline-widget>");
    Ok(())
}
