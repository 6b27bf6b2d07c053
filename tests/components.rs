//! Widget components in headless Chromium: mount into a fresh element, act, wait, assert.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use trackline::components::shipment::ShipmentView;
use trackline::i18n::Lang;
use trackline::Config;
use trackline_core::contract::parse_track_response;
use trackline_core::time::Now;
use trackline_core::time::{parse_date, parse_rfc3339};
use wasm_bindgen::prelude::*;
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
        remember: false,
        ..Config::default()
    };
    trackline::mount(root.clone(), config).forget();
    root
}

/// Waits for the failure message and returns its stable code.
async fn failure_code(root: &HtmlElement) -> String {
    let failure = wait_for(root, "[data-testid=failure]").await;
    failure.get_attribute("data-failure").unwrap_or_default()
}

/// Noon UTC on a given day, as if the buyer's device were on UTC.
fn day(iso: &str) -> Now {
    at(&format!("{iso}T12:00:00Z"))
}

/// An instant (`2026-11-23T03:00:00Z`), as if the buyer's device were on UTC.
fn at(stamp: &str) -> Now {
    Now {
        millis: parse_rfc3339(stamp).unwrap(),
        today: parse_date(&stamp[..10]).unwrap(),
        offset_minutes: 0,
    }
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
        move || view! { <ShipmentView lang=Lang::En shipment now=day("2026-11-23")/> },
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
        move || view! { <ShipmentView lang=Lang::En shipment now=day("2026-11-23")/> },
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
    assert_eq!(hrefs.len(), 2, "{hrefs:?}");
    assert_eq!(hrefs[0], "tel:+78005553535");
    assert!(hrefs[1].starts_with("https://t.me/shop?text="), "{hrefs:?}");
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
    trackline::mount(root.clone(), config).forget();
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
async fn several_parcels_open_on_the_one_that_needs_the_buyer_and_can_be_switched_between() {
    let root = fresh_root();
    let endpoint = r#"data:application/json,{"shipments":[{"shipment_number":"{number}-1","stage":"delivered"},{"shipment_number":"{number}-2","stage":"packed"}]}"#;
    let config = Config {
        endpoint: endpoint.into(),
        number: Some("555".into()),
        ..Config::default()
    };
    trackline::mount(root.clone(), config).forget();
    wait_for(&root, "[data-testid=parcel-summary]").await;
    let tabs = all(&root, "[data-testid=parcel-tab]");
    assert_eq!(tabs.len(), 2);
    assert_eq!(
        wait_for(&root, "[data-testid=shipment]")
            .await
            .get_attribute("data-stage")
            .as_deref(),
        Some("packed"),
        "a split order opens on the parcel still on its way, not the delivered one"
    );
    assert_eq!(
        tabs[1].get_attribute("aria-selected").as_deref(),
        Some("true")
    );
    tabs[0].unchecked_ref::<HtmlElement>().click();
    wait_for(&root, "[data-testid=shipment][data-stage=delivered]").await;
    assert_eq!(
        tabs[0].get_attribute("aria-selected").as_deref(),
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
        move || view! { <ShipmentView lang=Lang::Ru shipment now=day("2026-11-23")/> },
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

fn mount_shipment(lang: Lang, json: &str, now: Now) -> HtmlElement {
    let root = fresh_root();
    let shipment = parse_track_response(json).unwrap().shipments.remove(0);
    leptos::mount::mount_to(
        root.clone(),
        move || view! { <ShipmentView lang shipment now/> },
    )
    .forget();
    root
}

#[wasm_bindgen_test]
fn counted_messages_follow_each_languages_plural_rules() {
    use trackline::format::count;
    use trackline::i18n::Msg;
    let ru: Vec<String> = [1, 2, 5, 11, 21, 22]
        .iter()
        .map(|n| count(Lang::Ru, Msg::StaleDays, *n, &[]))
        .collect();
    assert_eq!(
        ru,
        [
            "Нет обновлений 1 день",
            "Нет обновлений 2 дня",
            "Нет обновлений 5 дней",
            "Нет обновлений 11 дней",
            "Нет обновлений 21 день",
            "Нет обновлений 22 дня"
        ]
    );
    assert_eq!(
        count(Lang::En, Msg::StaleDays, 1, &[]),
        "No update for 1 day"
    );
    assert_eq!(
        count(Lang::En, Msg::StaleDays, 2, &[]),
        "No update for 2 days"
    );
    assert_eq!(count(Lang::Zh, Msg::StaleDays, 2, &[]), "已有 2 天没有更新");
}

#[wasm_bindgen_test]
async fn the_estimate_is_worded_from_the_buyers_today() {
    for (lang, window, worded) in [
        (Lang::En, r#"{"from":"2026-11-24"}"#, "Tomorrow"),
        (Lang::Ru, r#"{"from":"2026-11-23"}"#, "Сегодня"),
        (
            Lang::En,
            r#"{"from":"2026-11-20","to":"2026-11-27"}"#,
            "By Nov 27",
        ),
    ] {
        let root = mount_shipment(
            lang,
            &format!(r#"{{"shipments":[{{"stage":"in_transit","estimated_delivery":{window}}}]}}"#),
            day("2026-11-23"),
        );
        assert_eq!(
            text(&wait_for(&root, "[data-testid=eta-value]").await),
            worded
        );
    }
}

#[wasm_bindgen_test]
async fn a_late_parcel_says_how_late_and_puts_support_first() {
    let root = mount_shipment(
        Lang::En,
        r#"{"shipments":[{"stage":"in_transit","updated_at":"2026-11-22T10:00:00Z",
            "estimated_delivery":{"from":"2026-11-18","to":"2026-11-20"},
            "support":{"contacts":[{"kind":"email","value":"help@shop.example"}]}}]}"#,
        day("2026-11-23"),
    );
    assert!(text(&wait_for(&root, "[data-testid=overdue]").await).starts_with("3 days late."));
    wait_for(&root, "[data-testid=contact-support]").await;
    // Support comes before the timeline when the buyer should act.
    let order: Vec<String> = all(&root, "[data-testid=support], [data-testid=timeline]")
        .iter()
        .filter_map(|e| e.get_attribute("data-testid"))
        .collect();
    assert_eq!(order, ["support", "timeline"]);
}

#[wasm_bindgen_test]
async fn a_status_that_stopped_moving_says_for_how_long() {
    let root = mount_shipment(
        Lang::Ru,
        r#"{"shipments":[{"stage":"in_transit","updated_at":"2026-11-15T09:00:00Z"}]}"#,
        day("2026-11-23"),
    );
    assert!(
        text(&wait_for(&root, "[data-testid=stale]").await).starts_with("Нет обновлений 8 дней")
    );
    // Without contacts there is no support to put forward.
    assert!(root
        .query_selector("[data-testid=contact-support]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn the_endpoints_word_on_a_silence_is_taken_and_a_wait_at_a_pickup_point_is_not_one() {
    // Two quiet days in transit are not stale by the widget's own rule; the endpoint knows
    // this carrier scans daily, and says so.
    let root = mount_shipment(
        Lang::En,
        r#"{"shipments":[{"stage":"in_transit","updated_at":"2026-11-21T09:00:00Z",
            "stale_since":"2026-11-21T09:00:00Z"}]}"#,
        day("2026-11-23"),
    );
    assert!(text(&wait_for(&root, "[data-testid=stale]").await).starts_with("No update for 2 days"));
    let waiting = mount_shipment(
        Lang::En,
        r#"{"shipments":[{"stage":"ready_for_pickup","updated_at":"2026-11-13T09:00:00Z"}]}"#,
        day("2026-11-23"),
    );
    wait_for(&waiting, "[data-testid=timeline]").await;
    assert!(waiting
        .query_selector("[data-testid=stale]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn the_pickup_card_counts_the_days_left_and_links_a_map() {
    let root = mount_shipment(
        Lang::Ru,
        r#"{"shipments":[{"stage":"ready_for_pickup","pickup_point":{"address":"Kazan, Baumana 12",
            "pickup_code":"4821","storage_until":"2026-11-26"}}]}"#,
        day("2026-11-23"),
    );
    assert!(text(&wait_for(&root, "[data-testid=storage-until]").await)
        .starts_with("Хранится ещё 3 дня"));
    wait_for(&root, "[data-testid=copy-code]").await;
    assert_eq!(
        wait_for(&root, "[data-testid=pickup-map]")
            .await
            .get_attribute("href")
            .as_deref(),
        Some("https://www.openstreetmap.org/search?query=Kazan%2C%20Baumana%2012")
    );
}

