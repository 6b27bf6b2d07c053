//! A hostile endpoint: one page of widgets, each asking a fault server about a number that
//! picks its misbehaviour. Every widget must end in a translated message or a correct
//! rendering; none may freeze, panic, run injected script or stay blank.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use trackline_e2e::{wait_until_within, Session};

/// Requests the fault server has answered, by number.
type Hits = Arc<Mutex<HashMap<String, u32>>>;

/// The widget's own time limit (`Config::default().timeout_ms`) and then some.
const SLOWEST: Duration = Duration::from_secs(45);

fn valid_body(number: &str) -> String {
    json!({"version": 1, "query": number, "shipments": [{
        "order_number": number, "stage": "in_transit", "status_text": "On its way",
        "events": [{"at": "2026-11-20T10:00:00Z", "stage": "in_transit", "text": "Left the warehouse"}]
    }]})
    .to_string()
}

/// Markup, handlers and URLs that would run script if any text or link were trusted.
const XSS: [&str; 8] = [
    "<script>window.__xss.push('script')</script>",
    "<img src=x onerror=\"window.__xss.push('img')\">",
    "<svg><animate onbegin=\"window.__xss.push('svg')\" attributeName=x dur=1s>",
    "javascript:window.__xss.push('js')",
    "  JaVaScRiPt:window.__xss.push('mixed')",
    "java\nscript:window.__xss.push('newline')",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3MucHVzaCgnZGF0YScpPC9zY3JpcHQ+",
    "vbscript:window.__xss.push('vb')",
];

/// A response whose every text and link is one of `XSS`.
pub fn xss_body() -> String {
    let pick = |i: usize| XSS[i % XSS.len()];
    let contacts: Vec<Value> = [
        "phone",
        "email",
        "telegram",
        "whatsapp",
        "vk",
        "help_center",
        "ticket",
        "chat",
    ]
    .iter()
    .enumerate()
    .map(|(i, kind)| json!({"kind": kind, "value": pick(i), "label": pick(i + 1)}))
    .collect();
    json!({"version": 1, "query": pick(0), "shipments": [{
        "order_number": pick(1), "shipment_number": pick(2), "tracking_number": pick(3),
        "stage": "ready_for_pickup", "status_text": pick(4), "updated_at": pick(5),
        "events": (0..8).map(|i| json!({"at": pick(i), "text": pick(i + 1), "location": pick(i + 2)})).collect::<Vec<_>>(),
        "estimated_delivery": {"from": pick(6), "to": pick(7)},
        "carrier": {"name": pick(0), "tracking_url": pick(3), "phone": pick(4)},
        "pickup_point": {"name": pick(1), "address": pick(2), "hours": pick(0), "pickup_code": pick(2),
                         "storage_until": pick(5), "map_url": pick(6)},
        "support": {"contacts": contacts,
                    "hours": {"time_zone": pick(0), "periods": [{"days": [pick(1)], "opens": pick(2), "closes": pick(3)}]}}
    }]})
    .to_string()
}

/// Valid JSON with values no sane endpoint sends (under the contract's 1 MB: a larger body is refused whole).
fn absurd_body() -> String {
    let long = "Ж".repeat(5_000);
    let events: Vec<Value> = (0..10_000)
        .map(|i| {
            json!({"at": format!("9999-12-{:02}T23:59:59Z", 1 + i % 28), "stage": "in_transit",
                   "text": if i % 10 == 0 { "📦🚚 في الطريق" } else { "" },
                   "location": if i % 10 == 5 { "תל אביב‏ 🇮🇱" } else { "" }})
        })
        .collect();
    json!({"version": 1, "query": "", "shipments": [{
        "order_number": "", "tracking_number": long, "stage": "in_transit", "status_text": long,
        "updated_at": "9999-12-31T23:59:59Z", "events": events,
        "estimated_delivery": {"from": "9999-12-30", "to": "9999-12-31"},
        "carrier": {"name": "\u{202e}ﺖﺳﻮﺑ 🐌", "tracking_url": ""},
        "pickup_point": {"name": "", "address": long, "pickup_code": "", "storage_until": "9999-12-31"},
        "support": {"contacts": [{"kind": "phone", "value": ""}, {"kind": "email", "value": long}]}
    }]})
    .to_string()
}

