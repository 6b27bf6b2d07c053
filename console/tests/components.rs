//! The console's pure parts and its sign-in view in headless Chromium (wasm-bindgen-test): the
//! words in three languages, base64url and WebAuthn's JSON, the error mapping, the list's query,
//! the places, the attention queues read loosely, the sign-in page's labelled controls, and a
//! shipment's edit form (its `PATCH` body, its labelled fields) and activity.
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use trackline::i18n::Lang;
use trackline_console::api::{ApiError, Role};
use trackline_console::attention;
use trackline_console::form;
use trackline_console::query::{ListQuery, Order, Problems};
use trackline_console::route::{self, Place};
use trackline_console::webauthn::{self, PasskeyError};
use trackline_console::words::{self, Word};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LANGS: [Lang; 3] = [Lang::Ru, Lang::En, Lang::Zh];

fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .match_indices('{')
        .filter_map(|(at, _)| text[at..].find('}').map(|end| &text[at..at + end + 1]))
        .collect();
    found.sort_unstable();
    found
}

#[wasm_bindgen_test]
fn every_word_is_written_in_every_language_with_the_same_placeholders() {
    for &word in Word::ALL {
        let english = words::text(Lang::En, word);
        for lang in LANGS {
            let text = words::text(lang, word);
            assert!(!text.trim().is_empty(), "{word:?} is empty in {lang:?}");
            assert_eq!(
                placeholders(text),
                placeholders(english),
                "{word:?} in {lang:?}"
            );
        }
        // A word left in English is a word not translated (those made of placeholders aside).
        if !placeholders(english).is_empty() && english.starts_with('{') {
            continue;
        }
        assert_ne!(words::text(Lang::Ru, word), english, "{word:?} in Russian");
        assert_ne!(words::text(Lang::Zh, word), english, "{word:?} in Chinese");
    }
}

#[wasm_bindgen_test]
fn placeholders_are_filled() {
    assert_eq!(
        words::fill(Lang::Ru, Word::InQueue, &[("count", "3")]),
        "всего: 3"
    );
    assert_eq!(
        words::fill(
            Lang::En,
            Word::InvitationFor,
            &[("shop", "Demo"), ("role", "owner")]
        ),
        "To the shop Demo, as owner."
    );
}

#[wasm_bindgen_test]
fn the_language_is_asked_then_the_browsers_then_russian() {
    let none = Vec::<String>::new;
    assert_eq!(words::choose(Some("en"), none()), Lang::En);
    assert_eq!(words::choose(Some("xx"), vec!["en-US".into()]), Lang::En);
    assert_eq!(
        words::choose(None, vec!["de-DE".into(), "zh-CN".into()]),
        Lang::Zh
    );
    assert_eq!(words::choose(None, none()), Lang::Ru);
    assert_eq!(words::choose(None, vec!["fr".into()]), Lang::Ru);
}

#[wasm_bindgen_test]
fn base64url_is_written_without_padding_and_read_with_or_without() {
    assert_eq!(webauthn::encode(&[0xfb, 0xff]), "-_8");
    assert_eq!(webauthn::encode(b""), "");
    assert_eq!(webauthn::decode("-_8"), Some(vec![0xfb, 0xff]));
    assert_eq!(webauthn::decode("-_8="), Some(vec![0xfb, 0xff]));
    // The standard alphabet is not base64url.
    assert_eq!(webauthn::decode("+/8"), None);
    assert_eq!(webauthn::decode("not base64!"), None);
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(
        webauthn::decode(&webauthn::encode(&bytes)).as_deref(),
        Some(&bytes[..])
    );
}

#[wasm_bindgen_test]
fn credentials_are_written_as_webauthn_rs_reads_them() {
    let registration =
        webauthn::registration_json("AQI", &[1, 2], &[3, 4, 5], b"{}", &["internal".to_owned()]);
    assert_eq!(
        registration,
        json!({
            "id": "AQI",
            "rawId": "AQI",
            "response": {
                "attestationObject": "AwQF",
                "clientDataJSON": "e30",
                "transports": ["internal"],
            },
            "type": "public-key",
            "extensions": {},
        })
    );
    let assertion = webauthn::assertion_json("AQI", &[1, 2], &[6], b"{}", &[7, 8], None);
    assert_eq!(
        assertion["response"],
        json!({
            "authenticatorData": "Bg",
            "clientDataJSON": "e30",
            "signature": "Bwg",
            "userHandle": null,
        })
    );
    assert_eq!(assertion["rawId"], "AQI");
    assert_eq!(assertion["type"], "public-key");
    let with_handle = webauthn::assertion_json("x", &[], &[], &[], &[], Some(&[9]));
    assert_eq!(with_handle["response"]["userHandle"], "CQ");
}

fn bytes_at(value: &wasm_bindgen::JsValue, path: &[&str]) -> Vec<u8> {
    let mut at = value.clone();
    for key in path {
        at = js_sys::Reflect::get(&at, &(*key).into()).unwrap();
    }
    assert!(
        at.is_instance_of::<js_sys::Uint8Array>(),
        "{path:?} is not bytes"
    );
    js_sys::Uint8Array::new(&at).to_vec()
}

#[wasm_bindgen_test]
fn the_servers_options_reach_the_browser_with_bytes_where_webauthn_wants_them() {
    let creation = json!({
        "publicKey": {
            "rp": {"id": "localhost", "name": "trackline"},
            "user": {"id": "AQID", "name": "anna", "displayName": "Anna"},
            "challenge": "BAUG",
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
            "excludeCredentials": [{"type": "public-key", "id": "Bwg"}],
            "timeout": 60000,
        }
    });
    let js = webauthn::browser_options(&creation).unwrap();
    assert_eq!(bytes_at(&js, &["publicKey", "challenge"]), vec![4, 5, 6]);
    assert_eq!(bytes_at(&js, &["publicKey", "user", "id"]), vec![1, 2, 3]);
    let excluded = js_sys::Reflect::get(
        &js_sys::Reflect::get(&js, &"publicKey".into()).unwrap(),
        &"excludeCredentials".into(),
    )
    .unwrap();
    let first = js_sys::Array::from(&excluded).get(0);
    assert_eq!(bytes_at(&first, &["id"]), vec![7, 8]);

    let request = json!({
        "publicKey": {
            "challenge": "CQ",
            "allowCredentials": [],
            "userVerification": "preferred",
            "rpId": "localhost",
        },
        "mediation": null,
    });
    let js = webauthn::browser_options(&request).unwrap();
    assert_eq!(bytes_at(&js, &["publicKey", "challenge"]), vec![9]);

    // Anything else is unreadable, not a panic.
    for bad in [
        json!({}),
        json!({"publicKey": "x"}),
        json!({"publicKey": {"challenge": "+/+/"}}),
        json!({"publicKey": {"challenge": 5}}),
    ] {
        assert_eq!(
            webauthn::browser_options(&bad).unwrap_err(),
            PasskeyError::Unreadable,
            "{bad}"
        );
    }
}

#[wasm_bindgen_test]
fn a_browsers_refusal_is_told_in_words() {
    assert_eq!(
        PasskeyError::of_dom("NotAllowedError"),
        PasskeyError::Cancelled
    );
    assert_eq!(PasskeyError::of_dom("AbortError"), PasskeyError::Cancelled);
    assert_eq!(
        PasskeyError::of_dom("SecurityError"),
        PasskeyError::Unsupported
    );
    assert_eq!(
        PasskeyError::of_dom("InvalidStateError").word(),
        Word::ErrPasskeyRefused
    );
    assert_eq!(PasskeyError::Cancelled.word(), Word::ErrPasskeyCancelled);
}