#[wasm_bindgen_test]
async fn the_history_shows_three_events_until_asked_for_all() {
    let events: Vec<String> = (1..=5)
        .map(|d| format!(r#"{{"at":"2026-11-1{d}T10:00:00Z","text":"Event {d}"}}"#))
        .collect();
    let root = mount_shipment(
        Lang::En,
        &format!(
            r#"{{"shipments":[{{"stage":"in_transit","events":[{}]}}]}}"#,
            events.join(",")
        ),
        day("2026-11-16"),
    );
    let visible = |root: &HtmlElement| {
        all(root, "[data-testid=event]")
            .iter()
            .filter(|e| !e.has_attribute("hidden"))
            .map(|e| text(&e.query_selector(".tl-history__text").unwrap().unwrap()))
            .collect::<Vec<_>>()
    };
    let toggle: HtmlElement = wait_for(&root, "[data-testid=history-toggle]")
        .await
        .unchecked_into();
    assert_eq!(visible(&root), ["Event 5", "Event 4", "Event 3"]);
    assert_eq!(text(&toggle), "Show 2 more events");
    toggle.click();
    for _ in 0..250 {
        if visible(&root).len() == 5 {
            break;
        }
        tick(20).await;
    }
    assert_eq!(visible(&root).len(), 5);
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn each_event_says_what_happened_in_the_buyers_words_above_the_carriers_own() {
    let root = mount_shipment(
        Lang::Ru,
        r#"{"shipments":[{"stage":"in_transit","exception":"customs_hold","events":[
          {"at":"2026-11-20T07:00:00+03:00","exception":"customs_hold","text":"Customs inspection","text_lang":"en"},
          {"at":"2026-11-17T16:20:00+08:00","stage":"in_transit","text":"已离开满洲里国际分拨中心","text_lang":"zh-CN"},
          {"at":"2026-11-14T11:30:00+08:00","stage":"sorting_at_hub","text":"到达分拨中心"},
          {"at":"2026-11-13T10:15:00+08:00","stage":"packed","text":"СОБРАН"}]}]}"#,
        day("2026-11-21"),
    );
    let toggle: HtmlElement = wait_for(&root, "[data-testid=history-toggle]")
        .await
        .unchecked_into();
    toggle.click();
    for _ in 0..250 {
        if all(&root, "[data-testid=event]").len() == 4 {
            break;
        }
        tick(20).await;
    }
    let entries: Vec<(Option<String>, Option<String>, Option<String>)> =
        all(&root, "[data-testid=event]")
            .iter()
            .map(|event| {
                let part = |selector: &str| event.query_selector(selector).unwrap();
                (
                    part("[data-testid=event-headline]").map(|headline| text(&headline)),
                    part("[data-testid=event-text]").map(|own| text(&own)),
                    part("[data-testid=event-text]").and_then(|own| own.get_attribute("lang")),
                )
            })
            .collect();
    let some = |text: &str| Some(text.to_owned());
    assert_eq!(
        entries,
        [
            // The exception, in Russian, above the source's English marked as English.
            (
                some("Задержан на таможне"),
                some("Customs inspection"),
                some("en")
            ),
            (
                some("В пути"),
                some("已离开满洲里国际分拨中心"),
                some("zh-CN")
            ),
            // A stage we do not know: the source's text alone says it, with no language claimed.
            (None, some("到达分拨中心"), None),
            // The source's text that only repeats the stage is not said twice.
            (some("Собран"), None, None),
        ]
    );
}

const SUPPORT: &str = r#"{"shipments":[{"order_number":"0132112277","tracking_number":"RA132112275RU","stage":"in_transit",
  "support":{"contacts":[{"kind":"email","value":"help@shop.example"}],
  "hours":{"time_zone":"Asia/Shanghai","periods":[{"days":["mon","tue","wed","thu","fri"],"opens":"09:00","closes":"18:00"}]}}}]}"#;

#[wasm_bindgen_test]
async fn support_says_whether_it_is_open_in_the_buyers_time() {
    // Monday 23 Nov 2026, 03:00 UTC is 11:00 in Shanghai: open. A buyer on UTC sees 01:00–10:00.
    let monday = at("2026-11-23T03:00:00Z");
    let root = mount_shipment(Lang::En, SUPPORT, monday);
    let now = wait_for(&root, "[data-testid=support-now]").await;
    assert_eq!(now.get_attribute("data-open").as_deref(), Some("true"));
    assert_eq!(text(&now), "Open now, until 10:00");
    assert_eq!(
        text(&wait_for(&root, "[data-testid=support-periods]").await),
        "Mon–Fri: 01:00–10:00"
    );
    // Saturday: closed until Monday 01:00 of the buyer's time.
    let saturday = day("2026-11-28");
    let root = mount_shipment(Lang::En, SUPPORT, saturday);
    assert_eq!(
        text(&wait_for(&root, "[data-testid=support-now]").await),
        "Closed now, opens Mon at 01:00"
    );
}

