//! The OpenAPI document against the server: the checked-in `docs/openapi.json` is the one the
//! handlers generate; every answer the server gives in this walk through both APIs matches the
//! documented schema for its path, method and status, and every documented answer is given at
//! least once (but the two races noted below).

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, Request};
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;
use support::{request, send};
use trackline_server::http::members::new_invitation;
use trackline_server::http::state::LookupLimits;
use trackline_server::limiter::RateLimit;
use trackline_server::ozon::{OzonClient, PullRetries};
use trackline_server::store::members::Role;
use trackline_server::{demo, AppState};

mod support;

fn openapi() -> Value {
    serde_json::from_str(trackline_server::http::openapi::json()).expect("the document is JSON")
}

/// Validates `body` against a schema of the document, its references resolved in the document.
fn validate(doc: &Value, schema: &Value, body: &Value, what: &str) {
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    let validator = jsonschema::options()
        .build(&root)
        .unwrap_or_else(|e| panic!("{what}: the schema does not build: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{body}");
}

#[test]
fn the_checked_in_document_is_the_generated_one() {
    let checked_in = include_str!("../../docs/openapi.json");
    assert!(
        checked_in == trackline_server::http::openapi::json(),
        "docs/openapi.json is stale: run `cargo xtask codegen` to write it again"
    );
}

// Regression: the token handlers were named like the webhook ones (`list`), and utoipa takes a
// handler's name for its operationId: two operations shared one, which clients generated from the
// document cannot tell apart (Redocly's linter failed the test command on it).
#[test]
fn every_operation_has_its_own_id() {
    let doc = openapi();
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .filter_map(Value::as_object)
        .flat_map(|operations| operations.values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "an operationId is used twice: {ids:?}");
}

/// A request whose body is `text` as it is, JSON or not.
fn text_request(
    method: Method,
    uri: &str,
    authorization: &str,
    text: &'static str,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", authorization)
        .body(Body::from(text))
        .expect("a request the test wrote")
}

struct Walk {
    app: Router,
    doc: Value,
    seen: BTreeSet<(String, String, String)>,
}

impl Walk {
    /// Sends a body that is not JSON and checks it is refused with 400, as documented.
    async fn not_json(
        &mut self,
        method: Method,
        template: &str,
        uri: &str,
        authorization: &str,
        text: &'static str,
    ) {
        let method_name = method.as_str().to_ascii_lowercase();
        let reply = send(&self.app, text_request(method, uri, authorization, text)).await;
        assert_eq!(
            reply.status, 400,
            "{method_name} {uri} with a body that is not JSON"
        );
        self.seen
            .insert((template.to_owned(), method_name, "400".into()));
    }

    /// Sends a request and checks its answer against the document; `template` is the documented path.
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let request = request(method.clone(), uri, headers, body.as_ref());
        self.call_with(method, template, uri, request).await
    }

    /// [`Walk::call`] with a body of bytes (a file) under `content_type`.
    async fn call_file(
        &mut self,
        template: &str,
        uri: &str,
        authorization: &str,
        content_type: &str,
        file: Vec<u8>,
    ) -> (u16, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("authorization", authorization)
            .header("content-type", content_type)
            .body(Body::from(file))
            .expect("a request the test wrote");
        self.call_with(Method::POST, template, uri, request).await
    }

    async fn call_with(
        &mut self,
        method: Method,
        template: &str,
        uri: &str,
        request: Request<Body>,
    ) -> (u16, Value) {
        let reply = send(&self.app, request).await;
        let status = reply.status.as_u16();
        let content_type = reply
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = reply.text.as_bytes();
        let method_name = method.as_str().to_ascii_lowercase();
        let what = format!("{method} {uri} → {status}");
        let documented =
            &self.doc["paths"][template][&method_name]["responses"][status.to_string()];
        assert!(documented.is_object(), "{what}: not in docs/openapi.json");
        let parsed = reply.json();
        match documented["content"].as_object() {
            Some(content) if content.contains_key("application/json") => {
                assert!(
                    content_type.starts_with("application/json"),
                    "{what}: {content_type}"
                );
                let schema = content["application/json"]["schema"].clone();
                validate(&self.doc, &schema, &parsed, &what);
            }
            Some(content) => assert!(
                content.keys().any(|k| content_type.starts_with(k.as_str())),
                "{what}: {content_type}"
            ),
            None => assert!(bytes.is_empty(), "{what}: a body where none is documented"),
        }
        self.seen
            .insert((template.to_owned(), method_name, status.to_string()));
        (status, parsed)
    }
}

