//! A browser push service on a loopback port, as RFC 8030, RFC 8291 and RFC 8292 describe one:
//! it takes a message only with a valid VAPID JWT (ES256 over the `k` key it names, `aud` the
//! service's origin, `exp` in the next 24 hours, `sub` a `mailto:` or `https:` contact), a `TTL`
//! and an `aes128gcm` body of at most 4096 bytes; then it decrypts the body with the keys a
//! browser would hold (made here, by the test) and keeps what it read. It answers 201, or 410
//! for a subscription the test ended, or 429 with `Retry-After` when told to be busy.
//!
//! Its decryption is written here from RFC 8291, apart from the crate the server encrypts with,
//! and it is held to the RFC's own worked example.

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use serde_json::Value;
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use web_push_native::p256::ecdsa::signature::Verifier;
use web_push_native::p256::ecdsa::{Signature, VerifyingKey};
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::p256::{PublicKey, SecretKey};

/// What a browser holds for one subscription: its private key and auth secret.
#[derive(Clone)]
pub struct Browser {
    /// The name its endpoint ends with.
    pub name: String,
    secret: SecretKey,
    auth: [u8; 16],
}

impl Browser {
    /// A browser with the given keys (the RFC's, in its worked example).
    pub fn with_keys(name: &str, secret: SecretKey, auth: [u8; 16]) -> Browser {
        Browser {
            name: name.to_owned(),
            secret,
            auth,
        }
    }

    /// Its public key, base64url, as `PushSubscription.getKey('p256dh')` gives it.
    pub fn p256dh(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.secret.public_key().to_encoded_point(false).as_bytes())
    }

    /// Its auth secret, base64url.
    pub fn auth(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.auth)
    }

    /// Decrypts an `aes128gcm` body sent to this browser (RFC 8291 §3.4, RFC 8188): the
    /// plaintext, or why not.
    pub fn decrypt(&self, body: &[u8]) -> Result<Vec<u8>, String> {
        let salt = body.get(..16).ok_or("no salt")?;
        let record_size = u32::from_be_bytes(body.get(16..20).ok_or("no rs")?.try_into().unwrap());
        let id_len = usize::from(*body.get(20).ok_or("no idlen")?);
        let sender = body.get(21..21 + id_len).ok_or("no keyid")?;
        let records = &body[21 + id_len..];
        if records.len() > record_size as usize {
            return Err("more than one record".into());
        }
        let sender =
            PublicKey::from_sec1_bytes(sender).map_err(|_| "keyid is not a P-256 point")?;
        let shared = web_push_native::p256::ecdh::diffie_hellman(
            self.secret.to_nonzero_scalar(),
            sender.as_affine(),
        );
        let mut key_info = b"WebPush: info\0".to_vec();
        key_info.extend_from_slice(self.secret.public_key().to_encoded_point(false).as_bytes());
        key_info.extend_from_slice(sender.to_encoded_point(false).as_bytes());
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes().as_slice())
            .expand(&key_info, &mut ikm)
            .map_err(|_| "hkdf")?;
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let mut cek = [0u8; 16];
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .map_err(|_| "hkdf")?;
        let mut nonce = [0u8; 12];
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .map_err(|_| "hkdf")?;
        let mut plain = Aes128Gcm::new_from_slice(&cek)
            .map_err(|_| "cek")?
            .decrypt(Nonce::from_slice(&nonce), records)
            .map_err(|_| "the record does not decrypt")?;
        // The last record ends with the delimiter 2, then any zero padding.
        while plain.last() == Some(&0) {
            plain.pop();
        }
        match plain.pop() {
            Some(2) => Ok(plain),
            _ => Err("no last-record delimiter".into()),
        }
    }
}

/// One message the service took.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The browser it was for.
    pub browser: String,
    /// The notification, as the service worker will read it.
    pub message: Value,
    /// Its `Topic` and `Urgency`.
    pub topic: Option<String>,
    /// Its `Urgency`.
    pub urgency: Option<String>,
}

#[derive(Default)]
struct Inner {
    browsers: HashMap<String, Browser>,
    gone: HashSet<String>,
    busy: u32,
    delivered: Vec<Delivered>,
    refused: Vec<String>,
}