#[wasm_bindgen_test]
async fn writing_to_support_carries_both_numbers() {
    let root = mount_shipment(Lang::En, SUPPORT, day("2026-11-23"));
    let href = wait_for(&root, "[data-testid=support-link][data-kind=email]")
        .await
        .get_attribute("href")
        .unwrap_or_default();
    assert!(
        href.starts_with(
            "mailto:help@shop.example?subject=Question%20about%20order%200132112277&body="
        ),
        "{href}"
    );
    assert!(href.contains("RA132112275RU"), "{href}");
}

#[wasm_bindgen_test]
async fn a_moving_parcel_is_looked_up_again_and_a_delivered_one_is_not() {
    // Counts the widget's requests by URL, through the page's own fetch.
    js_sys::eval(
        "window.__lookups = {}; const original = window.fetch;
         window.fetch = (input, init) => { const url = String(input.url || input);
           window.__lookups[url] = (window.__lookups[url] || 0) + 1; return original(input, init); };",
    )
    .unwrap();
    let lookups = |marker: &str| -> u32 {
        js_sys::eval(&format!(
            "Object.entries(window.__lookups).filter(([u]) => u.includes('{marker}')).reduce((n, [, c]) => n + c, 0)"
        ))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0) as u32
    };
    for (marker, stage) in [("moving", "in_transit"), ("settled", "delivered")] {
        let root = fresh_root();
        let config = Config {
            endpoint: format!(
                r#"data:application/json,{{"query":"{marker}{{number}}","shipments":[{{"stage":"{stage}"}}]}}"#
            ),
            number: Some("RA1".into()),
            remember: false,
            refresh_ms: 100,
            ..Config::default()
        };
        trackline::mount(root, config).forget();
    }
    for _ in 0..250 {
        if lookups("moving") >= 3 {
            break;
        }
        tick(20).await;
    }
    assert!(
        lookups("moving") >= 3,
        "the moving parcel was looked up {} times",
        lookups("moving")
    );
    assert_eq!(
        lookups("settled"),
        1,
        "a delivered parcel is not looked up again"
    );
}

#[wasm_bindgen_test]
async fn a_refresh_that_brings_a_change_moves_nothing_below_the_timeline() {
    // Each answer is another moment of the same parcel: every refresh redraws the status.
    stub_fetch(
        "redrawn",
        "window.__redrawn = (window.__redrawn || 0) + 1;
         const body = { version: 1, query: 'RA1', shipments: [{ stage: 'in_transit',
           updated_at: `2026-11-2${window.__redrawn % 10}T10:00:00Z`,
           events: [1, 2, 3, 4, 5].map((day) => ({ at: `2026-11-1${day}T10:00:00Z`, stage: 'in_transit',
             text: `scan ${day}.${window.__redrawn}` })),
           support: { contacts: [{ kind: 'email', value: 'help@shop.example' }] } }] };
         return Promise.resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));",
    );
    let root = fresh_root();
    let config = Config {
        endpoint: "/redrawn/{number}".into(),
        number: Some("RA1".into()),
        remember: false,
        refresh_ms: 100,
        ..Config::default()
    };
    trackline::mount(root.clone(), config).forget();
    let toggle: HtmlElement = wait_for(&root, "[data-testid=history-toggle]")
        .await
        .unchecked_into();
    toggle.click();
    // From here on, every painted frame must hold both cards.
    let cards_gone = js_sys::Function::new_with_args(
        "root",
        "window.__cardsGone = 0; const frame = () => {
           if (!(root.querySelector('[data-testid=support]') && root.querySelector('[data-testid=history]')))
             window.__cardsGone += 1;
           requestAnimationFrame(frame); }; requestAnimationFrame(frame);",
    );
    cards_gone.call1(&JsValue::NULL, &root).unwrap();
    let asked = || {
        js_sys::eval("window.__redrawn")
            .ok()
            .and_then(|count| count.as_f64())
            .unwrap_or(0.0)
    };
    let seen = asked();
    for _ in 0..250 {
        if asked() >= seen + 3.0 {
            break;
        }
        tick(20).await;
    }
    // A frame after the last refresh, so that its drawing has been painted.
    tick(50).await;
    assert!(asked() >= seen + 3.0, "refreshed {} times", asked() - seen);
    assert_eq!(
        js_sys::eval("window.__cardsGone").unwrap().as_f64(),
        Some(0.0),
        "frames painted without the support card or the history"
    );
    // The whole history the buyer opened stays open, with a newer answer's words.
    let events = all(&root, "[data-testid=event]");
    assert_eq!(events.len(), 5, "{}", root.inner_html());
    let drawn = text(&events[0]);
    let answer = drawn
        .split("scan 5.")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|count| count.parse::<f64>().ok());
    assert!(answer.is_some_and(|answer| answer > seen), "{drawn}");
}

#[wasm_bindgen_test]
async fn the_reply_to_the_second_factor_goes_in_a_header_never_in_the_url() {
    // An endpoint that opens the order only to the reply in its header, and notes every URL asked.
    stub_fetch(
        "guarded-order",
        "const reply = new Request(input, init).headers.get('trackline-check');
         window.__guardedUrls = (window.__guardedUrls || []).concat([url]);
         const opened = (reply || '').replace(/[^0-9]/g, '') === '1234';
         const body = opened
           ? { version: 1, query: '5000000001', shipments: [{ stage: 'in_transit', status_text: 'On its way' }] }
           : { error: reply ? 'check_failed' : 'check_required', message: 'asked', field: 'phone_last4' };
         return Promise.resolve(new Response(JSON.stringify(body),
           { status: opened ? 200 : 403, headers: { 'content-type': 'application/json' } }));",
    );
    let root = fresh_root();
    let config = Config {
        endpoint: "/guarded-order/{number}".into(),
        number: Some("5000000001".into()),
        remember: false,
        ..Config::default()
    };
    trackline::mount(root.clone(), config).forget();
    let input: web_sys::HtmlInputElement = wait_for(&root, "[data-testid=check-input]")
        .await
        .unchecked_into();
    input.set_value("12 34");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let submit: HtmlElement = wait_for(&root, "[data-testid=check-submit]")
        .await
        .unchecked_into();
    submit.click();
    wait_for(&root, "[data-testid=shipment]").await;
    let urls = js_sys::eval("JSON.stringify(window.__guardedUrls)")
        .unwrap()
        .as_string()
        .unwrap();
    assert!(urls.matches("guarded-order").count() >= 2, "{urls}");
    assert!(!urls.contains("check") && !urls.contains("1234"), "{urls}");
}