#[wasm_bindgen_test]
fn every_failed_answer_maps_to_one_error_and_one_word() {
    assert_eq!(ApiError::of(401, None, ""), ApiError::SignedOut);
    assert_eq!(ApiError::of(403, None, "<html>"), ApiError::Forbidden);
    assert_eq!(ApiError::of(404, None, ""), ApiError::NotFound);
    assert_eq!(ApiError::of(409, None, ""), ApiError::Conflict);
    assert_eq!(
        ApiError::of(429, Some(" 30 "), ""),
        ApiError::TooMany(Some(30))
    );
    assert_eq!(ApiError::of(429, Some("soon"), ""), ApiError::TooMany(None));
    let flat = r#"{"error":"invalid","message":"…","field":"event.text"}"#;
    assert_eq!(
        ApiError::of(422, None, flat),
        ApiError::Invalid(Some("event.text".into()))
    );
    let nested = r#"{"error":{"code":"invalid","field":"login"}}"#;
    assert_eq!(
        ApiError::of(400, None, nested),
        ApiError::Invalid(Some("login".into()))
    );
    assert_eq!(ApiError::of(422, None, "not json"), ApiError::Invalid(None));
    assert_eq!(ApiError::of(502, None, ""), ApiError::Server(502));
    let long = format!(r#"{{"field":"{}"}}"#, "x".repeat(10_000));
    match ApiError::of(422, None, &long) {
        ApiError::Invalid(Some(field)) => assert_eq!(field.chars().count(), 100),
        other => panic!("{other:?}"),
    }
    let invalid = ApiError::Invalid(Some("event.text".into()));
    assert_eq!(invalid.word(), Word::ErrInvalid);
    assert_eq!(
        words::fill(Lang::En, invalid.word(), &[("field", invalid.field())]),
        "The server did not accept this (event.text). Check it and try again."
    );
    for error in [
        ApiError::Offline,
        ApiError::SignedOut,
        ApiError::Forbidden,
        ApiError::NotFound,
        ApiError::Conflict,
        ApiError::TooMany(None),
        ApiError::Server(500),
        ApiError::Unreadable,
    ] {
        assert!(!words::text(Lang::Ru, error.word()).is_empty());
    }
}

#[wasm_bindgen_test]
fn roles_read_loosely() {
    let role = |text: &str| serde_json::from_str::<Role>(text).unwrap();
    assert_eq!(role("\"owner\""), Role::Owner);
    assert_eq!(role("\"staff\""), Role::Staff);
    assert_eq!(role("\"auditor\""), Role::Other);
    assert!(Role::Owner.is_owner());
    assert!(!Role::Other.is_owner());
}

#[wasm_bindgen_test]
fn staff_sees_no_owners_section() {
    let hrefs = |role| {
        route::sections(role)
            .iter()
            .map(|section| section.href)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        hrefs(Role::Owner),
        [
            "#/",
            "#/shipments",
            "#/import",
            "#/insights",
            "#/webhooks",
            "#/keys",
            "#/tokens",
            "#/members",
            "#/audit",
            "#/settings",
            "/configure/"
        ]
    );
    assert_eq!(
        hrefs(Role::Staff),
        ["#/", "#/shipments", "#/import", "#/insights"]
    );
    assert_eq!(
        hrefs(Role::Other),
        ["#/", "#/shipments", "#/import", "#/insights"]
    );
}

#[wasm_bindgen_test]
fn the_list_query_sends_only_what_differs_from_the_defaults() {
    assert_eq!(ListQuery::default().to_query(), "");
    let query = ListQuery {
        stage: Some("in_transit".into()),
        search: "  RA 1234&x=y  ".into(),
        problems: Problems::With,
        stale: true,
        order: Order::Reference,
        cursor: Some("bS4xLjI".into()),
    };
    assert_eq!(
        query.to_query(),
        "?stage=in_transit&q=RA+1234%26x%3Dy&exception=any&stale=true&sort=reference&cursor=bS4xLjI"
    );
    assert_eq!(
        ListQuery {
            problems: Problems::Without,
            ..ListQuery::default()
        }
        .to_query(),
        "?exception=none"
    );
    let long = ListQuery {
        search: "9".repeat(500),
        ..ListQuery::default()
    };
    assert_eq!(long.to_query(), format!("?q={}", "9".repeat(100)));
    assert_eq!(query.first_page().cursor, None);
    assert_eq!(Order::from_value("created"), Order::Created);
    assert_eq!(Order::from_value("nonsense"), Order::Updated);
    assert_eq!(Problems::from_value("none"), Problems::Without);
}

#[wasm_bindgen_test]
fn places_and_invitations_are_read_from_the_fragment() {
    for place in [
        Place::Attention,
        Place::Shipments {
            problems: false,
            stale: false,
        },
        Place::Shipments {
            problems: true,
            stale: false,
        },
        Place::Shipments {
            problems: false,
            stale: true,
        },
        Place::Shipment("order-1.A_b".into()),
        Place::Webhooks,
        Place::Import,
    ] {
        assert_eq!(Place::of_hash(&place.hash()), place);
    }
    assert_eq!(Place::of_hash(""), Place::Attention);
    assert!(Place::Webhooks.owners_only());
    assert!(!Place::Shipment("a".into()).owners_only());
    assert_eq!(
        Place::Shipment("a".into()).section(),
        Place::of_hash("#/shipments")
    );
    assert_eq!(Place::of_hash("#/shipment/"), Place::Attention);
    assert_eq!(Place::of_hash("#/shipment/a/b"), Place::Attention);
    assert_eq!(Place::of_hash("#/shipment/<script>"), Place::Attention);
    assert_eq!(
        Place::of_hash(&format!("#/shipment/{}", "a".repeat(101))),
        Place::Attention
    );
    assert_eq!(
        route::invitation("#invitation=abc_DEF-123"),
        Some("abc_DEF-123".into())
    );
    assert_eq!(route::invitation("#invitation="), None);
    assert_eq!(route::invitation("#/shipments"), None);
    assert_eq!(route::invitation("#invitation=a b\"<"), None);
    assert_eq!(
        route::invitation(&format!("#invitation={}", "a".repeat(201))),
        None
    );
}

#[wasm_bindgen_test]
fn the_attention_queues_are_read_whatever_comes() {
    let answer = json!({
        "queues": {
            "failed_webhook_deliveries": {"count": 1, "items": [{"id": 7, "url": "https://shop.example/hook", "error": "timeout"}], "action": "replay"},
            "exceptions": {"count": 12, "items": [
                {"reference": "order-1", "shipment": {"stage": "in_transit", "exception": "delayed", "events": []}},
                {"reference": "bad ref!", "shipment": {"tracking_number": "RA1"}},
            ], "action": "open"},
            "stale": {"count": 0, "items": []},
            "something_new": {"count": 2, "items": ["a", "b"]},
        },
        "generated_ms": 5,
    });
    let queues = attention::queues(&answer);
    let keys: Vec<&str> = queues.iter().map(|queue| queue.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "exceptions",
            "stale",
            "failed_webhook_deliveries",
            "something_new"
        ]
    );
    assert_eq!(queues[0].word, Word::QueueExceptions);
    assert_eq!(queues[0].count, 12);
    assert_eq!(queues[0].items[0].label, "order-1");
    assert_eq!(queues[0].items[0].detail.as_deref(), Some("delayed"));
    assert_eq!(
        queues[0].items[0].place,
        Some(Place::Shipment("order-1".into()))
    );
    // A reference that is no reference links nowhere.
    assert_eq!(queues[0].items[1].place, None);
    assert_eq!(
        queues[0].action,
        Some(Place::Shipments {
            problems: true,
            stale: false
        })
    );
    assert_eq!(queues[2].word, Word::QueueWebhooks);
    assert_eq!(queues[2].action, Some(Place::Webhooks));
    assert_eq!(queues[2].items[0].label, "https://shop.example/hook");
    assert_eq!(queues[3].word, Word::QueueOther);
    assert_eq!(queues[3].items.len(), 2);
    assert!(!attention::all_clear(&queues));

    // Queues at the top, or as a list naming themselves; a missing queue is no queue.
    let top = attention::queues(&json!({"stale": {"count": 3, "items": []}}));
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].word, Word::QueueStale);
    let listed = attention::queues(&json!({"queues": [
        {"kind": "pickup_deadlines", "count": 1, "items": [{"reference": "r-1", "deadline": "2026-12-09"}]},
        {"kind": "refused_provider_keys", "count": 1, "items": [{"provider": "cdek", "error": "401"}]},
    ]}));
    assert_eq!(listed[0].word, Word::QueuePickup);
    assert_eq!(listed[1].word, Word::QueueKeys);
    assert_eq!(listed[1].items[0].label, "cdek");
    // The server's own shape (`GET /api/v1/seller/attention`): the exceptions a list of queues,
    // one a kind, read as one with their counts added; shipments by their numbers when they
    // have no reference (the demo's); deliveries and refused keys as they come.
    let served = attention::queues(&json!({
        "exceptions": [
            {"exception": "delayed", "count": 2, "at_least": false, "action": {"code": "open"},
             "shipments": [{"reference": null, "order_number": "1000000023", "tracking_number": null,
                            "stage": "in_transit", "exception": "delayed", "written_at": "2026-12-07T10:00:00Z"}]},
            {"exception": "customs_hold", "count": 1, "at_least": false, "action": {"code": "open"},
             "shipments": [{"reference": "A-1", "order_number": null, "tracking_number": "LP300000043CN",
                            "stage": "in_transit", "exception": "customs_hold", "written_at": "2026-12-07T10:00:00Z"}]}
        ],
        "stale": {"count": 1, "at_least": false, "action": {"code": "open"}, "shipments": []},
        "pickup_deadlines": {"count": 0, "at_least": false, "action": {"code": "open"}, "shipments": []},
        "pickup_until": "2026-12-09",
        "failing_deliveries": {"count": 1, "at_least": false, "action": {"code": "replay"},
                               "deliveries": [{"id": 9, "url": "https://hooks.example", "state": "failed"}]},
        "refused_keys": [{"provider": "cdek", "reason": "refused", "refused_at": "2026-12-07T10:00:00Z"}]
    }));
    let by_word = |word: Word| served.iter().find(|queue| queue.word == word);
    let exceptions = by_word(Word::QueueExceptions).expect("the exceptions queue");
    assert_eq!(exceptions.count, 3);
    assert_eq!(exceptions.items[0].label, "1000000023");
    assert_eq!(exceptions.items[0].detail.as_deref(), Some("delayed"));
    assert_eq!(
        exceptions.items[1].place,
        Some(Place::Shipment("A-1".into()))
    );
    assert_eq!(by_word(Word::QueueStale).map(|queue| queue.count), Some(1));
    assert_eq!(by_word(Word::QueuePickup).map(|queue| queue.count), Some(0));
    assert_eq!(
        by_word(Word::QueueWebhooks).map(|queue| queue.items[0].label.as_str()),
        Some("https://hooks.example")
    );
    assert_eq!(
        by_word(Word::QueueKeys).map(|queue| (queue.count, queue.items[0].label.as_str())),
        Some((1, "cdek"))
    );
    assert_eq!(served.len(), 5, "pickup_until is no queue");

    assert!(attention::queues(&json!("nonsense")).is_empty());
    assert!(attention::queues(&json!(null)).is_empty());
    assert!(attention::all_clear(&attention::queues(
        &json!({"queues": {"stale": {"count": 0}}})
    )));
}

#[wasm_bindgen_test]
fn the_forms_check_the_servers_limits() {
    assert_eq!(form::name("  Anna "), Ok("Anna".into()));
    assert_eq!(form::name("   "), Err(Word::ErrNameRequired));
    assert_eq!(form::login("ab"), Err(Word::ErrLoginLength));
    assert_eq!(
        form::login(" anna@shop.example "),
        Ok("anna@shop.example".into())
    );
    assert_eq!(form::password("short"), Err(Word::ErrPasswordLength));
    assert_eq!(form::password("ten chars!"), Ok(()));
    assert_eq!(
        form::password(&"я".repeat(257)),
        Err(Word::ErrPasswordLength)
    );
    assert_eq!(form::event_text(""), Err(Word::TextRequired));
    assert_eq!(form::event_text(&"a".repeat(501)), Err(Word::TextRequired));
}

#[wasm_bindgen_test]
fn an_event_from_the_form_keeps_what_was_not_chosen_out() {
    use trackline_console::view::shipment::new_event;
    let kept = new_event(
        "2026-12-07T10:00:00Z".into(),
        "",
        "",
        "Hello".into(),
        Lang::Zh,
    );
    assert_eq!(
        serde_json::to_value(&kept).unwrap(),
        json!({"at": "2026-12-07T10:00:00Z", "text": "Hello", "text_lang": "zh-CN"})
    );
    let moved = new_event(
        "2026-12-07T10:00:00Z".into(),
        "ready_for_pickup",
        "delayed",
        "Ждёт".into(),
        Lang::Ru,
    );
    assert_eq!(moved.stage.as_deref(), Some("ready_for_pickup"));
    assert_eq!(moved.exception.as_deref(), Some("delayed"));
    assert_eq!(moved.text_lang, "ru");
}

fn fresh_root() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

#[wasm_bindgen_test]
fn the_sign_in_page_speaks_russian_and_labels_every_control() {
    use leptos::prelude::*;
    use trackline_console::view::sign_in::SignIn;
    let root = fresh_root();
    let signed_in = Callback::new(|_: trackline_console::api::Session| {});
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <SignIn lang=Lang::Ru notice=Some(Word::ErrSignedOut) signed_in/> }
    });
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Вход"), "{text}");
    assert!(text.contains("Войти с ключом доступа"), "{text}");
    assert!(text.contains("Сеанс завершён"), "{text}");
    let controls = root.query_selector_all("input, select, textarea").unwrap();
    assert!(controls.length() >= 2);
    for at in 0..controls.length() {
        let control: web_sys::Element = controls.get(at).unwrap().unchecked_into();
        let id = control.id();
        assert!(!id.is_empty(), "a control without an id");
        assert!(
            root.query_selector(&format!("label[for='{id}']"))
                .unwrap()
                .is_some(),
            "{id} has no label"
        );
    }
    let buttons = root.query_selector_all("button").unwrap();
    for at in 0..buttons.length() {
        let button = buttons.get(at).unwrap().text_content().unwrap_or_default();
        assert!(!button.trim().is_empty(), "a button without a name");
    }
    assert!(root.query_selector("main").unwrap().is_some());
    assert!(root.query_selector("[role=alert]").unwrap().is_some());
    drop(mounted);
}

