//! The built widget inside the server binary (built with the `embed-widget` feature after the
//! widget's build): the hosted page, the loader, the module, the wasm and the examples, with the
//! brotli and gzip copies the build made, sent as they are. One file to deploy, and the page can
//! never be of another release than the API.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// The widget's build (`dist/`), as it was when the server was compiled.
#[cfg(feature = "embed-widget")]
#[derive(rust_embed::Embed)]
#[folder = "../dist"]
#[allow_missing = true]
struct Widget;

/// One embedded file.
struct File {
    data: Cow<'static, [u8]>,
    hash: [u8; 32],
}

#[cfg(feature = "embed-widget")]
fn file(path: &str) -> Option<File> {
    Widget::get(path).map(|file| File {
        hash: file.metadata.sha256_hash(),
        data: file.data,
    })
}

#[cfg(not(feature = "embed-widget"))]
fn file(_path: &str) -> Option<File> {
    None
}

/// Whether this binary carries the widget: built with `embed-widget` after the widget was.
pub fn is_embedded() -> bool {
    file("index.html").is_some()
}

/// An embedded file's bytes, as built.
pub fn bytes(path: &str) -> Option<Cow<'static, [u8]>> {
    file(path).map(|file| file.data)
}

/// Whether the client takes `coding` (`br`, `gzip`) in `Accept-Encoding`, and did not refuse it with `q=0`.
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    super::negotiation::weighted(headers, header::ACCEPT_ENCODING)
        .iter()
        .any(|(name, weight)| name == coding && *weight > 0.0)
}

/// Serves an embedded file: `index.html` for a directory (a redirect to it with its slash when
/// named without), the brotli or gzip copy when the client takes it, `304` when its copy (by
/// `ETag`) is current, `404` for anything else.
pub async fn serve(request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path().trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    let Some(plain) = file(&path) else {
        // A directory named without its slash (`/docs/widget`): where it is, as a static host
        // says it, so that the page's relative links resolve.
        if file(&format!("{path}/index.html")).is_some() {
            let query = request
                .uri()
                .query()
                .map(|query| format!("?{query}"))
                .unwrap_or_default();
            return axum::response::Redirect::permanent(&format!("/{path}/{query}"))
                .into_response();
        }
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = request.headers();
    let (body, coding) = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| accepts(headers, coding))
        .find_map(|(coding, suffix)| file(&format!("{path}{suffix}")).map(|f| (f, Some(coding))))
        .unwrap_or((plain, None));
    let etag = format!(
        "\"{}\"",
        body.hash[..12]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if current {
        StatusCode::NOT_MODIFIED.into_response()
    } else if request.method() == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(body.data))
    };
    let set = response.headers_mut();
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    if let Ok(mime) = HeaderValue::from_str(mime.as_ref()) {
        set.insert(header::CONTENT_TYPE, mime);
    }
    set.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        set.insert(header::ETAG, etag);
    }
    if let Some(coding) = coding {
        set.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codings_refused_with_q_zero_are_not_taken() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            headers
        };
        assert!(accepts(&with("gzip, deflate, br"), "br"));
        assert!(accepts(&with("br;q=0.5, gzip"), "br"));
        assert!(!accepts(&with("br;q=0, gzip"), "br"));
        assert!(!accepts(&with("gzip"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }
}