#[wasm_bindgen_test]
async fn a_withheld_pickup_code_is_shown_after_the_second_factor_at_the_card() {
    // A seller with a second factor withholds the code and the point from a lookup by tracking
    // number (a guessable number); the buyer opens them at the card, the reply in the header.
    stub_fetch(
        "guarded-pickup",
        "const reply = new Request(input, init).headers.get('trackline-check');
         window.__pickupUrls = (window.__pickupUrls || []).concat([url]);
         const digits = (reply || '').replace(/[^0-9]/g, '').slice(-4);
         const shipment = { tracking_number: 'RA500000021RU', stage: 'ready_for_pickup',
           pickup_point: digits === '1234'
             ? { name: 'Point 1', address: 'Baumana 12', pickup_code: '4821', storage_until: '2099-11-30' }
             : { storage_until: '2099-11-30',
                 withheld: { fields: ['pickup_code', 'name', 'address'], check: 'phone_last4' } } };
         const body = reply && digits !== '1234'
           ? { error: 'check_failed', message: 'wrong', field: 'phone_last4' }
           : { version: 1, query: 'RA500000021RU', shipments: [shipment] };
         return Promise.resolve(new Response(JSON.stringify(body),
           { status: body.error ? 403 : 200, headers: { 'content-type': 'application/json' } }));",
    );
    let root = mount_app("/guarded-pickup/{number}", Some("RA500000021RU"));
    let withheld = wait_for(&root, "[data-testid=pickup-withheld]").await;
    assert!(
        text(&withheld).contains("to its buyer only"),
        "{}",
        text(&withheld)
    );
    assert!(root
        .query_selector("[data-testid=pickup-code]")
        .unwrap()
        .is_none());
    assert!(root
        .query_selector("[data-testid=storage-until]")
        .unwrap()
        .is_some());
    let show: HtmlElement = wait_for(&root, "[data-testid=pickup-show]")
        .await
        .unchecked_into();
    assert_eq!(text(&show).trim(), "Show the code");
    show.click();
    let input: web_sys::HtmlInputElement = wait_for(&root, "[data-testid=check-input]")
        .await
        .unchecked_into();
    input.set_value("+7 900 000-12-34");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let submit: HtmlElement = wait_for(&root, "[data-testid=check-submit]")
        .await
        .unchecked_into();
    assert_eq!(text(&submit).trim(), "Show the code");
    submit.click();
    assert_eq!(
        text(&wait_for(&root, "[data-testid=pickup-code]").await),
        "4821"
    );
    assert!(root
        .query_selector("[data-testid=pickup-withheld]")
        .unwrap()
        .is_none());
    assert!(root.inner_html().contains("Baumana 12"));
    let urls = js_sys::eval("JSON.stringify(window.__pickupUrls)")
        .unwrap()
        .as_string()
        .unwrap();
    assert!(!urls.contains("check") && !urls.contains("1234"), "{urls}");
}

/// Every key and value in the device's `localStorage`, one line each.
fn stored_on_device() -> String {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    (0..storage.length().unwrap())
        .filter_map(|index| storage.key(index).unwrap())
        .map(|key| {
            format!(
                "{key} = {}",
                storage.get_item(&key).unwrap().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[wasm_bindgen_test]
async fn an_answer_opened_by_the_second_factor_is_never_kept_on_the_device() {
    // A guarded seller: the tracking number alone shows the status, the reply opens the code and
    // the point. Storage is the storefront's: any of its scripts, and the next user of a shared
    // device, read it.
    let number = "RA500000035RU";
    trackline::storage::forget_copy(number);
    stub_fetch(
        "opened-pickup",
        "const reply = new Request(input, init).headers.get('trackline-check');
         if (window.__openedCut) return Promise.reject(new TypeError('Failed to fetch'));
         const opened = (reply || '').replace(/[^0-9]/g, '').slice(-4) === '1234';
         const shipment = { tracking_number: 'RA500000035RU', stage: 'ready_for_pickup',
           pickup_point: opened
             ? { name: 'Point 7', address: 'Baumana 77', pickup_code: '7395', storage_until: '2099-11-30' }
             : { storage_until: '2099-11-30',
                 withheld: { fields: ['pickup_code', 'name', 'address'], check: 'phone_last4' } } };
         return Promise.resolve(new Response(JSON.stringify({ version: 1, query: 'RA500000035RU', shipments: [shipment] }),
           { status: 200, headers: { 'content-type': 'application/json' } }));",
    );
    let mount = || {
        let root = fresh_root();
        let config = Config {
            endpoint: "https://shop.example/opened-pickup/{number}".into(),
            number: Some(number.into()),
            remember: true,
            ..Config::default()
        };
        trackline::mount(root.clone(), config).forget();
        root
    };
    let root = mount();
    wait_for(&root, "[data-testid=pickup-withheld]").await;
    // The status that the number alone shows is kept, as any status is.
    for _ in 0..250 {
        if trackline::storage::saved_copy(number).is_some() {
            break;
        }
        tick(20).await;
    }
    assert!(trackline::storage::saved_copy(number).is_some());

    let show: HtmlElement = wait_for(&root, "[data-testid=pickup-show]")
        .await
        .unchecked_into();
    show.click();
    let input: web_sys::HtmlInputElement = wait_for(&root, "[data-testid=check-input]")
        .await
        .unchecked_into();
    input.set_value("1234");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let submit: HtmlElement = wait_for(&root, "[data-testid=check-submit]")
        .await
        .unchecked_into();
    submit.click();
    assert_eq!(
        text(&wait_for(&root, "[data-testid=pickup-code]").await),
        "7395"
    );
    // Saving happens a task after the status is on screen; the older copy goes then too.
    for _ in 0..250 {
        if trackline::storage::saved_copy(number).is_none() {
            break;
        }
        tick(20).await;
    }
    tick(50).await;
    let stored = stored_on_device();
    assert!(
        !stored.contains("7395") && !stored.contains("Baumana 77") && !stored.contains("Point 7"),
        "the device keeps the opened answer: {stored}"
    );
    assert_eq!(trackline::storage::saved_copy(number), None, "{stored}");

    // Offline, the next user of the device sees no status for that number.
    js_sys::eval("window.__openedCut = true").unwrap();
    let offline = mount();
    assert_eq!(failure_code(&offline).await, "network");
    assert!(!offline.inner_html().contains("7395"));
    js_sys::eval("window.__openedCut = false").unwrap();
    trackline::storage::forget_copy(number);
}

#[wasm_bindgen_test]
async fn an_elements_second_factor_form_posts_to_its_servers_page_not_the_storefront() {
    // The element's page is the storefront's: its form, sent without the widget, must not go there.
    stub_fetch(
        "element-guarded",
        "return Promise.resolve(new Response(JSON.stringify({ error: 'check_required',
           message: 'asked', field: 'phone_last4' }),
           { status: 403, headers: { 'content-type': 'application/json' } }));",
    );
    for (server, method, action) in [
        (
            "https://track.example",
            "post",
            Some("https://track.example/?shop=demo&lang=en"),
        ),
        ("", "dialog", None),
    ] {
        let root = fresh_root();
        let settings = trackline::config::PageSettings {
            endpoint: Some("https://api.example/element-guarded/{number}".into()),
            seller: Some("demo".into()),
            server: server.into(),
            lang: Some("en".into()),
            number: Some("5000000001".into()),
            ..Default::default()
        };
        let config = Config::new(trackline::config::EntryPoint::Element, settings);
        trackline::mount(root.clone(), config).forget();
        let form = wait_for(&root, "[data-testid=check-form]").await;
        assert_eq!(
            form.get_attribute("method").as_deref(),
            Some(method),
            "{server:?}"
        );
        assert_eq!(
            form.get_attribute("action").as_deref(),
            action,
            "{server:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_withheld_pickup_that_no_reply_opens_says_where_to_find_the_code() {
    // No factor this widget knows (or none at all): no form, the storage day, and where to look.
    for check in [r#","check":"passport""#, ""] {
        let json = format!(
            r#"{{"shipments":[{{"stage":"ready_for_pickup","pickup_point":{{"storage_until":"2026-11-30",
                "withheld":{{"fields":["pickup_code"]{check}}}}}}}]}}"#
        );
        let root = mount_shipment(Lang::Ru, &json, day("2026-11-23"));
        let withheld = wait_for(&root, "[data-testid=pickup-withheld]").await;
        assert!(
            text(&withheld).contains("спросите поддержку"),
            "{}",
            text(&withheld)
        );
        assert!(root
            .query_selector("[data-testid=check-form]")
            .unwrap()
            .is_none());
        assert!(root
            .query_selector("[data-testid=pickup-code]")
            .unwrap()
            .is_none());
        assert!(root
            .query_selector("[data-testid=storage-until]")
            .unwrap()
            .is_some());
    }
}