#[wasm_bindgen_test]
fn webhooks_read_as_the_server_writes_them_and_speak_the_sellers_words() {
    use trackline_console::api::{Deliveries, Webhooks};
    use trackline_console::view::webhooks::{kind_text, state_text, KINDS};
    let answer = json!({"webhooks": [{
        "id": "9007199254740993",
        "url": "https://shop.example/hooks/trackline",
        "events": ["ready_for_pickup", "something_new"],
        "created_at": "2026-12-07T10:00:00Z",
        "previous_secret_until": "2026-12-08T10:00:00Z",
    }]});
    let webhooks: Webhooks = serde_json::from_value(answer).unwrap();
    assert_eq!(webhooks.webhooks[0].id, "9007199254740993");
    assert_eq!(webhooks.webhooks[0].secret, None);
    assert_eq!(
        kind_text(Lang::Ru, "ready_for_pickup"),
        "Прибытии в пункт выдачи"
    );
    assert_eq!(kind_text(Lang::Ru, "something_new"), "something_new");
    assert_eq!(KINDS.len(), 5);
    let log: Deliveries = serde_json::from_value(json!({"deliveries": [{
        "id": "5", "type": "shipment.ready_for_pickup", "state": "failed",
        "queued_at": "2026-12-07T10:00:00Z",
        "attempts": [{"at": "2026-12-07T10:00:01Z", "error": "timeout", "duration_ms": 10000}],
    }]}))
    .unwrap();
    assert_eq!(
        log.deliveries[0].attempts[0].error.as_deref(),
        Some("timeout")
    );
    assert_eq!(state_text(Lang::Zh, "failed"), "失败");
    assert_eq!(state_text(Lang::En, "odd"), "odd");
}

#[wasm_bindgen_test]
fn every_provider_has_a_name_in_every_language() {
    use trackline_console::view::shipment::{provider_name, PROVIDERS};
    for wire in PROVIDERS {
        for lang in LANGS {
            assert_ne!(provider_name(lang, wire), "", "{wire} in {lang:?}");
        }
    }
    assert_eq!(provider_name(Lang::Ru, "cdek"), "СДЭК");
    assert_eq!(provider_name(Lang::Zh, "russian_post"), "俄罗斯邮政");
}

/// A real answer of `POST /api/v1/seller/imports` for `server/tests/fixtures/import/
/// ozon-postings-1251.csv` (the reference server, 2026-12-07), one changed row added as the
/// server writes one.
const PREVIEW: &str = r#"{"id":"5648361414666500170","expires_at":"2026-12-07T18:27:55Z","format":"csv","encoding":"windows1251","separator":";","header_line":1,"columns":[{"index":0,"header":"Номер заказа","field":"order_number"},{"index":1,"header":"Номер отправления","field":"shipment_number"},{"index":2,"header":"Принят в обработку","field":null},{"index":3,"header":"Дата отгрузки","field":null},{"index":4,"header":"Статус","field":"status"},{"index":5,"header":"Дата доставки","field":"estimated_delivery"},{"index":6,"header":"Фактическая дата передачи в доставку","field":null},{"index":7,"header":"Сумма отправления","field":null},{"index":8,"header":"Код валюты отправления","field":null},{"index":9,"header":"Наименование товара","field":null},{"index":10,"header":"OZON id","field":null},{"index":11,"header":"Артикул","field":null},{"index":12,"header":"Количество","field":null},{"index":13,"header":"Трек-номер","field":"tracking_number"}],"keyed_by":"shipment_number","counts":{"created":5,"changed":1,"unchanged":0,"repeated":1,"refused":4},"created":[{"line":2,"reference":"0123456789-0001-1"},{"line":4,"reference":"0123456790-0002-1"},{"line":5,"reference":"0123456791-0003-1"},{"line":6,"reference":"0123456792-0004-1"},{"line":7,"reference":"0123456793-0005-2"}],"changed":[{"line":12,"reference":"0123456794-0006-1","changes":["stage","buyer_check"]}],"unchanged":[],"repeated":[{"line":3,"first_line":2}],"refused":[{"line":8,"refusal":{"field":"status","reason":"unknown_status","text":"Потерян курьером"}},{"line":9,"refusal":{"field":"tracking_number","problem":"mistyped","reason":"bad_number"}},{"line":10,"refusal":{"reason":"no_reference"}},{"line":11,"refusal":{"first_line":4,"reason":"conflict"}}]}"#;

#[wasm_bindgen_test]
fn the_preview_is_read_as_the_server_writes_it() {
    use trackline_console::import::{self, Preview};
    let preview: Preview = serde_json::from_str(PREVIEW).unwrap();
    assert_eq!(preview.id, "5648361414666500170");
    assert_eq!(preview.columns.len(), 14);
    assert_eq!(
        preview.columns[13].field.as_deref(),
        Some("tracking_number")
    );
    assert_eq!(preview.columns[2].field, None);
    assert_eq!(preview.counts.created, 5);
    assert_eq!(preview.counts.refused, 4);
    assert!(preview.counts.writes());
    assert_eq!(preview.created[1].line, 4);
    assert_eq!(preview.repeated[0].first_line, 2);
    assert_eq!(preview.changed[0].changes, ["stage", "buyer_check"]);
    assert_eq!(
        import::reason_text(Lang::Ru, &preview.refused[0].refusal),
        "Статус: «Потерян курьером» — незнакомый импорту статус."
    );
    assert_eq!(
        import::reason_text(Lang::En, &preview.refused[1].refusal),
        "Tracking number: not a usable number (a typing mistake: its check digit does not match)."
    );
    assert_eq!(
        import::reason_text(Lang::Zh, &preview.refused[3].refusal),
        "第 4 行是同一货件但数据不同：请只保留一行。"
    );
    assert_eq!(
        import::field_text(Lang::En, "buyer_check"),
        "buyer's check (phone or postcode)"
    );
    // A newer server's fields and kinds are read, or left out, never a failure.
    let loose: Preview =
        serde_json::from_str(r#"{"id":"1","counts":{"unchanged":3},"later":true}"#).unwrap();
    assert!(!loose.counts.writes());
    assert!(loose.columns.is_empty());
}

#[wasm_bindgen_test]
fn every_reason_and_file_error_is_told_in_three_languages_and_an_unknown_one_by_its_code() {
    use trackline_console::import::{self, FIELDS, FILE_ERRORS, NUMBER_PROBLEMS, REASONS};
    for lang in LANGS {
        for (code, _) in REASONS {
            let refusal = json!({"reason": code, "field": "order_number", "text": "x", "max": 100,
                "first_line": 4, "path": "carrier.name", "problem": "empty"});
            let told = import::reason_text(lang, &refusal);
            assert!(!told.contains('{'), "{code} in {lang:?}: {told}");
            assert_ne!(told, code, "{code} in {lang:?}");
        }
        for (code, _) in FILE_ERRORS {
            assert!(
                !import::file_error_text(lang, code).contains(code),
                "{code}"
            );
        }
        for field in FIELDS {
            assert_ne!(
                import::field_text(lang, field),
                field,
                "{field} in {lang:?}"
            );
        }
        for (problem, _) in NUMBER_PROBLEMS {
            let told = import::reason_text(
                lang,
                &json!({"reason": "bad_number", "field": "tracking_number", "problem": problem}),
            );
            assert!(
                !told.contains(problem) || lang == Lang::En,
                "{problem} in {lang:?}"
            );
        }
        assert_eq!(
            import::reason_text(lang, &json!({"reason": "brand_new"})),
            "brand_new"
        );
        assert!(import::file_error_text(lang, "file_brand_new").contains("file_brand_new"));
    }
    // Every code the server's `Refusal` and `FileError` send (server/src/import/, http/error.rs).
    let reasons: Vec<&str> = REASONS.iter().map(|(code, _)| *code).collect();
    assert_eq!(
        reasons,
        [
            "no_reference_column",
            "no_reference",
            "bad_reference",
            "bad_number",
            "no_status",
            "unknown_status",
            "bad_date",
            "too_long",
            "bad_phone",
            "bad_postcode",
            "conflict",
            "invalid",
        ]
    );
    assert_eq!(FILE_ERRORS.len(), 14);
}

#[wasm_bindgen_test]
fn a_file_error_is_told_by_its_code_and_any_other_failure_as_usual() {
    use trackline_console::import::ImportError;
    let body = r#"{"error":"file_unknown_encoding","message":"…"}"#;
    assert_eq!(
        ImportError::of(422, None, body),
        ImportError::File("file_unknown_encoding".into())
    );
    assert_eq!(
        ImportError::of(413, None, "<html>"),
        ImportError::File("file_too_large".into())
    );
    assert_eq!(
        ImportError::of(415, None, r#"{"error":"unsupported_type"}"#),
        ImportError::File("unsupported_type".into())
    );
    assert_eq!(
        ImportError::of(422, None, r#"{"error":"invalid","field":"mapping"}"#),
        ImportError::Api(ApiError::Invalid(Some("mapping".into())))
    );
    assert_eq!(
        ImportError::of(401, None, ""),
        ImportError::Api(ApiError::SignedOut)
    );
    // The seller's previous file still being read: told as the file's trouble, in words.
    assert_eq!(
        ImportError::of(429, Some("2"), r#"{"error":"import_reader_busy"}"#),
        ImportError::File("import_reader_busy".into())
    );
    assert_eq!(
        ImportError::of(429, Some("2"), r#"{"error":"rate_limited"}"#),
        ImportError::Api(ApiError::TooMany(Some(2)))
    );
}

#[wasm_bindgen_test]
fn a_file_goes_with_its_type_or_its_extensions() {
    use trackline_console::import::content_type;
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    assert_eq!(content_type("Отправления.XLSX", ""), XLSX);
    assert_eq!(
        content_type("orders.xlsx", "application/octet-stream"),
        XLSX
    );
    assert_eq!(content_type("postings.csv", ""), "text/csv");
    assert_eq!(
        content_type("postings.csv", "application/vnd.ms-excel"),
        "application/vnd.ms-excel"
    );
    assert_eq!(content_type("1c.tsv", ""), "text/tab-separated-values");
    assert_eq!(content_type("old.xls", ""), "application/octet-stream");
    assert_eq!(content_type("noname", ""), "application/octet-stream");
    assert_ne!(content_type("photo.png", "image/png"), "text/csv");
}

#[wasm_bindgen_test]
fn the_mapping_query_is_built_from_the_selects() {
    use trackline_console::import::{self, Preview};
    let preview: Preview = serde_json::from_str(PREVIEW).unwrap();
    let mut chosen = import::mapping_of(&preview.columns);
    assert_eq!(chosen.len(), 14);
    // The seller maps column 2 to the order number: column 0 loses it, as the server does.
    import::choose(&mut chosen, 2, Some("order_number".into()));
    assert_eq!(chosen[0], None);
    assert_eq!(chosen[2].as_deref(), Some("order_number"));
    import::choose(&mut chosen, 13, None);
    import::choose(&mut chosen, 99, Some("status".into()));
    let query = import::mapping_query(&chosen);
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .into_owned()
            .collect();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].0, "mapping");
    assert_eq!(
        pairs[0].1,
        "none:0,shipment_number:1,order_number:2,none:3,status:4,estimated_delivery:5,none:6,none:7,none:8,none:9,none:10,none:11,none:12,none:13"
    );
    assert!(query.starts_with("?mapping=none%3A0%2Cshipment_number%3A1"));
    assert_eq!(import::mapping_query(&[]), "");
    // The widest header the server reads (256 columns) stays within its 4 000 characters.
    let mut wide = vec![None; 256];
    for (at, field) in import::FIELDS.iter().enumerate() {
        wide[240 + at] = Some((*field).to_owned());
    }
    let query = import::mapping_query(&wide);
    let decoded: String = form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .map(|(_, value)| value.into_owned())
        .collect();
    assert!(decoded.len() <= 4000, "{}", decoded.len());
}

#[wasm_bindgen_test]
fn the_progress_is_polled_on_a_bounded_growing_schedule() {
    use trackline_console::import::{self, Progress, MAX_POLLS};
    let waits: Vec<u32> = (0..).map_while(import::poll_wait_ms).collect();
    assert_eq!(waits.len(), MAX_POLLS as usize);
    assert_eq!(waits[0], 500);
    assert!(waits.windows(2).all(|pair| pair[0] <= pair[1]));
    assert!(waits.iter().all(|wait| (500..=5000).contains(wait)));
    assert_eq!(*waits.last().unwrap(), 5000);
    let total: u32 = waits.iter().sum();
    assert!((60_000..=600_000).contains(&total), "{total} ms in all");
    assert_eq!(import::poll_wait_ms(MAX_POLLS), None);
    assert_eq!(import::poll_wait_ms(u32::MAX), None);
    let progress = |state: &str| Progress {
        state: state.into(),
        done: 1,
        total: 2,
    };
    assert!(progress("applied").ended());
    assert!(progress("failed").ended());
    assert!(!progress("applying").ended());
    assert!(!progress("previewed").ended());
}

#[wasm_bindgen_test]
fn the_export_link_carries_the_lists_filters_and_not_its_cursor() {
    let query = ListQuery {
        stage: Some("in_transit".into()),
        problems: Problems::With,
        cursor: Some("abc".into()),
        ..ListQuery::default()
    };
    assert_eq!(
        trackline_console::api::export_href(&query),
        "/api/v1/seller/shipments.csv?stage=in_transit&exception=any"
    );
    assert_eq!(
        trackline_console::api::export_href(&ListQuery::default()),
        "/api/v1/seller/shipments.csv"
    );
}

#[wasm_bindgen_test]
fn the_import_page_labels_its_picker_in_chinese() {
    use leptos::prelude::*;
    use trackline_console::view::import::ImportPage;
    use trackline_console::view::Gate;
    let root = fresh_root();
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        let gate = RwSignal::new(Gate::Out(None));
        view! { <ImportPage lang=Lang::Zh gate/> }
    });
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("从表格导入货件"), "{text}");
    let input = root.query_selector("input[type=file]").unwrap().unwrap();
    let id = input.id();
    assert!(root
        .query_selector(&format!("label[for='{id}']"))
        .unwrap()
        .is_some());
    assert!(input.get_attribute("accept").unwrap().contains(".xlsx"));
    // The visible control is the page's own, in the page's language (the browser's picker says
    // "Choose File" in the browser's); the input inside it is kept for keyboards, not drawn.
    let label = root
        .query_selector(&format!("label[for='{id}']"))
        .unwrap()
        .unwrap();
    assert!(label.contains(Some(&input)));
    assert!(input.class_list().contains("con__offscreen"));
    let shown = label.text_content().unwrap_or_default();
    assert!(shown.contains("选择文件"), "{shown}");
    assert!(shown.contains("未选择文件"), "{shown}");
    drop(mounted);
}

