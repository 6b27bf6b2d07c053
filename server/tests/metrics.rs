//! Prometheus metrics on their own listener, scraped as an operator would.

use std::time::Duration;
use trackline_server::Settings;

mod support;

/// One HTTP/1.1 GET on a fresh connection: the status and the body; status 0 when nothing answered.
async fn get(url: &str) -> (u16, String) {
    fetch(url).await.unwrap_or((0, String::new()))
}

async fn fetch(url: &str) -> std::io::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let request = format!("GET /{path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await?;
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[tokio::test]
async fn requests_lookups_and_limits_are_counted_on_the_metrics_listener() {
    let config = Settings {
        addr: "127.0.0.1:0".parse().expect("an address"),
        metrics_addr: Some("127.0.0.1:0".parse().expect("an address")),
        database_url: support::fresh_url(None).await,
        demo: true,
        ..Settings::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(&config, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    tokio::spawn(serving);
    let base = format!("http://{}", listening.addr);
    let metrics = format!(
        "http://{}/metrics",
        listening.metrics.expect("a metrics listener")
    );
    for _ in 0..50 {
        if get(&format!("{base}/healthz")).await.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        get(&format!("{base}/api/v1/track/RA100000048RU")).await.0,
        200
    );
    assert_eq!(
        get(&format!("{base}/api/v1/track/ZZ999999995DE")).await.0,
        404
    );
    assert_eq!(
        get(&format!("{base}/api/v1/shops/nobody/track/RA100000048RU"))
            .await
            .0,
        404
    );
    // The metrics are not on the public listener.
    assert_eq!(get(&format!("{base}/metrics")).await.0, 404);
    let (status, scraped) = get(&metrics).await;
    assert_eq!(status, 200);
    for line in [
        "trackline_http_requests_total{route=\"/api/v1/track/{number}\",status=\"200\"} 1",
        "trackline_http_requests_total{route=\"/api/v1/track/{number}\",status=\"404\"} 1",
        "trackline_lookups_total{outcome=\"found\"} 1",
        "trackline_lookups_total{outcome=\"not_found\"} 1",
        "trackline_lookups_total{outcome=\"shop_not_found\"} 1",
    ] {
        assert!(scraped.lines().any(|l| l == line), "{line} in:\n{scraped}");
    }
    assert!(
        scraped.contains("trackline_http_request_duration_seconds_bucket{route=\"/api/v1/track/{number}\",le=\"0.005\"}"),
        "{scraped}"
    );
    let _ = stop.send(());
}
