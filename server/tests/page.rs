//! The hosted page rendered by the server: a linked number's status in the HTML, with the
//! lookup's status code and cache policy, a posted second factor, and text that stays text.
//! Runs on SQLite, and on PostgreSQL under `cargo xtask test`.

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use support::{request, send, Reply};
use trackline_server::http::assets::WidgetFiles;
use trackline_server::{demo, Store};

mod support;

/// The demo's app, serving a "build" whose page is the project's own `index.html`.
async fn demo_app() -> (Router, Store, tempdir::Dir) {
    let store = support::fresh_store().await;
    demo::seed_if_empty(&store).await.unwrap();
    let dir = tempdir::Dir::new();
    std::fs::write(
        dir.path().join("index.html"),
        include_str!("../../index.html"),
    )
    .unwrap();
    let mut state = support::demo_state(&store);
    state.widget = Some(WidgetFiles::Dir(dir.path().to_owned()));
    let app = trackline_server::app(state).layer(MockConnectInfo(std::net::SocketAddr::from((
        [192, 0, 2, 7],
        4000,
    ))));
    (app, store, dir)
}

/// A new seller holding one shipment (contract JSON).
async fn seller_with(
    store: &Store,
    name: &str,
    shipment: serde_json::Value,
) -> trackline_server::store::sellers::NewSeller {
    let seller = store.add_seller_named(name, None).await.unwrap();
    let shipment: trackline_core::Shipment = serde_json::from_value(shipment).unwrap();
    trackline_server::updates::put(
        store,
        seller.id,
        "only-1",
        &shipment,
        &trackline_core::second_factor::SecondFactors::default(),
    )
    .await
    .unwrap();
    seller
}

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    request(Method::GET, uri, headers, None)
}