fn audit_entry(
    member: Option<&str>,
    token: Option<&str>,
    action: &str,
    target: Option<&str>,
) -> trackline_console::api::AuditEntry {
    serde_json::from_value(json!({
        "at_ms": 1_796_000_000_000_i64,
        "member": member.map(|name| json!({"id": 7, "name": name})),
        "token": token,
        "action": action,
        "target": target,
    }))
    .unwrap()
}

#[wasm_bindgen_test]
fn every_audit_action_is_a_sentence_in_every_language() {
    use trackline_console::view::audit::{sentence, ACTIONS};
    // The codes the server records (server/src/http/audit.rs `action`).
    let codes = [
        "shipment.put",
        "shipment.patch",
        "shipment.delete",
        "shipments.put",
        "events.append",
        "settings.put",
        "webhook.create",
        "webhook.delete",
        "webhook.rotate",
        "token.create",
        "token.revoke",
        "ozon_keys.put",
        "provider_keys.put",
        "member.invite",
        "member.remove",
        "invitation.revoke",
        "sign_in.password",
        "sign_in.passkey",
        "sign_out.everywhere",
        "ozon_keys.check",
        "provider_keys.check",
    ];
    assert_eq!(ACTIONS.map(|(code, _)| code), codes);
    for code in codes {
        let entry = audit_entry(Some("Anna"), None, code, Some("A-1001"));
        let mut said = Vec::new();
        for lang in LANGS {
            let text = sentence(lang, &entry);
            assert!(text.contains("Anna"), "{code} in {lang:?}: {text}");
            assert!(!text.contains('{'), "{code} in {lang:?}: {text}");
            assert!(!text.contains(code), "{code} in {lang:?}: {text}");
            said.push(text);
        }
        assert_ne!(said[0], said[1], "{code}: Russian as English");
        assert_ne!(said[0], said[2], "{code}: Chinese as English");
    }
    let moved = audit_entry(Some("Anna"), None, "events.append", Some("A-1001"));
    assert_eq!(
        sentence(Lang::En, &moved),
        "Anna moved the shipment A-1001 (added an event)"
    );
    assert_eq!(
        sentence(Lang::Ru, &moved),
        "Anna: отправление A-1001 переведено (добавлено событие)"
    );
    assert_eq!(
        sentence(Lang::Zh, &moved),
        "Anna 为货件 A-1001 添加了记录（变更状态）"
    );
    // A provider is named in the seller's words; a token and nobody are said so.
    let keys = audit_entry(None, Some("ci"), "provider_keys.put", Some("cdek"));
    assert_eq!(
        sentence(Lang::Ru, &keys),
        "Токен «ci»: заменены ключи (СДЭК)"
    );
    let nobody = audit_entry(None, None, "settings.put", None);
    assert_eq!(
        sentence(Lang::En, &nobody),
        "Someone changed the shop's settings"
    );
    // Another route is told by its method and route.
    let other = audit_entry(
        Some("Anna"),
        None,
        "put /api/v1/seller/shipments/{reference}/source",
        Some("A-1"),
    );
    assert_eq!(
        sentence(Lang::En, &other),
        "Anna: PUT /api/v1/seller/shipments/{reference}/source (A-1)"
    );
    assert_eq!(
        sentence(Lang::Zh, &other),
        "Anna：PUT /api/v1/seller/shipments/{reference}/source (A-1)"
    );
    // A name that reads as a placeholder is shown as written, not filled.
    let odd = audit_entry(Some("{target}"), None, "shipment.delete", Some("B-2"));
    assert_eq!(
        sentence(Lang::En, &odd),
        "{target} deleted the shipment B-2"
    );
}

#[wasm_bindgen_test]
fn the_audit_page_reads_as_the_server_writes_it() {
    use trackline_console::api::AuditPage;
    let page: AuditPage = serde_json::from_value(json!({
        "entries": [
            {"at_ms": 1, "member": {"id": 3, "name": "Anna"}, "action": "token.create", "target": null},
            {"at_ms": 2, "member": null, "token": "ci", "action": "shipment.put", "target": "A-1"},
        ],
        "next": "2.9",
    }))
    .unwrap();
    assert_eq!(page.entries.len(), 2);
    assert_eq!(page.entries[1].token.as_deref(), Some("ci"));
    assert_eq!(page.next.as_deref(), Some("2.9"));
}

#[wasm_bindgen_test]
fn origins_are_checked_as_the_server_checks_them() {
    use trackline_console::form::{is_origin, origins, OriginsError, MAX_ORIGINS};
    use trackline_console::view::settings::from_form;
    for good in [
        "https://shop.example",
        "http://localhost:8080",
        "https://[::1]:8443",
    ] {
        assert!(is_origin(good), "{good}");
    }
    for bad in [
        "shop.example",
        "https://",
        "https://shop.example/track",
        "https://shop.example; script-src *",
        "https://a b",
        "ftp://shop.example",
        "https://shop.example,https://evil.example",
        "https://shop.example?x",
    ] {
        assert!(!is_origin(bad), "{bad}");
    }
    assert_eq!(
        origins("\n  https://Shop.example/ \nhttps://shop.example\n\nhttp://localhost:8080\n"),
        Ok(vec![
            "https://shop.example".to_owned(),
            "http://localhost:8080".to_owned()
        ])
    );
    assert_eq!(origins(""), Ok(vec![]));
    assert_eq!(
        origins("https://a.example\nhttps://b.example/path"),
        Err(OriginsError::Line(2))
    );
    let many = (0..=MAX_ORIGINS)
        .map(|at| format!("https://s{at}.example"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(origins(&many), Err(OriginsError::TooMany));
    assert_eq!(
        from_form(Lang::Ru, "https://a.example\nnope", "postcode"),
        Err("Строка 2 — не адрес витрины: пишите как https://shop.example, без пути.".to_owned())
    );
    let settings = from_form(Lang::En, "https://a.example", "phone_last4").unwrap();
    assert_eq!(
        serde_json::to_value(&settings).unwrap(),
        json!({"allowed_origins": ["https://a.example"], "order_check": "phone_last4"})
    );
    let none = from_form(Lang::En, "", "").unwrap();
    assert_eq!(
        serde_json::to_value(&none).unwrap(),
        json!({"allowed_origins": []})
    );
    assert!(from_form(Lang::En, "", "nonsense")
        .unwrap()
        .order_check
        .is_none());
}

#[wasm_bindgen_test]
fn keys_are_checked_and_refusals_read_from_the_attention_queue() {
    use trackline_console::view::keys::{checked_keys, refusals, PROVIDER_KEYS};
    let fields = |wire: &str| {
        PROVIDER_KEYS
            .iter()
            .find(|(provider, _, _)| *provider == wire)
            .unwrap()
            .2
    };
    let names = |wire: &str| fields(wire).iter().map(|field| field.0).collect::<Vec<_>>();
    // The server's `Provider::key_fields`, and Ozon's own route's.
    assert_eq!(names("russian_post"), ["login", "password"]);
    assert_eq!(names("cdek"), ["client_id", "client_secret"]);
    assert_eq!(names("seventeen_track"), ["api_key"]);
    assert_eq!(names("ozon"), ["client_id", "api_key"]);
    assert_eq!(
        checked_keys("cdek", fields("cdek"), &[" id ".into(), "secret".into()]),
        Ok(vec![
            ("client_id", "id".to_owned()),
            ("client_secret", "secret".to_owned())
        ])
    );
    assert_eq!(
        checked_keys("cdek", fields("cdek"), &["id".into(), "  ".into()]),
        Err(Word::ErrKeyRequired)
    );
    assert_eq!(
        checked_keys("ozon", fields("ozon"), &["12a".into(), "key".into()]),
        Err(Word::ErrOzonClientId)
    );
    assert_eq!(
        checked_keys(
            "seventeen_track",
            fields("seventeen_track"),
            &["k".repeat(201)]
        ),
        Err(Word::ErrKeyRequired)
    );
    let found = refusals(&json!({"refused_keys": [
        {"provider": "cdek", "refused_at": "2026-12-07T10:00:00Z", "reason": "401 invalid client", "action": {}},
        {"reason": "no provider"},
    ]}));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].provider, "cdek");
    assert_eq!(found[0].reason, "401 invalid client");
    assert!(refusals(&json!({})).is_empty());
    // The attention queue's refused keys are resolved on the keys page.
    let queues = attention::queues(&json!({"refused_keys": [{"provider": "ozon", "reason": "x"}]}));
    assert_eq!(queues[0].action, Some(Place::Keys));
}