/// Markup, handlers and URLs that would run script if any text or link were trusted.
const XSS: [&str; 10] = [
    "<script>window.__xss.push('script')</script>",
    "<img src=x onerror=\"window.__xss.push('img')\">",
    "<svg onload=\"window.__xss.push('svg')\"></svg>",
    "\"><iframe src=\"javascript:window.__xss.push('iframe')\"></iframe>",
    "javascript:window.__xss.push('js')",
    "JaVaScRiPt:window.__xss.push('mixed')",
    " java\tscript:window.__xss.push('tab')",
    "data:text/html,<script>window.__xss.push('data')</script>",
    "vbscript:msgbox(1)",
    "\u{202e}evil\u{1F4E6}",
];

#[wasm_bindgen_test]
async fn hostile_text_and_links_in_every_field_stay_text() {
    js_sys::eval("window.__xss = []").unwrap();
    for (i, payload) in XSS.iter().enumerate() {
        let p = serde_json::Value::String(payload.to_string());
        let body = serde_json::json!({"shipments": [{
            "order_number": p, "shipment_number": p, "tracking_number": p,
            "stage": p, "exception": p, "status_text": p, "updated_at": p,
            "events": [{"at": p, "stage": p, "exception": p, "text": p, "location": p}],
            "estimated_delivery": {"from": p, "to": p},
            "carrier": {"name": p, "tracking_url": p, "phone": p},
            "pickup_point": {"name": p, "address": p, "hours": p, "pickup_code": p, "storage_until": p, "map_url": p},
            "support": {"contacts": [
                {"kind": "phone", "value": p, "label": p}, {"kind": "email", "value": p, "label": p},
                {"kind": "telegram", "value": p, "label": p}, {"kind": "vk", "value": p},
                {"kind": "help_center", "value": p}, {"kind": "ticket", "value": p}, {"kind": p, "value": p}],
                "hours": {"time_zone": p, "periods": [{"days": [p], "opens": p, "closes": p}]}}
        }]});
        let root = mount_shipment(Lang::En, &body.to_string(), day("2026-11-23"));
        wait_for(&root, "[data-testid=timeline]").await;
        // Support and the history come a frame after the timeline: their links are checked too.
        wait_for(&root, "[data-testid=support]").await;
        wait_for(&root, "[data-testid=history]").await;
        // Rendered as text: none of the payloads became an element.
        let foreign = all(&root, "script, img, svg, iframe, object, embed");
        assert!(
            foreign.is_empty(),
            "payload {i} became markup: {}",
            root.inner_html()
        );
        // And no link carries a scheme other than https, http, tel or mailto.
        for link in all(&root, "a") {
            let href = link.get_attribute("href").unwrap_or_default();
            let lower = href.to_ascii_lowercase();
            assert!(
                ["https:", "http:", "tel:", "mailto:"]
                    .iter()
                    .any(|s| lower.starts_with(s)),
                "payload {i} made a link {href:?}"
            );
        }
    }
    let ran = js_sys::eval("window.__xss.length")
        .unwrap()
        .as_f64()
        .unwrap_or(-1.0);
    assert_eq!(ran, 0.0, "a payload ran");
}

/// Answers the page's own fetch for URLs containing `marker` with `script`'s value (a `Response`
/// or a rejection); the script sees `url` and fetch's own `input` and `init`.
fn stub_fetch(marker: &str, script: &str) {
    js_sys::eval(&format!(
        "window.__stubs = window.__stubs || {{}}; window.__stubs['{marker}'] = (url, input, init) => {{ {script} }};
         if (!window.__stubbed) {{ window.__stubbed = true; const original = window.fetch;
           window.fetch = (input, init) => {{ const url = String(input.url || input);
             const hit = Object.keys(window.__stubs).find(m => url.includes(m));
             return hit ? window.__stubs[hit](url, input, init) : original(input, init); }}; }}"
    ))
    .unwrap();
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    f64::from(buffer.byte_length())
}

#[wasm_bindgen_test]
async fn a_ten_megabyte_answer_is_refused_before_it_reaches_the_wasm() {
    // A Response made from a string has no Content-Length: the widget must measure it itself.
    stub_fetch(
        "huge-body",
        "return Promise.resolve(new Response('['.repeat(10 * 1024 * 1024), \
         { headers: { 'content-type': 'application/json' } }));",
    );
    let before = wasm_memory_bytes();
    let root = mount_app("https://shop.example/huge-body/{number}", Some("RA1"));
    assert_eq!(failure_code(&root).await, "not_the_contract");
    let grown = wasm_memory_bytes() - before;
    assert!(
        grown < 2.0 * 1024.0 * 1024.0,
        "the wasm memory grew by {grown} bytes"
    );
}

