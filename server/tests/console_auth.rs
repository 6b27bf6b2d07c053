//! The seller's console's sign-in through the router: invitations, passwords, passkey
//! ceremonies, sessions and their cookie, the CSRF and origin checks, roles, the guessing limit
//! across instances, members and the audit log. Runs on SQLite, and on PostgreSQL with
//! `TRACKLINE_TEST_DATABASE`.

use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use support::{request, send, Reply};
use trackline_server::http::members::new_invitation;
use trackline_server::store::members::Role;
use trackline_server::store::sellers::SellerId;
use trackline_server::Store;

mod support;

/// The default `public_url`: the one origin a session's writes are taken from.
const ORIGIN: &str = "http://localhost:8080";
const PASSWORD: &str = "correct horse battery";

/// The app over `store`, every request coming from one client address.
fn app(store: &Store) -> Router {
    support::app(store).layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))))
}

/// A seller: its id and bearer token.
async fn seller(store: &Store, name: &str) -> (SellerId, String) {
    let added = store.add_seller_named(name, None).await.unwrap();
    (added.id, added.token)
}

/// A new invitation's token, as the link carries it.
async fn invitation(store: &Store, seller: SellerId, role: Role) -> String {
    let (link, _) = new_invitation(store, ORIGIN, seller, role).await.unwrap();
    assert!(
        link.starts_with("http://localhost:8080/console/#invitation="),
        "{link}"
    );
    link.rsplit_once('=').unwrap().1.to_owned()
}

/// A signed-in member: its cookie (as a `Cookie` header) and CSRF token.
#[derive(Clone)]
struct Member {
    cookie: String,
    csrf: String,
    id: i64,
}

fn session_of(reply: &Reply) -> Member {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
    for part in [
        "__Host-trackline-session=",
        "Path=/",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
    ] {
        assert!(set.contains(part), "{set}");
    }
    let value = set.split(';').next().unwrap();
    Member {
        cookie: value.to_owned(),
        csrf: reply.json()["csrf"].as_str().unwrap().to_owned(),
        id: reply.json()["member"]["id"].as_i64().unwrap(),
    }
}

async fn post(app: &Router, uri: &str, body: Value) -> Reply {
    // From the console's own page, as a browser sends it.
    let headers = [("content-type", "application/json"), ("origin", ORIGIN)];
    send(app, request(Method::POST, uri, &headers, Some(&body))).await
}

/// Joins `seller` as `role` with a password under `login`.
async fn join(store: &Store, app: &Router, seller: SellerId, role: Role, login: &str) -> Member {
    let invitation = invitation(store, seller, role).await;
    let body =
        json!({"invitation": invitation, "name": "Anna", "login": login, "password": PASSWORD});
    session_of(&post(app, "/api/v1/console/passwords/register", body).await)
}

async fn sign_in(app: &Router, login: &str, password: &str) -> Reply {
    let body = json!({"login": login, "password": password});
    post(app, "/api/v1/console/passwords/sign-in", body).await
}

