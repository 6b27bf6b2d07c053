//! End to end: the release widget, served by the real server with demo data, driven in headless Chromium.
#![cfg(not(target_arch = "wasm32"))]

mod binary;
mod buyer;
mod configure;
mod console;
mod console_work;
mod element;
mod embed;
mod faults;
mod installable;
mod linked;
mod package;

use trackline_e2e::Session;

#[tokio::test]
async fn a_buyer_types_a_tracking_number_and_sees_where_the_parcel_is() {
    let page = Session::start().await;
    page.open("/").await;
    page.track("ra 1000 0004 8ru").await;
    let current = page.find("[data-testid=step][aria-current=step]").await;
    assert_eq!(
        current.attr("data-stage").await.unwrap().as_deref(),
        Some("in_transit")
    );
    assert_eq!(
        page.all("[data-testid=step][data-state=done]").await.len(),
        3
    );
    assert_eq!(page.text("[data-testid=headline]").await, "In transit");
    let carrier = page.find("[data-testid=carrier-link]").await;
    let href = carrier.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        href.starts_with("https://www.pochta.ru/tracking?barcode=RA100000048RU"),
        "{href}"
    );
    page.close().await;
}

#[tokio::test]
async fn a_parcel_at_a_pickup_point_shows_the_code_in_big_digits() {
    let page = Session::start().await;
    page.open("/?n=1000000007").await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    let size: f64 = page
        .eval("return parseFloat(getComputedStyle(document.querySelector('[data-testid=pickup-code]')).fontSize)")
        .await
        .as_f64()
        .unwrap_or(0.0);
    assert!(size >= 32.0, "the pickup code is only {size}px");
    assert!(page
        .text("[data-testid=storage-until]")
        .await
        .starts_with("Kept 6 more days"));
    page.close().await;
}

#[tokio::test]
async fn support_links_open_only_safe_schemes() {
    let page = Session::start().await;
    page.open("/?n=RA200000010RU").await;
    page.find("[data-testid=support]").await;
    let mut hrefs = Vec::new();
    for link in page.all("[data-testid=support-link]").await {
        hrefs.push(link.attr("href").await.unwrap().unwrap_or_default());
    }
    assert_eq!(hrefs.len(), 6, "{hrefs:?}");
    assert!(hrefs.contains(&"tel:+78005553535".to_owned()), "{hrefs:?}");
    // Writing to support starts with both numbers already in the message.
    assert!(
        hrefs.iter().any(
            |h| h.starts_with("mailto:support@demo-shop.example?subject=")
                && h.contains("2000000001")
                && h.contains("RA200000010RU")
        ),
        "{hrefs:?}"
    );
    assert!(
        hrefs.iter().all(|h| ["https:", "tel:", "mailto:"]
            .iter()
            .any(|s| h.starts_with(s))),
        "{hrefs:?}"
    );
    page.close().await;
}

#[tokio::test]
async fn an_unknown_number_says_so_and_offers_a_retry() {
    let page = Session::start().await;
    page.open("/").await;
    page.track("ZZ999999995DE").await;
    let failure = page.find("[data-testid=failure]").await;
    assert_eq!(
        failure.attr("data-failure").await.unwrap().as_deref(),
        Some("not_found")
    );
    assert!(page
        .text("[data-testid=failure-message]")
        .await
        .contains("ZZ999999995DE"));
    page.find("[data-testid=retry]").await;
    page.close().await;
}

#[tokio::test]
async fn an_empty_number_is_refused_with_a_message() {
    let page = Session::start().await;
    page.open("/").await;
    page.track("   ").await;
    let failure = page.find("[data-testid=failure]").await;
    assert_eq!(
        failure.attr("data-failure").await.unwrap().as_deref(),
        Some("empty")
    );
    page.close().await;
}

#[tokio::test]
async fn a_split_order_lets_the_buyer_switch_parcels() {
    let page = Session::start().await;
    page.open("/?n=0132112277").await;
    assert_eq!(
        page.text("[data-testid=parcel-summary]").await,
        "2 parcels: 1 in transit, 1 delivered"
    );
    let tabs = page.all("[data-testid=parcel-tab]").await;
    assert_eq!(tabs.len(), 2);
    // It opens on the parcel still on its way, not on the delivered one listed first.
    page.find("[data-testid=shipment][data-stage=in_transit]")
        .await;
    tabs[0].click().await.expect("the tab clicks");
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    page.close().await;
}

#[tokio::test]
async fn the_page_speaks_russian_and_fits_a_phone_screen() {
    let page = Session::start().await;
    page.open("/?n=2000000003&lang=ru").await;
    assert_eq!(
        page.text("[data-testid=headline]").await,
        "Проблема с адресом"
    );
    assert_eq!(
        page.text("[data-testid=step-exception]").await,
        "Проблема с адресом"
    );
    let overflow = page
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await
        .as_i64()
        .unwrap_or(i64::MAX);
    assert!(
        overflow <= 0,
        "the page scrolls sideways by {overflow}px at 360px"
    );
    page.close().await;
}

#[tokio::test]
async fn a_mistyped_international_number_is_caught_before_any_request() {
    let page = Session::start().await;
    page.open("/").await;
    let input = page.find("[data-testid=number-input]").await;
    input
        .send_keys("RA100000049RU")
        .await
        .expect("typing works");
    assert!(page
        .text("[data-testid=number-hint]")
        .await
        .contains("probably mistyped"));
    input.send_keys("\u{E007}").await.expect("Enter works");
    let failure = page.find("[data-testid=failure]").await;
    assert_eq!(
        failure.attr("data-failure").await.unwrap().as_deref(),
        Some("mistyped")
    );
    let requests = page
        .eval("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/')).length")
        .await;
    assert_eq!(
        requests,
        serde_json::json!(0),
        "a request went out for a mistyped number"
    );
    page.close().await;
}

#[tokio::test]
async fn the_input_says_what_it_recognised_as_the_buyer_types() {
    let page = Session::start().await;
    page.open("/?lang=en").await;
    let input = page.find("[data-testid=number-input]").await;
    input
        .send_keys("0132112277-0101")
        .await
        .expect("typing works");
    assert!(page
        .text("[data-testid=number-hint]")
        .await
        .contains("several parcels"));
    input.clear().await.expect("the input clears");
    // Cyrillic РА, as a buyer on a Russian layout types it.
    input
        .send_keys("ра100000048ru")
        .await
        .expect("typing works");
    page.client
        .wait()
        .for_element(fantoccini::Locator::XPath(
            "//*[@data-testid='number-hint'][contains(., 'Russian Post')]",
        ))
        .await
        .expect("the hint names Russian Post");
    input.send_keys("\u{E007}").await.expect("Enter works");
    assert_eq!(page.text("[data-testid=headline]").await, "In transit");
    page.close().await;
}

#[tokio::test]
async fn the_hosted_form_takes_typing_before_the_wasm_and_keeps_it_after() {
    let page = Session::start().await;
    page.throttle(Some(16_000)).await;
    page.client
        .goto(&format!("{}/", page.origin()))
        .await
        .expect("the page loads");
    // The form the server rendered, before the wasm took it over.
    let input = page.find("#tl-number").await;
    assert!(page.all("#trackline[data-hydrated]").await.is_empty());
    input.send_keys("RA1000").await.expect("typing works");
    page.throttle(None).await;
    page.find("#trackline[data-hydrated]").await;
    let kept = page
        .eval(
            "const input = document.querySelector('[data-testid=number-input]'); \
               return [input.value, document.activeElement === input];",
        )
        .await;
    assert_eq!(kept, serde_json::json!(["RA1000", true]));
    page.close().await;
}
