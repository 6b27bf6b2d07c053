//! Widget components in headless Chromium: mount into a fresh element, act, wait, assert.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use trackline::components::shipment::ShipmentView;
use trackline::i18n::Lang;
use trackline::Config;
use trackline_core::contract::parse_track_response;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits until `selector` matches inside `root`, failing after a few seconds.
async fn wait_for(root: &HtmlElement, selector: &str) -> web_sys::Element {
    for _ in 0..250 {
        if let Some(found) = root.query_selector(selector).unwrap() {
            return found;
        }
        tick(20).await;
    }
    panic!(
        "{selector} never appeared; the widget shows: {}",
        root.inner_html()
    );
}

/// Mounts the whole widget with an endpoint template and, if given, a number to look up at once.
fn mount_app(endpoint: &str, number: Option<&str>) -> HtmlElement {
    let root = fresh_root();
    let config = Config {
        endpoint: endpoint.into(),
        number: number.map(str::to_owned),
        ..Config::default()
    };
    trackline::mount(root.clone(), config);
    root
}

/// Waits for the failure message and returns its stable code.
async fn failure_code(root: &HtmlElement) -> String {
    let failure = wait_for(root, "[data-testid=failure]").await;
    failure.get_attribute("data-failure").unwrap_or_default()
}

fn all(root: &HtmlElement, selector: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

fn text(element: &web_sys::Element) -> String {
    element.text_content().unwrap_or_default()
}

const PICKUP: &str = r#"{"shipments":[{"order_number":"77","stage":"ready_for_pickup",
  "events":[{"at":"2026-11-20T10:00:00+03:00","stage":"arrived","text":"Arrived"}],
  "pickup_point":{"name":"Point 1","pickup_code":"4821","storage_until":"2026-11-30"},
  "carrier":{"name":"Evil Post","tracking_url":"javascript:alert(1)"},
  "support":{"contacts":[
     {"kind":"phone","value":"+7 800 555-35-35"},
     {"kind":"vk","value":"JavaScript:alert(document.cookie)"},
     {"kind":"telegram","value":"https://t.me/shop"},
     {"kind":"ticket","value":"data:text/html,<script>alert(1)</script>"}]}}]}"#;

#[wasm_bindgen_test]
async fn a_parcel_at_a_pickup_point_shows_its_code_and_the_current_step() {
    let root = fresh_root();
    let shipment = parse_track_response(PICKUP).unwrap().shipments.remove(0);
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <ShipmentView lang=Lang::En shipment/> },
    );
    assert_eq!(
        text(&wait_for(&root, "[data-testid=pickup-code]").await),
        "4821"
    );
    let current = all(&root, "[data-testid=step][aria-current=step]");
    assert_eq!(current.len(), 1);
    assert_eq!(
        current[0].get_attribute("data-stage").as_deref(),
        Some("ready_for_pickup")
    );
    let done = all(&root, "[data-testid=step][data-state=done]");
    assert_eq!(done.len(), 5, "every stage before the pickup point is done");
}

#[wasm_bindgen_test]
async fn only_safe_links_are_rendered() {
    let root = fresh_root();
    let shipment = parse_track_response(PICKUP).unwrap().shipments.remove(0);
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <ShipmentView lang=Lang::En shipment/> },
    );
    wait_for(&root, "[data-testid=support]").await;
    assert!(root
        .query_selector("[data-testid=carrier-link]")
        .unwrap()
        .is_none());
    let hrefs: Vec<String> = all(&root, "a")
        .iter()
        .filter_map(|a| a.get_attribute("href"))
        .collect();
    assert_eq!(hrefs, ["tel:+78005553535", "https://t.me/shop"]);
}

