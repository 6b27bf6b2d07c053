//! The `<trackline-widget>` custom element on storefront pages.

use crate::harness::Session;

#[tokio::test]
async fn the_two_line_snippet_renders_the_widget_in_its_own_shadow_root() {
    let page = Session::start().await;
    page.open("/examples/plain.html").await;
    assert_eq!(
        page.shadow_text("trackline-widget", "[data-testid=pickup-code]")
            .await,
        "4821"
    );
    // Nothing of the widget leaks into the host's DOM.
    let outside = page
        .eval("return document.querySelectorAll('[data-testid]').length")
        .await;
    assert_eq!(outside, serde_json::json!(0));
    page.close().await;
}

#[tokio::test]
async fn two_widgets_on_one_page_work_independently_and_load_the_wasm_once() {
    let page = Session::start().await;
    page.open("/examples/two-widgets.html").await;
    assert_eq!(
        page.shadow_text("#first", "[data-testid=headline]").await,
        "In transit"
    );
    assert_eq!(
        page.shadow_text("#second", "[data-testid=headline]").await,
        "Ждёт в пункте выдачи"
    );

    // A lookup in the first widget leaves the second as it was.
    page.eval(
        "const root = document.querySelector('#first').shadowRoot; \
         const input = root.querySelector('[data-testid=number-input]'); \
         input.value = '1000000008'; input.dispatchEvent(new Event('input', { bubbles: true })); \
         root.querySelector('[data-testid=track-button]').click(); return true;",
    )
    .await;
    page.wait_for_script(
        "return document.querySelector('#first').shadowRoot \
         .querySelector('[data-testid=shipment][data-stage=delivered]') !== null",
    )
    .await;
    assert_eq!(
        page.shadow_text("#second", "[data-testid=headline]").await,
        "Ждёт в пункте выдачи"
    );

    let wasm_loads = page
        .eval("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length")
        .await;
    assert_eq!(wasm_loads, serde_json::json!(1));
    page.close().await;
}

#[tokio::test]
async fn changing_an_attribute_updates_the_widget() {
    let page = Session::start().await;
    page.open("/examples/two-widgets.html").await;
    page.shadow_text("#second", "[data-testid=pickup-code]")
        .await;
    page.eval(
        "document.querySelector('#second').setAttribute('number', '0132112277'); return true;",
    )
    .await;
    assert_eq!(
        page.shadow_text("#second", "[data-testid=parcel-summary]")
            .await,
        "Посылок в заказе: 2"
    );
    page.eval("document.querySelector('#second').setAttribute('lang', 'zh'); return true;")
        .await;
    assert_eq!(
        page.shadow_text("#second", "[data-testid=parcel-summary]")
            .await,
        "本订单共 2 个包裹"
    );
    page.close().await;
}