#[wasm_bindgen_test]
fn the_connections_places_are_owners_only() {
    for place in [
        Place::Members,
        Place::Tokens,
        Place::Audit,
        Place::Keys,
        Place::Settings,
    ] {
        assert!(place.owners_only(), "{place:?}");
        assert_eq!(Place::of_hash(&place.hash()), place);
        let href = place.hash();
        assert!(
            !route::sections(Role::Staff)
                .iter()
                .any(|section| section.href == href),
            "{place:?}"
        );
        assert!(
            route::sections(Role::Owner)
                .iter()
                .any(|section| section.href == href),
            "{place:?}"
        );
    }
}

fn gate_of(role: Role) -> leptos::prelude::RwSignal<trackline_console::view::Gate> {
    use trackline_console::api::{Member, SellerName, Session};
    leptos::prelude::RwSignal::new(trackline_console::view::Gate::In(Session {
        member: Member {
            id: 1,
            name: "Anna".into(),
            role,
        },
        seller: SellerName {
            name: "Demo".into(),
            handle: "demo".into(),
        },
        csrf: "c".into(),
        idle_expires_ms: 0,
    }))
}

#[wasm_bindgen_test]
fn each_connections_page_tells_staff_it_is_the_owners() {
    use leptos::prelude::*;
    use trackline_console::view::audit::AuditPage;
    use trackline_console::view::keys::KeysPage;
    use trackline_console::view::members::MembersPage;
    use trackline_console::view::settings::SettingsPage;
    use trackline_console::view::tokens::TokensPage;
    /// One owner's page, drawn for a language and a gate.
    type Page = fn(Lang, RwSignal<trackline_console::view::Gate>) -> AnyView;
    let pages: [(&str, Page); 5] = [
        ("members", |lang, gate| {
            view! { <MembersPage lang gate/> }.into_any()
        }),
        ("tokens", |lang, gate| {
            view! { <TokensPage lang gate/> }.into_any()
        }),
        ("audit", |lang, gate| {
            view! { <AuditPage lang gate/> }.into_any()
        }),
        ("keys", |lang, gate| {
            view! { <KeysPage lang gate/> }.into_any()
        }),
        ("settings", |lang, gate| {
            view! { <SettingsPage lang gate/> }.into_any()
        }),
    ];
    for (name, page) in pages {
        for (role, refused) in [
            (Role::Staff, true),
            (Role::Other, true),
            (Role::Owner, false),
        ] {
            let root = fresh_root();
            let gate = gate_of(role);
            let mounted = leptos::mount::mount_to(root.clone(), move || page(Lang::Ru, gate));
            let text = root.text_content().unwrap_or_default();
            let says = root
                .query_selector("[data-testid=owners-only]")
                .unwrap()
                .is_some();
            assert_eq!(says, refused, "{name} for {role:?}: {text}");
            if refused {
                assert!(
                    text.contains("Эту страницу открывают только владельцы магазина."),
                    "{name}: {text}"
                );
                assert!(
                    root.query_selector("form, button").unwrap().is_none(),
                    "{name}"
                );
            } else {
                assert!(root.query_selector("h1").unwrap().is_some(), "{name}");
                // Every control of the owner's page has its label, every button its name.
                let controls = root.query_selector_all("input, select, textarea").unwrap();
                for at in 0..controls.length() {
                    let control: web_sys::Element = controls.get(at).unwrap().unchecked_into();
                    let id = control.id();
                    assert!(
                        root.query_selector(&format!("label[for='{id}']"))
                            .unwrap()
                            .is_some(),
                        "{name}: {id} has no label"
                    );
                }
            }
            drop(mounted);
            root.remove();
        }
    }
}

#[wasm_bindgen_test]
fn the_keys_page_says_they_are_sealed_and_labels_every_key() {
    use leptos::prelude::*;
    use trackline_console::view::keys::KeysPage;
    let root = fresh_root();
    let gate = gate_of(Role::Owner);
    let mounted = leptos::mount::mount_to(
        root.clone(),
        move || view! { <KeysPage lang=Lang::En gate/> },
    );
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("never shown again"), "{text}");
    for provider in ["ozon", "russian_post", "cdek", "seventeen_track"] {
        assert!(
            root.query_selector(&format!("[data-testid=keys-{provider}] form"))
                .unwrap()
                .is_some(),
            "{provider}"
        );
    }
    let secrets = root.query_selector_all("input[type=password]").unwrap();
    assert_eq!(secrets.length(), 4, "every secret is typed hidden");
    drop(mounted);
    root.remove();
}

fn edited_shipment() -> trackline_core::Shipment {
    serde_json::from_value(json!({
        "tracking_number": "RA123456789RU",
        "stage": "in_transit",
        "events": [],
        "carrier": {"name": "СДЭК", "phone": "+7 800 250-04-05"},
        "estimated_delivery": {"from": "2026-12-10"},
        "pickup_point": {"name": "ПВЗ на Ленина", "map_url": "https://maps.example/p/1"}
    }))
    .unwrap()
}

#[wasm_bindgen_test]
fn the_patch_carries_only_the_changed_fields_and_null_for_an_emptied_one() {
    use trackline_console::edit::{self, Fields};
    let before = edited_shipment();
    let unchanged = Fields::of(&before);
    assert_eq!(unchanged.carrier_name, "СДЭК");
    assert_eq!(unchanged.delivery_from, "2026-12-10");
    assert_eq!(unchanged.pickup_name, "ПВЗ на Ленина");
    assert!(edit::patch(&before, &unchanged).is_empty());
    // Spaces typed around a value change nothing.
    let mut spaced = unchanged.clone();
    spaced.tracking_number = " RA123456789RU ".into();
    assert!(edit::patch(&before, &spaced).is_empty());

    // One carrier field changed: the carrier goes whole (the server merges at the top level).
    let mut form = unchanged.clone();
    form.carrier_url = "https://cdek.example/t/1".into();
    assert_eq!(
        serde_json::Value::Object(edit::patch(&before, &form)),
        json!({"carrier": {"name": "СДЭК", "phone": "+7 800 250-04-05", "tracking_url": "https://cdek.example/t/1"}})
    );

    // An emptied field is null; a window gets its last day; the code joins the point, whose map
    // link (not in the form) is kept.
    let mut form = unchanged.clone();
    form.tracking_number = String::new();
    form.delivery_to = "2026-12-12".into();
    form.pickup_code = "4711".into();
    assert_eq!(
        serde_json::Value::Object(edit::patch(&before, &form)),
        json!({
            "tracking_number": null,
            "estimated_delivery": {"from": "2026-12-10", "to": "2026-12-12"},
            "pickup_point": {"name": "ПВЗ на Ленина", "pickup_code": "4711", "map_url": "https://maps.example/p/1"}
        })
    );

    // Every field of a group emptied clears the group.
    let mut form = unchanged;
    form.carrier_name = " ".into();
    form.carrier_phone = String::new();
    form.delivery_from = String::new();
    form.pickup_name = String::new();
    assert_eq!(
        serde_json::Value::Object(edit::patch(&before, &form)),
        json!({"carrier": null, "estimated_delivery": null, "pickup_point": null})
    );
}

#[wasm_bindgen_test]
fn ready_for_pickup_asks_for_the_code_only_when_there_is_none() {
    use trackline_console::edit::asks_pickup_code;
    let mut shipment = edited_shipment();
    assert!(asks_pickup_code(&shipment, "ready_for_pickup"));
    assert!(!asks_pickup_code(&shipment, "in_transit"));
    assert!(!asks_pickup_code(&shipment, ""));
    shipment.pickup_point = None;
    assert!(asks_pickup_code(&shipment, "ready_for_pickup"));
    shipment.pickup_point = serde_json::from_value(json!({"pickup_code": "4711"})).unwrap();
    assert!(!asks_pickup_code(&shipment, "ready_for_pickup"));
}

#[wasm_bindgen_test]
fn a_refused_field_is_marked_in_the_form_and_any_other_refusal_said_under_it() {
    use trackline_console::view::edit::refusal;
    let said = |field: &str| {
        ApiError::of(
            422,
            None,
            &json!({"error": "invalid", "message": "…", "field": field}).to_string(),
        )
    };
    assert_eq!(
        refusal(&said("carrier.tracking_url")),
        Some("carrier.tracking_url")
    );
    assert_eq!(
        refusal(&said("pickup_point.storage_until")),
        Some("pickup_point.storage_until")
    );
    assert_eq!(refusal(&said("tracking_number")), Some("tracking_number"));
    assert_eq!(refusal(&said("pickup_point.map_url")), None);
    assert_eq!(refusal(&said("")), None);
    assert_eq!(refusal(&ApiError::Server(500)), None);
}

/// An activity as the server writes it, for the shipment of `server/tests/attention.rs`
/// (`a_shipments_activity_shows_its_deliveries_and_browsers_to_its_seller_only`): two browsers,
/// one delivery given up after a 500, one delivered with a 204.
fn activity_sample() -> serde_json::Value {
    json!({
        "reference": "mine-delayed",
        "subscribed_browsers": 2,
        "delivery_count": 2,
        "deliveries": [
            {"id": 7_300_000_000_001_i64, "webhook_id": 42, "url": "https://hooks.example/in",
             "kind": "exception_raised", "state": "failed", "attempts": 8,
             "queued_at": "2026-12-07T09:00:00Z", "reference": "mine-delayed",
             "last_status": 500, "last_error": "HTTP 500", "last_tried_at": "2026-12-07T10:00:00Z"},
            {"id": 7_300_000_000_000_i64, "webhook_id": 42, "url": "https://hooks.example/in",
             "kind": "status_changed", "state": "delivered", "attempts": 1,
             "queued_at": "2026-12-06T09:00:00Z", "reference": "mine-delayed",
             "last_status": 204, "last_error": null, "last_tried_at": "2026-12-06T09:00:01Z"}
        ]
    })
}

