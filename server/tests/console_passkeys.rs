//! The console's passkey ceremonies end to end, with webauthn-authenticator-rs's software
//! authenticator: joining from an invitation, then signing in with the passkey, on any
//! instance. The software authenticator keeps no credential (it is no resident key) and gives
//! no user handle, so the test names the credential in the sign-in's options and puts the
//! user handle the registration gave into the assertion, as a browser's authenticator does.

use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use support::{request, send, Reply};
use trackline_server::http::members::new_invitation;
use trackline_server::store::members::Role;
use trackline_server::Store;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

mod support;

const ORIGIN: &str = "http://localhost:8080";

fn app(store: &Store) -> Router {
    support::app(store).layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 9], 1))))
}

async fn post(app: &Router, uri: &str, body: Value) -> Reply {
    // From the console's own page, as a browser sends it.
    let headers = [
        ("content-type", "application/json"),
        ("origin", "http://localhost:8080"),
    ];
    send(app, request(Method::POST, uri, &headers, Some(&body))).await
}

fn cookie(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// Joins with a passkey made by `authenticator`: the member's user handle (base64url) and
/// credential id.
async fn join(
    app: &Router,
    store: &Store,
    shop: &str,
    authenticator: &mut WebauthnAuthenticator<SoftPasskey>,
) -> (String, String, String) {
    let (seller, _) = {
        let added = store.add_seller_named(shop, None).await.unwrap();
        (added.id, added.token)
    };
    let (link, _) = new_invitation(store, ORIGIN, seller, Role::Owner)
        .await
        .unwrap();
    let invitation = link.rsplit_once('=').unwrap().1;
    let begun = post(
        app,
        "/api/v1/console/passkeys/register",
        json!({"invitation": invitation, "name": "Anna"}),
    )
    .await;
    assert_eq!(begun.status, StatusCode::OK, "{}", begun.text);
    let mut options = begun.json()["options"].clone();
    let user_handle = options["publicKey"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The software authenticator refuses to keep a resident key, which the server asks for.
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = false.into();
    options["publicKey"]["authenticatorSelection"]["residentKey"] = "discouraged".into();
    let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let credential = authenticator
        .do_registration(Url::parse(ORIGIN).unwrap(), options)
        .unwrap();
    let id = credential.id.clone();
    let finished = post(
        app,
        "/api/v1/console/passkeys/register/finish",
        json!({"ceremony": begun.json()["ceremony"], "credential": credential}),
    )
    .await;
    cookie(&finished);
    assert_eq!(finished.json()["seller"]["name"], shop);
    // The ceremony is used: its finish again is refused.
    let again = post(
        app,
        "/api/v1/console/passkeys/register/finish",
        json!({"ceremony": begun.json()["ceremony"], "credential": credential}),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.text);
    (user_handle, id, finished.json()["member"]["id"].to_string())
}

/// Signs in with the passkey `id` of `authenticator`, its assertion naming `user_handle`.
async fn sign_in(
    app: &Router,
    authenticator: &mut WebauthnAuthenticator<SoftPasskey>,
    id: &str,
    user_handle: &str,
) -> Reply {
    let begun = post(app, "/api/v1/console/passkeys/sign-in", json!({})).await;
    assert_eq!(begun.status, StatusCode::OK, "{}", begun.text);
    let mut options = begun.json()["options"].clone();
    options["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": id}]);
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let assertion = authenticator
        .do_authentication(Url::parse(ORIGIN).unwrap(), options)
        .unwrap();
    let mut assertion = serde_json::to_value(assertion).unwrap();
    assertion["response"]["userHandle"] = user_handle.into();
    post(
        app,
        "/api/v1/console/passkeys/sign-in/finish",
        json!({"ceremony": begun.json()["ceremony"], "credential": assertion}),
    )
    .await
}

#[tokio::test]
async fn a_passkey_made_from_an_invitation_signs_its_member_in_on_any_instance() {
    let (store, other) = support::two_instances().await;
    let (one, two) = (app(&store), app(&other));
    let mut authenticator = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let (user_handle, id, member) = join(&one, &store, "Shop A", &mut authenticator).await;

    // Begun on one instance, finished on the other: the ceremony is in the store.
    let begun = post(&one, "/api/v1/console/passkeys/sign-in", json!({})).await;
    let mut options = begun.json()["options"].clone();
    options["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": id}]);
    let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let assertion = authenticator
        .do_authentication(Url::parse(ORIGIN).unwrap(), options)
        .unwrap();
    let mut assertion = serde_json::to_value(assertion).unwrap();
    assertion["response"]["userHandle"] = user_handle.clone().into();
    let body = json!({"ceremony": begun.json()["ceremony"], "credential": assertion});
    let signed = post(
        &two,
        "/api/v1/console/passkeys/sign-in/finish",
        body.clone(),
    )
    .await;
    let session = cookie(&signed);
    assert_eq!(signed.json()["member"]["id"].to_string(), member);
    // The same assertion again is refused: its ceremony was taken.
    let replayed = post(&one, "/api/v1/console/passkeys/sign-in/finish", body).await;
    assert_eq!(
        replayed.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        replayed.text
    );

    let headers = [("cookie", session.as_str())];
    let listed = send(
        &one,
        request(Method::GET, "/api/v1/seller/shipments", &headers, None),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);

    // And again, on the first instance.
    let again = sign_in(&one, &mut authenticator, &id, &user_handle).await;
    cookie(&again);
}

#[tokio::test]
async fn a_passkey_signs_in_only_the_member_it_was_made_for() {
    let store = support::fresh_store().await;
    let app = app(&store);
    let mut anna_key = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let mut boris_key = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let (anna, anna_id, _) = join(&app, &store, "Shop A", &mut anna_key).await;
    let (boris, _, _) = join(&app, &store, "Shop B", &mut boris_key).await;
    // Anna's passkey, claiming to be Boris's member: his passkeys do not include it.
    let claimed = sign_in(&app, &mut anna_key, &anna_id, &boris).await;
    assert_eq!(claimed.status, StatusCode::UNAUTHORIZED, "{}", claimed.text);
    // A passkey the server never registered, claiming Anna.
    let mut stranger = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let begun = post(
        &app,
        "/api/v1/console/passkeys/register",
        json!({"invitation": "none", "name": "x"}),
    )
    .await;
    assert_eq!(begun.status, StatusCode::NOT_FOUND);
    let unknown = {
        // The stranger's own credential, made for no invitation of this server's.
        let options: CreationChallengeResponse = serde_json::from_value(json!({"publicKey": {
            "rp": {"id": "localhost", "name": "trackline"},
            "user": {"id": "AAAAAAAAAAAAAAAAAAAAAA", "name": "x", "displayName": "x"},
            "challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "timeout": 60000,
            "attestation": "none",
            "authenticatorSelection": {"requireResidentKey": false, "residentKey": "discouraged", "userVerification": "required"},
        }}))
        .unwrap();
        stranger
            .do_registration(Url::parse(ORIGIN).unwrap(), options)
            .unwrap()
            .id
    };
    let forged = sign_in(&app, &mut stranger, &unknown, &anna).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.text);
    // Anna's own still works.
    cookie(&sign_in(&app, &mut anna_key, &anna_id, &anna).await);
}