fn post_form(uri: &str, form: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn header(reply: &Reply, name: header::HeaderName) -> &str {
    reply
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_linked_number_comes_with_its_status_in_the_page_and_the_lookups_cache_policy() {
    let (app, _store, _dir) = demo_app().await;
    let page = send(&app, get("/?n=1000000007&lang=ru", &[])).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "<html lang=\"ru\">",
        "data-rendered",
        "data-number=\"1000000007\"",
        ">4821<",
        "Ждёт в пункте выдачи",
        "<script type=\"application/json\" data-response data-status=\"200\">",
        // The plain form keeps the language when it is sent without script.
        "<input type=\"hidden\" name=\"lang\" value=\"ru\"",
    ] {
        assert!(page.text.contains(expected), "no {expected:?} in the page");
    }
    assert_eq!(
        header(&page, header::CACHE_CONTROL),
        "public, max-age=30, stale-while-revalidate=30"
    );
    assert!(header(&page, header::VARY).contains("Accept-Language"));
    assert!(header(&page, header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"));
    let etag = header(&page, header::ETAG).to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = send(
        &app,
        get("/?n=1000000007&lang=ru", &[("if-none-match", &etag)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.text.is_empty());
}

#[tokio::test]
async fn an_unknown_number_is_a_404_page_and_text_that_is_no_number_a_400() {
    let (app, _store, _dir) = demo_app().await;
    let page = send(&app, get("/?n=9999999999", &[])).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.text.contains("We found nothing for 9999999999"),
        "{}",
        page.text
    );
    assert!(page.text.contains("data-status=\"404\""));
    assert_eq!(header(&page, header::CACHE_CONTROL), "no-cache");

    let page = send(&app, get("/?n=%3Cb%3Ehi%3C/b%3E", &[])).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        !page.text.contains("<b>hi</b>"),
        "the typed text became markup"
    );
    assert!(page.text.contains("data-number=\"&lt;b&gt;hi&lt;/b&gt;\""));
    assert!(!page.text.contains("data-response"), "nothing was asked");
}

#[tokio::test]
async fn a_guarded_order_asks_and_a_posted_reply_opens_it_for_this_buyer_only() {
    let (app, _store, _dir) = demo_app().await;
    let seller = demo::GUARDED_SELLER;
    let order = demo::GUARDED_ORDER;
    let asked = send(&app, get(&format!("/?shop={seller}&n={order}"), &[])).await;
    assert_eq!(asked.status, StatusCode::FORBIDDEN);
    assert!(
        asked.text.contains("<form method=\"post\""),
        "{}",
        asked.text
    );
    assert!(asked.text.contains("name=\"check\""));

    let wrong = send(
        &app,
        post_form(
            &format!("/?shop={seller}"),
            &format!("n={order}&check=0000"),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.text.contains("check_failed"));

    let opened = send(
        &app,
        post_form(
            &format!("/?shop={seller}"),
            &format!("n={order}&check={}", demo::GUARDED_PHONE_LAST4),
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.text.contains("data-testid=\"shipment\""));
    assert_eq!(header(&opened, header::CACHE_CONTROL), "private, no-store");
    assert!(!header(&opened, header::ETAG).is_empty());
}

/// A pickup code is a credential, and tracking numbers can be counted out: of a seller with a
/// second factor the page shows where and with what to collect a parcel only to a posted reply.
#[tokio::test]
async fn the_hosted_page_without_script_withholds_the_pickup_and_opens_it_to_a_posted_reply() {
    let (app, _store, _dir) = demo_app().await;
    let seller = demo::GUARDED_SELLER;
    let number = demo::GUARDED_PICKUP;
    let secrets = ["4821", "Baumana", "10:00–21:00", "openstreetmap.org/?mlat"];
    let page = send(&app, get(&format!("/?shop={seller}&n={number}"), &[])).await;
    assert_eq!(page.status, StatusCode::OK);
    for secret in secrets {
        assert!(!page.text.contains(secret), "{secret} in the page");
    }
    assert!(page.text.contains("data-testid=\"pickup-withheld\""));
    // "Show the code" is a form that works without script: it posts the reply, never in the address.
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    assert!(page.text.contains("name=\"check\""));

    let post = |form: String| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/?shop={seller}&n={number}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap()
    };
    let wrong = send(&app, post(format!("n={number}&check=0000"))).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    for secret in secrets {
        assert!(!wrong.text.contains(secret), "{secret} after a wrong reply");
    }
    let right = format!("n={number}&check={}", demo::GUARDED_PHONE_LAST4);
    let opened = send(&app, post(right)).await;
    assert_eq!(opened.status, StatusCode::OK);
    for secret in secrets {
        assert!(
            opened.text.contains(secret),
            "{secret} not in the opened page"
        );
    }
    assert!(opened.text.contains("data-testid=\"pickup-code\""));
    assert_eq!(header(&opened, header::CACHE_CONTROL), "private, no-store");
}

#[tokio::test]
async fn another_sites_form_posts_do_not_lock_the_buyer_out_of_the_page() {
    let (app, store, _dir) = demo_app().await;
    let seller = store
        .seller_by_handle(demo::GUARDED_SELLER)
        .await
        .unwrap()
        .unwrap();
    let another: trackline_core::Shipment = serde_json::from_value(
        serde_json::json!({"order_number": "5000000002", "stage": "in_transit"}),
    )
    .unwrap();
    let factors = trackline_core::second_factor::SecondFactors {
        phone: Some(format!("+7 900 000-{}", demo::GUARDED_PHONE_LAST4)),
        postcode: None,
    };
    trackline_server::updates::put(&store, seller, "second", &another, &factors)
        .await
        .unwrap();
    let post = |form: String, headers: &[(&'static str, &str)]| {
        let mut request = post_form(&format!("/?shop={}", demo::GUARDED_SELLER), &form);
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        request
    };
    // A page on evil.example posts wrong replies to the hosted page's form in the buyer's browser.
    let evil = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    for guess in 0..12 {
        let wrong = send(
            &app,
            post(format!("n=5000000002&check=00{guess:02}"), &evil),
        )
        .await;
        assert_ne!(wrong.status, StatusCode::OK, "guess {guess}");
    }
    // The buyer's own reply on the page itself still opens the order.
    let own = [
        ("sec-fetch-site", "same-origin"),
        ("origin", "http://localhost"),
    ];
    let form = format!(
        "n={}&check={}",
        demo::GUARDED_ORDER,
        demo::GUARDED_PHONE_LAST4
    );
    let opened = send(&app, post(form, &own)).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text);
}

#[tokio::test]
async fn the_page_without_a_number_is_the_form_in_the_buyers_language() {
    let (app, _store, _dir) = demo_app().await;
    let page = send(&app, get("/", &[("accept-language", "de, zh-CN;q=0.8")])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<html lang=\"zh-CN\">"));
    assert!(page.text.contains("data-testid=\"form\""));
    assert!(!page.text.contains("data-number"));
    assert!(!page.text.contains("data-response"));
    assert_eq!(header(&page, header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn the_iframe_form_is_framed_from_its_first_byte() {
    let (app, _store, _dir) = demo_app().await;
    let framed = send(&app, get("/?n=1000000007", &[("sec-fetch-dest", "iframe")])).await;
    assert!(framed
        .text
        .contains("<body class=\"tl-page tl-page--framed\""));
    let page = send(
        &app,
        get("/?n=1000000007", &[("sec-fetch-dest", "document")]),
    )
    .await;
    assert!(page.text.contains("<body class=\"tl-page\""));
}

#[tokio::test]
async fn text_from_the_store_can_neither_become_markup_nor_close_the_pages_script() {
    let (app, store, _dir) = demo_app().await;
    let hostile = "</script><script>window.__xss=1</script><!--";
    let seller = seller_with(
        &store,
        "Hostile",
        serde_json::json!({
            "tracking_number": "RA100000048RU", "stage": "in_transit", "status_text": hostile,
            "events": [{"at": "2026-11-20T10:00:00Z", "text": hostile, "location": "<img src=x onerror=alert(1)>"}],
        }),
    )
    .await;
    let page = send(
        &app,
        get(&format!("/?shop={}&n=RA100000048RU", seller.handle), &[]),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("<script>window.__xss"), "{}", page.text);
    assert!(!page.text.contains("<img src=x"));
    assert!(page
        .text
        .contains("&lt;/script&gt;&lt;script&gt;window.__xss=1"));
    assert!(page
        .text
        .contains("\\u003c/script>\\u003cscript>window.__xss=1"));
}

#[tokio::test]
async fn the_console_is_served_under_the_strict_policy_and_never_framed() {
    let (app, _store, dir) = demo_app().await;
    std::fs::create_dir_all(dir.path().join("console")).unwrap();
    std::fs::write(
        dir.path().join("console/index.html"),
        "<!doctype html><title>console</title>",
    )
    .unwrap();
    let page = send(&app, get("/console/", &[])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<title>console</title>"));
    let policy = header(&page, header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.ends_with("frame-ancestors 'none'"), "{policy}");
    // The rest of the build keeps the strict policy alone: the hosted page sets its own.
    std::fs::write(dir.path().join("plain.txt"), "x").unwrap();
    let other = send(&app, get("/plain.txt", &[])).await;
    assert!(!header(&other, header::CONTENT_SECURITY_POLICY).contains("frame-ancestors"));
}

/// A directory removed when the test ends.
mod tempdir {
    pub struct Dir(std::path::PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            let path = std::env::temp_dir().join(format!(
                "trackline-page-{:x}",
                trackline_server::store::new_id().unwrap()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[tokio::test]
async fn an_element_gets_its_widget_rendered_with_the_response_inside_under_the_sellers_rules() {
    let (app, store, _dir) = demo_app().await;
    let widget = send(
        &app,
        get(
            "/widget?n=1000000007&lang=zh&compact=1",
            &[("origin", "https://shop.example")],
        ),
    )
    .await;
    assert_eq!(widget.status, StatusCode::OK);
    assert!(
        widget.text.starts_with("<div data-rendered"),
        "{}",
        widget.text
    );
    assert!(widget.text.contains("data-testid=\"compact-line\""));
    assert!(
        !widget.text.contains("data-testid=\"form\""),
        "a compact element has no form"
    );
    assert!(widget
        .text
        .contains("<script type=\"application/json\" data-response data-status=\"200\">"));
    assert!(!widget.text.contains("<html"), "a fragment, not a page");
    assert_eq!(header(&widget, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    assert!(header(&widget, header::VARY).contains("Origin"));
    assert_eq!(
        header(&widget, header::CACHE_CONTROL),
        "public, max-age=30, stale-while-revalidate=30"
    );

    // An element that names no language gets the one its browser asks for: the loader's URL then
    // has none, and an order page's hint can name that URL before the loader runs.
    let negotiated = send(
        &app,
        get(
            "/widget?n=1000000007",
            &[("accept-language", "de-DE, ru-RU;q=0.9, en;q=0.5")],
        ),
    )
    .await;
    assert_eq!(negotiated.status, StatusCode::OK);
    assert!(
        negotiated.text.contains(" data-lang=\"ru\""),
        "{}",
        negotiated.text
    );
    assert!(header(&negotiated, header::VARY).contains("Accept-Language"));

    let unknown = send(&app, get("/widget?n=9999999999&lang=en", &[])).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.text.contains("We found nothing for 9999999999"));

    // A seller that allows only its own storefront: another origin's element is refused, as by the API.
    let seller = seller_with(
        &store,
        "Careful",
        serde_json::json!({"tracking_number": "RA100000048RU", "stage": "in_transit"}),
    )
    .await;
    store
        .set_lookup_rules(
            seller.id,
            &trackline_server::store::lookup_rules::LookupRules {
                allowed_origins: vec!["https://careful.example".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let path = format!("/widget?shop={}&n=RA100000048RU&lang=en", seller.handle);
    let elsewhere = send(&app, get(&path, &[("origin", "https://other.example")])).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert!(!elsewhere.text.contains("data-testid=\"shipment\""));
    let own = send(&app, get(&path, &[("origin", "https://careful.example")])).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text.contains("data-testid=\"shipment\""));
}

/// Each `<form>` of `markup`: its opening tag, and what it holds up to its end.
fn forms(markup: &str) -> Vec<(&str, &str)> {
    markup
        .split("<form")
        .skip(1)
        .map(|rest| {
            let (tag, after) = rest.split_once('>').unwrap();
            (tag, after.split("</form>").next().unwrap())
        })
        .collect()
}

/// An element's markup goes into a storefront's page: a form in it that posts to no address, or
/// to one of its own, sends the buyer's reply to the storefront's server (and into its log).
#[tokio::test]
async fn an_elements_second_factor_form_never_posts_to_the_storefront() {
    let (app, _store, _dir) = demo_app().await;
    let seller = demo::GUARDED_SELLER;
    for number in [demo::GUARDED_ORDER, demo::GUARDED_PICKUP] {
        let widget = send(
            &app,
            get(
                &format!("/widget?shop={seller}&n={number}&lang=en"),
                &[("origin", "https://shop.example")],
            ),
        )
        .await;
        assert!(
            widget.text.starts_with("<div data-rendered"),
            "{}",
            widget.text
        );
        let forms = forms(&widget.text);
        let check = forms
            .iter()
            .filter(|(_, inside)| inside.contains("name=\"check\""))
            .count();
        assert_eq!(check, 1, "{number}: {}", widget.text);
        for (tag, inside) in forms {
            let absolute = ["action=\"https://", "action=\"http://"]
                .iter()
                .any(|action| tag.contains(action));
            assert!(
                !tag.contains("method=\"post\"") || absolute,
                "{number}: a form posts to the storefront: <form{tag}>"
            );
            if inside.contains("name=\"check\"") {
                assert!(
                    tag.contains("method=\"dialog\"") || absolute,
                    "{number}: the reply is sent to the storefront: <form{tag}>"
                );
            }
        }
    }
    // The hosted page's own form still posts to the page.
    let page = send(
        &app,
        get(&format!("/?shop={seller}&n={}", demo::GUARDED_ORDER), &[]),
    )
    .await;
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
}

/// The directives of a `Content-Security-Policy`, each trimmed.
fn directives(policy: &str) -> Vec<&str> {
    policy.split(';').map(str::trim).collect()
}

#[tokio::test]
async fn the_page_and_the_iframe_form_may_be_framed_by_the_sellers_origins_only() {
    let (app, store, _dir) = demo_app().await;
    // The demo seller lists no origins: any site may frame its page, as any may read its lookup.
    for uri in ["/", "/?n=1000000007"] {
        let page = send(&app, get(uri, &[("sec-fetch-dest", "iframe")])).await;
        let policy = header(&page, header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("default-src 'self'"), "{policy}");
        assert!(!policy.contains("frame-ancestors"), "{uri}: {policy}");
    }
    let seller = seller_with(
        &store,
        "Framed",
        serde_json::json!({"tracking_number": "RA900000016RU", "stage": "in_transit"}),
    )
    .await;
    let settings = serde_json::json!({
        "allowed_origins": ["https://shop.example", "https://www.shop.example:8443"]
    });
    let (status, body) = support::seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/settings",
        &seller.token,
        Some(settings),
    )
    .await;
    assert!(status.is_success(), "{body}");
    let framed = "frame-ancestors 'self' https://shop.example https://www.shop.example:8443";
    let form = format!("/?shop={}", seller.handle);
    let linked = format!("/?shop={}&n=RA900000016RU", seller.handle);
    for page in [
        send(&app, get(&form, &[("sec-fetch-dest", "iframe")])).await,
        send(&app, get(&linked, &[])).await,
        send(&app, post_form(&form, "n=RA900000016RU&check=1234")).await,
    ] {
        let policy = header(&page, header::CONTENT_SECURITY_POLICY);
        assert_eq!(
            directives(policy).last(),
            Some(&framed),
            "{}: {policy}",
            page.status
        );
    }
}

#[tokio::test]
async fn a_sellers_origins_cannot_add_a_directive_to_the_pages_policy() {
    let (app, store, _dir) = demo_app().await;
    let seller = seller_with(
        &store,
        "Hostile",
        serde_json::json!({"tracking_number": "RA900000016RU", "stage": "in_transit"}),
    )
    .await;
    // The seller API refuses anything but an origin.
    for hostile in [
        "https://shop.example; script-src *",
        "https://shop.example,https://evil.example",
        "https://shop.example\r\nX-Injected: 1",
        "https://shop.example 'unsafe-inline'",
        "*",
    ] {
        let settings = serde_json::json!({ "allowed_origins": [hostile] });
        let (status, body) = support::seller_call(
            &app,
            Method::PUT,
            "/api/v1/seller/settings",
            &seller.token,
            Some(settings),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{hostile:?}: {body}"
        );
    }
    // A row written by other means (the store keeps the list space-separated) still cannot.
    sqlx::query("UPDATE sellers SET allowed_origins = $1 WHERE id = $2")
        .bind("https://ok.example https://evil.example;script-src * 'unsafe-inline' data:")
        .bind(seller.id.0)
        .execute(store.pool())
        .await
        .unwrap();
    let page = send(&app, get(&format!("/?shop={}", seller.handle), &[])).await;
    let policy = header(&page, header::CONTENT_SECURITY_POLICY);
    let directives = directives(policy);
    assert_eq!(
        directives.last(),
        Some(&"frame-ancestors 'self' https://ok.example"),
        "{policy}"
    );
    let scripts: Vec<&&str> = directives
        .iter()
        .filter(|directive| directive.starts_with("script-src"))
        .collect();
    assert_eq!(
        scripts,
        [&"script-src 'self' 'wasm-unsafe-eval'"],
        "{policy}"
    );
}

#[tokio::test]
async fn every_answer_of_every_route_says_nosniff() {
    let (app, _store, _dir) = demo_app().await;
    let requests = [
        get("/", &[]),
        get("/?n=1000000007", &[]),
        get("/widget?n=1000000007", &[]),
        get("/healthz", &[]),
        get("/api/v1/track/1000000007", &[]),
        get("/api/v1/track/NOSUCH1", &[]),
        get("/api/v1/shops/nosuch/track/1000000007", &[]),
        get("/api/openapi.json", &[]),
        get("/api/v1/seller/shipments/x", &[]),
        get("/no-such-file.js", &[]),
        post_form("/", "n=1000000007&check=0000"),
        request(
            Method::PUT,
            "/api/v1/track/1000000007/push",
            &[("content-type", "application/json")],
            None,
        ),
    ];
    for request in requests {
        let uri = request.uri().to_string();
        let reply = send(&app, request).await;
        assert_eq!(
            header(&reply, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{uri} ({})",
            reply.status
        );
    }
    let metrics = trackline_server::http::metrics::router();
    let reply = send(&metrics, get("/metrics", &[])).await;
    assert_eq!(header(&reply, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}