#[wasm_bindgen_test]
fn the_activity_is_read_as_the_server_writes_it_and_told_in_words() {
    use trackline_console::api::Activity;
    use trackline_console::view::activity::delivery_line;
    let activity: Activity = serde_json::from_value(activity_sample()).unwrap();
    assert_eq!(activity.subscribed_browsers, 2);
    assert_eq!(activity.delivery_count, 2);
    assert_eq!(activity.deliveries.len(), 2);
    let failed = &activity.deliveries[0];
    assert_eq!(
        (failed.state.as_str(), failed.attempts, failed.last_status),
        ("failed", 8, Some(500))
    );
    assert_eq!(activity.deliveries[1].last_status, Some(204));
    assert_eq!(
        delivery_line(Lang::En, failed),
        "A problem · failed · tries: 8 · last answer: 500"
    );
    assert_eq!(
        delivery_line(Lang::Ru, &activity.deliveries[1]),
        "Любом изменении статуса · доставлено · попыток: 1 · последний ответ: 204"
    );
    // Read loosely: missing fields, nulls and a kind or state this console does not know.
    let loose: Activity = serde_json::from_value(json!({
        "deliveries": [{"kind": "brand_new", "state": "queued", "attempts": 2, "last_status": null}]
    }))
    .unwrap();
    assert_eq!(loose.subscribed_browsers, 0);
    assert_eq!(
        delivery_line(Lang::Zh, &loose.deliveries[0]),
        "brand_new · queued · 尝试次数：2 · 无响应"
    );
    assert!(serde_json::from_str::<Activity>("<html>").is_err());
    assert!(serde_json::from_value::<Activity>(json!({"deliveries": "many"})).is_err());
}

/// Waits for `done` on the next turns of the event loop, for at most about two seconds.
async fn until(done: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
    }
    done()
}

#[wasm_bindgen_test]
async fn the_edit_form_is_prefilled_and_labels_every_field_and_a_failed_activity_says_so() {
    use leptos::prelude::*;
    use trackline_console::api::Listed;
    use trackline_console::view::activity::activity;
    use trackline_console::view::edit::edit_form;
    for lang in LANGS {
        let root = fresh_root();
        let gate = gate_of(Role::Staff);
        let shown = RwSignal::new(Some(Listed {
            reference: Some("mine".into()),
            shipment: edited_shipment(),
        }));
        let reference = StoredValue::new("no-such-shipment".to_owned());
        let mounted = leptos::mount::mount_to(root.clone(), move || {
            view! {
                {activity(lang, gate, reference, shown)}
                {edit_form(lang, gate, reference, shown)}
            }
        });
        let controls = root.query_selector_all("input").unwrap();
        assert_eq!(controls.length(), 11);
        for at in 0..controls.length() {
            let control: web_sys::HtmlInputElement = controls.get(at).unwrap().unchecked_into();
            let id = control.id();
            let label = root
                .query_selector(&format!("label[for='{id}']"))
                .unwrap()
                .and_then(|label| label.text_content())
                .unwrap_or_default();
            assert!(!label.trim().is_empty(), "{lang:?}: {id} has no label");
        }
        let value = |id: &str| {
            root.query_selector(&format!("#{id}"))
                .unwrap()
                .unwrap()
                .unchecked_into::<web_sys::HtmlInputElement>()
                .value()
        };
        // Properties are set by the form's effects, on the next turn.
        assert!(until(|| value("con-edit-tracking") == "RA123456789RU").await);
        assert_eq!(value("con-edit-carrier-phone"), "+7 800 250-04-05");
        assert_eq!(value("con-edit-from"), "2026-12-10");
        assert_eq!(value("con-edit-point"), "ПВЗ на Ленина");
        assert_eq!(value("con-edit-code"), "");
        // The test server has no such route: a short message, not a broken page.
        let unavailable = || {
            root.query_selector("[data-testid=activity-unavailable]")
                .unwrap()
                .is_some()
        };
        assert!(
            until(unavailable).await,
            "{lang:?}: {:?}",
            root.text_content()
        );
        assert!(root
            .text_content()
            .unwrap_or_default()
            .contains(words::text(lang, Word::ActivityUnavailable)));
        drop(mounted);
        root.remove();
    }
}

fn listed_member(tokens: i64, invitations: i64) -> trackline_console::api::MemberListed {
    serde_json::from_value(json!({
        "id": 7, "name": "Anna", "role": "owner", "login": null, "passkeys": 1,
        "created_ms": 1_796_000_000_000_i64,
        "tokens_made": tokens, "invitations_made": invitations,
    }))
    .unwrap()
}

#[wasm_bindgen_test]
fn removing_a_member_says_first_which_tokens_and_invitations_stop_working() {
    use trackline_console::view::members::what_stops;
    assert_eq!(
        what_stops(Lang::En, &listed_member(2, 1)).as_deref(),
        Some("2 API tokens and 1 invitation made by Anna will stop working.")
    );
    assert_eq!(
        what_stops(Lang::Ru, &listed_member(2, 1)).as_deref(),
        Some("Вместе с участником Anna перестанут работать: 2 API-токена и 1 приглашение.")
    );
    assert_eq!(
        what_stops(Lang::Ru, &listed_member(5, 0)).as_deref(),
        Some("Вместе с участником Anna перестанут работать: 5 API-токенов.")
    );
    assert_eq!(
        what_stops(Lang::Ru, &listed_member(0, 21)).as_deref(),
        Some("Вместе с участником Anna перестанут работать: 21 приглашение.")
    );
    assert_eq!(
        what_stops(Lang::Zh, &listed_member(1, 2)).as_deref(),
        Some("Anna 创建的1 个 API 令牌和2 个邀请将失效。")
    );
    assert_eq!(what_stops(Lang::En, &listed_member(0, 0)), None);
}

#[wasm_bindgen_test]
fn an_open_invitation_names_who_made_it_and_is_revoked_behind_a_question() {
    use leptos::prelude::*;
    use trackline_console::api::OpenInvitation;
    use trackline_console::view::members::invitation_row;
    let invitation: OpenInvitation = serde_json::from_value(json!({
        "id": 9, "role": "staff", "expires_ms": 1_796_000_000_000_i64, "invited_by": "Anna",
    }))
    .unwrap();
    let root = fresh_root();
    let gate = gate_of(Role::Owner);
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <ul>{invitation_row(Lang::En, gate, invitation.clone(), || {})}</ul> }
    });
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("made by Anna"), "{text}");
    assert!(!text.contains("invitation="), "never the link: {text}");
    let ask: web_sys::HtmlElement = root
        .query_selector("button.con__warn")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(ask.text_content().unwrap(), "Revoke the invitation");
    let question: web_sys::HtmlElement = root
        .query_selector("[role=group]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(question.hidden(), "asked only once the button is pressed");
    assert!(
        question
            .text_content()
            .unwrap_or_default()
            .contains("Its link stops working at once."),
        "{}",
        question.text_content().unwrap_or_default()
    );
    drop(mounted);
    root.remove();
}

#[wasm_bindgen_test]
fn the_sign_ins_and_named_tokens_read_in_the_sellers_words() {
    use trackline_console::view::audit::sentence;
    let made = audit_entry(Some("Anna"), None, "token.create", Some("ci"));
    assert_eq!(sentence(Lang::En, &made), "Anna made the API token “ci”");
    assert_eq!(sentence(Lang::Ru, &made), "Anna: создан API-токен «ci»");
    let old = audit_entry(Some("Anna"), None, "token.create", None);
    assert_eq!(sentence(Lang::En, &old), "Anna made an API token");
    let signed = audit_entry(Some("Anna"), None, "sign_in.password", Some("192.0.2.0/24"));
    assert_eq!(
        sentence(Lang::Ru, &signed),
        "Anna: вход по паролю (сеть 192.0.2.0/24)"
    );
    assert_eq!(
        sentence(Lang::Zh, &signed),
        "Anna 使用密码登录（网络 192.0.2.0/24）"
    );
    let removed = audit_entry(None, Some("ci"), "member.remove", Some("Boris"));
    assert_eq!(
        sentence(Lang::En, &removed),
        "The token “ci” removed the member Boris"
    );
}

#[wasm_bindgen_test]
fn a_checks_answer_is_said_in_the_sellers_words() {
    use trackline_console::api::KeyCheck;
    use trackline_console::view::keys::check_said;
    let answer = |provider: &str, answer: &str| KeyCheck {
        provider: provider.into(),
        answer: answer.into(),
        message: None,
        retry_after_s: None,
        status: None,
    };
    let refused = KeyCheck {
        message: Some("  Bad credentials  ".into()),
        ..answer("cdek", "refused")
    };
    let limited = KeyCheck {
        retry_after_s: Some(40),
        ..answer("russian_post", "limited")
    };
    let unexpected = KeyCheck {
        status: Some(503),
        ..answer("seventeen_track", "unexpected")
    };
    for (lang, provider, said, text) in [
        (
            Lang::En,
            "ozon",
            Ok(answer("ozon", "accepted")),
            "Ozon accepted the keys.",
        ),
        (
            Lang::En,
            "cdek",
            Ok(refused.clone()),
            "CDEK refused the keys: Bad credentials",
        ),
        (
            Lang::En,
            "cdek",
            Ok(answer("cdek", "refused")),
            "CDEK refused the keys. Enter new ones.",
        ),
        (
            Lang::En,
            "russian_post",
            Ok(limited.clone()),
            "Russian Post asks to slow down. Try again in 40 s.",
        ),
        (
            Lang::En,
            "russian_post",
            Ok(answer("russian_post", "limited")),
            "Russian Post asks to slow down. Try again later.",
        ),
        (
            Lang::En,
            "russian_post",
            Ok(answer("russian_post", "unreachable")),
            "Could not reach Russian Post. Try again later.",
        ),
        (
            Lang::En,
            "seventeen_track",
            Ok(unexpected.clone()),
            "17TRACK answered something unexpected (HTTP 503); it said nothing of the keys.",
        ),
        (
            Lang::En,
            "cdek",
            Ok(answer("cdek", "no_keys")),
            "No keys are saved for CDEK.",
        ),
        (
            Lang::En,
            "cdek",
            Err(ApiError::TooMany(Some(7))),
            "Too many checks. Try again in 7 s.",
        ),
        (
            Lang::Ru,
            "cdek",
            Ok(answer("cdek", "accepted")),
            "СДЭК: ключи приняты.",
        ),
        (
            Lang::Ru,
            "cdek",
            Ok(refused),
            "СДЭК: ключи отклонены: Bad credentials",
        ),
        (
            Lang::Ru,
            "russian_post",
            Ok(limited),
            "Почта России просит подождать. Попробуйте снова через 40 с.",
        ),
        (
            Lang::Zh,
            "ozon",
            Ok(answer("ozon", "unreachable")),
            "无法连接 Ozon。请稍后重试。",
        ),
        (
            Lang::Zh,
            "seventeen_track",
            Ok(unexpected),
            "17TRACK 返回了意外的响应（HTTP 503），未说明密钥是否有效。",
        ),
    ] {
        assert_eq!(check_said(lang, provider, &said), text, "{lang:?} {said:?}");
    }
    // A failed call says what failed, as every page does.
    assert_eq!(
        check_said(Lang::En, "cdek", &Err(ApiError::Offline)),
        words::text(Lang::En, Word::ErrOffline)
    );
}