#[wasm_bindgen_test]
async fn without_a_network_the_last_answer_is_shown_with_its_age() {
    let number = "KEPT1";
    trackline::storage::forget_copy(number);
    stub_fetch(
        "kept-endpoint",
        "return window.__cut ? Promise.reject(new TypeError('Failed to fetch')) \
         : Promise.resolve(new Response(JSON.stringify({ shipments: [{ stage: 'in_transit', status_text: 'On its way' }] })));",
    );
    let mount = || {
        let root = fresh_root();
        let config = Config {
            endpoint: "https://shop.example/kept-endpoint/{number}".into(),
            number: Some(number.into()),
            remember: true,
            ..Config::default()
        };
        trackline::mount(root.clone(), config).forget();
        root
    };
    let first = mount();
    wait_for(&first, "[data-testid=shipment]").await;
    assert!(first
        .query_selector("[data-testid=saved]")
        .unwrap()
        .is_none());

    js_sys::eval("window.__cut = true").unwrap();
    let second = mount();
    let notice = wait_for(&second, "[data-testid=saved]").await;
    assert!(
        text(&notice).contains("minute ago"),
        "the notice reads {}",
        text(&notice)
    );
    let stage = wait_for(&second, "[data-testid=shipment]").await;
    assert_eq!(
        stage.get_attribute("data-stage").as_deref(),
        Some("in_transit")
    );

    // A number never looked up on this device has nothing saved: the failure is told.
    let third = mount_app(
        "https://shop.example/kept-endpoint/{number}",
        Some("NEVER1"),
    );
    assert_eq!(failure_code(&third).await, "network");

    // When the network is back, trying again replaces the copy with the live answer.
    js_sys::eval("window.__cut = false").unwrap();
    let retry: HtmlElement = notice
        .query_selector("[data-testid=retry]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    retry.click();
    for _ in 0..250 {
        if second
            .query_selector("[data-testid=saved]")
            .unwrap()
            .is_none()
        {
            break;
        }
        tick(20).await;
    }
    assert!(second
        .query_selector("[data-testid=saved]")
        .unwrap()
        .is_none());
    wait_for(&second, "[data-testid=shipment]").await;
    trackline::storage::forget_copy(number);
}

#[wasm_bindgen(module = "/embed/trackline-widget.js")]
extern "C" {
    /// The loader's form, drawn before the wasm arrives: `{ widget, form, input }`.
    #[wasm_bindgen(js_name = drawForm)]
    fn draw_form(text: js_sys::Array, value: &str) -> JsValue;
}

/// An element as markup that compares: attributes sorted, text trimmed, comments and the
/// widget's live-only attributes (test hooks, the busy flag) left out.
fn markup(node: &web_sys::Node) -> String {
    match node.node_type() {
        web_sys::Node::TEXT_NODE => node
            .text_content()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        web_sys::Node::ELEMENT_NODE => {
            let element: &web_sys::Element = node.unchecked_ref();
            let attributes = element.attributes();
            let mut pairs: Vec<String> = (0..attributes.length())
                .filter_map(|i| attributes.item(i))
                .filter(|attr| !matches!(attr.name().as_str(), "data-testid" | "aria-busy"))
                .map(|attr| format!("{}=\"{}\"", attr.name(), attr.value()))
                .collect();
            pairs.sort();
            let children = element.child_nodes();
            let inner: String = (0..children.length())
                .filter_map(|i| children.item(i))
                .map(|child| markup(&child))
                .collect();
            let tag = element.tag_name().to_lowercase();
            format!("<{tag} {}>{inner}</{tag}>", pairs.join(" "))
        }
        _ => String::new(),
    }
}

// The form was written three times (the hosted page, the loader, the widget) and drifted: the
// loader's had no `part` names, so a storefront's ::part() styles came only with the wasm.
#[wasm_bindgen_test]
async fn the_page_and_the_loader_draw_the_widgets_own_form() {
    use trackline::i18n::{Lang, Msg};
    for lang in [Lang::En, Lang::Ru, Lang::Zh] {
        let root = fresh_root();
        let config = Config {
            lang,
            remember: false,
            ..Config::default()
        };
        trackline::mount(root.clone(), config).forget();
        let title = wait_for(&root, "h1").await;
        let form = wait_for(&root, "form").await;
        let words = js_sys::Array::of4(
            &lang.t(Msg::Title).into(),
            &lang.t(Msg::InputLabel).into(),
            &lang.t(Msg::TrackButton).into(),
            &lang.t(Msg::InputPlaceholder).into(),
        );
        let drawn = draw_form(words, "");
        let drawn_widget: web_sys::Element = js_sys::Reflect::get(&drawn, &"widget".into())
            .unwrap()
            .unchecked_into();
        let drawn_title = drawn_widget.query_selector("h1").unwrap().unwrap();
        let drawn_form = drawn_widget.query_selector("form").unwrap().unwrap();
        assert_eq!(markup(&drawn_title), markup(&title), "{lang:?}");
        assert_eq!(markup(&drawn_form), markup(&form), "{lang:?}");
        if lang == Lang::En {
            let page = web_sys::DomParser::new()
                .unwrap()
                .parse_from_string(
                    include_str!("../index.html"),
                    web_sys::SupportedType::TextHtml,
                )
                .unwrap();
            let page_title = page.query_selector(".tl-widget h1").unwrap().unwrap();
            let page_form = page.query_selector(".tl-widget form").unwrap().unwrap();
            assert_eq!(markup(&page_title), markup(&title));
            assert_eq!(markup(&page_form), markup(&form));
        }
    }
}

#[wasm_bindgen(module = "/embed/trackline-widget.js")]
extern "C" {
    /// The URL the loader asks before the wasm arrives, or `undefined` when it leaves that to the widget.
    #[wasm_bindgen(js_name = firstUrl)]
    fn loader_first_url(settings: &JsValue) -> Option<String>;
}

#[wasm_bindgen_test]
fn the_loader_asks_the_url_the_widget_would_or_nothing() {
    use trackline::config::{lookup_url, EntryPoint, PageSettings};
    use trackline_core::way_in::Via;
    use trackline_core::TrackingQuery;
    /// An element's endpoint, seller, server and number, and whether the loader must ask for it.
    type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, &'a str, bool);
    let cases: [Case; 12] = [
        (None, None, "https://track.example", "RA100000048RU", true),
        (
            None,
            Some("demo"),
            "https://track.example/",
            "1000000007",
            true,
        ),
        (
            None,
            Some(" my shop! "),
            "https://t.example",
            "0132112277-0101-1",
            true,
        ),
        (
            Some("https://e.example/t/{number}?x={number}"),
            Some("demo"),
            "",
            "LP300000043CN",
            true,
        ),
        (
            Some("https://e.example/t?lang=ru"),
            None,
            "",
            "4000000001",
            true,
        ),
        (Some("/plain"), None, "", "0132112277-0101", true),
        (
            Some("   "),
            None,
            "https://t.example",
            "RA200000010RU",
            true,
        ),
        // Not in the normal form: the widget normalises and asks itself.
        (None, None, "https://t.example", "ra100000048ru", false),
        (None, None, "https://t.example", "RA 1000 000 48 RU", false),
        (None, None, "https://t.example", "RA-100000048-RU", false),
        (None, None, "https://t.example", "LР300000043CN", false),
        (None, None, "https://t.example", "", false),
    ];
    for (endpoint, seller, server, number, asks) in cases {
        let object = js_sys::Object::new();
        let set = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                js_sys::Reflect::set(&object, &key.into(), &value.into()).unwrap();
            }
        };
        set("endpoint", endpoint);
        set("shop", seller);
        set("server", Some(server));
        set("number", Some(number));
        let loader = loader_first_url(&object);
        assert_eq!(loader.is_some(), asks, "{number:?} at {endpoint:?}");
        let config = Config::new(
            EntryPoint::Element,
            PageSettings {
                endpoint: endpoint.map(str::to_owned),
                seller: seller.map(str::to_owned),
                server: server.into(),
                number: Some(number.into()),
                ..PageSettings::default()
            },
        );
        if let Some(loader) = loader {
            let query = TrackingQuery::parse(number).unwrap();
            // The element's first lookup: its `number` attribute, by the element.
            let via = config
                .counting
                .as_ref()
                .map(|counting| Via::of(counting.place, true));
            let widget = lookup_url(&config.endpoint, query.as_str(), via);
            assert_eq!(loader, widget, "{number:?} at {endpoint:?}");
            assert_eq!(
                widget.ends_with("via=element"),
                endpoint.is_none_or(|endpoint| endpoint.trim().is_empty()),
                "{widget}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn a_chinese_delivery_window_reads_as_chinese_dates() {
    // Chromium's own formatRange prints "11/26 – 11/28" in Chinese; the widget must not.
    use trackline::format;
    assert_eq!(
        format::day_range(Lang::Zh, "2026-11-26", Some("2026-11-28")),
        "11月26日至28日"
    );
    assert_eq!(
        format::day_range(Lang::Zh, "2026-11-30", Some("2026-12-02")),
        "11月30日至12月2日"
    );
    assert_eq!(
        format::day_range(Lang::Ru, "2026-11-26", Some("2026-11-28")),
        "26–28 нояб."
    );
}

#[wasm_bindgen_test]
fn the_servers_words_for_dates_and_counts_are_the_browsers() {
    // The server renders linked statuses with `format::plain`; the widget draws with `Intl`.
    // Any difference would be text that changes when the widget takes over, so every day of two
    // years, times around the clock, ranges within and across months and years, and counts agree.
    use trackline::format::{self, plain};
    use trackline_core::time::format_date;
    let first = parse_date("2026-01-01").unwrap();
    for lang in [Lang::En, Lang::Ru, Lang::Zh] {
        for days in first..first + 731 {
            let iso = format_date(days);
            assert_eq!(
                format::day(lang, &iso),
                plain::day(lang, days),
                "{lang:?} {iso}"
            );
            for length in [1, 2, 5, 17, 40] {
                let to = format_date(days + length);
                assert_eq!(
                    format::day_range(lang, &iso, Some(&to)),
                    plain::day_range(lang, days, days + length),
                    "{lang:?} {iso} – {to}"
                );
            }
            let millis = days * 86_400_000 + (days * 7_919 % 1_440) * 60_000;
            let offset = -(js_sys::Date::new(&JsValue::from_f64(millis as f64))
                .get_timezone_offset() as i32);
            let stamp = js_sys::Date::new(&JsValue::from_f64(millis as f64))
                .to_iso_string()
                .as_string()
                .unwrap();
            assert_eq!(
                format::date_time(lang, &stamp),
                plain::date_time(lang, plain::Wall::at(millis, offset)),
                "{lang:?} {stamp}"
            );
        }
        for count in -30..=400 {
            assert_eq!(
                format::plural_category(lang, count),
                plain::plural_category(lang, count),
                "{lang:?} {count}"
            );
        }
    }
}

#[wasm_bindgen_test]
async fn a_lookup_asked_during_a_takeover_is_not_undone_by_the_redraw_on_the_buyers_clock() {
    use trackline::lookup::Lookup;
    use trackline::state::{LookupState, PageLookup, PageResponse};
    // As `mount` does, which this test does without.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    // Rendered on a clock ten hours east of the device's: taken over, it is drawn again later.
    let device = trackline::clock::now();
    let shown = Now {
        offset_minutes: device.offset_minutes + 600,
        ..device
    };
    let response = PageResponse {
        status: 200,
        retry_after: None,
        body: PICKUP.into(),
    };
    let config = Config {
        endpoint: "/nowhere/{number}".into(),
        number: Some("1000000007".into()),
        remember: false,
        rendered: PageLookup::of_page(Some("1000000007"), Some(response), None, shown),
        ..Config::default()
    };
    let lookup = Lookup::new(&config);
    lookup.begin(&config);
    // The buyer asks for another number before that redraw's task has run.
    lookup.submit("RA100000048RU".into());
    // A task posted now runs after the redraw's.
    tick(0).await;
    let state = lookup.state.get_untracked();
    assert!(
        !matches!(&state, LookupState::Found(number, ..) if number == "1000000007"),
        "the redraw put back the status the buyer had left: {state:?}"
    );
}

const LEARNT: &str = r#"{"shipments":[{"stage":"in_transit",
  "estimated_delivery":{"from":"2026-12-09","to":"2026-12-11","basis":"history","late_after":"2026-12-13",
    "history":{"parcels":214,"days_from":5,"days_to":7,"scope":"route","counted_from":"handed_over"}}}]}"#;

