//! Passkeys: the server's options (webauthn-rs's JSON, binary fields in base64url) handed to
//! `navigator.credentials.create` / `.get`, and the browser's credential back as the JSON
//! webauthn-rs reads (`RegisterPublicKeyCredential`, `PublicKeyCredential`).
//!
//! Through web-sys and `Reflect` alone: a script of our own would need a file under the strict
//! policy, and webauthn-rs's own browser half unwraps what it reads.

use crate::words::Word;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use js_sys::{Array, Reflect, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// base64url as webauthn-rs writes it (no padding), read with or without padding.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `bytes` in base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    BASE64URL.encode(bytes)
}

/// The bytes `text` holds in base64url (padded or not); `None` when it is not base64url.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    BASE64URL.decode(text).ok()
}

/// Why a passkey ceremony failed in the browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasskeyError {
    /// The browser has no WebAuthn here (an old browser, or not a secure context).
    #[error("passkeys unsupported")]
    Unsupported,
    /// The seller cancelled, or it timed out (`NotAllowedError`, `AbortError`).
    #[error("passkey cancelled")]
    Cancelled,
    /// The authenticator or the browser refused (any other `DOMException`).
    #[error("passkey refused: {0}")]
    Refused(String),
    /// The server's options or the browser's credential are not what WebAuthn reads.
    #[error("unreadable")]
    Unreadable,
}

impl PasskeyError {
    /// The error a `DOMException` of this name stands for.
    pub fn of_dom(name: &str) -> PasskeyError {
        match name {
            "NotAllowedError" | "AbortError" => PasskeyError::Cancelled,
            "NotSupportedError" | "SecurityError" => PasskeyError::Unsupported,
            other => PasskeyError::Refused(other.chars().take(60).collect()),
        }
    }

    /// The word that tells the seller.
    pub fn word(&self) -> Word {
        match self {
            PasskeyError::Unsupported => Word::ErrPasskeyUnsupported,
            PasskeyError::Cancelled => Word::ErrPasskeyCancelled,
            PasskeyError::Refused(_) => Word::ErrPasskeyRefused,
            PasskeyError::Unreadable => Word::ErrUnreadable,
        }
    }
}

/// A new credential as webauthn-rs's `RegisterPublicKeyCredential` reads it.
pub fn registration_json(
    id: &str,
    raw_id: &[u8],
    attestation_object: &[u8],
    client_data: &[u8],
    transports: &[String],
) -> Value {
    let mut response = json!({
        "attestationObject": encode(attestation_object),
        "clientDataJSON": encode(client_data),
    });
    if !transports.is_empty() {
        response["transports"] = json!(transports);
    }
    json!({
        "id": id,
        "rawId": encode(raw_id),
        "response": response,
        "type": "public-key",
        "extensions": {},
    })
}

/// An assertion as webauthn-rs's `PublicKeyCredential` reads it.
pub fn assertion_json(
    id: &str,
    raw_id: &[u8],
    authenticator_data: &[u8],
    client_data: &[u8],
    signature: &[u8],
    user_handle: Option<&[u8]>,
) -> Value {
    json!({
        "id": id,
        "rawId": encode(raw_id),
        "response": {
            "authenticatorData": encode(authenticator_data),
            "clientDataJSON": encode(client_data),
            "signature": encode(signature),
            "userHandle": user_handle.map(encode),
        },
        "type": "public-key",
        "extensions": {},
    })
}

fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Replaces the base64url text at `key` of `object` by its bytes; a missing key is left as is.
fn to_bytes(object: &JsValue, key: &str) -> Result<(), PasskeyError> {
    let value = field(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    let text = value.as_string().ok_or(PasskeyError::Unreadable)?;
    let bytes = decode(&text).ok_or(PasskeyError::Unreadable)?;
    Reflect::set(
        object,
        &JsValue::from_str(key),
        &Uint8Array::from(&bytes[..]),
    )
    .map(|_| ())
    .map_err(|_| PasskeyError::Unreadable)
}

/// Each descriptor's `id` in the list at `key` as bytes.
fn descriptors_to_bytes(object: &JsValue, key: &str) -> Result<(), PasskeyError> {
    let list = field(object, key);
    if !Array::is_array(&list) {
        return Ok(());
    }
    Array::from(&list)
        .iter()
        .try_for_each(|descriptor| to_bytes(&descriptor, "id"))
}

/// The server's options as the browser takes them: JSON with its binary fields as bytes.
///
/// # Errors
/// `Unreadable` when they are not `{"publicKey": {...}}` with base64url where bytes belong.
pub fn browser_options(options: &Value) -> Result<JsValue, PasskeyError> {
    if !options.get("publicKey").is_some_and(Value::is_object) {
        return Err(PasskeyError::Unreadable);
    }
    let js = js_sys::JSON::parse(&options.to_string()).map_err(|_| PasskeyError::Unreadable)?;
    let public_key = field(&js, "publicKey");
    to_bytes(&public_key, "challenge")?;
    to_bytes(&field(&public_key, "user"), "id")?;
    descriptors_to_bytes(&public_key, "excludeCredentials")?;
    descriptors_to_bytes(&public_key, "allowCredentials")?;
    Ok(js)
}

fn bytes(object: &JsValue, key: &str) -> Result<Vec<u8>, PasskeyError> {
    let value = field(object, key);
    if value.is_instance_of::<js_sys::ArrayBuffer>() || value.is_instance_of::<Uint8Array>() {
        Ok(Uint8Array::new(&value).to_vec())
    } else {
        Err(PasskeyError::Unreadable)
    }
}

fn container() -> Result<web_sys::CredentialsContainer, PasskeyError> {
    let window = web_sys::window().ok_or(PasskeyError::Unsupported)?;
    let known = Reflect::has(&window, &JsValue::from_str("PublicKeyCredential")).unwrap_or(false);
    if !known || !window.is_secure_context() {
        return Err(PasskeyError::Unsupported);
    }
    Ok(window.navigator().credentials())
}

async fn settle(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, PasskeyError> {
    let failed = |error: JsValue| {
        error
            .dyn_ref::<web_sys::DomException>()
            .map_or(PasskeyError::Unreadable, |error| {
                PasskeyError::of_dom(&error.name())
            })
    };
    let credential = JsFuture::from(promise.map_err(failed)?)
        .await
        .map_err(failed)?;
    if credential.is_null() || credential.is_undefined() {
        return Err(PasskeyError::Cancelled);
    }
    Ok(credential)
}

/// The transports the authenticator names (`getTransports()`, where the browser has it).
fn transports(response: &JsValue) -> Vec<String> {
    field(response, "getTransports")
        .dyn_into::<js_sys::Function>()
        .ok()
        .and_then(|get| get.call0(response).ok())
        .filter(Array::is_array)
        .map(|list| {
            Array::from(&list)
                .iter()
                .filter_map(|t| t.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Creates a passkey with the server's creation options; the credential as webauthn-rs reads it.
///
/// # Errors
/// `PasskeyError` when the browser cannot, the seller cancels, or the options do not read.
pub async fn create(options: &Value) -> Result<Value, PasskeyError> {
    let container = container()?;
    let options: web_sys::CredentialCreationOptions = browser_options(options)?.unchecked_into();
    let credential = settle(container.create_with_options(&options)).await?;
    let response = field(&credential, "response");
    let id = field(&credential, "id")
        .as_string()
        .ok_or(PasskeyError::Unreadable)?;
    Ok(registration_json(
        &id,
        &bytes(&credential, "rawId")?,
        &bytes(&response, "attestationObject")?,
        &bytes(&response, "clientDataJSON")?,
        &transports(&response),
    ))
}

/// Signs in with a passkey, with the server's request options; the assertion as webauthn-rs
/// reads it.
///
/// # Errors
/// `PasskeyError` when the browser cannot, the seller cancels, or the options do not read.
pub async fn get(options: &Value) -> Result<Value, PasskeyError> {
    let container = container()?;
    let options: web_sys::CredentialRequestOptions = browser_options(options)?.unchecked_into();
    let credential = settle(container.get_with_options(&options)).await?;
    let response = field(&credential, "response");
    let id = field(&credential, "id")
        .as_string()
        .ok_or(PasskeyError::Unreadable)?;
    let handle = bytes(&response, "userHandle").ok();
    Ok(assertion_json(
        &id,
        &bytes(&credential, "rawId")?,
        &bytes(&response, "authenticatorData")?,
        &bytes(&response, "clientDataJSON")?,
        &bytes(&response, "signature")?,
        handle.as_deref().filter(|handle| !handle.is_empty()),
    ))
}
