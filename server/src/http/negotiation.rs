//! What a client says it takes: the weighted lists of `Accept-Encoding` and `Accept-Language`.

use axum::http::{HeaderMap, HeaderName};

/// The items of a weighted list header (`br;q=1.0, gzip;q=0.5`), each with its weight (1 when
/// none is given), in the order sent; every value of the header is read.
pub fn weighted(headers: &HeaderMap, name: HeaderName) -> Vec<(String, f32)> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let token = parts.next().filter(|token| !token.is_empty())?.to_owned();
            let weight = parts
                .find_map(|param| param.strip_prefix("q="))
                .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
            Some((token, weight))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    #[test]
    fn items_come_with_their_weights() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, br , deflate;q=0.5,,x;q=nonsense"),
        );
        assert_eq!(
            weighted(&headers, header::ACCEPT_ENCODING),
            [
                ("gzip".to_owned(), 0.0),
                ("br".to_owned(), 1.0),
                ("deflate".to_owned(), 0.5)
            ]
        );
    }
}
