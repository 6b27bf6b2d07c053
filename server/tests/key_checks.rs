//! The check of a seller's saved keys, through the router, against local fakes of CDEK, Russian
//! Post, 17TRACK and Ozon answering as they document: every answer per provider (accepted,
//! refused with the provider's words and never the keys, limited with its wait, unreachable
//! after the timeout, unexpected, no keys), the refusal kept for the attention queue and
//! cleared by an acceptance, only the checking seller's keys sent, staff refused, and the
//! per-seller limit. Runs on SQLite, and on PostgreSQL with `TRACKLINE_TEST_DATABASE`.

use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use support::fake_17track::Fake17Track;
use support::fake_cdek::FakeCdek;
use support::fake_ozon::Calls;
use support::fake_russian_post::FakeRussianPost;
use support::{request, seller_call, send};
use trackline_server::http::members::new_invitation;
use trackline_server::providers::ProviderUrls;
use trackline_server::store::members::Role;
use trackline_server::{AppState, Settings, Store};

mod support;

/// The server and the providers' fakes it asks.
struct World {
    store: Store,
    app: Router,
    cdek: FakeCdek,
    russian_post: FakeRussianPost,
    seventeen_track: Fake17Track,
    ozon: Calls,
}

async fn world() -> World {
    let store = support::fresh_store().await;
    let (cdek, cdek_url) = FakeCdek::start().await;
    let (russian_post, russian_post_url) = FakeRussianPost::start().await;
    let (seventeen_track, seventeen_track_url) = Fake17Track::start().await;
    let (ozon_url, ozon) = support::fake_ozon::start_fake().await;
    let settings = Settings {
        providers: ProviderUrls {
            russian_post: russian_post_url,
            cdek: cdek_url,
            seventeen_track: seventeen_track_url,
        },
        ozon_base_url: ozon_url,
        ..Settings::default()
    };
    let app = trackline_server::app(AppState::new(store.clone(), &settings))
        .layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 9], 40000))));
    World {
        store,
        app,
        cdek,
        russian_post,
        seventeen_track,
        ozon,
    }
}

/// Where `provider`'s keys are saved, and where they are checked.
fn routes(provider: &str) -> (String, String) {
    if provider == "ozon" {
        (
            "/api/v1/seller/ozon".into(),
            "/api/v1/seller/ozon/check".into(),
        )
    } else {
        (
            format!("/api/v1/seller/sources/{provider}"),
            format!("/api/v1/seller/sources/{provider}/check"),
        )
    }
}