#[wasm_bindgen_test]
async fn a_learnt_estimate_says_where_it_comes_from_and_runs_late_only_after_late_after() {
    for (lang, today, value, source) in [
        (
            Lang::En,
            "2026-12-08",
            "Dec 9 – 11",
            "Usually 5–7 days on this route, from 214 parcels",
        ),
        (
            Lang::Ru,
            "2026-12-12",
            "Дольше обычного, до 13 дек.",
            "Обычно 5–7 дней на этом маршруте, судя по 214 посылкам",
        ),
        (
            Lang::Zh,
            "2026-12-12",
            "比平时慢，12月13日前",
            "此线路通常 5–7 天送达（依据 214 件包裹）",
        ),
    ] {
        let root = mount_shipment(lang, LEARNT, day(today));
        assert_eq!(
            text(&wait_for(&root, "[data-testid=eta-value]").await),
            value
        );
        assert_eq!(
            text(&wait_for(&root, "[data-testid=eta-source]").await),
            source
        );
        // Past the window's end but not past late_after: expected still, not late.
        assert!(root
            .query_selector("[data-testid=overdue]")
            .unwrap()
            .is_none());
    }
    let late = mount_shipment(Lang::En, LEARNT, day("2026-12-15"));
    assert_eq!(
        text(&wait_for(&late, "[data-testid=eta-value]").await),
        "Expected by Dec 13, not delivered yet"
    );
    assert!(text(&wait_for(&late, "[data-testid=overdue]").await).starts_with("2 days late."));
    // No basis, no line.
    let plain = mount_shipment(
        Lang::En,
        r#"{"shipments":[{"stage":"in_transit","estimated_delivery":{"from":"2026-12-09"}}]}"#,
        day("2026-12-08"),
    );
    wait_for(&plain, "[data-testid=eta-value]").await;
    assert!(plain
        .query_selector("[data-testid=eta-source]")
        .unwrap()
        .is_none());
}

