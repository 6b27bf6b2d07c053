//! The built widget's files, and how long browsers and CDNs may keep them.
//!
//! trunk names each built file after a hash of its content, so such a file never
//! changes: it may be kept for a year without asking again. Everything else (the
//! hosted page, the unversioned loader, the examples) is asked about on every use,
//! so a new release reaches buyers and storefronts at once.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::PathBuf;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy the hosted page and the example pages are served under: no inline script or
/// style, no eval; only `'wasm-unsafe-eval'` so that the widget's wasm may be compiled.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'";

/// The seller's console's policy (`/console/`): the strict one, and no page of another origin
/// may frame it, where a decoy could lay a click on "delete" or "sign out everywhere".
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Where the built widget's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetFiles {
    /// A directory (`--static-dir`): a build of one's own, or one newer than the binary.
    Dir(PathBuf),
    /// The build embedded in the binary (`embed-widget`).
    Embedded,
}

impl WidgetFiles {
    /// The directory if one is given, else the embedded build if this binary has one.
    pub fn choose(dir: Option<PathBuf>) -> Option<WidgetFiles> {
        match dir {
            Some(dir) => Some(WidgetFiles::Dir(dir)),
            None => super::embedded::is_embedded().then_some(WidgetFiles::Embedded),
        }
    }
}

/// Serves the widget's files: the build's brotli and gzip copies as they are, under the strict
/// policy, readable from storefronts on other origins (they import the module and fetch the wasm).
pub fn service(files: &WidgetFiles) -> Router {
    let files = match files {
        // The build leaves .br and .gz copies beside each file: sent as they are, not compressed per request.
        WidgetFiles::Dir(dir) => Router::new()
            .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
        WidgetFiles::Embedded => Router::new().fallback(super::embedded::serve),
    };
    files
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        ))
        .layer(axum::middleware::from_fn(console_policy))
        .layer(axum::middleware::from_fn(cache_policy))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET]),
        )
}

/// Puts the console's files (`/console/…`, built into `dist/console/`) under the console's policy.
pub async fn console_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let console = path == "/console" || path.starts_with("/console/");
    let mut response = next.run(request).await;
    if console {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        );
    }
    response
}

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
    fn the_consoles_policy_is_the_strict_one_and_no_framing() {
        assert_eq!(CONSOLE_CSP, format!("{STRICT_CSP}; frame-ancestors 'none'"));
    }

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
