//! Behind a real nginx (Debian's, as a seller runs it, with the README's own block): the server
//! tells buyers apart by the address the trusted proxy forwards in the one header the operator
//! named, and believes no other forwarding header, nor anyone else's.

use std::net::SocketAddr;
use support::nginx::{free_port, get_from, wait_for, Nginx};
use trackline_server::client_address::{ClientHeader, TrustedProxies};
use trackline_server::limiter::RateLimit;
use trackline_server::Settings;

mod support;

/// The demo server on a free port, trusting the proxy on 127.0.0.1, three lookups per buyer.
async fn server() -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    server_over(support::fresh_url(None).await, THREE).await
}

/// The demo server as `server` starts it, believing the proxy's `header` instead of the default.
async fn server_reading(header: &str) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let config = Settings {
        client_header: ClientHeader::parse(header).expect("a header name"),
        ..config(support::fresh_url(None).await, THREE)
    };
    serve(&config).await
}

/// Three lookups per buyer, then a wait.
const THREE: RateLimit = RateLimit {
    per_minute: 1,
    burst: 3,
};

/// The demo server's settings over the store at `database`, trusting the proxy on 127.0.0.1.
fn config(database: String, lookups: RateLimit) -> Settings {
    Settings {
        addr: "127.0.0.1:0".parse().expect("an address"),
        database_url: database,
        demo: true,
        rate_limit: lookups,
        trusted_proxies: TrustedProxies::parse(["127.0.0.1"]).expect("a range"),
        ..Settings::default()
    }
}

/// An instance of the demo server over the store at `database`, trusting the proxy on 127.0.0.1.
async fn server_over(
    database: String,
    lookups: RateLimit,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    serve(&config(database, lookups)).await
}

/// The server with `config`, on a free port, until the sender is dropped.
async fn serve(config: &Settings) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(config, async {
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

/// Each forwarding header a client may write, naming another address every time.
fn forged(i: u32) -> [String; 3] {
    [
        format!("forwarded: for=198.51.100.{i}\r\n"),
        format!("x-real-ip: 198.51.100.{i}\r\n"),
        format!("x-forwarded-for: 198.51.100.{i}\r\n"),
    ]
}

// Regression: behind the README's nginx block the server preferred `Forwarded`, which nginx
// passes on as the client wrote it, so every client chose its own address (40 lookups with
// `Forwarded: for=198.51.100.$i` were 40 × 200 where 20 were allowed).
#[tokio::test]
async fn no_forged_forwarding_header_makes_a_new_buyer_through_the_readme_proxy() {
    let (server, _stop) = server().await;
    let nginx = Nginx::start(server).await;
    // Three lookups, each with another header forged: all are one buyer's.
    for (i, header) in forged(1).iter().enumerate() {
        assert_eq!(
            get_from("127.0.0.8", nginx.addr, LOOKUP, header).await,
            200,
            "lookup {i}: {header}"
        );
    }
    for header in forged(2) {
        assert_eq!(
            get_from("127.0.0.8", nginx.addr, LOOKUP, &header).await,
            429,
            "{header}"
        );
    }
    let all = forged(3).concat();
    assert_eq!(get_from("127.0.0.8", nginx.addr, LOOKUP, &all).await, 429);
}

#[tokio::test]
async fn a_proxy_that_sets_x_real_ip_is_believed_in_that_header_alone() {
    let (server, _stop) = server_reading("X-Real-IP").await;
    let nginx = Nginx::start_with(&[server], "proxy_set_header X-Real-IP $remote_addr;").await;
    for header in forged(4) {
        assert_eq!(
            get_from("127.0.0.9", nginx.addr, LOOKUP, &header).await,
            200
        );
    }
    assert_eq!(
        get_from("127.0.0.9", nginx.addr, LOOKUP, &forged(5).concat()).await,
        429
    );
    // The proxy's own header tells the next buyer apart.
    assert_eq!(get_from("127.0.0.10", nginx.addr, LOOKUP, "").await, 200);
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
        trackline_server::demo::GUARDED_SELLER,
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
    // The address waits for the seller's other orders too; another buyer's address does not (the
    // first order itself now waits a day for everyone: guards.rs tries that).
    let store = trackline_server::Store::open(&database).await.unwrap();
    let seller = store
        .seller_by_handle(trackline_server::demo::GUARDED_SELLER)
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
    trackline_server::updates::put(&store, seller, "second", &another, &factors)
        .await
        .unwrap();
    let second = format!(
        "/api/v1/shops/{}/track/5000000002",
        trackline_server::demo::GUARDED_SELLER
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
