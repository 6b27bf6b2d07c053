//! How a buyer came to a lookup (`via=`), told only to a trackline server, which counts it for
//! the seller's insights; a seller's own endpoint is never sent it.

/// The way in to a lookup, as the wire names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The number came in the hosted page's address (a link in a message or an e-mail).
    Link,
    /// The number was typed (or picked from the recent ones) on the hosted page.
    Typed,
    /// The element on a storefront.
    Element,
    /// The iframe form on a storefront.
    Iframe,
    /// The widget's own refresh of a lookup already counted (every minute while the page is
    /// visible): the server counts nothing for it, so that a tab left open is one lookup.
    Refresh,
}

/// Where the widget runs, as far as its ways in differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The hosted page, in a window of its own.
    HostedPage,
    /// The hosted page inside a storefront's frame (the iframe form).
    Frame,
    /// `<trackline-widget>` on a storefront.
    Element,
}

impl Via {
    /// The wire name: `link`, `typed`, `element`, `iframe`, `refresh`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Link => "link",
            Via::Typed => "typed",
            Via::Element => "element",
            Via::Iframe => "iframe",
            Via::Refresh => "refresh",
        }
    }

    /// The way in of a lookup at `place` whose number came `from_address` (the page's address
    /// or the element's `number` attribute) rather than from the buyer.
    pub fn of(place: Place, from_address: bool) -> Via {
        match place {
            Place::HostedPage if from_address => Via::Link,
            Place::HostedPage => Via::Typed,
            Place::Frame => Via::Iframe,
            Place::Element => Via::Element,
        }
    }
}

/// `url` (a lookup's, its number already in it) with `via` added to its query.
pub fn with_via(url: &str, via: Via) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}via={}", via.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_place_has_its_way_in() {
        let table = [
            (Place::HostedPage, true, "link"),
            (Place::HostedPage, false, "typed"),
            (Place::Frame, true, "iframe"),
            (Place::Frame, false, "iframe"),
            (Place::Element, true, "element"),
            (Place::Element, false, "element"),
        ];
        for (place, from_address, wire) in table {
            assert_eq!(Via::of(place, from_address).as_str(), wire, "{place:?}");
        }
    }

    #[test]
    fn via_joins_the_query() {
        assert_eq!(
            with_via("/api/v1/track/RA1", Via::Link),
            "/api/v1/track/RA1?via=link"
        );
        assert_eq!(
            with_via(
                "https://t.example/api/v1/shops/a%3Fb/track/RA1?x=1",
                Via::Iframe
            ),
            "https://t.example/api/v1/shops/a%3Fb/track/RA1?x=1&via=iframe"
        );
    }
}