#[wasm_bindgen_test]
async fn an_empty_number_is_refused_without_a_request() {
    // An endpoint that would answer "network" if it were asked.
    let root = mount_app("http://127.0.0.1:9/{number}", None);
    let button: HtmlElement = wait_for(&root, "[data-testid=track-button]")
        .await
        .unchecked_into();
    button.click();
    assert_eq!(failure_code(&root).await, "empty");
    assert!(root
        .query_selector("[data-testid=retry]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn an_answer_from_the_endpoint_becomes_a_timeline() {
    let root = fresh_root();
    let endpoint = r#"data:application/json,{"query":"{number}","shipments":[{"stage":"in_transit","status_text":"On its way"}]}"#;
    let config = Config {
        endpoint: endpoint.into(),
        number: Some(" ra 123 ".into()),
        lang: Lang::Ru,
        ..Config::default()
    };
    trackline::mount(root.clone(), config);
    let headline = wait_for(&root, "[data-testid=headline]").await;
    assert_eq!(text(&headline), "В пути");
    let current = wait_for(&root, "[aria-current=step]").await;
    assert_eq!(
        current.get_attribute("data-stage").as_deref(),
        Some("in_transit")
    );
}

#[wasm_bindgen_test]
async fn html_instead_of_json_is_told_and_can_be_retried() {
    let root = mount_app(
        "data:text/html,<h1>502 Bad Gateway</h1><!--{number}-->",
        Some("RA1"),
    );
    assert_eq!(failure_code(&root).await, "not_the_contract");
    let first = wait_for(&root, "[data-testid=failure]").await;
    assert!(text(&first).contains("cannot read"));
    let retry: HtmlElement = wait_for(&root, "[data-testid=retry]")
        .await
        .unchecked_into();
    retry.click();
    // The retry runs the lookup again: the old message goes and a fresh one takes its place.
    for _ in 0..250 {
        if !first.is_connected() {
            break;
        }
        tick(20).await;
    }
    assert!(
        !first.is_connected(),
        "the retry did not start a new lookup"
    );
    assert_eq!(failure_code(&root).await, "not_the_contract");
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_is_a_network_failure_not_a_blank_widget() {
    let root = mount_app("http://127.0.0.1:9/{number}", Some("RA1"));
    assert_eq!(failure_code(&root).await, "network");
}

#[wasm_bindgen_test]
async fn several_parcels_can_be_switched_between() {
    let root = fresh_root();
    let endpoint = r#"data:application/json,{"shipments":[{"shipment_number":"{number}-1","stage":"delivered"},{"shipment_number":"{number}-2","stage":"packed"}]}"#;
    let config = Config {
        endpoint: endpoint.into(),
        number: Some("555".into()),
        ..Config::default()
    };
    trackline::mount(root.clone(), config);
    wait_for(&root, "[data-testid=parcel-summary]").await;
    let tabs = all(&root, "[data-testid=parcel-tab]");
    assert_eq!(tabs.len(), 2);
    assert_eq!(
        wait_for(&root, "[data-testid=shipment]")
            .await
            .get_attribute("data-stage")
            .as_deref(),
        Some("delivered")
    );
    tabs[1].unchecked_ref::<HtmlElement>().click();
    wait_for(&root, "[data-testid=shipment][data-stage=packed]").await;
    assert_eq!(
        tabs[1].get_attribute("aria-selected").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn a_recognised_tracking_number_offers_the_carriers_own_page() {
    let root = fresh_root();
    let body = r#"{"shipments":[{"stage":"in_transit","tracking_number":"ra473124829ru"}]}"#;
    let shipment = parse_track_response(body).unwrap().shipments.remove(0);
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <ShipmentView lang=Lang::Ru shipment/> },
    );
    let link = wait_for(&root, "[data-testid=carrier-link]").await;
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://www.pochta.ru/tracking?barcode=RA473124829RU")
    );
    assert!(text(&wait_for(&root, "[data-testid=carrier]").await).contains("Почта России"));
}

#[wasm_bindgen_test]
async fn try_again_repeats_what_failed_not_what_is_typed_since() {
    // Regression: the retry read the live input, so clearing it turned a retry into "type a number".
    let root = mount_app("data:text/html,<p>down</p><!--{number}-->", Some("RA1"));
    assert_eq!(failure_code(&root).await, "not_the_contract");
    let first = wait_for(&root, "[data-testid=failure]").await;
    let input: web_sys::HtmlInputElement = wait_for(&root, "[data-testid=number-input]")
        .await
        .unchecked_into();
    input.set_value("");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let retry: HtmlElement = wait_for(&root, "[data-testid=retry]")
        .await
        .unchecked_into();
    retry.click();
    for _ in 0..250 {
        if !first.is_connected() {
            break;
        }
        tick(20).await;
    }
    assert_eq!(failure_code(&root).await, "not_the_contract");
}
