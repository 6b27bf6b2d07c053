//! How long browsers and CDNs may keep the widget's files.
//!
//! trunk names each built file after a hash of its content, so such a file never
//! changes: it may be kept for a year without asking again. Everything else (the
//! hosted page, the unversioned loader, the examples) is asked about on every use,
//! so a new release reaches buyers and storefronts at once.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const FOREVER: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Whether the path names a content-hashed build file: `trackline-<hash>.js`, `…_bg.wasm`, `.css`.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    if !matches!(extension, "js" | "wasm" | "css") {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Adds the caching policy to a successful answer for a static file that has none.
pub async fn cache_policy(request: Request, next: Next) -> Response {
    let policy = if is_content_hashed(request.uri().path()) {
        FOREVER
    } else {
        REVALIDATE
    };
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_build_files_are_kept_forever() {
        for path in [
            "/trackline-6431e655a76e893.js",
            "/trackline-6431e655a76e893_bg.wasm",
            "/trackline-2da6a15614e5630.css",
            "/trackline-start-8937c027538703dc.js",
        ] {
            assert!(is_content_hashed(path), "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/trackline-widget.js",
            "/trackline-widget-0.1.0.js",
            "/examples/plain.html",
            "/favicon.svg",
            "/trackline-notahashatall.js",
        ] {
            assert!(!is_content_hashed(path), "{path}");
        }
    }
}
