//! Who a client is, as the limits count it: an IPv6 host that rotates its address inside its
//! /64 (every phone and home router can) is one client, not thousands.

use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode};
use axum::Router;
use std::net::{IpAddr, SocketAddr};
use support::request;
use trackline_server::limiter::RateLimit;
use trackline_server::{AppState, Settings};

mod support;

/// The demo app with three lookups per client, then a wait; with `prefix` as one IPv6 client.
async fn app(prefix: u8) -> Router {
    let store = support::fresh_store().await;
    let config = Settings {
        demo: true,
        rate_limit: RateLimit {
            per_minute: 1,
            burst: 3,
        },
        ipv6_client_prefix: prefix,
        ..Settings::default()
    };
    trackline_server::app(AppState::new(store, &config))
}

/// A lookup's status, asked from `from` as the connection's peer.
async fn lookup_from(app: &Router, from: &str) -> StatusCode {
    let mut lookup = request(Method::GET, "/api/v1/track/RA100000048RU", &[], None);
    let peer: IpAddr = from.parse().expect("an address");
    lookup
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(peer, 40_000)));
    support::send(app, lookup).await.status
}

#[tokio::test]
async fn an_ipv6_host_rotating_inside_its_64_is_one_client() {
    let app = app(64).await;
    for host in 1..=3 {
        let from = format!("2001:db8:aa:bb::{host:x}");
        assert_ne!(
            lookup_from(&app, &from).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    // A fresh address in the same /64, however far from the others, waits with them.
    for from in ["2001:db8:aa:bb::ffff", "2001:db8:aa:bb:1234:5678:9abc:def0"] {
        assert_eq!(
            lookup_from(&app, from).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{from}"
        );
    }
    // The next /64 is another client.
    assert_ne!(
        lookup_from(&app, "2001:db8:aa:bc::1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_prefix_is_the_operators_to_set() {
    // A /48 as one client: a provider that hands each customer a /48 (RFC 6177).
    let app = app(48).await;
    for subnet in 1..=3 {
        let from = format!("2001:db8:aa:{subnet:x}::1");
        assert_ne!(
            lookup_from(&app, &from).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_eq!(
        lookup_from(&app, "2001:db8:aa:ff::1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // IPv4 clients are counted by their address whatever the IPv6 prefix.
    for host in 1..=4 {
        let from = format!("192.0.2.{host}");
        assert_ne!(
            lookup_from(&app, &from).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