#[wasm_bindgen_test]
async fn the_check_is_a_button_beside_saved_keys_and_its_answer_comes_in_a_live_region() {
    use leptos::prelude::*;
    use trackline_console::view::keys::KeyCheckControl;
    let root = fresh_root();
    let gate = gate_of(Role::Owner);
    let saved = RwSignal::new(vec!["cdek".to_owned()]);
    let refused = RwSignal::new(Vec::new());
    let said = RwSignal::new(None::<String>);
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <KeyCheckControl lang=Lang::En gate provider="cdek" saved refused said/>
            <KeyCheckControl lang=Lang::En gate provider="ozon" saved refused said=RwSignal::new(None)/>
        }
    });
    let cdek = root
        .query_selector("[data-testid=check-cdek]")
        .unwrap()
        .unwrap();
    let button: web_sys::HtmlButtonElement = cdek
        .query_selector("button")
        .unwrap()
        .expect("a check for the saved keys")
        .unchecked_into();
    // A real button: focusable, and Enter or Space presses it.
    assert_eq!(button.type_(), "button");
    assert_eq!(button.text_content().unwrap_or_default(), "Check the keys");
    let region = cdek
        .query_selector("[aria-live=polite]")
        .unwrap()
        .expect("a live region, there before the answer");
    // No keys saved for Ozon: nothing to check, no button.
    let ozon = root
        .query_selector("[data-testid=check-ozon]")
        .unwrap()
        .unwrap();
    assert!(ozon.query_selector("button").unwrap().is_none());
    // The test server has no such route: the answer the page gets is said in the region.
    button.focus().unwrap();
    button.click();
    let answered = || {
        let text = region.text_content().unwrap_or_default();
        !text.is_empty() && !text.starts_with("Asking")
    };
    assert!(until(answered).await, "{:?}", region.text_content());
    assert_eq!(
        said.get_untracked().as_deref(),
        region.text_content().as_deref()
    );
    drop(mounted);
    root.remove();
}

fn supported_shipment() -> trackline_core::Shipment {
    serde_json::from_value(json!({
        "stage": "in_transit",
        "events": [],
        "support": {
            "contacts": [{"kind": "phone", "value": "+7 800 100-00-00", "label": "Линия"}],
            "hours": {"time_zone": "Europe/Moscow", "periods": [{"days": ["mon"], "opens": "09:00", "closes": "18:00"}]}
        }
    }))
    .unwrap()
}

#[wasm_bindgen_test]
fn the_support_contacts_go_whole_with_the_hours_kept() {
    use trackline_console::edit::{self, ContactField, Fields};
    let before = supported_shipment();
    let unchanged = Fields::of(&before);
    assert_eq!(unchanged.contacts.len(), 1);
    assert_eq!(unchanged.contacts[0].kind, "phone");
    assert!(edit::patch(&before, &unchanged).is_empty());
    let hours = json!({"time_zone": "Europe/Moscow", "periods": [{"days": ["mon"], "opens": "09:00", "closes": "18:00"}]});

    // A contact added: the contacts go whole, the label and the hours the form does not show kept.
    let mut form = unchanged.clone();
    form.contacts.push(ContactField {
        kind: "email".into(),
        value: " help@shop.example ".into(),
        label: None,
    });
    assert_eq!(
        serde_json::Value::Object(edit::patch(&before, &form)),
        json!({"support": {
            "contacts": [
                {"kind": "phone", "value": "+7 800 100-00-00", "label": "Линия"},
                {"kind": "email", "value": "help@shop.example"}
            ],
            "hours": hours
        }})
    );

    // Every contact removed: the hours stay; without hours, support is cleared.
    let mut form = unchanged;
    form.contacts.clear();
    assert_eq!(
        serde_json::Value::Object(edit::patch(&before, &form)),
        json!({"support": {"contacts": [], "hours": hours}})
    );
    let mut bare = before.clone();
    bare.support.as_mut().unwrap().hours = None;
    assert_eq!(
        serde_json::Value::Object(edit::patch(&bare, &form)),
        json!({"support": null})
    );
}

#[wasm_bindgen_test]
fn a_refused_contact_is_marked_on_its_own_row() {
    use trackline_console::edit::field_id;
    use trackline_console::view::edit::refusal;
    let said = |field: &str| {
        ApiError::of(
            422,
            None,
            &json!({"error": "invalid", "message": "…", "field": field}).to_string(),
        )
    };
    assert_eq!(
        refusal(&said("support.contacts[1].value")),
        Some("support.contacts[1].value")
    );
    assert_eq!(
        field_id("support.contacts[1].value").as_deref(),
        Some("con-edit-contact-1-value")
    );
    assert_eq!(
        field_id("carrier.name").as_deref(),
        Some("con-edit-carrier")
    );
    // The hours are not in the form: said under it.
    assert_eq!(refusal(&said("support.hours.time_zone")), None);
    assert_eq!(refusal(&said("support.contacts[x].value")), None);
}

#[wasm_bindgen_test]
async fn the_edit_form_adds_and_removes_support_contacts_of_the_contracts_kinds() {
    use leptos::prelude::*;
    use trackline_console::api::Listed;
    use trackline_console::view::edit::edit_form;
    for lang in LANGS {
        let root = fresh_root();
        let gate = gate_of(Role::Owner);
        let shown = RwSignal::new(Some(Listed {
            reference: Some("mine".into()),
            shipment: supported_shipment(),
        }));
        let reference = StoredValue::new("mine".to_owned());
        let mounted = leptos::mount::mount_to(root.clone(), move || {
            view! { {edit_form(lang, gate, reference, shown)} }
        });
        let rows = || {
            root.query_selector_all("[data-testid=contact]")
                .unwrap()
                .length()
        };
        assert_eq!(rows(), 1);
        let value = |id: &str| {
            root.query_selector(&format!("#{id}"))
                .unwrap()
                .unwrap()
                .unchecked_into::<web_sys::HtmlInputElement>()
                .value()
        };
        assert!(until(|| value("con-edit-contact-0-value") == "+7 800 100-00-00").await);
        // The kinds offered are the contract's six.
        let kinds = root
            .query_selector_all("#con-edit-contact-0-kind option")
            .unwrap();
        assert_eq!(kinds.length(), 6);
        root.query_selector("[data-testid=add-contact]")
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
        assert!(until(|| rows() == 2).await);
        // Every control has its label.
        for id in ["con-edit-contact-1-kind", "con-edit-contact-1-value"] {
            assert!(
                root.query_selector(&format!("label[for='{id}']"))
                    .unwrap()
                    .is_some(),
                "{lang:?}: {id}"
            );
        }
        let text = root.text_content().unwrap_or_default();
        assert!(
            text.contains(words::text(lang, Word::SupportTitle)),
            "{text}"
        );
        root.query_selector("[data-testid=remove-contact]")
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlElement>()
            .click();
        assert!(until(|| rows() == 1).await);
        drop(mounted);
    }
}

#[wasm_bindgen_test]
fn the_configurator_opens_with_the_sellers_shop() {
    assert_eq!(
        route::configurator("demo-shop", "zh"),
        "/configure/?shop=demo-shop&lang=zh"
    );
    // A handle the configurator could not take is left out rather than sent along.
    assert_eq!(route::configurator("", "ru"), "/configure/?lang=ru");
    assert_eq!(route::configurator("a&b=c", "en"), "/configure/?lang=en");
}

#[wasm_bindgen_test]
fn removing_a_member_says_how_many_tokens_name_no_maker() {
    use trackline_console::view::members::unknown_makers;
    assert_eq!(
        unknown_makers(Lang::En, 2).as_deref(),
        Some("API tokens with no known maker: 2. Revoke them on the API tokens page if this member knew them.")
    );
    assert_eq!(
        unknown_makers(Lang::Ru, 1).as_deref(),
        Some("API-токенов без известного автора: 1. Если участник их знал, отзовите их на странице «API-токены».")
    );
    assert!(unknown_makers(Lang::Zh, 3).unwrap().contains("3 个"));
    assert_eq!(unknown_makers(Lang::En, 0), None);
}

/// An answer of `GET /api/v1/seller/insights?days=7` as the contract of issue 28 writes it, with
/// a carrier and a city from outside that a spreadsheet would take for formulas.
fn insights_sample() -> trackline_console::api::Insights {
    use trackline_console::insights::{MESSAGES, OUTCOMES, TAPS, WAYS_IN};
    let days: Vec<String> = (1..=7).map(|day| format!("2026-12-0{day}")).collect();
    let mut counts = serde_json::Map::new();
    let mut totals = serde_json::Map::new();
    for (at, (name, _)) in OUTCOMES
        .iter()
        .chain(&WAYS_IN)
        .chain(&TAPS)
        .chain(&MESSAGES)
        .enumerate()
    {
        let per_day: Vec<u64> = (0..7).map(|day| (day * (at as u64 + 1)) % 5).collect();
        totals.insert((*name).into(), json!(per_day.iter().sum::<u64>()));
        counts.insert((*name).into(), json!(per_day));
    }
    counts.insert("lookups_found".into(), json!([3, 0, 12, 1234, 5, 6, 7]));
    totals.insert("lookups_found".into(), json!(1267));
    serde_json::from_value(json!({
        "days": days,
        "counts": counts,
        "totals": totals,
        "now": {"stages": {"in_transit": 120, "ready_for_pickup": 4}, "exceptions": {"delayed": 3}, "stale": 4},
        "carriers": [
            {"carrier": "cdek", "delivered": 214, "with_estimate": 200, "on_time": 182,
             "transit_days": {"median": 5, "p80": 7}},
            {"carrier": "=HYPERLINK(\"http://x\")", "delivered": 2, "with_estimate": 0, "on_time": 0,
             "transit_days": null}
        ],
        "routes": [
            {"carrier": "cdek", "origin": "москва", "destination": "казань", "delivered": 120,
             "with_estimate": 110, "on_time": 100, "transit_days": {"median": 5, "p80": 6}},
            {"carrier": "cdek", "origin": "-2+3", "destination": "нижний новгород; юг", "delivered": 1,
             "with_estimate": 1, "on_time": 1, "transit_days": {"median": 2, "p80": 2}}
        ]
    }))
    .unwrap()
}