/// Mounts a shipment whose taps go to `taps` (none: a seller's own endpoint), with every link's
/// navigation stopped, and `navigator.sendBeacon` recording its calls into the returned array.
fn mount_tapped(taps: Option<&str>) -> (HtmlElement, js_sys::Array) {
    use trackline::taps::Taps;
    let calls = js_sys::Array::new();
    let recorded = calls.clone();
    let record = Closure::<dyn Fn(JsValue, JsValue) -> bool>::new(move |url, body| {
        recorded.push(&js_sys::Array::of2(&url, &body));
        true
    });
    let navigator = web_sys::window().unwrap().navigator();
    js_sys::Reflect::set(&navigator, &"sendBeacon".into(), record.as_ref()).unwrap();
    record.forget();
    let root = fresh_root();
    let stop =
        Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| event.prevent_default());
    root.add_event_listener_with_callback("click", stop.as_ref().unchecked_ref())
        .unwrap();
    stop.forget();
    let shipment = parse_track_response(
        r#"{"shipments":[{"stage":"in_transit","tracking_number":"RA100000048RU",
          "carrier":{"name":"Post","tracking_url":"https://post.example/RA100000048RU"},
          "support":{"contacts":[{"kind":"phone","value":"+78005553535"},
            {"kind":"email","value":"help@shop.example"},{"kind":"whatsapp","value":"https://wa.me/1"}]}}]}"#,
    )
    .unwrap()
    .shipments
    .remove(0);
    let taps = taps.map(str::to_owned);
    leptos::mount::mount_to(root.clone(), move || {
        provide_context(Taps::to(taps.clone()));
        view! { <ShipmentView lang=Lang::En shipment now=day("2026-11-23")/> }
    })
    .forget();
    (root, calls)
}

/// Taps each support contact and the carrier's link, once they are all drawn (support comes after paint).
async fn tap_everything(root: &HtmlElement) {
    wait_for(root, "[data-testid=carrier-link]").await;
    wait_for(root, "[data-testid=support-link][data-kind=whatsapp]").await;
    for link in all(
        root,
        "[data-testid=support-link], [data-testid=carrier-link]",
    ) {
        link.unchecked_into::<HtmlElement>().click();
    }
}

fn set_navigator(name: &str, value: Option<JsValue>) {
    let navigator = web_sys::window().unwrap().navigator();
    match value {
        Some(value) => {
            let descriptor = js_sys::Object::new();
            js_sys::Reflect::set(&descriptor, &"value".into(), &value).unwrap();
            js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
            js_sys::Object::define_property(&navigator, &name.into(), &descriptor);
        }
        None => {
            js_sys::Reflect::delete_property(&navigator, &name.into()).unwrap();
        }
    }
}

#[wasm_bindgen_test]
async fn a_tap_is_told_to_a_trackline_server_by_kind_only_and_never_against_the_browsers_wish() {
    let (root, calls) = mount_tapped(Some("https://t.example/api/v1/shops/demo/taps"));
    tap_everything(&root).await;
    let sent: Vec<(String, String)> = calls
        .iter()
        .map(|call| {
            let call = js_sys::Array::from(&call);
            (
                call.get(0).as_string().unwrap(),
                call.get(1).as_string().unwrap(),
            )
        })
        .collect();
    let url = "https://t.example/api/v1/shops/demo/taps".to_owned();
    // In the page's order; the unknown kind (whatsapp) is not told; the number is in none of them.
    assert_eq!(
        sent,
        [
            (url.clone(), r#"{"tap":"carrier"}"#.to_owned()),
            (url.clone(), r#"{"tap":"phone"}"#.to_owned()),
            (url, r#"{"tap":"email"}"#.to_owned()),
        ]
    );

    for (name, value) in [
        ("globalPrivacyControl", JsValue::TRUE),
        ("doNotTrack", JsValue::from_str("1")),
    ] {
        set_navigator(name, Some(value));
        let (root, calls) = mount_tapped(Some("/api/v1/taps"));
        tap_everything(&root).await;
        set_navigator(name, None);
        assert_eq!(calls.length(), 0, "{name}");
    }

    // A seller's own endpoint: no taps told anywhere.
    let (root, calls) = mount_tapped(None);
    tap_everything(&root).await;
    assert_eq!(calls.length(), 0);
}

#[wasm_bindgen_test]
async fn the_widgets_own_refreshes_say_so_and_the_lookup_the_buyer_asked_says_its_way_in() {
    // Answers every lookup at the trackline server here, and keeps the URLs asked.
    js_sys::eval(
        r#"window.__asked = []; const original = window.fetch;
         window.fetch = (input, init) => { const url = String(input.url || input);
           if (!url.startsWith('https://refresh.example/')) return original(input, init);
           window.__asked.push(url);
           return Promise.resolve(new Response('{"query":"RA100000048RU","shipments":[{"stage":"in_transit"}]}',
             {headers: {'content-type': 'application/json'}})); };"#,
    )
    .unwrap();
    let asked = || -> Vec<String> {
        js_sys::eval("window.__asked.slice()")
            .ok()
            .map(|list| {
                js_sys::Array::from(&list)
                    .iter()
                    .filter_map(|url| url.as_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let settings = trackline::config::PageSettings {
        seller: Some("demo".into()),
        server: "https://refresh.example".into(),
        number: Some("RA100000048RU".into()),
        ..trackline::config::PageSettings::default()
    };
    let mut config = Config::new(trackline::config::EntryPoint::Element, settings);
    config.remember = false;
    config.refresh_ms = 100;
    trackline::mount(fresh_root(), config).forget();
    for _ in 0..250 {
        if asked().len() >= 3 {
            break;
        }
        tick(20).await;
    }
    let asked = asked();
    assert!(asked.len() >= 3, "{asked:?}");
    assert!(asked[0].contains("via=element"), "{asked:?}");
    assert!(
        asked[1..].iter().all(|url| url.contains("via=refresh")),
        "{asked:?}"
    );
}