/// The host page: one widget per misbehaviour, and recorders for errors and injected script.
fn page(origin: &str, loader: &str, numbers: &[&str]) -> String {
    let widgets: String = numbers
        .iter()
        .map(|n| {
            format!(
                "<trackline-widget id=\"{id}\" lang=\"en\" number=\"{n}\" \
                 endpoint=\"{origin}/track/{{number}}\"></trackline-widget>\n",
                id = n.to_lowercase()
            )
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <script>window.__xss = []; window.__errors = [];\
           addEventListener('error', e => __errors.push(String(e.message)));\
           addEventListener('unhandledrejection', e => __errors.push(String(e.reason)));</script>\
         <title>Hostile endpoint</title></head><body>\
         <script type=\"module\" src=\"{loader}/trackline-widget.js\"></script>\n{widgets}</body></html>"
    )
}

async fn respond(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\ncache-control: no-store\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
}

const JSON: &str = "content-type: application/json\r\n";

async fn answer(mut stream: TcpStream, hits: Hits, page: Arc<String>) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16_384 {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let Some(number) = path.strip_prefix("/track/") else {
        return respond(
            &mut stream,
            "200 OK",
            "content-type: text/html; charset=utf-8\r\n",
            page.as_bytes(),
        )
        .await;
    };
    let number = number.to_owned();
    let count = {
        let mut hits = hits.lock().unwrap();
        let count = hits.entry(number.clone()).or_default();
        *count += 1;
        *count
    };
    let valid = valid_body(&number);
    match number.as_str() {
        "SLOW" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            respond(&mut stream, "200 OK", JSON, valid.as_bytes()).await;
        }
        "TRICKLE" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\n{JSON}content-length: {}\r\n\r\n",
                valid.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            for byte in valid.as_bytes() {
                if stream.write_all(&[*byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
        "THROTTLED" => {
            respond(
                &mut stream,
                "429 Too Many Requests",
                "retry-after: 120\r\n",
                b"{}",
            )
            .await
        }
        "PAUSED" if count == 1 => {
            respond(
                &mut stream,
                "429 Too Many Requests",
                "retry-after: 1\r\n",
                b"{}",
            )
            .await
        }
        "FLAKY" if count == 1 => {
            respond(&mut stream, "500 Internal Server Error", JSON, b"{}").await
        }
        "DOWN" => respond(&mut stream, "503 Service Unavailable", "", b"busy").await,
        "HTML" => {
            let html = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>";
            respond(&mut stream, "200 OK", "content-type: text/html\r\n", html).await
        }
        "TRUNCATED" => {
            respond(
                &mut stream,
                "200 OK",
                JSON,
                &valid.as_bytes()[..valid.len() / 2],
            )
            .await
        }
        "HUGE" => {
            // Chunked, so that no Content-Length warns the widget: it must stop at its own limit.
            let head = format!(
                "HTTP/1.1 200 OK\r\n{JSON}transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "[".repeat(64 * 1024));
            for _ in 0..160 {
                if stream.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
        "SHAPE" => {
            let body =
                br#"{"version":1,"shipments":{"stage":["in_transit"],"events":"yesterday"}}"#;
            respond(&mut stream, "200 OK", JSON, body).await
        }
        "ABSURD" => respond(&mut stream, "200 OK", JSON, absurd_body().as_bytes()).await,
        "XSS" => respond(&mut stream, "200 OK", JSON, xss_body().as_bytes()).await,
        _ => respond(&mut stream, "200 OK", JSON, valid.as_bytes()).await,
    }
}

/// Starts the fault server; returns its origin and the hit counter.
async fn fault_server(loader: String, numbers: &'static [&'static str]) -> (String, Hits) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let origin = format!("http://{}", listener.local_addr().expect("its address"));
    let page = Arc::new(page(&origin, &loader, numbers));
    let hits: Hits = Arc::default();
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, counter.clone(), page.clone()));
        }
    });
    (origin, hits)
}

/// What a widget ended in: `failure:<code>`, `status:<stage>`, or `None` while it is still busy.
async fn outcome(page: &Session, id: &str) -> Option<String> {
    let script = format!(
        "const root = document.getElementById('{id}')?.shadowRoot; if (!root) return null; \
         const failure = root.querySelector('[data-testid=failure]'); \
         if (failure) return 'failure:' + failure.dataset.failure; \
         const shipment = root.querySelector('[data-testid=shipment]'); \
         return shipment ? 'status:' + shipment.dataset.stage : null;"
    );
    page.eval(&script).await.as_str().map(str::to_owned)
}

async fn settled(page: &Session, id: &str) -> String {
    wait_until_within(SLOWEST, || outcome(page, id))
        .await
        .unwrap_or_else(|| panic!("the widget for {id} never settled"))
}

async fn shadow(page: &Session, id: &str, script: &str) -> Value {
    page.eval(&format!(
        "const root = document.getElementById('{id}').shadowRoot; {script}"
    ))
    .await
}