/// A request made in the console: the member's cookie, the console's origin and CSRF token.
async fn as_member(
    app: &Router,
    member: &Member,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> Reply {
    let headers = [
        ("cookie", member.cookie.as_str()),
        ("origin", ORIGIN),
        ("x-csrf-token", member.csrf.as_str()),
        ("content-type", "application/json"),
    ];
    send(app, request(method, uri, &headers, body.as_ref())).await
}

fn parcel() -> Value {
    json!({
        "order_number": "5500000001",
        "tracking_number": "RA500000018RU",
        "stage": "handed_over",
        "updated_at": "2026-11-20T10:00:00+03:00",
        "carrier": {"name": "Russian Post"},
        "events": [{"at": "2026-11-20T10:00:00+03:00", "stage": "handed_over", "text": "Handed over", "location": "Tver"}]
    })
}

#[tokio::test]
async fn an_invitation_makes_a_member_whose_session_reads_and_writes_the_sellers_shipments() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop A").await;
    let token = invitation(&store, seller, Role::Owner).await;
    let shown = post(
        &app,
        "/api/v1/console/invitation",
        json!({"invitation": token}),
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert_eq!(shown.json()["seller"], "Shop A");
    assert_eq!(shown.json()["role"], "owner");

    let body = json!({"invitation": token, "name": "Anna", "login": "Anna@Shop.example", "password": PASSWORD});
    let joined = post(&app, "/api/v1/console/passwords/register", body).await;
    let anna = session_of(&joined);
    assert_eq!(joined.json()["member"]["name"], "Anna");
    assert_eq!(joined.json()["seller"]["name"], "Shop A");
    // Its handle too, for the configurator the console opens with the shop filled in.
    assert_eq!(joined.json()["seller"]["handle"], "shop-a");
    assert!(joined.json()["idle_expires_ms"].as_i64().unwrap() > 0);

    // The session reads the seller's shipments and writes one.
    let put = as_member(
        &app,
        &anna,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        Some(parcel()),
    )
    .await;
    assert!(put.status.is_success(), "{} {}", put.status, put.text);
    let listed = as_member(&app, &anna, Method::GET, "/api/v1/seller/shipments", None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert!(listed.text.contains("p-1"), "{}", listed.text);
    let session = as_member(&app, &anna, Method::GET, "/api/v1/console/session", None).await;
    assert_eq!(session.json()["member"]["role"], "owner");
    assert_eq!(session.json()["csrf"], anna.csrf.as_str());
    assert_eq!(session.json()["seller"]["handle"], "shop-a");

    // The login is case-insensitive; the session's cookie is new at each sign-in.
    let again = session_of(&sign_in(&app, "anna@shop.EXAMPLE", PASSWORD).await);
    assert_ne!(again.cookie, anna.cookie);

    // The audit log names who wrote it (after the sign-in, newest first).
    let audit = as_member(&app, &anna, Method::GET, "/api/v1/seller/audit", None).await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    assert_eq!(audit.json()["entries"][0]["action"], "sign_in.password");
    let entry = &audit.json()["entries"][1];
    assert_eq!(entry["action"], "shipment.put", "{}", audit.text);
    assert_eq!(entry["target"], "p-1");
    assert_eq!(entry["member"]["name"], "Anna");
}

#[tokio::test]
async fn an_invitation_works_once_and_not_after_it_expires() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let token = invitation(&store, seller, Role::Staff).await;
    join_with(&app, &token, "first@shop.example").await;
    let second = post(
        &app,
        "/api/v1/console/passwords/register",
        json!({"invitation": token, "name": "B", "login": "second@shop.example", "password": PASSWORD}),
    )
    .await;
    assert_eq!(second.status, StatusCode::NOT_FOUND, "{}", second.text);
    assert_eq!(second.json()["error"], "invitation_not_found");
    let shown = post(
        &app,
        "/api/v1/console/invitation",
        json!({"invitation": token}),
    )
    .await;
    assert_eq!(shown.status, StatusCode::NOT_FOUND);

    let expired = invitation(&store, seller, Role::Staff).await;
    sqlx::query("UPDATE member_invitations SET expires_ms = 1 WHERE used_ms IS NULL")
        .execute(store.pool())
        .await
        .unwrap();
    let late = post(
        &app,
        "/api/v1/console/passwords/register",
        json!({"invitation": expired, "name": "C", "login": "third@shop.example", "password": PASSWORD}),
    )
    .await;
    assert_eq!(late.status, StatusCode::NOT_FOUND, "{}", late.text);
}

async fn join_with(app: &Router, token: &str, login: &str) -> Reply {
    post(
        app,
        "/api/v1/console/passwords/register",
        json!({"invitation": token, "name": "Anna", "login": login, "password": PASSWORD}),
    )
    .await
}

#[tokio::test]
async fn two_finishes_of_one_invitation_at_once_make_one_member() {
    let (store, other) = support::two_instances().await;
    let (seller, _) = seller(&store, "Shop").await;
    let token = invitation(&store, seller, Role::Staff).await;
    let (one, two) = (app(&store), app(&other));
    let (a, b) = tokio::join!(
        join_with(&one, &token, "one@shop.example"),
        join_with(&two, &token, "two@shop.example"),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::NOT_FOUND],
        "{} / {}",
        a.text,
        b.text
    );
    assert_eq!(store.members(seller, 0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_sessions_write_needs_the_consoles_origin_and_its_csrf_token() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let anna = join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let uri = "/api/v1/seller/shipments/p-1";
    let body = parcel().to_string();
    let cases: [(&str, Option<&str>, Option<&str>); 5] = [
        (
            "another site",
            Some("https://evil.example"),
            Some(&anna.csrf),
        ),
        ("no origin", None, Some(&anna.csrf)),
        ("no token", Some(ORIGIN), None),
        ("a wrong token", Some(ORIGIN), Some("not-the-token")),
        (
            "an origin with a path's slash",
            Some("http://localhost:8080/"),
            Some(&anna.csrf),
        ),
    ];
    for (case, origin, csrf) in cases {
        let mut headers = vec![
            ("cookie", anna.cookie.as_str()),
            ("content-type", "application/json"),
        ];
        if let Some(origin) = origin {
            headers.push(("origin", origin));
        }
        if let Some(csrf) = csrf {
            headers.push(("x-csrf-token", csrf));
        }
        let reply = send(
            &app,
            request(
                Method::PUT,
                uri,
                &headers,
                Some(&serde_json::from_str(&body).unwrap()),
            ),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{case}: {}",
            reply.text
        );
        assert_eq!(reply.json()["error"], "cross_site", "{case}");
        let sign_out = send(
            &app,
            request(Method::POST, "/api/v1/console/sign-out", &headers, None),
        )
        .await;
        assert_eq!(sign_out.status, StatusCode::FORBIDDEN, "{case}: sign-out");
    }
    let nothing = as_member(&app, &anna, Method::GET, uri, None).await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND, "nothing was written");
    let put = as_member(&app, &anna, Method::PUT, uri, Some(parcel())).await;
    assert!(put.status.is_success(), "{}", put.text);
}

#[tokio::test]
async fn staff_are_refused_the_keys_webhooks_tokens_settings_members_and_audit() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let sam = join(&store, &app, seller, Role::Staff, "sam@shop.example").await;
    let refused: [(Method, &str, Option<Value>); 11] = [
        (
            Method::PUT,
            "/api/v1/seller/ozon",
            Some(json!({"client_id": "1", "api_key": "k"})),
        ),
        (
            Method::PUT,
            "/api/v1/seller/sources/cdek",
            Some(json!({"client_id": "1", "client_secret": "s"})),
        ),
        (Method::GET, "/api/v1/seller/webhooks", None),
        (
            Method::POST,
            "/api/v1/seller/webhooks",
            Some(json!({"url": "https://hooks.example/x"})),
        ),
        (Method::GET, "/api/v1/seller/tokens", None),
        (
            Method::POST,
            "/api/v1/seller/tokens",
            Some(json!({"name": "mine"})),
        ),
        (Method::GET, "/api/v1/seller/settings", None),
        (Method::GET, "/api/v1/seller/members", None),
        (
            Method::POST,
            "/api/v1/seller/members/invitations",
            Some(json!({"role": "owner"})),
        ),
        (
            Method::DELETE,
            &format!("/api/v1/seller/members/{}", sam.id),
            None,
        ),
        (Method::GET, "/api/v1/seller/audit", None),
    ];
    for (method, uri, body) in refused {
        let reply = as_member(&app, &sam, method.clone(), uri, body).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            reply.text
        );
        assert_eq!(reply.json()["error"], "owners_only", "{method} {uri}");
    }
    // Staff work on shipments.
    let put = as_member(
        &app,
        &sam,
        Method::PUT,
        "/api/v1/seller/shipments/p-1",
        Some(parcel()),
    )
    .await;
    assert!(put.status.is_success(), "{}", put.text);
    let listed = as_member(&app, &sam, Method::GET, "/api/v1/seller/shipments", None).await;
    assert_eq!(listed.status, StatusCode::OK);
}

#[tokio::test]
async fn a_member_of_one_seller_never_reaches_anothers_shipments() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (shop_a, _) = seller(&store, "Shop A").await;
    let (_, token_b) = seller(&store, "Shop B").await;
    let (status, _) = support::seller_call(
        &app,
        Method::PUT,
        "/api/v1/seller/shipments/b-1",
        &token_b,
        Some(parcel()),
    )
    .await;
    assert!(status.is_success());
    let anna = join(&store, &app, shop_a, Role::Owner, "anna@a.example").await;
    let read = as_member(
        &app,
        &anna,
        Method::GET,
        "/api/v1/seller/shipments/b-1",
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    let deleted = as_member(
        &app,
        &anna,
        Method::DELETE,
        "/api/v1/seller/shipments/b-1",
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NOT_FOUND);
    let listed = as_member(&app, &anna, Method::GET, "/api/v1/seller/shipments", None).await;
    assert!(!listed.text.contains("b-1"), "{}", listed.text);
    let (status, _) = support::seller_call(
        &app,
        Method::GET,
        "/api/v1/seller/shipments/b-1",
        &token_b,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "B's shipment is still there");
}

