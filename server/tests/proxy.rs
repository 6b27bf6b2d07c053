//! Behind a real nginx (Debian's, as a seller runs it): the server tells buyers apart by the
//! address the trusted proxy forwards, and believes no one else's forwarding header.

use std::net::SocketAddr;
use support::nginx::{free_port, get_from, wait_for, Nginx};
use trackline_server::client_address::TrustedProxies;
use trackline_server::limiter::RateLimit;
use trackline_server::Config;

mod support;

/// The demo server on a free port, trusting the proxy on 127.0.0.1, three lookups per buyer.
async fn server() -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let three = RateLimit {
        per_minute: 1,
        burst: 3,
    };
    server_over(support::fresh_url(None).await, three).await
}

/// An instance of the demo server over the store at `database`, trusting the proxy on 127.0.0.1.
async fn server_over(
    database: String,
    lookups: RateLimit,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("an address"),
        database_url: database,
        demo: true,
        rate_limit: lookups,
        trusted_proxies: TrustedProxies::parse(["127.0.0.1"]).expect("a range"),
        ..Config::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(&config, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    let addr = listening.addr;
    tokio::spawn(serving);
    wait_for(addr).await;
    (addr, stop)
}

const LOOKUP: &str = "/api/v1/track/RA100000048RU";

#[tokio::test]
async fn buyers_behind_the_proxy_get_their_own_limits() {
    let (server, _stop) = server().await;
    let nginx = Nginx::start(server).await;
    for _ in 0..3 {
        assert_eq!(get_from("127.0.0.2", nginx.addr, LOOKUP, "").await, 200);
    }
    assert_eq!(get_from("127.0.0.2", nginx.addr, LOOKUP, "").await, 429);
    // Another buyer behind the same proxy is not the first one.
    assert_eq!(get_from("127.0.0.3", nginx.addr, LOOKUP, "").await, 200);
    // Writing a header of one's own through the proxy does not make a new buyer of anyone:
    // the proxy adds the real address, and the walk stops there.
    for forged in 1..=3 {
        let header = format!("x-forwarded-for: 203.0.113.{forged}\r\n");
        get_from("127.0.0.4", nginx.addr, LOOKUP, &header).await;
    }
    let header = "x-forwarded-for: 203.0.113.99\r\n";
    assert_eq!(get_from("127.0.0.4", nginx.addr, LOOKUP, header).await, 429);
}

#[tokio::test]
async fn a_forwarding_header_sent_straight_to_the_server_changes_nothing() {
    let (server, _stop) = server().await;
    for _ in 0..3 {
        assert_eq!(get_from("127.0.0.5", server, LOOKUP, "").await, 200);
    }
    for header in [
        "x-forwarded-for: 203.0.113.7\r\n",
        "forwarded: for=203.0.113.8\r\n",
    ] {
        assert_eq!(
            get_from("127.0.0.5", server, LOOKUP, header).await,
            429,
            "{header}"
        );
    }
}

#[tokio::test]
async fn a_lockout_earned_through_one_instance_holds_on_the_other_and_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("trackline-lockout-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("a folder for the store");
    let database = support::fresh_url(Some(&dir)).await;
    // The lookup limit is each instance's own and not under test here: opened wide.
    let wide = RateLimit {
        per_minute: 600,
        burst: 100,
    };
    let (first, _stop_first) = server_over(database.clone(), wide).await;
    let (second, _stop_second) = server_over(database.clone(), wide).await;
    let nginx = Nginx::start_before(&[first, second]).await;
    let order = format!(
        "/api/v1/shops/{}/track/{}",
        trackline_server::demo::GUARDED_SHOP,
        trackline_server::demo::GUARDED_ORDER
    );
    // Ten wrong replies through the proxy, which hands them to the two instances in turn.
    for _ in 0..10 {
        let status = get_from("127.0.0.6", nginx.addr, &order, "trackline-check: 0000\r\n").await;
        assert_eq!(status, 403);
    }
    // Now even the right reply waits, whichever instance takes it…
    let right = format!(
        "trackline-check: {}\r\n",
        trackline_server::demo::GUARDED_PHONE_LAST4
    );
    for _ in 0..2 {
        assert_eq!(get_from("127.0.0.6", nginx.addr, &order, &right).await, 429);
    }
    // …and an instance started afresh over the same store, asked straight, still knows it.
    let (restarted, _stop_restarted) = server_over(database.clone(), wide).await;
    assert_eq!(get_from("127.0.0.6", restarted, &order, &right).await, 429);
    // The address waits for the shop's other orders too; another buyer's address does not (the
    // first order itself now waits a day for everyone: guards.rs tries that).
    let store = trackline_server::Store::open(&database).await.unwrap();
    let shop = store
        .shop_by_handle(trackline_server::demo::GUARDED_SHOP)
        .await
        .unwrap()
        .unwrap();
    let another: trackline_core::Shipment = serde_json::from_value(
        serde_json::json!({"order_number": "5000000002", "stage": "in_transit"}),
    )
    .unwrap();
    let factors = trackline_core::second_factor::SecondFactors {
        phone: Some(format!(
            "+7 900 000-{}",
            trackline_server::demo::GUARDED_PHONE_LAST4
        )),
        postcode: None,
    };
    store
        .put_shipment(shop, "second", &another, &factors)
        .await
        .unwrap();
    let second = format!(
        "/api/v1/shops/{}/track/5000000002",
        trackline_server::demo::GUARDED_SHOP
    );
    assert_eq!(
        get_from("127.0.0.6", nginx.addr, &second, &right).await,
        429
    );
    assert_eq!(
        get_from("127.0.0.7", nginx.addr, &second, &right).await,
        200
    );
    let _ = std::fs::remove_dir_all(&dir);
}