/// A new seller named `handle` with `keys` saved for `provider`: its token.
async fn seller_with(world: &World, handle: &str, provider: &str, keys: Option<Value>) -> String {
    let token = world
        .store
        .add_seller_named(handle, Some(handle))
        .await
        .unwrap()
        .token;
    if let Some(keys) = keys {
        let (status, answer) = seller_call(
            &world.app,
            Method::PUT,
            &routes(provider).0,
            &token,
            Some(keys),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    }
    token
}

async fn check(app: &Router, provider: &str, token: &str) -> (StatusCode, Value) {
    seller_call(app, Method::POST, &routes(provider).1, token, None).await
}

/// The providers whose keys the seller's attention queue says were refused.
async fn refused(app: &Router, token: &str) -> Vec<(String, String)> {
    let (status, attention) =
        seller_call(app, Method::GET, "/api/v1/seller/attention", token, None).await;
    assert_eq!(status, StatusCode::OK, "{attention}");
    attention["refused_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["provider"].as_str().unwrap().to_owned(),
                entry["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn cdek(secret: &str) -> Value {
    json!({"client_id": support::fake_cdek::CLIENT_ID, "client_secret": secret})
}

fn russian_post(password: &str) -> Value {
    json!({"login": support::fake_russian_post::LOGIN, "password": password})
}

fn seventeen_track(key: &str) -> Value {
    json!({"api_key": key})
}

fn ozon(key: &str) -> Value {
    json!({"client_id": support::fake_ozon::CLIENT_ID, "api_key": key})
}

/// One case: a provider, the keys saved, and what the check must answer.
struct Case {
    provider: &'static str,
    keys: Value,
    answer: &'static str,
    /// Words the message must hold.
    message: Option<&'static str>,
    retry_after_s: Option<u64>,
    status: Option<u16>,
}

fn case(provider: &'static str, keys: Value, answer: &'static str) -> Case {
    Case {
        provider,
        keys,
        answer,
        message: None,
        retry_after_s: None,
        status: None,
    }
}

/// Every answer but "unreachable" (which waits out the timeout, below), per provider.
fn cases() -> Vec<Case> {
    vec![
        case("cdek", cdek(support::fake_cdek::CLIENT_SECRET), "accepted"),
        Case {
            message: Some("Bad credentials for … / …"),
            ..case("cdek", cdek("wrong-secret-1234"), "refused")
        },
        Case {
            message: Some("Client is blocked"),
            ..case("cdek", cdek("banned"), "refused")
        },
        Case {
            message: Some("Access denied"),
            ..case("cdek", cdek("forbidden"), "refused")
        },
        Case {
            retry_after_s: Some(40),
            ..case("cdek", cdek("limited"), "limited")
        },
        Case {
            status: Some(503),
            ..case("cdek", cdek("broken"), "unexpected")
        },
        case(
            "russian_post",
            russian_post(support::fake_russian_post::PASSWORD),
            "accepted",
        ),
        Case {
            message: Some("Ошибка авторизации"),
            ..case("russian_post", russian_post("wrong-password-99"), "refused")
        },
        case("russian_post", russian_post("limited"), "limited"),
        Case {
            status: Some(502),
            ..case("russian_post", russian_post("broken"), "unexpected")
        },
        // A 200 that is not the service's answer (a captive portal) says nothing of the keys.
        Case {
            status: Some(200),
            ..case("russian_post", russian_post("captive"), "unexpected")
        },
        Case {
            status: Some(200),
            ..case("ozon", ozon("captive"), "unexpected")
        },
        case(
            "seventeen_track",
            seventeen_track(support::fake_17track::API_KEY),
            "accepted",
        ),
        Case {
            message: Some("Access token is invalid."),
            ..case(
                "seventeen_track",
                seventeen_track("wrong-key-5678"),
                "refused",
            )
        },
        Case {
            message: Some("Account is disabled."),
            ..case(
                "seventeen_track",
                seventeen_track("disabled-account"),
                "refused",
            )
        },
        Case {
            retry_after_s: Some(40),
            ..case("seventeen_track", seventeen_track("limited"), "limited")
        },
        Case {
            status: Some(500),
            ..case("seventeen_track", seventeen_track("broken"), "unexpected")
        },
        case("ozon", ozon(support::fake_ozon::API_KEY), "accepted"),
        Case {
            message: Some("Invalid Api-Key …, please contact support"),
            ..case("ozon", ozon("wrong-ozon-key-42"), "refused")
        },
        Case {
            message: Some("Api-key is deactivated"),
            ..case("ozon", ozon("key-switched-off"), "refused")
        },
        Case {
            retry_after_s: Some(40),
            ..case("ozon", ozon("limited"), "limited")
        },
        Case {
            status: Some(500),
            message: Some("internal error"),
            ..case("ozon", ozon("broken"), "unexpected")
        },
    ]
}

#[tokio::test]
async fn each_providers_answer_is_said_as_it_was_given_and_a_refusal_is_kept_for_attention() {
    let world = world().await;
    for (n, case) in cases().into_iter().enumerate() {
        let token = seller_with(
            &world,
            &format!("shop-{n}"),
            case.provider,
            Some(case.keys.clone()),
        )
        .await;
        let (status, answer) = check(&world.app, case.provider, &token).await;
        let about = format!("{} {}: {answer}", case.provider, case.keys);
        assert_eq!(status, StatusCode::OK, "{about}");
        assert_eq!(answer["provider"], case.provider, "{about}");
        assert_eq!(answer["answer"], case.answer, "{about}");
        assert_eq!(answer["message"].as_str(), case.message, "{about}");
        assert_eq!(
            answer["retry_after_s"].as_u64(),
            case.retry_after_s,
            "{about}"
        );
        assert_eq!(
            answer["status"].as_u64(),
            case.status.map(u64::from),
            "{about}"
        );
        // No key of the seller's is ever in the answer, whatever the provider said.
        for value in case.keys.as_object().unwrap().values() {
            let value = value.as_str().unwrap();
            if value.len() > 8 {
                assert!(!answer.to_string().contains(value), "{about}");
            }
        }
        let kept = refused(&world.app, &token).await;
        if case.answer == "refused" {
            assert_eq!(kept.len(), 1, "{about}: {kept:?}");
            assert_eq!(kept[0].0, case.provider, "{about}");
        } else {
            assert!(kept.is_empty(), "{about}: {kept:?}");
        }
    }
}

#[tokio::test]
async fn a_provider_that_does_not_answer_in_time_is_unreachable() {
    let world = world().await;
    let mut checks = tokio::task::JoinSet::new();
    for (provider, keys) in [
        ("cdek", cdek("slow")),
        ("russian_post", russian_post("slow")),
        ("seventeen_track", seventeen_track("slow")),
        ("ozon", ozon("slow")),
    ] {
        let token = seller_with(&world, &format!("slow-{provider}"), provider, Some(keys)).await;
        let app = world.app.clone();
        checks.spawn(async move {
            let started = std::time::Instant::now();
            let (status, answer) = check(&app, provider, &token).await;
            (provider, status, answer, started.elapsed())
        });
    }
    while let Some(done) = checks.join_next().await {
        let (provider, status, answer, took) = done.unwrap();
        assert_eq!(status, StatusCode::OK, "{provider}: {answer}");
        assert_eq!(answer["answer"], "unreachable", "{provider}: {answer}");
        // The providers' timeout (10 s), not the fake's minute.
        assert!(
            took < std::time::Duration::from_secs(30),
            "{provider}: {took:?}"
        );
    }
}

#[tokio::test]
async fn without_saved_keys_nothing_is_asked() {
    let world = world().await;
    let token = seller_with(&world, "bare", "cdek", None).await;
    for provider in ["cdek", "russian_post", "seventeen_track", "ozon"] {
        let (status, answer) = check(&world.app, provider, &token).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer, json!({"provider": provider, "answer": "no_keys"}));
    }
    assert!(world.cdek.token_asked.lock().unwrap().is_empty());
    assert!(world.russian_post.keys_asked.lock().unwrap().is_empty());
    assert!(world.seventeen_track.quota_asked.lock().unwrap().is_empty());
    assert!(world.ozon.lock().unwrap().is_empty());
    let (status, answer) = check(&world.app, "dhl", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
}

#[tokio::test]
async fn an_accepted_check_clears_a_refusal_the_poller_recorded() {
    let world = world().await;
    for (n, (provider, keys)) in [
        ("cdek", cdek(support::fake_cdek::CLIENT_SECRET)),
        (
            "russian_post",
            russian_post(support::fake_russian_post::PASSWORD),
        ),
        (
            "seventeen_track",
            seventeen_track(support::fake_17track::API_KEY),
        ),
        ("ozon", ozon(support::fake_ozon::API_KEY)),
    ]
    .into_iter()
    .enumerate()
    {
        let token = seller_with(&world, &format!("mended-{n}"), provider, Some(keys)).await;
        let seller = world.store.seller_by_token(&token).await.unwrap().unwrap();
        // As the poller records a 401 it was given before the provider took the keys again.
        world
            .store
            .record_key_refusal(
                seller,
                provider,
                "the provider refused the seller's keys",
                1,
            )
            .await
            .unwrap();
        assert_eq!(refused(&world.app, &token).await.len(), 1, "{provider}");
        let (_, answer) = check(&world.app, provider, &token).await;
        assert_eq!(answer["answer"], "accepted", "{provider}: {answer}");
        assert!(refused(&world.app, &token).await.is_empty(), "{provider}");
    }
}

#[tokio::test]
async fn a_refused_check_is_kept_in_the_words_the_poller_keeps() {
    let world = world().await;
    let token = seller_with(&world, "refused", "cdek", Some(cdek("wrong-secret-1234"))).await;
    check(&world.app, "cdek", &token).await;
    let ozon_token = seller_with(
        &world,
        "refused-ozon",
        "ozon",
        Some(ozon("wrong-ozon-key-42")),
    )
    .await;
    check(&world.app, "ozon", &ozon_token).await;
    assert_eq!(
        refused(&world.app, &token).await,
        [(
            "cdek".to_owned(),
            trackline_server::providers::ProviderError::Unauthorized.to_string()
        )]
    );
    assert_eq!(
        refused(&world.app, &ozon_token).await,
        [(
            "ozon".to_owned(),
            trackline_server::ozon::OzonError::Unauthorized.to_string()
        )]
    );
}

#[tokio::test]
async fn only_the_checking_sellers_keys_reach_the_provider() {
    let world = world().await;
    let anna = seller_with(&world, "anna", "cdek", Some(cdek("secret-of-anna"))).await;
    let boris = seller_with(
        &world,
        "boris",
        "cdek",
        Some(cdek(support::fake_cdek::CLIENT_SECRET)),
    )
    .await;
    for (provider, keys) in [
        (
            "seventeen_track",
            seventeen_track(support::fake_17track::API_KEY),
        ),
        ("ozon", ozon(support::fake_ozon::API_KEY)),
        (
            "russian_post",
            russian_post(support::fake_russian_post::PASSWORD),
        ),
    ] {
        let (status, _) = seller_call(
            &world.app,
            Method::PUT,
            &routes(provider).0,
            &boris,
            Some(keys),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let (_, answer) = check(&world.app, "cdek", &anna).await;
    assert_eq!(answer["answer"], "refused", "{answer}");
    assert_eq!(
        *world.cdek.token_asked.lock().unwrap(),
        [(
            support::fake_cdek::CLIENT_ID.to_owned(),
            "secret-of-anna".to_owned()
        )]
    );
    // Anna has no keys of her own there: Boris's are never taken for hers.
    for provider in ["seventeen_track", "ozon", "russian_post"] {
        let (_, answer) = check(&world.app, provider, &anna).await;
        assert_eq!(answer["answer"], "no_keys", "{provider}: {answer}");
    }
    assert!(world.seventeen_track.quota_asked.lock().unwrap().is_empty());
    assert!(world.ozon.lock().unwrap().is_empty());
    assert!(world.russian_post.keys_asked.lock().unwrap().is_empty());
    // Anna's refusal is hers alone.
    assert_eq!(refused(&world.app, &anna).await.len(), 1);
    assert!(refused(&world.app, &boris).await.is_empty());
}

#[tokio::test]
async fn a_seller_checks_ten_times_a_minute_at_most_and_others_are_not_held_by_it() {
    let world = world().await;
    let busy = seller_with(
        &world,
        "busy",
        "ozon",
        Some(ozon(support::fake_ozon::API_KEY)),
    )
    .await;
    let other = seller_with(
        &world,
        "other",
        "ozon",
        Some(ozon(support::fake_ozon::API_KEY)),
    )
    .await;
    for n in 0..10 {
        let (status, answer) = check(&world.app, "ozon", &busy).await;
        assert_eq!(status, StatusCode::OK, "check {n}: {answer}");
    }
    // Ozon's and the carriers' checks count together.
    for provider in ["ozon", "cdek"] {
        let reply = send(
            &world.app,
            request(
                Method::POST,
                &routes(provider).1,
                &[("authorization", &support::bearer(&busy))],
                None,
            ),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            reply.text
        );
        assert_eq!(reply.json()["error"], "rate_limited");
        assert!(reply.headers.contains_key(header::RETRY_AFTER));
    }
    let key = format!(
        "check {} {}",
        support::fake_ozon::CLIENT_ID,
        support::fake_ozon::API_KEY
    );
    assert_eq!(world.ozon.lock().unwrap().get(&key), Some(&10));
    let (status, answer) = check(&world.app, "ozon", &other).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The default `public_url`: the one origin a session's writes are taken from.
const ORIGIN: &str = "http://localhost:8080";

/// A member of `seller` as `role`, signed in with a password: its cookie and CSRF token.
async fn member(world: &World, token: &str, role: Role, login: &str) -> (String, String) {
    let seller = world.store.seller_by_token(token).await.unwrap().unwrap();
    let (link, _) = new_invitation(&world.store, ORIGIN, seller, role)
        .await
        .unwrap();
    let invitation = link.rsplit_once('=').unwrap().1;
    let body = json!({"invitation": invitation, "name": "Sam", "login": login,
                      "password": "correct horse battery"});
    let headers = [("content-type", "application/json"), ("origin", ORIGIN)];
    let reply = send(
        &world.app,
        request(
            Method::POST,
            "/api/v1/console/passwords/register",
            &headers,
            Some(&body),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let cookie = reply.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (cookie, reply.json()["csrf"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn staff_are_refused_and_an_owners_session_checks_with_its_origin_and_csrf_token() {
    let world = world().await;
    let token = seller_with(
        &world,
        "shop",
        "ozon",
        Some(ozon(support::fake_ozon::API_KEY)),
    )
    .await;
    let (staff_cookie, staff_csrf) = member(&world, &token, Role::Staff, "sam@shop.example").await;
    let (owner_cookie, owner_csrf) = member(&world, &token, Role::Owner, "olga@shop.example").await;
    let in_session = |cookie: &str, csrf: &str, uri: &str| {
        let headers = [
            ("cookie", cookie),
            ("origin", ORIGIN),
            ("x-csrf-token", csrf),
        ];
        request(Method::POST, uri, &headers, None)
    };
    let staff_reads = send(
        &world.app,
        request(
            Method::GET,
            "/api/v1/seller/keys",
            &[("cookie", staff_cookie.as_str())],
            None,
        ),
    )
    .await;
    assert_eq!(
        staff_reads.status,
        StatusCode::FORBIDDEN,
        "{}",
        staff_reads.text
    );
    for uri in [
        "/api/v1/seller/ozon/check",
        "/api/v1/seller/sources/cdek/check",
    ] {
        let reply = send(&world.app, in_session(&staff_cookie, &staff_csrf, uri)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}: {}", reply.text);
        assert_eq!(reply.json()["error"], "owners_only", "{uri}");
        // An owner's session without its CSRF token is refused too.
        let reply = send(&world.app, in_session(&owner_cookie, "forged", uri)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}: {}", reply.text);
    }
    assert!(world.ozon.lock().unwrap().is_empty(), "nothing was asked");
    let reply = send(
        &world.app,
        in_session(&owner_cookie, &owner_csrf, "/api/v1/seller/ozon/check"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["answer"], "accepted");
    // The audit log names who checked, and what.
    let (_, audit) = seller_call(
        &world.app,
        Method::GET,
        "/api/v1/seller/audit",
        &token,
        None,
    )
    .await;
    let newest = &audit["entries"][0];
    assert_eq!(newest["action"], "ozon_keys.check", "{audit}");
    assert_eq!(newest["member"]["name"], "Sam", "{audit}");
    let reply = send(
        &world.app,
        request(Method::POST, "/api/v1/seller/ozon/check", &[], None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_providers_with_saved_keys_are_named_and_the_keys_never_shown() {
    let world = world().await;
    let token = seller_with(&world, "named", "cdek", Some(cdek("secret-of-named"))).await;
    let other = seller_with(&world, "unnamed", "ozon", Some(ozon("ozon-secret-other"))).await;
    let (status, saved) =
        seller_call(&world.app, Method::GET, "/api/v1/seller/keys", &token, None).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, json!({"providers": ["cdek"]}));
    let (_, answer) = seller_call(
        &world.app,
        Method::PUT,
        "/api/v1/seller/ozon",
        &token,
        Some(ozon(support::fake_ozon::API_KEY)),
    )
    .await;
    assert_eq!(answer, Value::Null);
    let (_, saved) =
        seller_call(&world.app, Method::GET, "/api/v1/seller/keys", &token, None).await;
    assert_eq!(saved, json!({"providers": ["cdek", "ozon"]}));
    let (_, saved) =
        seller_call(&world.app, Method::GET, "/api/v1/seller/keys", &other, None).await;
    assert_eq!(saved, json!({"providers": ["ozon"]}));
}