#[tokio::test]
async fn a_session_ends_when_idle_for_twelve_hours_or_thirty_days_old() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let anna = join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let now = jiff::Timestamp::now().as_millisecond();
    let hour = 3_600_000_i64;
    // Used 11 hours ago: still on, and marked used now.
    sqlx::query("UPDATE member_sessions SET seen_ms = $1")
        .bind(now - 11 * hour)
        .execute(store.pool())
        .await
        .unwrap();
    let on = as_member(&app, &anna, Method::GET, "/api/v1/console/session", None).await;
    assert_eq!(on.status, StatusCode::OK);
    let seen: i64 = sqlx::query_scalar("SELECT seen_ms FROM member_sessions")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(seen >= now, "the use moved the idle expiry");
    // Unused for 12 hours: over.
    sqlx::query("UPDATE member_sessions SET seen_ms = $1")
        .bind(now - 12 * hour - 1000)
        .execute(store.pool())
        .await
        .unwrap();
    let off = as_member(&app, &anna, Method::GET, "/api/v1/seller/shipments", None).await;
    assert_eq!(off.status, StatusCode::UNAUTHORIZED);
    let gone: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM member_sessions")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(gone, 0, "an expired session is deleted");

    // Used a minute ago but begun 30 days ago: over.
    let again = session_of(&sign_in(&app, "anna@shop.example", PASSWORD).await);
    sqlx::query("UPDATE member_sessions SET created_ms = $1, seen_ms = $2")
        .bind(now - 30 * 24 * hour - 1000)
        .bind(now - 60_000)
        .execute(store.pool())
        .await
        .unwrap();
    let old = as_member(&app, &again, Method::GET, "/api/v1/console/session", None).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_this_session_and_everywhere_ends_every_other() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let laptop = join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let phone = session_of(&sign_in(&app, "anna@shop.example", PASSWORD).await);
    let tablet = session_of(&sign_in(&app, "anna@shop.example", PASSWORD).await);

    let out = as_member(
        &app,
        &tablet,
        Method::POST,
        "/api/v1/console/sign-out",
        None,
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let tablet_now = as_member(&app, &tablet, Method::GET, "/api/v1/console/session", None).await;
    assert_eq!(tablet_now.status, StatusCode::UNAUTHORIZED);
    let phone_now = as_member(&app, &phone, Method::GET, "/api/v1/console/session", None).await;
    assert_eq!(phone_now.status, StatusCode::OK, "another session stays");

    let everywhere = as_member(
        &app,
        &laptop,
        Method::POST,
        "/api/v1/console/sign-out-everywhere",
        None,
    )
    .await;
    assert_eq!(everywhere.status, StatusCode::NO_CONTENT);
    for member in [&laptop, &phone] {
        let now = as_member(&app, member, Method::GET, "/api/v1/seller/shipments", None).await;
        assert_eq!(now.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_login_on_every_instance() {
    let (store, other) = support::two_instances().await;
    let (seller, _) = seller(&store, "Shop").await;
    let (one, two) = (app(&store), app(&other));
    join(&store, &one, seller, Role::Owner, "anna@shop.example").await;
    // An unknown login is answered as a wrong password is.
    let unknown = sign_in(&one, "nobody@shop.example", "whatever password").await;
    let wrong = sign_in(&one, "anna@shop.example", "wrong password!").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text, wrong.text);
    // Nine more wrong ones, half on each instance, fill the login's ten.
    for n in 0..9 {
        let app = if n % 2 == 0 { &two } else { &one };
        let reply = sign_in(app, "anna@shop.example", "wrong password!").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "try {n}");
    }
    for app in [&one, &two] {
        // Even the right password waits, so that a guess past the limit tells nothing.
        let limited = sign_in(app, "ANNA@shop.example", PASSWORD).await;
        assert_eq!(
            limited.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            limited.text
        );
        assert!(limited.headers.contains_key(header::RETRY_AFTER));
    }
    // The window over, the right password works.
    sqlx::query("UPDATE sign_in_failures SET ends_ms = 1")
        .execute(store.pool())
        .await
        .unwrap();
    session_of(&sign_in(&two, "anna@shop.example", PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_wrong_passwords_at_once_are_not_more_than_the_limit() {
    let (store, other) = support::two_instances().await;
    let (seller, _) = seller(&store, "Shop").await;
    let (one, two) = (app(&store), app(&other));
    join(&store, &one, seller, Role::Owner, "anna@shop.example").await;
    // Spawned all before any is awaited (collected), so that they run at once.
    let tries: Vec<_> = (0..30)
        .map(|n| {
            let app = if n % 2 == 0 { one.clone() } else { two.clone() };
            tokio::spawn(async move {
                sign_in(&app, "anna@shop.example", "wrong password!")
                    .await
                    .status
            })
        })
        .collect();
    let mut wrong = 0;
    for task in tries {
        match task.await.unwrap() {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(
        wrong, 10,
        "exactly the login's ten wrong passwords were judged"
    );
}

#[tokio::test]
async fn a_passkey_ceremony_is_taken_once_and_not_after_five_minutes() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let started = post(&app, "/api/v1/console/passkeys/sign-in", json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let ceremony = started.json()["ceremony"].as_str().unwrap().to_owned();
    assert_eq!(
        started.json()["options"]["mediation"],
        Value::Null,
        "a modal, not autofill"
    );
    assert_eq!(
        started.json()["options"]["publicKey"]["userVerification"],
        "required"
    );
    assert!(
        started.json()["options"]["publicKey"]["challenge"].is_string(),
        "{}",
        started.text
    );
    let now = jiff::Timestamp::now().as_millisecond();
    assert!(store
        .take_ceremony(&ceremony, "sign-in", now)
        .await
        .unwrap()
        .is_some());
    assert!(
        store
            .take_ceremony(&ceremony, "sign-in", now)
            .await
            .unwrap()
            .is_none(),
        "taken once"
    );

    store
        .keep_ceremony("old", "sign-in", "{}", now + 300_000, now)
        .await
        .unwrap();
    assert!(
        store
            .take_ceremony("old", "sign-in", now + 300_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    store
        .keep_ceremony("other", "register", "{}", now + 300_000, now)
        .await
        .unwrap();
    assert!(
        store
            .take_ceremony("other", "sign-in", now)
            .await
            .unwrap()
            .is_none(),
        "of its kind only"
    );

    // A finish with a credential that does not check signs nobody in, and uses the ceremony.
    let started = post(&app, "/api/v1/console/passkeys/sign-in", json!({})).await;
    let ceremony = started.json()["ceremony"].as_str().unwrap().to_owned();
    let bad = json!({"ceremony": ceremony, "credential": {"id": "AA", "rawId": "AA", "type": "public-key",
        "response": {"authenticatorData": "AA", "clientDataJSON": "AA", "signature": "AA", "userHandle": "AA"}}});
    let refused = post(&app, "/api/v1/console/passkeys/sign-in/finish", bad.clone()).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    assert!(store
        .take_ceremony(&ceremony, "sign-in", now)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_passkey_registration_begins_from_an_invitation_only() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let none = post(
        &app,
        "/api/v1/console/passkeys/register",
        json!({"invitation": "nope", "name": "Anna"}),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let token = invitation(&store, seller, Role::Owner).await;
    let begun = post(
        &app,
        "/api/v1/console/passkeys/register",
        json!({"invitation": token, "name": "Anna"}),
    )
    .await;
    assert_eq!(begun.status, StatusCode::OK, "{}", begun.text);
    let options = &begun.json()["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost", "{}", begun.text);
    assert_eq!(options["user"]["name"], "Anna");
    assert_eq!(
        options["authenticatorSelection"]["residentKey"], "required",
        "{}",
        begun.text
    );
}

#[tokio::test]
async fn owners_invite_list_and_remove_members_but_not_the_last_owner() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, token) = seller(&store, "Shop").await;
    let anna = join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let invited = as_member(
        &app,
        &anna,
        Method::POST,
        "/api/v1/seller/members/invitations",
        Some(json!({"role": "staff"})),
    )
    .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.text);
    let link = invited.json()["link"].as_str().unwrap().to_owned();
    let sam_token = link.rsplit_once("#invitation=").unwrap().1.to_owned();
    let sam = session_of(&join_with(&app, &sam_token, "sam@shop.example").await);

    let listed = as_member(&app, &anna, Method::GET, "/api/v1/seller/members", None).await;
    let members = listed.json()["members"].as_array().unwrap().clone();
    assert_eq!(members.len(), 2, "{}", listed.text);
    assert_eq!(members[1]["role"], "staff");
    assert_eq!(members[1]["login"], "sam@shop.example");

    let last = as_member(
        &app,
        &anna,
        Method::DELETE,
        &format!("/api/v1/seller/members/{}", anna.id),
        None,
    )
    .await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{}", last.text);
    // A bearer token acts as an owner.
    let (status, _) = support::seller_call(
        &app,
        Method::DELETE,
        &format!("/api/v1/seller/members/{}", sam.id),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let sams = as_member(&app, &sam, Method::GET, "/api/v1/seller/shipments", None).await;
    assert_eq!(
        sams.status,
        StatusCode::UNAUTHORIZED,
        "a removed member's sessions end"
    );

    let (_, audit) = support::seller_call(
        &app,
        Method::GET,
        "/api/v1/seller/audit?limit=1",
        &token,
        None,
    )
    .await;
    assert_eq!(audit["entries"][0]["action"], "member.remove", "{audit}");
    assert_eq!(audit["entries"][0]["target"], "Anna", "named, not numbered");
    assert_eq!(audit["entries"][0]["member"], Value::Null);
    assert_eq!(audit["entries"][0]["token"], "first");
    let next = audit["next"].as_str().unwrap().to_owned();
    let (_, older) = support::seller_call(
        &app,
        Method::GET,
        &format!("/api/v1/seller/audit?limit=5&before={next}"),
        &token,
        None,
    )
    .await;
    assert_eq!(older["entries"][0]["action"], "member.invite", "{older}");
    assert_eq!(older["entries"][0]["member"]["name"], "Anna");
}

#[tokio::test]
async fn add_seller_and_invite_print_links_that_make_members() {
    let dir = support::process::tempdir("console-invite");
    let url = support::fresh_url(Some(&dir)).await;
    let run = |args: &[&str]| {
        std::process::Command::new(support::process::SERVER)
            .args(args)
            .args([
                "--database",
                &url,
                "--public-url",
                "https://track.shop.example/",
            ])
            .env("RUST_LOG", "warn")
            .output()
            .expect("the command runs")
    };
    let added = run(&["add-seller", "Shop", "--handle", "shop"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let said = String::from_utf8_lossy(&added.stderr).into_owned();
    let owner = said
        .split_whitespace()
        .find(|word| word.starts_with("https://track.shop.example/console/#invitation="))
        .unwrap_or_else(|| panic!("{said}"))
        .rsplit_once('=')
        .unwrap()
        .1
        .to_owned();
    assert!(
        !String::from_utf8_lossy(&added.stdout).contains("invitation"),
        "standard output stays the token alone"
    );
    let invited = run(&["invite", "shop", "--role", "staff"]);
    assert!(
        invited.status.success(),
        "{}",
        String::from_utf8_lossy(&invited.stderr)
    );
    let staff = String::from_utf8_lossy(&invited.stdout)
        .trim()
        .rsplit_once("#invitation=")
        .unwrap()
        .1
        .to_owned();
    assert!(!run(&["invite", "nobody"]).status.success());

    let store = support::store_at(&url).await;
    let app = app(&store);
    for (token, role) in [(owner, "owner"), (staff, "staff")] {
        let shown = post(
            &app,
            "/api/v1/console/invitation",
            json!({"invitation": token}),
        )
        .await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert_eq!(shown.json()["role"], role);
        assert_eq!(shown.json()["seller"], "Shop");
    }
}

#[tokio::test]
async fn every_change_is_recorded_with_who_made_it() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, token) = seller(&store, "Shop").await;
    let anna = join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let event = json!({"at": "2026-11-21T10:00:00+03:00", "stage": "in_transit", "text": "Moving"});
    let changes: [(Method, &str, Option<Value>); 8] = [
        (Method::PUT, "/api/v1/seller/shipments/p-1", Some(parcel())),
        (
            Method::POST,
            "/api/v1/seller/shipments/p-1/events",
            Some(event),
        ),
        (
            Method::PUT,
            "/api/v1/seller/shipments",
            Some(json!([{"reference": "p-2", "order_number": "5500000002", "stage": "packed"}])),
        ),
        (Method::DELETE, "/api/v1/seller/shipments/p-2", None),
        (
            Method::PUT,
            "/api/v1/seller/settings",
            Some(json!({"allowed_origins": ["https://shop.example"]})),
        ),
        (
            Method::POST,
            "/api/v1/seller/webhooks",
            Some(json!({"url": "https://hooks.example/in", "events": ["status_changed"]})),
        ),
        (
            Method::POST,
            "/api/v1/seller/tokens",
            Some(json!({"name": "ci"})),
        ),
        (
            Method::POST,
            "/api/v1/seller/members/invitations",
            Some(json!({"role": "staff"})),
        ),
    ];
    for (method, uri, body) in changes {
        let reply = as_member(&app, &anna, method.clone(), uri, body).await;
        assert!(reply.status.is_success(), "{method} {uri}: {}", reply.text);
    }
    // A refused change and a read are not changes.
    let refused = as_member(
        &app,
        &anna,
        Method::DELETE,
        "/api/v1/seller/shipments/none",
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let (status, _) = support::seller_call(
        &app,
        Method::DELETE,
        "/api/v1/seller/shipments/p-1",
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let audit = as_member(&app, &anna, Method::GET, "/api/v1/seller/audit", None).await;
    let entries = audit.json()["entries"].as_array().unwrap().clone();
    let moments: Vec<i64> = entries
        .iter()
        .map(|e| e["at_ms"].as_i64().unwrap())
        .collect();
    assert!(
        moments.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {moments:?}"
    );
    // Within one millisecond the order is the ids', which are random: compared as a set.
    let mut seen: Vec<(String, Value, Value)> = entries
        .iter()
        .map(|entry| {
            let who = entry["member"]["name"].clone();
            let who = if who.is_null() {
                entry["token"].clone()
            } else {
                who
            };
            (
                entry["action"].as_str().unwrap().to_owned(),
                entry["target"].clone(),
                who,
            )
        })
        .collect();
    seen.sort_by_key(|entry| format!("{entry:?}"));
    let anna_did = |action: &str, target: Value| (action.to_owned(), target, json!("Anna"));
    let mut expected = vec![
        ("shipment.delete".to_owned(), json!("p-1"), json!("first")),
        anna_did("member.invite", Value::Null),
        anna_did("token.create", json!("ci")),
        anna_did("webhook.create", Value::Null),
        anna_did("settings.put", Value::Null),
        anna_did("shipment.delete", json!("p-2")),
        anna_did("shipments.put", Value::Null),
        anna_did("events.append", json!("p-1")),
        anna_did("shipment.put", json!("p-1")),
    ];
    expected.sort_by_key(|entry| format!("{entry:?}"));
    assert_eq!(seen, expected, "{}", audit.text);
}

#[tokio::test]
async fn one_address_knocks_at_the_unsigned_doors_thirty_times_a_minute() {
    let store = support::fresh_store().await;
    // One instance's state, reached from two addresses.
    let state = support::state(&store);
    let peer = |last: u8| MockConnectInfo(SocketAddr::from(([192, 0, 2, last], 1)));
    let app = trackline_server::app(state.clone()).layer(peer(7));
    for n in 0..30 {
        let reply = post(
            &app,
            "/api/v1/console/invitation",
            json!({"invitation": format!("guess-{n}")}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "guess {n}");
    }
    for (uri, body) in [
        ("/api/v1/console/invitation", json!({"invitation": "guess"})),
        ("/api/v1/console/passkeys/sign-in", json!({})),
        (
            "/api/v1/console/passwords/sign-in",
            json!({"login": "anna@shop.example", "password": PASSWORD}),
        ),
    ] {
        let reply = post(&app, uri, body).await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{uri}: {}",
            reply.text
        );
        assert!(reply.headers.contains_key(header::RETRY_AFTER));
    }
    // Another address is not held up.
    let elsewhere = trackline_server::app(state).layer(peer(8));
    let reply = post(
        &elsewhere,
        "/api/v1/console/invitation",
        json!({"invitation": "guess"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_sites_page_cannot_sign_a_browser_in_to_the_attackers_shop() {
    let store = support::fresh_store().await;
    let app = app(&store);
    // Mallory is a member of a shop of her own on the same server.
    let (mallory_shop, _) = seller(&store, "Mallory's").await;
    join(
        &store,
        &app,
        mallory_shop,
        Role::Owner,
        "mallory@evil.example",
    )
    .await;
    let joining = invitation(&store, mallory_shop, Role::Staff).await;

    // Her page's self-submitting form: a text/plain body that reads as JSON, sent by the
    // victim's browser with its foreign `Origin` (or with none, from a privacy extension).
    let attempts = [
        (
            "/api/v1/console/passwords/sign-in",
            format!(r#"{{"login":"mallory@evil.example","password":"{PASSWORD}="}}"#),
        ),
        (
            "/api/v1/console/passwords/register",
            format!(
                r#"{{"invitation":"{joining}","name":"Anna","login":"anna@evil.example","password":"{PASSWORD}="}}"#
            ),
        ),
        ("/api/v1/console/passkeys/sign-in", "{}".to_owned()),
    ];
    for (path, body) in &attempts {
        for origin in [Some("https://mallory.example"), Some("null"), None] {
            let mut headers = vec![("content-type", "text/plain")];
            if let Some(origin) = origin {
                headers.push(("origin", origin));
            }
            let reply = send(
                &app,
                support::raw_request(Method::POST, path, &headers, body.as_bytes().to_vec()),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{path} from {origin:?}"
            );
            assert!(reply.text.contains("cross_site"), "{path}: {}", reply.text);
            assert!(
                reply.headers.get(header::SET_COOKIE).is_none(),
                "{path} from {origin:?} set a cookie"
            );
        }
    }
    // The invitation was not used by the attempt: it still joins, from the console's page.
    let reply = post(
        &app,
        "/api/v1/console/passwords/register",
        json!({"invitation": joining, "name": "Sam", "login": "sam@evil.example", "password": PASSWORD}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn passwords_no_member_could_have_do_not_lock_the_login() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (shop, _) = seller(&store, "Shop").await;
    join(&store, &app, shop, Role::Staff, "boris@shop.example").await;
    // Ten tries too short to be anyone's password, which cost the server no hashing: were they
    // counted against the login, the member would be locked out for 15 minutes.
    for _ in 0..10 {
        let reply = sign_in(&app, "boris@shop.example", "x").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    let reply = sign_in(&app, "boris@shop.example", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn staff_see_a_receivers_origin_and_never_its_secret_path() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (shop, _) = seller(&store, "Shop").await;
    store
        .add_webhook(
            shop,
            "https://hooks.example/services/T000/B000/s3cr3t?token=also",
            &[trackline_server::change::tells::Kind::StatusChanged],
        )
        .await
        .unwrap();
    let owner = join(&store, &app, shop, Role::Owner, "olga@shop.example").await;
    let staff = join(&store, &app, shop, Role::Staff, "sam@shop.example").await;
    let reply = as_member(
        &app,
        &owner,
        Method::PUT,
        "/api/v1/seller/shipments/A-1",
        Some(parcel()),
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.text);
    let uri = "/api/v1/seller/shipments/A-1/activity";
    let seen = as_member(&app, &owner, Method::GET, uri, None).await;
    assert!(
        seen.text.contains("s3cr3t"),
        "the owner sees it whole: {}",
        seen.text
    );
    let seen = as_member(&app, &staff, Method::GET, uri, None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert_eq!(seen.json()["deliveries"][0]["url"], "https://hooks.example");
    assert!(
        !seen.text.contains("s3cr3t") && !seen.text.contains("also"),
        "{}",
        seen.text
    );
}

/// Joins `seller` as `role` with a password under `login` and `name`.
async fn join_named(
    store: &Store,
    app: &Router,
    seller: SellerId,
    role: Role,
    login: &str,
    name: &str,
) -> Member {
    let invitation = invitation(store, seller, role).await;
    let body =
        json!({"invitation": invitation, "name": name, "login": login, "password": PASSWORD});
    session_of(&post(app, "/api/v1/console/passwords/register", body).await)
}

#[tokio::test]
async fn removing_a_member_revokes_the_invitations_and_tokens_it_made() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, first) = seller(&store, "Shop").await;
    let anna = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "anna@shop.example",
        "Anna",
    )
    .await;
    let boris = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "boris@shop.example",
        "Boris",
    )
    .await;
    // Anna makes a token in the console, and with it another: both are hers.
    let made = as_member(
        &app,
        &anna,
        Method::POST,
        "/api/v1/seller/tokens",
        Some(json!({"name": "anna-ci"})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let annas = made.json()["token"].as_str().unwrap().to_owned();
    let (status, by_token) = support::seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/tokens",
        &annas,
        Some(json!({"name": "anna-ci-2"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{by_token}");
    let annas_second = by_token["token"].as_str().unwrap().to_owned();
    let invited = as_member(
        &app,
        &anna,
        Method::POST,
        "/api/v1/seller/members/invitations",
        Some(json!({"role": "owner"})),
    )
    .await;
    let link = invited.json()["link"].as_str().unwrap().to_owned();
    let annas_invitation = link.rsplit_once("#invitation=").unwrap().1.to_owned();

    // Before removal the list says what will stop working, and who invited whom (no token).
    let listed = as_member(&app, &boris, Method::GET, "/api/v1/seller/members", None).await;
    let listed = listed.json();
    let anna_listed = &listed["members"][0];
    assert_eq!(anna_listed["name"], "Anna", "{listed}");
    assert_eq!(anna_listed["tokens_made"], 2, "{listed}");
    assert_eq!(anna_listed["invitations_made"], 1, "{listed}");
    // The operator's first token names no maker: no removal revokes it, and the list says so.
    assert_eq!(listed["tokens_without_maker"], 1, "{listed}");
    let open = listed["invitations"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{listed}");
    assert_eq!(open[0]["invited_by"], "Anna");
    assert_eq!(open[0]["role"], "owner");
    assert!(
        !listed.to_string().contains(&annas_invitation),
        "never the token"
    );

    let removed = as_member(
        &app,
        &boris,
        Method::DELETE,
        &format!("/api/v1/seller/members/{}", anna.id),
        None,
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    let removed = removed.json();
    assert_eq!(removed["name"], "Anna");
    assert_eq!(removed["invitations"], 1);
    assert_eq!(removed["tokens"], json!(["anna-ci", "anna-ci-2"]));
    assert_eq!(removed["sessions"], 1);

    for token in [&annas, &annas_second] {
        let (status, _) =
            support::seller_call(&app, Method::GET, "/api/v1/seller/tokens", token, None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a removed owner's token is revoked"
        );
    }
    let late = join_with(&app, &annas_invitation, "eve@shop.example").await;
    assert_eq!(late.status, StatusCode::NOT_FOUND, "{}", late.text);
    let annas_session = as_member(&app, &anna, Method::GET, "/api/v1/seller/shipments", None).await;
    assert_eq!(annas_session.status, StatusCode::UNAUTHORIZED);
    // The operator's token and the other owner are untouched.
    let (status, _) =
        support::seller_call(&app, Method::GET, "/api/v1/seller/tokens", &first, None).await;
    assert_eq!(status, StatusCode::OK);
    // Boris, now the last owner, cannot be removed.
    let last = as_member(
        &app,
        &boris,
        Method::DELETE,
        &format!("/api/v1/seller/members/{}", boris.id),
        None,
    )
    .await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{}", last.text);
}

#[tokio::test]
async fn an_owner_revokes_an_open_invitation_and_nobody_else_can() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let (other, others_token) = self::seller(&store, "Other").await;
    let anna = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "anna@shop.example",
        "Anna",
    )
    .await;
    let sam = join_named(&store, &app, seller, Role::Staff, "sam@shop.example", "Sam").await;
    let _ = other;
    let invited = as_member(
        &app,
        &anna,
        Method::POST,
        "/api/v1/seller/members/invitations",
        Some(json!({"role": "staff"})),
    )
    .await;
    let token = invited.json()["link"]
        .as_str()
        .unwrap()
        .rsplit_once("#invitation=")
        .unwrap()
        .1
        .to_owned();
    let listed = as_member(&app, &anna, Method::GET, "/api/v1/seller/members", None).await;
    let id = listed.json()["invitations"][0]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/seller/members/invitations/{id}");

    let staff = as_member(&app, &sam, Method::DELETE, &uri, None).await;
    assert_eq!(staff.status, StatusCode::FORBIDDEN, "{}", staff.text);
    let (status, _) = support::seller_call(&app, Method::DELETE, &uri, &others_token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another seller's owner");
    let revoked = as_member(&app, &anna, Method::DELETE, &uri, None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
    let again = as_member(&app, &anna, Method::DELETE, &uri, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let late = join_with(&app, &token, "eve@shop.example").await;
    assert_eq!(
        late.status,
        StatusCode::NOT_FOUND,
        "a revoked invitation makes nobody"
    );

    let audit = as_member(
        &app,
        &anna,
        Method::GET,
        "/api/v1/seller/audit?limit=1",
        None,
    )
    .await;
    assert_eq!(
        audit.json()["entries"][0]["action"],
        "invitation.revoke",
        "{}",
        audit.text
    );
    assert_eq!(audit.json()["entries"][0]["member"]["name"], "Anna");
}

/// The device cookie a reply sets (as a `Cookie` header's pair), if it sets one.
fn device_of(reply: &Reply) -> Option<String> {
    let set = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("__Host-trackline-device="))?;
    for part in [
        "Path=/",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Max-Age=",
    ] {
        assert!(set.contains(part), "{set}");
    }
    set.split(';').next().map(str::to_owned)
}

async fn sign_in_from(app: &Router, login: &str, password: &str, cookie: &str) -> Reply {
    let body = json!({"login": login, "password": password});
    let headers = [
        ("content-type", "application/json"),
        ("origin", ORIGIN),
        ("cookie", cookie),
    ];
    send(
        app,
        request(
            Method::POST,
            "/api/v1/console/passwords/sign-in",
            &headers,
            Some(&body),
        ),
    )
    .await
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_do_not_lock_out_the_members_own_browser() {
    let store = support::fresh_store().await;
    let browser = app(&store);
    let attacker =
        support::app(&store).layer(MockConnectInfo(SocketAddr::from(([198, 51, 100, 9], 1))));
    let (seller, _) = seller(&store, "Shop").await;
    let invitation = invitation(&store, seller, Role::Owner).await;
    let joined = join_with(&browser, &invitation, "anna@shop.example").await;
    let device = device_of(&joined).expect("joining sets a device cookie");
    session_of(&joined);
    let boris = join_with(
        &browser,
        &self::invitation(&store, seller, Role::Staff).await,
        "boris@shop.example",
    )
    .await;
    let boris_device = device_of(&boris).unwrap();

    for n in 0..10 {
        let reply = sign_in(&attacker, "anna@shop.example", "wrong password!").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "try {n}");
    }
    let locked = sign_in(&attacker, "anna@shop.example", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the login is full"
    );
    // Anna's own browser, with its device cookie, still signs in, and keeps its cookie.
    let own = sign_in_from(&browser, "anna@shop.example", PASSWORD, &device).await;
    session_of(&own);
    assert_eq!(device_of(&own), None, "the device is known: no new cookie");
    // A made-up device cookie, or another member's, is no way past the login's limit.
    let forged = format!("__Host-trackline-device={}", "A".repeat(43));
    for cookie in [forged.as_str(), boris_device.as_str()] {
        let reply = sign_in_from(&browser, "anna@shop.example", PASSWORD, cookie).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{cookie}");
    }
    // The device has a limit of its own: ten wrong from it, then it waits too.
    for n in 0..10 {
        let reply = sign_in_from(&browser, "anna@shop.example", "wrong password!", &device).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "device try {n}");
    }
    let full = sign_in_from(&browser, "anna@shop.example", PASSWORD, &device).await;
    assert_eq!(full.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sign_ins_and_signing_out_everywhere_are_audited_with_the_network_only() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, token) = seller(&store, "Shop").await;
    join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let anna = session_of(&sign_in(&app, "anna@shop.example", PASSWORD).await);
    // Scripted sign-ins from the same network within the hour add no entries.
    for _ in 0..3 {
        session_of(&sign_in(&app, "anna@shop.example", PASSWORD).await);
    }
    let out = as_member(
        &app,
        &anna,
        Method::POST,
        "/api/v1/console/sign-out-everywhere",
        None,
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    let (_, audit) =
        support::seller_call(&app, Method::GET, "/api/v1/seller/audit", &token, None).await;
    let entries = audit["entries"].as_array().unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e["action"].clone()).collect();
    assert_eq!(
        actions,
        [json!("sign_out.everywhere"), json!("sign_in.password")],
        "{audit}"
    );
    let signed_in = &entries[1];
    assert_eq!(signed_in["member"]["name"], "Anna");
    assert_eq!(
        signed_in["target"], "192.0.2.0/24",
        "the network, never the address"
    );
    assert!(!audit.to_string().contains("192.0.2.7"));
}

async fn count_of(store: &Store, sql: &str, bind: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&support::pool(store))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_request_authenticated_before_its_makers_removal_makes_nothing_after_it() {
    use trackline_server::store::members::Maker;
    use trackline_server::store::tokens::{Added, TokenMaker};
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, first) = seller(&store, "Shop").await;
    let anna = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "anna@shop.example",
        "Anna",
    )
    .await;
    let boris = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "boris@shop.example",
        "Boris",
    )
    .await;
    let (status, made) = support::seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/tokens",
        &first,
        Some(json!({"name": "ci"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let ci: i64 = made["id"].as_str().unwrap().parse().unwrap();
    let removed = as_member(
        &app,
        &boris,
        Method::DELETE,
        &format!("/api/v1/seller/members/{}", anna.id),
        None,
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    let revoked = support::seller_call(
        &app,
        Method::DELETE,
        &format!("/api/v1/seller/tokens/{ci}"),
        &first,
        None,
    )
    .await;
    assert!(revoked.0.is_success(), "{}", revoked.1);
    // What a request authenticated just before (Anna's, or the ci token's) asks the store for
    // once it has its turn: the removal and the revocation are committed by then.
    let annas = TokenMaker {
        member: Some(anna.id),
        token: None,
    };
    let cis = TokenMaker {
        member: None,
        token: Some(ci),
    };
    for maker in [annas, cis] {
        let added = store.add_token(seller, "late", 20, maker).await.unwrap();
        assert_eq!(added, Added::Gone, "{maker:?}");
    }
    let anna_maker = Maker {
        id: anna.id,
        name: "Anna".into(),
    };
    let late = store
        .add_invitation(
            seller,
            Role::Owner,
            "digest-1",
            i64::MAX,
            Some(&anna_maker),
            None,
        )
        .await
        .unwrap();
    assert_eq!(late, None);
    let late = store
        .add_invitation(seller, Role::Owner, "digest-2", i64::MAX, None, Some(ci))
        .await
        .unwrap();
    assert_eq!(late, None);
    assert_eq!(
        count_of(
            &store,
            "SELECT COUNT(*) FROM seller_tokens WHERE seller_id = $1 AND name = 'late'",
            seller.0
        )
        .await,
        0
    );
    assert_eq!(
        count_of(
            &store,
            "SELECT COUNT(*) FROM member_invitations WHERE seller_id = $1 AND token_hash LIKE 'digest-%'",
            seller.0
        )
        .await,
        0
    );
    // The operator's own still works (no maker at all).
    let (status, _) = support::seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/members/invitations",
        &first,
        Some(json!({"role": "staff"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn thirty_creates_racing_the_makers_removal_leave_nothing_of_the_maker() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let anna = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "anna@shop.example",
        "Anna",
    )
    .await;
    let boris = join_named(
        &store,
        &app,
        seller,
        Role::Owner,
        "boris@shop.example",
        "Boris",
    )
    .await;
    let made = as_member(
        &app,
        &anna,
        Method::POST,
        "/api/v1/seller/tokens",
        Some(json!({"name": "anna-ci"})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let annas = made.json()["token"].as_str().unwrap().to_owned();
    // Spawned all before any is awaited, the removal among them, so that they run at once.
    let mut creates = Vec::new();
    let mut removal = None;
    for n in 0..30 {
        if n == 15 {
            let (app, boris) = (app.clone(), boris.clone());
            removal = Some(tokio::spawn(async move {
                let uri = format!("/api/v1/seller/members/{}", anna.id);
                as_member(&app, &boris, Method::DELETE, &uri, None)
                    .await
                    .status
            }));
        }
        let (app, anna, annas) = (app.clone(), anna.clone(), annas.clone());
        creates.push(tokio::spawn(async move {
            let (uri, body) = if n % 2 == 0 {
                ("/api/v1/seller/tokens", json!({"name": format!("t{n}")}))
            } else {
                (
                    "/api/v1/seller/members/invitations",
                    json!({"role": "owner"}),
                )
            };
            if n % 4 < 2 {
                let reply = as_member(&app, &anna, Method::POST, uri, Some(body)).await;
                (reply.status, reply.json())
            } else {
                support::seller_call(&app, Method::POST, uri, &annas, Some(body)).await
            }
        }));
    }
    let mut answered = Vec::new();
    for task in creates {
        answered.push(task.await.unwrap());
    }
    assert_eq!(removal.unwrap().await.unwrap(), StatusCode::OK);
    for (status, _) in &answered {
        assert!(
            [StatusCode::CREATED, StatusCode::UNAUTHORIZED].contains(status),
            "{status}"
        );
    }
    let by_anna = "SELECT COUNT(*) FROM seller_tokens WHERE made_by = $1";
    assert_eq!(count_of(&store, by_anna, anna.id).await, 0);
    let by_anna = "SELECT COUNT(*) FROM member_invitations WHERE made_by = $1";
    assert_eq!(count_of(&store, by_anna, anna.id).await, 0);
    for (status, body) in answered {
        if status != StatusCode::CREATED {
            continue;
        }
        if let Some(token) = body["token"].as_str() {
            let (status, _) =
                support::seller_call(&app, Method::GET, "/api/v1/seller/tokens", token, None).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "a token made for Anna works"
            );
        }
        if let Some(link) = body["link"].as_str() {
            let token = link.rsplit_once("#invitation=").unwrap().1;
            let joined = join_with(&app, token, "eve@shop.example").await;
            assert_eq!(
                joined.status,
                StatusCode::NOT_FOUND,
                "Anna's invitation works"
            );
        }
    }
}

#[tokio::test]
async fn a_token_revoked_while_it_makes_tokens_leaves_none_that_works() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (_, first) = seller(&store, "Shop").await;
    let (status, made) = support::seller_call(
        &app,
        Method::POST,
        "/api/v1/seller/tokens",
        &first,
        Some(json!({"name": "leaked"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (leaked, id) = (
        made["token"].as_str().unwrap().to_owned(),
        made["id"].as_str().unwrap().parse::<i64>().unwrap(),
    );
    let looping = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut made = Vec::new();
            // Bounded: at most the seller's twenty, or until the token is refused.
            for n in 0..40 {
                let (status, body) = support::seller_call(
                    &app,
                    Method::POST,
                    "/api/v1/seller/tokens",
                    &leaked,
                    Some(json!({"name": format!("l{n}")})),
                )
                .await;
                if status != StatusCode::CREATED {
                    break;
                }
                made.push(body["token"].as_str().unwrap().to_owned());
            }
            made
        })
    };
    let (status, body) = support::seller_call(
        &app,
        Method::DELETE,
        &format!("/api/v1/seller/tokens/{id}"),
        &first,
        None,
    )
    .await;
    assert!(status.is_success(), "{body}");
    let made = looping.await.unwrap();
    assert!(made.len() < 19, "the loop went on after the revocation");
    // Every token it made was answered while it worked; the store-level test above shows that
    // a create authenticated before the revocation makes nothing after it.
    let through = "SELECT COUNT(*) FROM seller_tokens WHERE made_by_token = $1";
    assert_eq!(
        count_of(&store, through, id).await,
        i64::try_from(made.len()).unwrap()
    );
    let (status, _) =
        support::seller_call(&app, Method::GET, "/api/v1/seller/tokens", &first, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sign_ins_without_the_cookie_keep_only_the_members_newest_twenty_browsers() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let (seller, _) = seller(&store, "Shop").await;
    let anna = join(&store, &app, seller, Role::Owner, "anna@shop.example").await;
    let boris = join(&store, &app, seller, Role::Owner, "boris@shop.example").await;
    let kept = trackline_server::console_auth::DEVICES_KEPT;
    let devices = "SELECT COUNT(*) FROM member_devices WHERE member_id = $1";
    let borises = count_of(&store, devices, boris.id).await;
    // What 25 scripted sign-ins without the cookie ask for, a millisecond apart.
    for n in 0..25 {
        store
            .add_device(anna.id, &format!("d-{n:02}"), 1_000 + n, kept)
            .await
            .unwrap();
    }
    assert_eq!(count_of(&store, devices, anna.id).await, kept);
    let since = 0;
    for n in 0..25 {
        let owner = store
            .device_member(&format!("d-{n:02}"), since)
            .await
            .unwrap();
        // The browser she joined in is newer than these (made now): it is one of the twenty.
        assert_eq!(owner.is_some(), n > 25 - kept, "device {n}");
    }
    // Another member's browsers are not Anna's to forget.
    assert_eq!(count_of(&store, devices, boris.id).await, borises);
    // And through the router: a sign-in without the cookie sets one that is taken.
    let signed = sign_in(&app, "anna@shop.example", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text);
    assert!(device_of(&signed).is_some());
    assert_eq!(count_of(&store, devices, anna.id).await, kept);
}