/// The push service.
#[derive(Clone)]
pub struct FakePush {
    /// Its origin (`http://127.0.0.1:PORT`).
    pub origin: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakePush {
    /// Starts it on a free loopback port.
    pub async fn start() -> FakePush {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let service = FakePush {
            origin,
            inner: Arc::default(),
        };
        let app = Router::new()
            .route("/push/{name}", axum::routing::post(take))
            .with_state(service.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        service
    }

    /// A new browser's subscription at this service, as `PushSubscription.toJSON()` gives it.
    pub fn subscribe(&self, name: &str) -> (Browser, Value) {
        let mut auth = [0u8; 16];
        getrandom::fill(&mut auth).unwrap();
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).unwrap();
        let browser = Browser::with_keys(name, SecretKey::from_slice(&secret).unwrap(), auth);
        self.inner
            .lock()
            .unwrap()
            .browsers
            .insert(name.to_owned(), browser.clone());
        let json = serde_json::json!({
            "endpoint": format!("{}/push/{name}", self.origin),
            "expirationTime": null,
            "keys": {"p256dh": browser.p256dh(), "auth": browser.auth()},
        });
        (browser, json)
    }

    /// Ends a browser's subscription: its messages get 410 Gone from now on.
    pub fn end(&self, name: &str) {
        self.inner.lock().unwrap().gone.insert(name.to_owned());
    }

    /// Answers the next `times` messages with 429.
    pub fn be_busy(&self, times: u32) {
        self.inner.lock().unwrap().busy = times;
    }

    /// What it took so far.
    pub fn delivered(&self) -> Vec<Delivered> {
        self.inner.lock().unwrap().delivered.clone()
    }

    /// Why it refused what it refused.
    pub fn refused(&self) -> Vec<String> {
        self.inner.lock().unwrap().refused.clone()
    }
}

/// The checks of RFC 8292 §2 on `Authorization: vapid t=…, k=…`.
fn check_vapid(headers: &HeaderMap, origin: &str) -> Result<(), String> {
    let authorization = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .ok_or("no Authorization")?;
    let params = authorization
        .strip_prefix("vapid ")
        .ok_or("not the vapid scheme")?;
    let mut token = None;
    let mut key = None;
    for param in params.split(',') {
        match param.trim().split_once('=') {
            Some(("t", value)) => token = Some(value),
            Some(("k", value)) => key = Some(value),
            _ => {}
        }
    }
    let (token, key) = token.zip(key).ok_or("t or k missing")?;
    let key = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| "k is not base64url")?;
    let key = VerifyingKey::from_sec1_bytes(&key).map_err(|_| "k is not a P-256 point")?;
    let (signed, signature) = token.rsplit_once('.').ok_or("not a JWT")?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "bad signature encoding")?;
    let signature = Signature::from_slice(&signature).map_err(|_| "not an ES256 signature")?;
    key.verify(signed.as_bytes(), &signature)
        .map_err(|_| "the JWT's signature does not verify with k")?;
    let (header, claims) = signed.split_once('.').ok_or("not a JWT")?;
    let read = |part: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| "bad JWT part")?;
        serde_json::from_slice(&bytes).map_err(|_| "JWT part is not JSON".to_owned())
    };
    if read(header)?["alg"] != "ES256" {
        return Err("alg is not ES256".into());
    }
    let claims = read(claims)?;
    // The origin of the push resource. The server's crate names it without a port, which every
    // real push service (on 443) reads the same; this one, on a loopback port, takes it so too.
    let host_only = origin.rsplit_once(':').map_or(origin, |(host, _)| host);
    let audience = claims["aud"].as_str().unwrap_or_default();
    if audience != origin && audience != host_only {
        return Err(format!("aud {audience} is not {origin}"));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expires = claims["exp"].as_i64().ok_or("no exp")?;
    if expires <= now || expires > now + 24 * 3600 + 60 {
        return Err(format!("exp {expires} is not within 24 hours of {now}"));
    }
    let contact = claims["sub"].as_str().unwrap_or_default();
    if !(contact.starts_with("mailto:") || contact.starts_with("https:")) {
        return Err(format!(
            "sub {contact:?} is not a mailto: or https: contact"
        ));
    }
    Ok(())
}

async fn take(
    State(service): State<FakePush>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let mut inner = service.inner.lock().unwrap();
    let refuse = |inner: &mut Inner, status: StatusCode, why: String| {
        inner.refused.push(why.clone());
        (status, why).into_response()
    };
    if let Err(why) = check_vapid(&headers, &service.origin) {
        return refuse(&mut inner, StatusCode::UNAUTHORIZED, why);
    }
    if header("ttl")
        .and_then(|ttl| ttl.parse::<u64>().ok())
        .is_none()
    {
        return refuse(&mut inner, StatusCode::BAD_REQUEST, "no TTL".into());
    }
    if header("content-encoding").as_deref() != Some("aes128gcm") {
        return refuse(&mut inner, StatusCode::BAD_REQUEST, "not aes128gcm".into());
    }
    if body.len() > 4096 {
        return refuse(
            &mut inner,
            StatusCode::PAYLOAD_TOO_LARGE,
            "over 4096 bytes".into(),
        );
    }
    let topic = header("topic");
    if topic.as_deref().is_some_and(|topic| {
        topic.len() > 32
            || !topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return refuse(&mut inner, StatusCode::BAD_REQUEST, "bad Topic".into());
    }
    if inner.gone.contains(&name) {
        return StatusCode::GONE.into_response();
    }
    if inner.busy > 0 {
        inner.busy -= 1;
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]).into_response();
    }
    let Some(browser) = inner.browsers.get(&name).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let message = match browser.decrypt(&body) {
        Ok(plain) => serde_json::from_slice(&plain).unwrap_or(Value::Null),
        Err(why) => return refuse(&mut inner, StatusCode::BAD_REQUEST, why),
    };
    inner.delivered.push(Delivered {
        browser: name,
        message,
        topic,
        urgency: header("urgency"),
    });
    StatusCode::CREATED.into_response()
}
