//! An egress proxy in the server's environment must not carry a webhook or a push past the
//! public-address filter: the proxy resolves a receiver's name itself and connects wherever the
//! name points, loopback and the cloud's metadata service included. Its own test binary, since
//! the proxy is read from the process's environment.

use std::time::Duration;
use trackline_server::webhooks::destination;

// Regression: reqwest honours `HTTP_PROXY`, so with one set a receiver's name never met
// `PublicOnly` and the filter was void.
#[tokio::test]
async fn a_proxy_from_the_environment_is_not_used_for_others_addresses() {
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a listener");
    let address = proxy.local_addr().expect("its address");
    std::env::set_var("HTTP_PROXY", format!("http://{address}"));
    std::env::set_var("http_proxy", format!("http://{address}"));
    let client = destination::client("trackline-test", Duration::from_secs(2), false);
    let sent = client
        .post("http://receiver.invalid/hook")
        .body("{}")
        .send()
        .await;
    assert!(sent.is_err(), "receiver.invalid has no address");
    // Through the proxy the connection would have been made (and waited on) before any error:
    // it would be waiting in the listener's queue now.
    let asked = tokio::time::timeout(Duration::from_millis(100), proxy.accept()).await;
    assert!(asked.is_err(), "the request went through the proxy");
}