#[wasm_bindgen_test]
fn the_insights_are_read_as_the_contract_writes_them_and_loosely() {
    use trackline_console::api::Insights;
    use trackline_console::insights;
    let answer = insights_sample();
    assert_eq!(answer.days.len(), 7);
    assert_eq!(answer.carriers[0].transit_days.unwrap().p80, 7);
    assert_eq!(answer.carriers[1].transit_days, None);
    assert_eq!(insights::on_time_percent(182, 200), Some(91));
    assert_eq!(insights::on_time_percent(0, 0), None);
    assert_eq!(insights::on_time_percent(5, 3), Some(100));
    assert_eq!(insights::on_time_overall(&answer), Some(91));
    assert!(!insights::is_new(&answer));
    // A new seller's answer: days and zeros only.
    let new: Insights = serde_json::from_value(json!({
        "days": ["2026-12-06", "2026-12-07"],
        "counts": {"lookups_found": [0, 0]},
        "totals": {"lookups_found": 0},
        "now": {"stages": {}, "exceptions": {}, "stale": 0},
        "carriers": [], "routes": []
    }))
    .unwrap();
    assert!(insights::is_new(&new));
    // Fields this console does not know yet are skipped; missing lists are empty.
    let loose: Insights =
        serde_json::from_value(json!({"days": [], "later": 1, "now": {"stages": {"x": 1}}}))
            .unwrap();
    assert_eq!(loose.now.stages["x"], 1);
    assert!(serde_json::from_str::<Insights>("<html>").is_err());
    for (server, shown) in [
        ("нижний новгород", "Нижний Новгород"),
        ("санкт-петербург", "Санкт-Петербург"),
        ("ростов-на-дону", "Ростов-на-Дону"),
        ("на", "На"),
        ("-2+3", "-2+3"),
        ("", ""),
    ] {
        assert_eq!(insights::city(server), shown);
    }
}

#[wasm_bindgen_test]
fn the_csv_opens_in_excel_with_its_cyrillic_and_runs_no_formula() {
    use trackline_console::insights::{self, csv_cell};
    for (cell, written) in [
        (
            "=HYPERLINK(\"http://x\")",
            "\"'=HYPERLINK(\"\"http://x\"\")\"",
        ),
        ("+7 900", "'+7 900"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("a;b", "\"a;b\""),
        ("two\nlines", "\"two\nlines\""),
        ("Москва", "Москва"),
        ("", ""),
    ] {
        assert_eq!(csv_cell(cell), written, "{cell:?}");
    }
    let answer = insights_sample();
    let routes = insights::routes(Lang::Ru, &answer);
    let text = insights::csv(&routes);
    assert!(text.starts_with('\u{feff}'), "no byte order mark");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "Перевозчик;Откуда;Куда;Доставлено;Со сроком;Вовремя;Дней, медиана;Дней, 4 из 5 успели",
            "СДЭК;Москва;Казань;120;110;91%;5;6",
            "СДЭК;'-2+3;\"Нижний Новгород; Юг\";1;1;100%;2;2",
            "",
        ]
    );
    let carriers = insights::csv(&insights::carriers(Lang::En, &answer));
    assert!(
        carriers.contains("\r\n\"'=HYPERLINK(\"\"http://x\"\")\";2;0;;;\r\n"),
        "{carriers}"
    );
    let lookups = insights::lookups(Lang::En, &answer);
    assert_eq!(insights::csv_name(&lookups, 7), "trackline-lookups-7d.csv");
    let lookups = insights::csv(&lookups);
    assert!(
        lookups.starts_with("\u{feff}Day;Found;Not found;Check asked;Refused\r\n2026-12-01;3;"),
        "{lookups}"
    );
}

#[wasm_bindgen_test]
fn the_insights_page_draws_each_chart_with_its_numbers_in_a_table() {
    use trackline_console::view::insights::charts;
    for lang in LANGS {
        let root = fresh_root();
        let answer = insights_sample();
        let mounted = leptos::mount::mount_to(root.clone(), move || charts(lang, &answer, 7));
        let charts = root.query_selector_all("[data-testid=chart]").unwrap();
        assert_eq!(charts.length(), 7, "{lang:?}");
        for at in 0..charts.length() {
            let chart: web_sys::Element = charts.get(at).unwrap().unchecked_into();
            let key = chart.get_attribute("data-chart").unwrap_or_default();
            // A picture named for a screen reader, its numbers in a captioned table, a CSV.
            let picture = chart.query_selector("[role=img]").unwrap().unwrap();
            assert!(
                !picture
                    .get_attribute("aria-label")
                    .unwrap_or_default()
                    .is_empty(),
                "{lang:?} {key}"
            );
            let table = chart.query_selector("details table").unwrap().unwrap();
            let caption = table.query_selector("caption").unwrap().unwrap();
            assert_eq!(
                caption.text_content(),
                chart.query_selector("h2").unwrap().unwrap().text_content()
            );
            assert!(table
                .query_selector("thead th[scope=col]")
                .unwrap()
                .is_some());
            assert!(table
                .query_selector("tbody th[scope=row]")
                .unwrap()
                .is_some());
            // A table wider than a phone scrolls from the keyboard, in a region named by its chart.
            let region = chart
                .query_selector(".con__scroll[tabindex='0'][role=region]")
                .unwrap()
                .unwrap();
            assert_eq!(region.get_attribute("aria-label"), caption.text_content());
            let download = chart
                .query_selector("button[data-testid=download-csv]")
                .unwrap()
                .unwrap();
            assert!(
                download
                    .get_attribute("aria-label")
                    .unwrap_or_default()
                    .len()
                    > 5
            );
        }
        let cells = |key: &str| -> Vec<String> {
            let found = root
                .query_selector_all(&format!(
                    "[data-chart={key}] tbody td, [data-chart={key}] tbody th"
                ))
                .unwrap();
            (0..found.length())
                .map(|at| found.get(at).unwrap().text_content().unwrap_or_default())
                .collect()
        };
        // Numbers and days by the browser's Intl, in the seller's language.
        let lookups = cells("lookups");
        assert_eq!(lookups.len(), 7 * 5);
        let thousands = match lang {
            Lang::Ru => "1\u{a0}234",
            Lang::En | Lang::Zh => "1,234",
        };
        assert_eq!(lookups[16], thousands, "{lang:?}: {lookups:?}");
        assert_eq!(lookups[0], trackline::format::day(lang, "2026-12-01"));
        let carriers = cells("carriers");
        assert_eq!(
            carriers[0],
            trackline_console::view::shipment::provider_name(lang, "cdek")
        );
        assert_eq!(carriers[1], "214");
        let rate = match lang {
            Lang::Ru => "91\u{a0}%",
            Lang::En | Lang::Zh => "91%",
        };
        assert_eq!(carriers[3], rate, "{lang:?}: {carriers:?}");
        assert_eq!(&carriers[4..6], ["5", "7"]);
        // No estimate, no hand-over: a dash, not a zero.
        assert_eq!(&carriers[9..12], ["—", "—", "—"]);
        let now = cells("now");
        assert!(now.contains(&"120".to_owned()), "{now:?}");
        assert!(now.contains(&words::text(lang, Word::QueueStale).to_owned()));
        let text = root.text_content().unwrap_or_default();
        assert!(text.contains(words::text(lang, Word::InsightsShowNumbers)));
        assert!(text.contains("Казань") || lang != Lang::Ru, "{text}");
        drop(mounted);
        root.remove();
    }
}

#[wasm_bindgen_test]
fn a_new_seller_sees_a_word_not_empty_charts_and_the_home_says_the_on_time_rate() {
    use leptos::prelude::*;
    use trackline_console::api::Insights;
    use trackline_console::view::insights::{charts, summary};
    let new: Insights = serde_json::from_value(json!({
        "days": ["2026-12-06", "2026-12-07"],
        "counts": {"lookups_found": [0, 0]}, "totals": {},
        "now": {"stages": {}, "exceptions": {}, "stale": 0}, "carriers": [], "routes": []
    }))
    .unwrap();
    for lang in LANGS {
        let root = fresh_root();
        let shown = new.clone();
        let mounted = leptos::mount::mount_to(root.clone(), move || {
            view! { {charts(lang, &shown, 30)} {summary(lang, &shown)} }
        });
        assert_eq!(
            root.query_selector_all("[data-testid=insights-empty]")
                .unwrap()
                .length(),
            2
        );
        assert!(root
            .query_selector("[data-testid=chart]")
            .unwrap()
            .is_none());
        assert!(root
            .text_content()
            .unwrap_or_default()
            .contains(words::text(lang, Word::InsightsEmpty)));
        drop(mounted);
        root.remove();
    }
    let root = fresh_root();
    let answer = insights_sample();
    let mounted = leptos::mount::mount_to(root.clone(), move || summary(Lang::En, &answer));
    let rate = root
        .query_selector("[data-testid=on-time]")
        .unwrap()
        .unwrap();
    assert_eq!(rate.text_content().unwrap_or_default(), "On time: 91%");
    let link = root.query_selector("a[href='#/insights']").unwrap();
    assert!(link.is_some());
    let svg = root.query_selector("svg[role=img]").unwrap().unwrap();
    assert_eq!(
        svg.get_attribute("aria-label").as_deref(),
        Some("Lookups per day")
    );
    // One bar a day and outcome with something in it.
    assert!(svg.query_selector_all("rect").unwrap().length() >= 7);
    drop(mounted);
    root.remove();
}

#[wasm_bindgen_test]
fn the_insights_are_everyones_place_and_a_failure_says_so() {
    assert_eq!(Place::of_hash("#/insights"), Place::Insights);
    assert_eq!(Place::Insights.hash(), "#/insights");
    assert!(!Place::Insights.owners_only());
    for role in [Role::Staff, Role::Owner] {
        assert!(route::sections(role)
            .iter()
            .any(|section| section.place == Some(Place::Insights)));
    }
}

#[wasm_bindgen_test]
async fn the_insights_page_says_when_it_cannot_load() {
    use leptos::prelude::*;
    use trackline_console::view::insights::InsightsPage;
    let root = fresh_root();
    let gate = gate_of(Role::Staff);
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <InsightsPage lang=Lang::En gate/> }
    });
    // The test server has no such route: a failure with the way to try again.
    let failed = || {
        root.query_selector("[data-testid=insights-failed]")
            .unwrap()
            .is_some()
    };
    assert!(until(failed).await, "{:?}", root.text_content());
    assert!(root
        .text_content()
        .unwrap_or_default()
        .contains("The insights could not be loaded."));
    let pressed = root
        .query_selector("button[aria-pressed=true]")
        .unwrap()
        .unwrap();
    assert_eq!(pressed.get_attribute("data-days").as_deref(), Some("30"));
    drop(mounted);
    root.remove();
}