#[tokio::test]
async fn every_answer_matches_the_document_and_every_documented_answer_is_given() {
    let doc = openapi();
    let store = support::fresh_store().await;
    demo::seed_if_empty(&store).await.unwrap();
    let (walker, token) = store.add_seller("Walk").await.unwrap();
    let (ozon_base, _) = support::fake_ozon::start_fake().await;
    let quick = PullRetries {
        attempts: 2,
        base: Duration::from_millis(1),
        max_wait: Duration::from_millis(5),
    };
    let ozon = OzonClient::new(&ozon_base, Duration::from_secs(60), quick);
    let signing = trackline_server::Settings {
        secret_key: Some(support::test_secret_key()),
        allow_private_push: true,
        push_services: trackline_server::push::services::PushServices::parse(["127.0.0.1"])
            .unwrap(),
        ..trackline_server::Settings::default()
    };
    let keyless = support::state(&store);
    let app = trackline_server::app(AppState {
        ozon,
        limits: LookupLimits::new(RateLimit {
            per_minute: 60,
            burst: 30,
        }),
        push_limit: trackline_server::limiter::Limiter::new(RateLimit {
            per_minute: 60,
            burst: 20,
        }),
        // The short path answers for the demo seller that asks for a second factor, so that it
        // gives every answer the scoped path gives.
        default_seller: Some(demo::GUARDED_SELLER.to_owned()),
        ..AppState::new(store.clone(), &signing)
    })
    .layer(MockConnectInfo(std::net::SocketAddr::from((
        [192, 0, 2, 50],
        1,
    ))));
    let mut walk = Walk {
        app,
        doc: doc.clone(),
        seen: BTreeSet::new(),
    };
    let auth = format!("Bearer {token}");
    let bearer = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];

    // The public lookup, of a seller and on the short path (the default seller's alias).
    let for_seller = "/api/v1/shops/{shop}/track/{number}";
    let track = "/api/v1/track/{number}";
    let demo = format!("/api/v1/shops/{}/track", demo::DEMO_SELLER);
    let guarded = format!("/api/v1/shops/{}/track", demo::GUARDED_SELLER);
    let answered = format!("/api/v1/track/{}", demo::GUARDED_ORDER);
    let reply = [("trackline-check", demo::GUARDED_PHONE_LAST4)];
    for (template, found, current, headers) in [
        (
            for_seller,
            format!("{demo}/RA100000048RU"),
            format!("{demo}/1000000007"),
            &[][..],
        ),
        (track, answered.clone(), answered.clone(), &reply[..]),
    ] {
        walk.call(Method::GET, template, &found, headers, None)
            .await;
        let etag = send(&walk.app, request(Method::GET, &current, headers, None))
            .await
            .headers[header::ETAG]
            .to_str()
            .unwrap()
            .to_owned();
        let mut conditional = headers.to_vec();
        conditional.push(("if-none-match", &etag));
        walk.call(Method::GET, template, &current, &conditional, None)
            .await;
    }
    // A reply in the URL, where logs keep it, is refused.
    walk.call(
        Method::GET,
        track,
        &format!("{answered}?check={}", demo::GUARDED_PHONE_LAST4),
        &[],
        None,
    )
    .await;
    for (template, uri) in [
        (for_seller, format!("{demo}/%3Cscript%3E")),
        (for_seller, format!("{demo}/ZZ999999995DE")),
        (
            for_seller,
            "/api/v1/shops/nobody/track/RA100000048RU".to_owned(),
        ),
        (for_seller, format!("{guarded}/{}", demo::GUARDED_ORDER)),
        (track, "/api/v1/track/%3Cscript%3E".to_owned()),
        (track, "/api/v1/track/ZZ999999995DE".to_owned()),
        (track, format!("/api/v1/track/{}", demo::GUARDED_ORDER)),
    ] {
        walk.call(Method::GET, template, &uri, &[], None).await;
    }
    // Buyers' notifications: the key, subscribing and ending it, of a seller and on the short path.
    let service = support::fake_push::FakePush::start().await;
    let (_, browser) = service.subscribe("walk");
    let json_body = [("content-type", "application/json")];
    walk.call(
        Method::GET,
        "/api/v1/push/key",
        "/api/v1/push/key",
        &[],
        None,
    )
    .await;
    let push_for_seller = "/api/v1/shops/{shop}/track/{number}/push";
    let push = "/api/v1/track/{number}/push";
    let mut bad_keys = browser.clone();
    bad_keys["keys"]["auth"] = json!("short");
    let asked = |subscription: &Value| json!({"subscription": subscription, "lang": "ru"});
    let answered_push = json!({"subscription": browser, "check": demo::GUARDED_PHONE_LAST4});
    for (template, uri, body) in [
        (
            push_for_seller,
            format!("{demo}/RA100000048RU/push"),
            asked(&browser),
        ),
        (
            push_for_seller,
            format!("{demo}/%3Cscript%3E/push"),
            asked(&browser),
        ),
        (
            push_for_seller,
            format!("{guarded}/{}/push", demo::GUARDED_ORDER),
            asked(&browser),
        ),
        (
            push_for_seller,
            format!("{demo}/ZZ999999995DE/push"),
            asked(&browser),
        ),
        (
            push_for_seller,
            format!("{demo}/RA100000048RU/push"),
            asked(&bad_keys),
        ),
        (
            push,
            format!("/api/v1/track/{}/push", demo::GUARDED_ORDER),
            answered_push.clone(),
        ),
        (
            push,
            "/api/v1/track/%3Cscript%3E/push".to_owned(),
            asked(&browser),
        ),
        (
            push,
            format!("/api/v1/track/{}/push", demo::GUARDED_ORDER),
            asked(&browser),
        ),
        (
            push,
            "/api/v1/track/ZZ999999995DE/push".to_owned(),
            asked(&browser),
        ),
        (
            push,
            format!("/api/v1/track/{}/push", demo::GUARDED_ORDER),
            asked(&bad_keys),
        ),
    ] {
        walk.call(Method::PUT, template, &uri, &json_body, Some(body))
            .await;
    }
    let ending = json!({"endpoint": browser["endpoint"]});
    for (template, uri, body) in [
        (
            push_for_seller,
            format!("{demo}/RA100000048RU/push"),
            ending.clone(),
        ),
        (
            push_for_seller,
            format!("{demo}/%3Cscript%3E/push"),
            ending.clone(),
        ),
        (
            push_for_seller,
            "/api/v1/shops/nobody/track/RA100000048RU/push".to_owned(),
            ending.clone(),
        ),
        (
            push_for_seller,
            format!("{demo}/RA100000048RU/push"),
            json!({"url": "x"}),
        ),
        (
            push,
            format!("/api/v1/track/{}/push", demo::GUARDED_ORDER),
            ending.clone(),
        ),
        (
            push,
            "/api/v1/track/%3Cscript%3E/push".to_owned(),
            ending.clone(),
        ),
        (
            push,
            format!("/api/v1/track/{}/push", demo::GUARDED_ORDER),
            json!({"url": "x"}),
        ),
    ] {
        walk.call(Method::DELETE, template, &uri, &json_body, Some(body))
            .await;
    }
    // A subscription the push service replaced: moved, or not one a message could reach.
    let renew = "/api/v1/push/renew";
    let (_, renewed) = service.subscribe("walk-renewed");
    let renewal = json!({"endpoint": browser["endpoint"], "subscription": renewed});
    for body in [
        renewal.clone(),
        json!({"endpoint": browser["endpoint"], "subscription": bad_keys}),
    ] {
        walk.call(Method::POST, renew, renew, &json_body, Some(body))
            .await;
    }
    let mut status = 0;
    for _ in 0..40 {
        status = walk
            .call(
                Method::POST,
                renew,
                renew,
                &json_body,
                Some(renewal.clone()),
            )
            .await
            .0;
        if status == 429 {
            break;
        }
    }
    assert_eq!(status, 429, "renewing is never limited");
    // Past the limit, each route answers 429.
    for (template, uri) in [
        (push_for_seller, format!("{demo}/RA100000048RU/push")),
        (push, format!("/api/v1/track/{}/push", demo::GUARDED_ORDER)),
    ] {
        for method in [Method::PUT, Method::DELETE] {
            let body = if method == Method::PUT {
                answered_push.clone()
            } else {
                ending.clone()
            };
            let mut status = 0;
            for _ in 0..40 {
                status = walk
                    .call(
                        method.clone(),
                        template,
                        &uri,
                        &json_body,
                        Some(body.clone()),
                    )
                    .await
                    .0;
                if status == 429 {
                    break;
                }
            }
            assert_eq!(status, 429, "{method} {uri} is never limited");
        }
    }
    // A server without a secret key sends no notifications.
    let keyless_app = std::mem::replace(&mut walk.app, trackline_server::app(keyless));
    walk.call(
        Method::GET,
        "/api/v1/push/key",
        "/api/v1/push/key",
        &[],
        None,
    )
    .await;
    walk.call(Method::POST, renew, renew, &json_body, Some(renewal))
        .await;
    walk.app = keyless_app;

    walk.call(Method::GET, "/healthz", "/healthz", &[], None)
        .await;
    walk.call(Method::GET, "/readyz", "/readyz", &[], None)
        .await;
    walk.call(
        Method::GET,
        "/api/openapi.json",
        "/api/openapi.json",
        &[],
        None,
    )
    .await;

    // The seller API.
    let shipment = "/api/v1/seller/shipments/{reference}";
    let events = "/api/v1/seller/shipments/{reference}/events";
    let settings = "/api/v1/seller/settings";
    let parcel = json!({"order_number": "6600000001", "stage": "packed", "buyer_check": {"phone": "+7 900 555 11 22"}});
    let list = "/api/v1/seller/shipments";
    for (uri, headers) in [
        (list, &bearer[..]),
        (list, &[][..]),
        ("/api/v1/seller/shipments?stage=nope", &bearer[..]),
    ] {
        walk.call(Method::GET, list, uri, headers, None).await;
    }
    let bulk = json!([{"reference": "w-9", "order_number": "6600000009", "stage": "packed"}]);
    walk.call(Method::PUT, list, list, &[], Some(bulk.clone()))
        .await;
    walk.call(Method::PUT, list, list, &bearer, Some(bulk))
        .await;
    walk.call(
        Method::PUT,
        list,
        list,
        &bearer,
        Some(json!([{"reference": "w 9", "stage": "packed"}])),
    )
    .await;
    walk.not_json(Method::PUT, list, list, &auth, "[").await;

    // What needs attention, and a shipment's activity.
    let attention = "/api/v1/seller/attention";
    let activity = "/api/v1/seller/shipments/{reference}/activity";
    for headers in [&bearer[..], &[][..]] {
        walk.call(Method::GET, attention, attention, headers, None)
            .await;
    }
    // The seller's insights.
    let insights = "/api/v1/seller/insights";
    for (uri, headers) in [
        (insights, &bearer[..]),
        ("/api/v1/seller/insights?days=7", &bearer[..]),
        (insights, &[][..]),
        ("/api/v1/seller/insights?days=365", &bearer[..]),
    ] {
        walk.call(Method::GET, insights, uri, headers, None).await;
    }
    for (uri, headers) in [
        ("/api/v1/seller/shipments/w-9/activity", &bearer[..]),
        ("/api/v1/seller/shipments/w-9/activity", &[][..]),
        ("/api/v1/seller/shipments/nothing/activity", &bearer[..]),
    ] {
        walk.call(Method::GET, activity, uri, headers, None).await;
    }
    // Rows an older version stored, more than a list fills at once: not ready (503) three times.
    let old: Vec<String> = (0..1_502)
        .map(|n| format!("({}, {}, 'in_transit')", 9_000_000 + n, walker.0))
        .collect();
    sqlx::query(&format!(
        "INSERT INTO shipments (id, seller_id, stage) VALUES {}",
        old.join(", ")
    ))
    .execute(store.pool())
    .await
    .unwrap();
    walk.call(Method::GET, list, list, &bearer, None).await;
    walk.call(Method::GET, attention, attention, &bearer, None)
        .await;
    walk.call(Method::GET, insights, insights, &bearer, None)
        .await;
    walk.call(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &[],
        Some(parcel.clone()),
    )
    .await;
    walk.call(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &bearer,
        Some(parcel.clone()),
    )
    .await;
    walk.call(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &bearer,
        Some(parcel.clone()),
    )
    .await;
    walk.call(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-2",
        &bearer,
        Some(json!({"stage": "packed"})),
    )
    .await;
    walk.not_json(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-3",
        &auth,
        "{",
    )
    .await;
    walk.call(
        Method::PATCH,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &bearer,
        Some(json!({"stage": "handed_over"})),
    )
    .await;
    walk.call(
        Method::PATCH,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &bearer,
        Some(json!({"events": []})),
    )
    .await;
    walk.call(
        Method::PATCH,
        shipment,
        "/api/v1/seller/shipments/nobody",
        &bearer,
        Some(json!({})),
    )
    .await;
    walk.call(
        Method::PATCH,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &[],
        Some(json!({})),
    )
    .await;
    walk.not_json(
        Method::PATCH,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &auth,
        "{",
    )
    .await;
    walk.call(
        Method::GET,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::GET,
        shipment,
        "/api/v1/seller/shipments/nobody",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::GET,
        shipment,
        "/api/v1/seller/shipments/w-1",
        &[],
        None,
    )
    .await;
    let event = json!({"at": "2026-11-21T10:00:00+03:00", "stage": "handed_over", "text": "Handed over", "location": "Tver"});
    let keyed = [bearer[0], bearer[1], ("idempotency-key", "walk-1")];
    walk.call(
        Method::POST,
        events,
        "/api/v1/seller/shipments/w-1/events",
        &keyed,
        Some(event.clone()),
    )
    .await;
    walk.call(
        Method::POST,
        events,
        "/api/v1/seller/shipments/w-1/events",
        &keyed,
        Some(event.clone()),
    )
    .await;
    walk.call(
        Method::POST,
        events,
        "/api/v1/seller/shipments/w-1/events",
        &keyed,
        Some(json!({"events": [event.clone()]})),
    )
    .await;
    walk.call(
        Method::POST,
        events,
        "/api/v1/seller/shipments/w-1/events",
        &[bearer[0], ("idempotency-key", "")],
        Some(event.clone()),
    )
    .await;
    walk.call(
        Method::POST,
        events,
        "/api/v1/seller/shipments/nobody/events",
        &bearer,
        Some(event.clone()),
    )
    .await;
    walk.call(
        Method::POST,
        events,
        "/api/v1/seller/shipments/w-1/events",
        &[],
        Some(event),
    )
    .await;
    walk.call(
        Method::GET,
        settings,
        "/api/v1/seller/settings",
        &bearer,
        None,
    )
    .await;
    walk.call(Method::GET, settings, "/api/v1/seller/settings", &[], None)
        .await;
    walk.call(
        Method::PUT,
        settings,
        "/api/v1/seller/settings",
        &bearer,
        Some(json!({"order_check": "phone_last4"})),
    )
    .await;
    walk.call(
        Method::PUT,
        settings,
        "/api/v1/seller/settings",
        &bearer,
        Some(json!({"order_check": "shoe size"})),
    )
    .await;
    walk.call(
        Method::PUT,
        settings,
        "/api/v1/seller/settings",
        &[],
        Some(json!({})),
    )
    .await;
    walk.not_json(Method::PUT, settings, settings, &auth, "nope")
        .await;
    // Ozon, through the local fake.
    let keys = "/api/v1/seller/ozon";
    let pull = "/api/v1/seller/ozon/postings/{posting_number}";
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        &bearer,
        None,
    )
    .await;
    walk.call(Method::PUT, keys, keys, &[], Some(json!(null)))
        .await;
    walk.call(
        Method::PUT,
        keys,
        keys,
        &bearer,
        Some(json!({"client_id": "abc", "api_key": "k"})),
    )
    .await;
    walk.not_json(Method::PUT, keys, keys, &auth, "{").await;
    walk.call(
        Method::PUT,
        keys,
        keys,
        &bearer,
        Some(json!({"client_id": "123456", "api_key": "wrong"})),
    )
    .await;
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        &bearer,
        None,
    )
    .await;
    let fake = support::fake_ozon::API_KEY;
    walk.call(
        Method::PUT,
        keys,
        keys,
        &bearer,
        Some(json!({"client_id": "123456", "api_key": fake})),
    )
    .await;
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/99999999-0001-1",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/44444444-0001-1",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::POST,
        pull,
        "/api/v1/seller/ozon/postings/11111111-0001-1",
        &[],
        None,
    )
    .await;

    // Webhooks: subscribe, list, a delivery queued by a change, its log and replay, rotate, end.
    let hooks = "/api/v1/seller/webhooks";
    let hook = "/api/v1/seller/webhooks/{id}";
    let rotate = "/api/v1/seller/webhooks/{id}/rotate";
    let log = "/api/v1/seller/webhooks/{id}/deliveries";
    let replay = "/api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay";
    let subscription = json!({"url": "https://walk.example/hook", "events": ["status_changed"]});
    let (_, made) = walk
        .call(
            Method::POST,
            hooks,
            hooks,
            &bearer,
            Some(subscription.clone()),
        )
        .await;
    let id = made["id"].as_str().unwrap_or_default().to_owned();
    walk.call(Method::POST, hooks, hooks, &[], Some(subscription.clone()))
        .await;
    walk.call(
        Method::POST,
        hooks,
        hooks,
        &bearer,
        Some(json!({"url": "https://walk.example/hook", "events": ["shipped"]})),
    )
    .await;
    walk.not_json(Method::POST, hooks, hooks, &auth, "{").await;
    walk.call(Method::GET, hooks, hooks, &bearer, None).await;
    walk.call(Method::GET, hooks, hooks, &[], None).await;
    walk.call(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-hook",
        &bearer,
        Some(json!({"stage": "in_transit", "tracking_number": "RA500000018RU"})),
    )
    .await;
    let own_log = format!("{hooks}/{id}/deliveries");
    let (_, logged) = walk.call(Method::GET, log, &own_log, &bearer, None).await;
    let delivery = logged["deliveries"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    walk.call(Method::GET, log, &own_log, &[], None).await;
    walk.call(
        Method::GET,
        log,
        &format!("{hooks}/1/deliveries"),
        &bearer,
        None,
    )
    .await;
    for (headers, uri) in [
        (
            &bearer[..],
            format!("{hooks}/{id}/deliveries/{delivery}/replay"),
        ),
        (
            &[][..],
            format!("{hooks}/{id}/deliveries/{delivery}/replay"),
        ),
        (&bearer[..], format!("{hooks}/{id}/deliveries/1/replay")),
    ] {
        walk.call(Method::POST, replay, &uri, headers, None).await;
    }
    for (headers, uri) in [
        (&bearer[..], format!("{hooks}/{id}/rotate")),
        (&[][..], format!("{hooks}/{id}/rotate")),
        (&bearer[..], format!("{hooks}/1/rotate")),
    ] {
        walk.call(Method::POST, rotate, &uri, headers, None).await;
    }
    for (headers, uri) in [
        (&[][..], format!("{hooks}/{id}")),
        (&bearer[..], format!("{hooks}/{id}")),
        (&bearer[..], format!("{hooks}/{id}")),
    ] {
        walk.call(Method::DELETE, hook, &uri, headers, None).await;
    }
    // A shipment deleted: by its seller, then again (gone), and without a token.
    walk.call(
        Method::PUT,
        shipment,
        "/api/v1/seller/shipments/w-gone",
        &bearer,
        Some(json!({"stage": "packed", "order_number": "6600000099"})),
    )
    .await;
    for headers in [&[][..], &bearer[..], &bearer[..]] {
        walk.call(
            Method::DELETE,
            shipment,
            "/api/v1/seller/shipments/w-gone",
            headers,
            None,
        )
        .await;
    }

    // The seller's tokens: made, listed, revoked; the last one kept.
    let tokens = "/api/v1/seller/tokens";
    let one_token = "/api/v1/seller/tokens/{id}";
    let (_, made) = walk
        .call(
            Method::POST,
            tokens,
            tokens,
            &bearer,
            Some(json!({"name": "walk ci"})),
        )
        .await;
    let made = made["id"].as_str().unwrap_or_default().to_owned();
    walk.call(
        Method::POST,
        tokens,
        tokens,
        &[],
        Some(json!({"name": "x"})),
    )
    .await;
    walk.call(
        Method::POST,
        tokens,
        tokens,
        &bearer,
        Some(json!({"name": ""})),
    )
    .await;
    walk.not_json(Method::POST, tokens, tokens, &auth, "{")
        .await;
    walk.call(Method::GET, tokens, tokens, &[], None).await;
    for headers in [&[][..], &bearer[..], &bearer[..]] {
        walk.call(
            Method::DELETE,
            one_token,
            &format!("{tokens}/{made}"),
            headers,
            None,
        )
        .await;
    }
    let (_, listed) = walk.call(Method::GET, tokens, tokens, &bearer, None).await;
    let last = listed["tokens"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    walk.call(
        Method::DELETE,
        one_token,
        &format!("{tokens}/{last}"),
        &bearer,
        None,
    )
    .await;

    // Providers: the seller's keys for a provider, and a shipment's source.
    let keys = "/api/v1/seller/sources/{provider}";
    let own_keys = "/api/v1/seller/sources/russian_post";
    let login = json!({"login": "walk", "password": "walk"});
    walk.call(Method::PUT, keys, own_keys, &bearer, Some(login.clone()))
        .await;
    walk.call(Method::PUT, keys, own_keys, &[], Some(login.clone()))
        .await;
    walk.call(
        Method::PUT,
        keys,
        "/api/v1/seller/sources/pigeon_post",
        &bearer,
        Some(login.clone()),
    )
    .await;
    walk.call(
        Method::PUT,
        keys,
        own_keys,
        &bearer,
        Some(json!({"login": "", "password": "x"})),
    )
    .await;
    walk.not_json(Method::PUT, keys, own_keys, &auth, "{").await;
    let source = "/api/v1/seller/shipments/{reference}/source";
    let own_source = "/api/v1/seller/shipments/w-hook/source";
    walk.call(
        Method::PUT,
        source,
        own_source,
        &bearer,
        Some(json!({"provider": null})),
    )
    .await;
    walk.call(
        Method::PUT,
        source,
        own_source,
        &[],
        Some(json!({"provider": null})),
    )
    .await;
    walk.call(
        Method::PUT,
        source,
        "/api/v1/seller/shipments/nowhere/source",
        &bearer,
        Some(json!({"provider": null})),
    )
    .await;
    walk.call(
        Method::PUT,
        source,
        own_source,
        &bearer,
        Some(json!({"provider": "pigeon_post"})),
    )
    .await;
    walk.not_json(Method::PUT, source, own_source, &auth, "{")
        .await;
    // 17TRACK's webhook, called for the seller, signed with the seller's 17TRACK key.
    walk.call(
        Method::PUT,
        keys,
        "/api/v1/seller/sources/seventeen_track",
        &bearer,
        Some(json!({"api_key": "walk-key"})),
    )
    .await;
    let webhook = "/api/v1/sources/seventeen_track/push/{shop}";
    let own_webhook = "/api/v1/sources/seventeen_track/push/walk";
    let sign = |body: &Value| {
        trackline_server::store::sellers::sha256_hex(format!("{body}/walk-key").as_bytes())
    };
    let stopped = json!({"event": "TRACKING_STOPPED", "data": {"number": "LP00123456789012"}});
    let not_a_call = json!({"hello": "17TRACK"});
    for (body, sign) in [
        (stopped.clone(), sign(&stopped)),
        (stopped, "00".to_owned()),
        (not_a_call.clone(), sign(&not_a_call)),
    ] {
        let headers = [
            ("content-type", "application/json"),
            ("sign", sign.as_str()),
        ];
        walk.call(Method::POST, webhook, own_webhook, &headers, Some(body))
            .await;
    }

    // A server with no secret key keeps no webhook secrets, nor carriers' keys.
    let keyless = trackline_server::Store::open("sqlite::memory:")
        .await
        .unwrap();
    let (_, keyless_token) = keyless.add_seller("Keyless").await.unwrap();
    let keyless_auth = format!("Bearer {keyless_token}");
    let keyless_bearer = [
        ("authorization", keyless_auth.as_str()),
        ("content-type", "application/json"),
    ];
    let keyed = std::mem::replace(&mut walk.app, support::app(&keyless));
    walk.call(
        Method::POST,
        hooks,
        hooks,
        &keyless_bearer,
        Some(subscription),
    )
    .await;
    walk.call(
        Method::POST,
        rotate,
        &format!("{hooks}/1/rotate"),
        &keyless_bearer,
        None,
    )
    .await;
    walk.call(Method::PUT, keys, own_keys, &keyless_bearer, Some(login))
        .await;
    walk.app = keyed;

    walk_key_checks(&mut walk, &store).await;
    walk_sessions_on_the_older_routes(&mut walk, &store).await;
    walk_console(&mut walk, &store, &auth).await;

    // Too many wrong second factors of the walk's own seller, then too many lookups of each path.
    for _ in 0..11 {
        walk.call(
            Method::GET,
            for_seller,
            "/api/v1/shops/walk/track/6600000001",
            &[("trackline-check", "0000")],
            None,
        )
        .await;
    }
    for _ in 0..40 {
        walk.call(
            Method::GET,
            for_seller,
            &format!("{demo}/RA100000048RU"),
            &[],
            None,
        )
        .await;
        walk.call(Method::GET, track, "/api/v1/track/ZZ999999995DE", &[], None)
            .await;
    }
    // Imports and the export: a file previewed, applied, its progress read; another's id.
    let imports = "/api/v1/seller/imports";
    let csv = "Номер заказа;Статус\n6600000077;Доставлен\n6600000078;Непонятно\n";
    walk.call_file(imports, imports, "Bearer nope", "text/csv", csv.into())
        .await;
    let (_, preview) = walk
        .call_file(imports, imports, &auth, "text/csv", csv.into())
        .await;
    let mut large = vec![b'a'; trackline_server::import::MAX_FILE_BYTES + 1];
    walk.call_file(
        imports,
        imports,
        &auth,
        "text/csv",
        std::mem::take(&mut large),
    )
    .await;
    walk.call_file(imports, imports, &auth, "application/json", b"{}".to_vec())
        .await;
    walk.call_file(
        imports,
        imports,
        &auth,
        "text/csv",
        b"\xff\xfe\x00".to_vec(),
    )
    .await;
    let id = preview["id"].as_str().unwrap_or_default().to_owned();
    let (progress, apply) = (
        "/api/v1/seller/imports/{id}",
        "/api/v1/seller/imports/{id}/apply",
    );
    for (headers, id) in [
        (&[][..], id.as_str()),
        (&bearer[..], "1"),
        (&bearer[..], id.as_str()),
    ] {
        let uri = format!("/api/v1/seller/imports/{id}");
        walk.call(Method::POST, apply, &format!("{uri}/apply"), headers, None)
            .await;
        walk.call(Method::GET, progress, &uri, headers, None).await;
    }
    let export = "/api/v1/seller/shipments.csv";
    for uri in [export, "/api/v1/seller/shipments.csv?stage=nope"] {
        walk.call(Method::GET, export, uri, &bearer, None).await;
    }
    walk.call(Method::GET, export, export, &[], None).await;

    // A seller whose messages wait to be sent by the 100 000 writes no more in bulk.
    let (hook, _) = store
        .add_webhook(
            walker,
            "https://hooks.example/full",
            &[trackline_server::change::tells::Kind::StatusChanged],
        )
        .await
        .unwrap();
    for batch in 0..100i64 {
        let rows: Vec<String> = (0..1000)
            .map(|n| {
                format!(
                    "({}, {}, 'status_changed', '{{}}', 0, 'pending', 0, 4000000000000)",
                    7_000_000_000 + batch * 1000 + n,
                    hook.id
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO webhook_deliveries
             (id, webhook_id, kind, body, queued_at_ms, state, attempts, next_attempt_ms) VALUES {}",
            rows.join(", ")
        ))
        .execute(store.pool())
        .await
        .unwrap();
    }
    let bulk = json!([{"reference": "w-10", "order_number": "6600000010", "stage": "packed"}]);
    walk.call(Method::PUT, list, list, &bearer, Some(bulk))
        .await;

    // A seller reading its list and queues in a loop is limited once its burst is spent (and
    // the next read follows at once, before a token is back).
    for path in [attention, list, "/api/v1/seller/shipments.csv", insights] {
        for _ in 0..200 {
            let (status, _) = walk.call(Method::GET, path, path, &bearer, None).await;
            if status == 429 {
                break;
            }
        }
    }
    // Taps, as a beacon sends them: taken, malformed, too large, and past the address's limit.
    let taps = [
        (
            "/api/v1/shops/{shop}/taps",
            format!("/api/v1/shops/{}/taps", demo::DEMO_SELLER),
        ),
        ("/api/v1/taps", "/api/v1/taps".to_owned()),
    ];
    let beacon = |uri: &str, body: String| {
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("content-type", "text/plain;charset=UTF-8")
            .body(Body::from(body))
            .expect("a request the test wrote")
    };
    for (template, uri) in &taps {
        for (body, status) in [
            (r#"{"tap":"phone"}"#.to_owned(), 204),
            ("phone".to_owned(), 400),
            (
                format!(r#"{{"tap":"phone","pad":"{}"}}"#, "x".repeat(300)),
                413,
            ),
        ] {
            let request = beacon(uri, body);
            let (given, _) = walk.call_with(Method::POST, template, uri, request).await;
            assert_eq!(given, status, "POST {uri}");
        }
    }
    for (template, uri) in &taps {
        for _ in 0..30 {
            let request = beacon(uri, r#"{"tap":"carrier"}"#.to_owned());
            if walk.call_with(Method::POST, template, uri, request).await.0 == 429 {
                break;
            }
        }
    }
    store.pool().close().await;
    walk.call(Method::GET, "/readyz", "/readyz", &[], None)
        .await;

    // Races that a walk cannot provoke: a concurrent create of one reference, one key in flight
    // twice; and what only an authenticator gives (a passkey that checks: the browser tests'
    // virtual authenticator gives them).
    let races: BTreeSet<(String, String, String)> = [
        (shipment, "put", "409"),
        (list, "put", "409"),
        (events, "post", "409"),
        ("/api/v1/console/passkeys/register/finish", "post", "200"),
        ("/api/v1/console/passkeys/register/finish", "post", "409"),
        ("/api/v1/console/passkeys/sign-in/finish", "post", "200"),
        // A seller's two files read at once, two imports applied at once (`import_limits.rs`).
        ("/api/v1/seller/imports", "post", "429"),
        ("/api/v1/seller/imports/{id}/apply", "post", "409"),
        // 100 000 of the seller's messages waiting (`imports.rs`, as the bulk PUT's 429).
        ("/api/v1/seller/imports/{id}/apply", "post", "429"),
    ]
    .iter()
    .map(|(p, m, s)| (p.to_string(), m.to_string(), s.to_string()))
    .collect();
    let mut documented = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if let Some(responses) = operation["responses"].as_object() {
                for status in responses.keys() {
                    documented.insert((path.clone(), method.clone(), status.clone()));
                }
            }
        }
    }
    let missing: Vec<_> = documented
        .difference(&walk.seen)
        .filter(|d| !races.contains(*d))
        .collect();
    assert!(
        missing.is_empty(),
        "documented but never given: {missing:#?}"
    );
}

/// A new invitation's token for the walk's seller.
async fn invitation(store: &trackline_server::Store, role: Role) -> String {
    let seller = store.seller_by_handle("walk").await.unwrap().unwrap();
    let (link, _) = new_invitation(store, "http://localhost:8080", seller, role)
        .await
        .unwrap();
    link.rsplit_once('=').unwrap().1.to_owned()
}

/// A session of a new member of the walk's seller: its cookie, CSRF token and id.
async fn member(
    walk: &Walk,
    store: &trackline_server::Store,
    role: Role,
    login: &str,
) -> (String, String, i64) {
    let body = json!({"invitation": invitation(store, role).await, "name": "Sam", "login": login, "password": "correct horse battery"});
    let reply = send(
        &walk.app,
        request(
            Method::POST,
            "/api/v1/console/passwords/register",
            &[
                ("content-type", "application/json"),
                ("origin", "http://localhost:8080"),
            ],
            Some(&body),
        ),
    )
    .await;
    let cookie = reply.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let json = reply.json();
    (
        cookie,
        json["csrf"].as_str().unwrap().to_owned(),
        json["member"]["id"].as_i64().unwrap(),
    )
}

/// The seller routes older than the console, in a session: a staff member's is refused the
/// owners' routes (owners_only), and a write without the console's Origin and CSRF token is
/// refused (cross_site).
async fn walk_sessions_on_the_older_routes(walk: &mut Walk, store: &trackline_server::Store) {
    let (owner, _, _) = member(walk, store, Role::Owner, "older-owner@walk.example").await;
    let (staff, staff_csrf, _) = member(walk, store, Role::Staff, "older-staff@walk.example").await;
    let staffed = [
        ("cookie", staff.as_str()),
        ("origin", "http://localhost:8080"),
        ("x-csrf-token", staff_csrf.as_str()),
        ("content-type", "application/json"),
    ];
    let cross_site = [
        ("cookie", owner.as_str()),
        ("origin", "https://elsewhere.example"),
        ("content-type", "application/json"),
    ];
    let owners: [(Method, &str, &str); 9] = [
        (
            Method::GET,
            "/api/v1/seller/settings",
            "/api/v1/seller/settings",
        ),
        (
            Method::PUT,
            "/api/v1/seller/settings",
            "/api/v1/seller/settings",
        ),
        (
            Method::GET,
            "/api/v1/seller/tokens",
            "/api/v1/seller/tokens",
        ),
        (
            Method::POST,
            "/api/v1/seller/tokens",
            "/api/v1/seller/tokens",
        ),
        (
            Method::DELETE,
            "/api/v1/seller/tokens/{id}",
            "/api/v1/seller/tokens/1",
        ),
        (
            Method::GET,
            "/api/v1/seller/webhooks",
            "/api/v1/seller/webhooks",
        ),
        (
            Method::POST,
            "/api/v1/seller/webhooks",
            "/api/v1/seller/webhooks",
        ),
        (
            Method::DELETE,
            "/api/v1/seller/webhooks/{id}",
            "/api/v1/seller/webhooks/1",
        ),
        (
            Method::GET,
            "/api/v1/seller/webhooks/{id}/deliveries",
            "/api/v1/seller/webhooks/1/deliveries",
        ),
    ];
    let more_owners: [(Method, &str, &str); 4] = [
        (Method::PUT, "/api/v1/seller/ozon", "/api/v1/seller/ozon"),
        (
            Method::PUT,
            "/api/v1/seller/sources/{provider}",
            "/api/v1/seller/sources/cdek",
        ),
        (
            Method::POST,
            "/api/v1/seller/webhooks/{id}/deliveries/{delivery}/replay",
            "/api/v1/seller/webhooks/1/deliveries/1/replay",
        ),
        (
            Method::POST,
            "/api/v1/seller/webhooks/{id}/rotate",
            "/api/v1/seller/webhooks/1/rotate",
        ),
    ];
    for (method, template, uri) in owners.into_iter().chain(more_owners) {
        let (status, _) = walk
            .call(method, template, uri, &staffed, Some(json!({})))
            .await;
        assert_eq!(status, 403, "{template}: staff");
    }
    let writes: [(Method, &str, &str); 9] = [
        (
            Method::POST,
            "/api/v1/seller/ozon/postings/{posting_number}",
            "/api/v1/seller/ozon/postings/12345678-0001-1",
        ),
        (
            Method::PUT,
            "/api/v1/seller/shipments/{reference}/source",
            "/api/v1/seller/shipments/older-1/source",
        ),
        (
            Method::PUT,
            "/api/v1/seller/shipments",
            "/api/v1/seller/shipments",
        ),
        (
            Method::PUT,
            "/api/v1/seller/shipments/{reference}",
            "/api/v1/seller/shipments/older-1",
        ),
        (
            Method::PATCH,
            "/api/v1/seller/shipments/{reference}",
            "/api/v1/seller/shipments/older-1",
        ),
        (
            Method::DELETE,
            "/api/v1/seller/shipments/{reference}",
            "/api/v1/seller/shipments/older-1",
        ),
        (
            Method::POST,
            "/api/v1/seller/shipments/{reference}/events",
            "/api/v1/seller/shipments/older-1/events",
        ),
        (
            Method::POST,
            "/api/v1/seller/imports",
            "/api/v1/seller/imports",
        ),
        (
            Method::POST,
            "/api/v1/seller/imports/{id}/apply",
            "/api/v1/seller/imports/1/apply",
        ),
    ];
    for (method, template, uri) in writes {
        let (status, _) = walk
            .call(method, template, uri, &cross_site, Some(json!({})))
            .await;
        assert_eq!(status, 403, "{template}: cross-site");
    }
}

/// The console's sign-in, the members and the audit log: every documented answer.
async fn walk_console(walk: &mut Walk, store: &trackline_server::Store, auth: &str) {
    let json_only = [
        ("content-type", "application/json"),
        ("origin", "http://localhost:8080"),
    ];
    // Another site's page posting to each door of the console: refused before anything is read.
    let elsewhere = [
        ("content-type", "text/plain"),
        ("origin", "https://shop.example.net"),
    ];
    for path in [
        "/api/v1/console/invitation",
        "/api/v1/console/passkeys/register",
        "/api/v1/console/passkeys/register/finish",
        "/api/v1/console/passwords/register",
        "/api/v1/console/passkeys/sign-in",
        "/api/v1/console/passkeys/sign-in/finish",
        "/api/v1/console/passwords/sign-in",
    ] {
        walk.call(Method::POST, path, path, &elsewhere, Some(json!({})))
            .await;
    }
    let bearer = [
        ("authorization", auth),
        ("content-type", "application/json"),
    ];
    let (invitation_path, check) = ("/api/v1/console/invitation", "/api/v1/console/invitation");
    let owner = invitation(store, Role::Owner).await;
    walk.call(
        Method::POST,
        invitation_path,
        check,
        &json_only,
        Some(json!({"invitation": owner})),
    )
    .await;
    walk.call(
        Method::POST,
        invitation_path,
        check,
        &json_only,
        Some(json!({"invitation": "nope"})),
    )
    .await;

    let register = "/api/v1/console/passkeys/register";
    let (_, begun) = walk
        .call(
            Method::POST,
            register,
            register,
            &json_only,
            Some(json!({"invitation": owner, "name": "Anna"})),
        )
        .await;
    walk.call(
        Method::POST,
        register,
        register,
        &json_only,
        Some(json!({"invitation": "nope", "name": "Anna"})),
    )
    .await;
    walk.call(
        Method::POST,
        register,
        register,
        &json_only,
        Some(json!({"invitation": owner, "name": ""})),
    )
    .await;
    let finish = "/api/v1/console/passkeys/register/finish";
    let garbage = json!({"ceremony": begun["ceremony"], "credential": {}});
    walk.call(
        Method::POST,
        finish,
        finish,
        &json_only,
        Some(garbage.clone()),
    )
    .await;
    walk.call(Method::POST, finish, finish, &json_only, Some(garbage))
        .await;

    let passwords = "/api/v1/console/passwords/register";
    let anna = json!({"invitation": owner, "name": "Anna", "login": "anna@walk.example", "password": "correct horse battery"});
    walk.call(
        Method::POST,
        passwords,
        passwords,
        &json_only,
        Some(anna.clone()),
    )
    .await;
    walk.call(
        Method::POST,
        passwords,
        passwords,
        &json_only,
        Some(anna.clone()),
    )
    .await;
    let mut taken = anna.clone();
    taken["invitation"] = invitation(store, Role::Staff).await.into();
    walk.call(
        Method::POST,
        passwords,
        passwords,
        &json_only,
        Some(taken.clone()),
    )
    .await;
    taken["password"] = "short".into();
    walk.call(Method::POST, passwords, passwords, &json_only, Some(taken))
        .await;

    let sign_in = "/api/v1/console/passkeys/sign-in";
    let (_, begun) = walk
        .call(Method::POST, sign_in, sign_in, &json_only, Some(json!({})))
        .await;
    let finish = "/api/v1/console/passkeys/sign-in/finish";
    walk.call(
        Method::POST,
        finish,
        finish,
        &json_only,
        Some(json!({"ceremony": begun["ceremony"], "credential": {}})),
    )
    .await;
    let password = "/api/v1/console/passwords/sign-in";
    walk.call(
        Method::POST,
        password,
        password,
        &json_only,
        Some(json!({"login": "ANNA@walk.example", "password": "correct horse battery"})),
    )
    .await;
    walk.call(
        Method::POST,
        password,
        password,
        &json_only,
        Some(json!({"login": "anna@walk.example", "password": "wrong password"})),
    )
    .await;

    let (cookie, csrf, _) = member(walk, store, Role::Owner, "olga@walk.example").await;
    let (staff, staff_csrf, sam) = member(walk, store, Role::Staff, "sam@walk.example").await;
    let session = [("cookie", cookie.as_str())];
    let signed = [
        ("cookie", cookie.as_str()),
        ("origin", "http://localhost:8080"),
        ("x-csrf-token", csrf.as_str()),
        ("content-type", "application/json"),
    ];
    let staffed = [
        ("cookie", staff.as_str()),
        ("origin", "http://localhost:8080"),
        ("x-csrf-token", staff_csrf.as_str()),
        ("content-type", "application/json"),
    ];
    let path = "/api/v1/console/session";
    walk.call(Method::GET, path, path, &session, None).await;
    walk.call(Method::GET, path, path, &[], None).await;

    let members = "/api/v1/seller/members";
    walk.call(Method::GET, members, members, &bearer, None)
        .await;
    walk.call(Method::GET, members, members, &signed, None)
        .await;
    walk.call(Method::GET, members, members, &[], None).await;
    walk.call(Method::GET, members, members, &staffed, None)
        .await;
    let invite = "/api/v1/seller/members/invitations";
    walk.call(
        Method::POST,
        invite,
        invite,
        &signed,
        Some(json!({"role": "staff"})),
    )
    .await;
    walk.call(
        Method::POST,
        invite,
        invite,
        &bearer,
        Some(json!({"role": "boss"})),
    )
    .await;
    walk.call(
        Method::POST,
        invite,
        invite,
        &json_only,
        Some(json!({"role": "staff"})),
    )
    .await;
    walk.call(
        Method::POST,
        invite,
        invite,
        &staffed,
        Some(json!({"role": "owner"})),
    )
    .await;
    let revoke = "/api/v1/seller/members/invitations/{id}";
    let (_, listed) = walk
        .call(Method::GET, members, members, &bearer, None)
        .await;
    let open = format!(
        "/api/v1/seller/members/invitations/{}",
        listed["invitations"][0]["id"]
    );
    walk.call(Method::DELETE, revoke, &open, &staffed, None)
        .await;
    walk.call(Method::DELETE, revoke, &open, &[], None).await;
    walk.call(Method::DELETE, revoke, &open, &signed, None)
        .await;
    walk.call(Method::DELETE, revoke, &open, &bearer, None)
        .await;
    let remove = "/api/v1/seller/members/{id}";
    walk.call(
        Method::DELETE,
        remove,
        "/api/v1/seller/members/1",
        &bearer,
        None,
    )
    .await;
    walk.call(
        Method::DELETE,
        remove,
        "/api/v1/seller/members/1",
        &[],
        None,
    )
    .await;
    walk.call(
        Method::DELETE,
        remove,
        &format!("/api/v1/seller/members/{sam}"),
        &staffed,
        None,
    )
    .await;
    walk.call(
        Method::DELETE,
        remove,
        &format!("/api/v1/seller/members/{sam}"),
        &signed,
        None,
    )
    .await;
    let audit = "/api/v1/seller/audit";
    walk.call(Method::GET, audit, audit, &bearer, None).await;
    walk.call(
        Method::GET,
        audit,
        "/api/v1/seller/audit?limit=0",
        &bearer,
        None,
    )
    .await;
    walk.call(Method::GET, audit, audit, &[], None).await;
    let (staff, staff_csrf, _) = member(walk, store, Role::Staff, "sasha@walk.example").await;
    let staffed = [
        ("cookie", staff.as_str()),
        ("x-csrf-token", staff_csrf.as_str()),
    ];
    walk.call(Method::GET, audit, audit, &staffed, None).await;
    // The last owner: the walk's seller's owners are Anna and Olga; Olga removes Anna, then
    // cannot remove herself.
    let (_, listed) = walk
        .call(Method::GET, members, members, &bearer, None)
        .await;
    for listed in listed["members"].as_array().unwrap() {
        if listed["role"] == "owner" {
            let uri = format!("/api/v1/seller/members/{}", listed["id"]);
            walk.call(Method::DELETE, remove, &uri, &bearer, None).await;
        }
    }

    for path in [
        "/api/v1/console/sign-out",
        "/api/v1/console/sign-out-everywhere",
    ] {
        let (cookie, csrf, _) = member(
            walk,
            store,
            Role::Staff,
            &format!("{}@walk.example", path.len()),
        )
        .await;
        let unsigned = [("cookie", cookie.as_str())];
        let signed = [
            ("cookie", cookie.as_str()),
            ("origin", "http://localhost:8080"),
            ("x-csrf-token", csrf.as_str()),
        ];
        walk.call(Method::POST, path, path, &unsigned, None).await;
        walk.call(Method::POST, path, path, &signed, None).await;
        walk.call(Method::POST, path, path, &signed, None).await;
    }

    // Past the limit of requests from one address without a session, each door says 429.
    for _ in 0..40 {
        walk.call(
            Method::POST,
            password,
            password,
            &json_only,
            Some(json!({"login": "anna@walk.example", "password": "wrong password"})),
        )
        .await;
    }
    walk.call(
        Method::POST,
        invitation_path,
        check,
        &json_only,
        Some(json!({"invitation": "nope"})),
    )
    .await;
    walk.call(
        Method::POST,
        register,
        register,
        &json_only,
        Some(json!({"invitation": "nope", "name": "Anna"})),
    )
    .await;
    walk.call(Method::POST, passwords, passwords, &json_only, Some(anna))
        .await;
    walk.call(Method::POST, sign_in, sign_in, &json_only, Some(json!({})))
        .await;
}

/// The checks of a seller's saved keys: every documented answer, for a seller with no keys
/// saved (so that nothing leaves the machine; the answers' kinds are in `key_checks.rs`).
async fn walk_key_checks(walk: &mut Walk, store: &trackline_server::Store) {
    let (_, token) = store.add_seller("Checker").await.unwrap();
    let auth = format!("Bearer {token}");
    let bearer = [("authorization", auth.as_str())];
    let ozon = "/api/v1/seller/ozon/check";
    let sources = "/api/v1/seller/sources/{provider}/check";
    let cdek = "/api/v1/seller/sources/cdek/check";
    walk.call(Method::POST, ozon, ozon, &bearer, None).await;
    walk.call(Method::POST, sources, cdek, &bearer, None).await;
    walk.call(
        Method::POST,
        sources,
        "/api/v1/seller/sources/dhl/check",
        &bearer,
        None,
    )
    .await;
    walk.call(Method::POST, ozon, ozon, &[], None).await;
    walk.call(Method::POST, sources, cdek, &[], None).await;
    let (staff, staff_csrf, _) = member(walk, store, Role::Staff, "stas@walk.example").await;
    let staffed = [
        ("cookie", staff.as_str()),
        ("origin", "http://localhost:8080"),
        ("x-csrf-token", staff_csrf.as_str()),
    ];
    walk.call(Method::POST, ozon, ozon, &staffed, None).await;
    walk.call(Method::POST, sources, cdek, &staffed, None).await;
    let saved = "/api/v1/seller/keys";
    walk.call(Method::GET, saved, saved, &bearer, None).await;
    walk.call(Method::GET, saved, saved, &staffed, None).await;
    walk.call(Method::GET, saved, saved, &[], None).await;
    // Past the seller's checks (Ozon's and the carriers' count together), each route says 429.
    for (template, uri) in [(ozon, ozon), (sources, cdek)] {
        for _ in 0..20 {
            let (status, _) = walk.call(Method::POST, template, uri, &bearer, None).await;
            if status == 429 {
                break;
            }
        }
    }
}