const NUMBERS: &[&str] = &[
    "SLOW",
    "TRICKLE",
    "THROTTLED",
    "PAUSED",
    "FLAKY",
    "DOWN",
    "HTML",
    "TRUNCATED",
    "HUGE",
    "SHAPE",
    "ABSURD",
    "XSS",
];

#[tokio::test]
async fn a_hostile_endpoint_ends_every_lookup_in_words_or_a_status() {
    let page = Session::start().await;
    let (origin, counter) = fault_server(page.origin().to_owned(), NUMBERS).await;
    page.client
        .goto(&format!("{origin}/"))
        .await
        .expect("the page loads");

    let expected = [
        ("paused", "status:in_transit"),
        ("flaky", "status:in_transit"),
        ("throttled", "failure:rate_limited"),
        ("down", "failure:server"),
        ("html", "failure:not_the_contract"),
        ("truncated", "failure:not_the_contract"),
        ("huge", "failure:not_the_contract"),
        ("shape", "failure:not_the_contract"),
        ("absurd", "status:in_transit"),
        ("xss", "status:ready_for_pickup"),
        ("slow", "failure:timeout"),
        ("trickle", "failure:timeout"),
    ];
    for (id, wanted) in expected {
        assert_eq!(settled(&page, id).await, wanted, "the widget for {id}");
        let message = shadow(&page, id, "return root.querySelector('[data-testid=failure-message], [data-testid=headline]')?.textContent ?? ''").await;
        assert!(
            message
                .as_str()
                .is_some_and(|m| m.trim().len() > 3 && !m.contains('{')),
            "{id} says {message}"
        );
    }

    // Retries are bounded, and a short Retry-After is waited for in silence.
    let hits = counter.lock().unwrap().clone();
    assert_eq!(hits.get("FLAKY"), Some(&2), "one retry mends a 500");
    assert_eq!(
        hits.get("PAUSED"),
        Some(&2),
        "a one-second Retry-After is honoured"
    );
    assert_eq!(
        hits.get("DOWN"),
        Some(&3),
        "503 forever stops after three tries"
    );
    assert_eq!(
        hits.get("THROTTLED"),
        Some(&1),
        "a two-minute Retry-After is told, not waited"
    );
    assert_eq!(
        hits.get("HTML"),
        Some(&1),
        "an answer that is not the contract is final"
    );
    let wait = shadow(
        &page,
        "throttled",
        "return root.querySelector('[data-testid=failure-message]').textContent",
    )
    .await;
    assert!(wait.as_str().is_some_and(|m| m.contains("120")), "{wait}");

    // Absurd values render: the newest three of 10 000 events, the rest on request, nothing wider than the phone.
    let absurd = shadow(
        &page,
        "absurd",
        "return [root.querySelectorAll('[data-testid=event]').length, \
        root.querySelector('[data-testid=history-toggle]').textContent, \
        root.querySelector('[data-testid=widget]').scrollWidth <= root.host.clientWidth]",
    )
    .await;
    assert_eq!(absurd[0], json!(3), "{absurd}");
    assert!(
        absurd[1]
            .as_str()
            .is_some_and(|t| t.contains("9,997") || t.contains("9997")),
        "{absurd}"
    );
    assert_eq!(
        absurd[2],
        json!(true),
        "a 5 000-letter word overflows: {absurd}"
    );

    // No injected script ran, no dangerous link was rendered, nothing panicked or threw.
    assert_eq!(page.eval("return window.__xss").await, json!([]));
    let links = shadow(
        &page,
        "xss",
        "return [...root.querySelectorAll('a')].map(a => a.getAttribute('href'))",
    )
    .await;
    for href in links.as_array().into_iter().flatten() {
        let href = href.as_str().unwrap_or_default().to_lowercase();
        assert!(
            ["https:", "http:", "tel:", "mailto:"]
                .iter()
                .any(|s| href.starts_with(s)),
            "rendered link {href}"
        );
    }
    assert_eq!(page.eval("return window.__errors").await, json!([]));

    // The page still answers: a widget that failed can look again.
    shadow(
        &page,
        "html",
        "root.querySelector('[data-testid=retry]').click(); return true",
    )
    .await;
    let again = wait_until_within(SLOWEST, || async {
        (counter.lock().unwrap().get("HTML") == Some(&2)).then_some(())
    })
    .await;
    assert!(again.is_some(), "the retry never asked again");
    assert_eq!(settled(&page, "html").await, "failure:not_the_contract");
    page.close().await;
}

#[test]
fn the_absurd_answer_fits_the_contracts_size_limit() {
    assert!(absurd_body().len() < trackline_core::contract::MAX_BODY_BYTES);
}
