//! The `<trackline-widget>` custom element on storefront pages.

use serde_json::json;
use trackline_e2e::Session;

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
    page.assert_no_csp_violations().await;
    // axe-core reads open shadow roots: the embedded widget is held to the same bar.
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
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
    track_delivered_in(&page, "#first").await;
    assert_eq!(
        page.shadow_text("#second", "[data-testid=headline]").await,
        "Ждёт в пункте выдачи"
    );

    let wasm_loads = page
        .eval("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length")
        .await;
    assert_eq!(wasm_loads, serde_json::json!(1));
    page.assert_no_csp_violations().await;
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
        "2 посылки: 1 в пути, 1 доставлена"
    );
    page.eval("document.querySelector('#second').setAttribute('lang', 'zh'); return true;")
        .await;
    assert_eq!(
        page.shadow_text("#second", "[data-testid=parcel-summary]")
            .await,
        "共 2 个包裹：1 个运输中，1 个已送达"
    );
    page.close().await;
}

#[tokio::test]
async fn aggressive_host_css_neither_reaches_in_nor_is_changed() {
    let page = Session::start().await;
    page.open("/examples/hostile-css.html").await;
    assert_eq!(
        page.shadow_text("trackline-widget", "[data-testid=pickup-code]")
            .await,
        "4821"
    );
    let inside = page
        .eval(
            "const root = document.querySelector('trackline-widget').shadowRoot; \
             const style = (sel) => getComputedStyle(root.querySelector(sel)); \
             return [style('[data-testid=track-button]').backgroundColor, \
                     style('[data-testid=widget]').letterSpacing, \
                     style('[data-testid=widget]').textTransform, \
                     style('[data-testid=widget]').fontSize, \
                     style('[data-testid=timeline]').display];",
        )
        .await;
    assert_eq!(
        inside,
        serde_json::json!(["rgb(11, 95, 255)", "normal", "none", "16px", "block"]),
        "the host's CSS reached into the widget"
    );
    let outside = page
        .eval(
            "const style = (id) => getComputedStyle(document.getElementById(id)); \
             return [style('host-text').color, style('host-text').fontSize, \
                     style('host-button').backgroundColor, style('host-heading').fontSize, \
                     style('host-link').textDecorationLine];",
        )
        .await;
    assert_eq!(
        outside,
        serde_json::json!([
            "rgb(1, 2, 3)",
            "40px",
            "rgb(255, 0, 0)",
            "80px",
            "line-through"
        ]),
        "the widget changed the host's styles"
    );
    page.assert_no_csp_violations().await;
    page.close().await;
}

#[tokio::test]
async fn the_host_hears_what_the_buyer_sees() {
    let page = Session::start().await;
    page.open("/examples/two-widgets.html").await;
    page.shadow_text("#second", "[data-testid=pickup-code]")
        .await;
    page.eval(
        "window.heard = []; \
         const widget = document.querySelector('#second'); \
         widget.addEventListener('trackline:status', (e) => heard.push(['status', e.detail])); \
         widget.addEventListener('trackline:error', (e) => heard.push(['error', e.detail])); \
         widget.setAttribute('number', '0132112277'); return true;",
    )
    .await;
    page.wait_for_script("return window.heard.length === 1")
        .await;
    let heard = page.eval("return window.heard[0]").await;
    assert_eq!(heard[0], "status");
    assert_eq!(heard[1]["number"], "0132112277");
    assert_eq!(heard[1]["shipments"][0]["stage"], "delivered");
    assert_eq!(heard[1]["shipments"][1]["stage"], "in_transit");

    page.eval(
        "document.querySelector('#second').setAttribute('number', 'ZZ999999995DE'); return true;",
    )
    .await;
    page.wait_for_script("return window.heard.length === 2")
        .await;
    let heard = page.eval("return window.heard[1]").await;
    assert_eq!(
        heard,
        serde_json::json!(["error", { "number": "ZZ999999995DE", "code": "not_found" }])
    );
    page.close().await;
}

#[tokio::test]
async fn the_theme_attribute_switches_light_and_dark_and_parts_are_exposed() {
    let page = Session::start().await;
    page.open("/examples/plain.html").await;
    page.shadow_text("trackline-widget", "[part~=pickup-code]")
        .await;
    let background =
        "return getComputedStyle(document.querySelector('trackline-widget').shadowRoot \
                      .querySelector('[data-testid=widget]')).backgroundColor";
    assert_eq!(page.eval(background).await, "rgb(255, 255, 255)");
    page.eval(
        "document.querySelector('trackline-widget').setAttribute('theme', 'dark'); return true;",
    )
    .await;
    page.wait_for_script(&format!("{background} === 'rgb(18, 21, 28)'"))
        .await;
    page.assert_no_csp_violations().await;
    page.close().await;
}

#[tokio::test]
async fn the_example_pages_really_run_under_a_strict_csp() {
    // Guards the other tests' "no violation" checks: an inline style must be refused and recorded.
    let page = Session::start().await;
    page.open("/examples/strict-csp.html").await;
    page.shadow_text("trackline-widget", "[data-testid=pickup-code]")
        .await;
    // The page allows no style source at all, yet the widget wears its own styles: they came
    // in the loader and were adopted, not fetched as a stylesheet the policy could refuse.
    let styled = page
        .eval(
            "const root = document.querySelector('trackline-widget').shadowRoot; \
             return [getComputedStyle(root.querySelector('[data-testid=track-button]')).backgroundColor, \
                     root.querySelectorAll('link[rel=stylesheet], style').length];",
        )
        .await;
    assert_eq!(styled, serde_json::json!(["rgb(11, 95, 255)", 0]));
    page.assert_no_csp_violations().await;
    page.eval("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>'); return true;")
        .await;
    page.wait_for_script("return window.cspViolations.some((v) => v.startsWith('style-src'))")
        .await;
    page.close().await;
}

#[tokio::test]
async fn the_iframe_form_grows_to_its_content_without_inner_scroll_bars() {
    let page = Session::start().await;
    page.open("/examples/iframe.html").await;
    // The frame starts at 200 px; the page inside reports the height of the pickup card, timeline and all.
    page.wait_for_script(
        "return parseInt(document.getElementById('trackline-frame').style.height) > 800",
    )
    .await;
    let fits = "const frame = document.getElementById('trackline-frame'); \
                const inner = frame.contentDocument.documentElement; \
                return inner.scrollHeight <= frame.clientHeight + 1";
    page.wait_for_script(fits).await;
    assert_eq!(
        page.eval("return document.getElementById('trackline-frame').contentDocument.body.classList.contains('tl-page--framed')")
            .await,
        serde_json::json!(true)
    );
    page.assert_no_csp_violations().await;
    page.close().await;
}

#[tokio::test]
async fn the_compact_form_shows_one_line_a_parcel_and_no_form() {
    let page = Session::start().await;
    page.open("/examples/order-page.html").await;
    page.shadow_text(
        "trackline-widget",
        "[data-testid=compact-line][data-stage=in_transit]",
    )
    .await;
    let shape = page
        .eval(
            "const root = document.querySelector('trackline-widget').shadowRoot; \
             return [root.querySelectorAll('[data-testid=compact-line]').length, \
                     root.querySelector('[data-testid=form]') === null, \
                     root.querySelector('[data-testid=timeline]') === null];",
        )
        .await;
    assert_eq!(shape, serde_json::json!([2, true, true]));
    // Without the attribute the same element is the full widget.
    page.eval(
        "document.querySelector('trackline-widget').removeAttribute('compact'); return true;",
    )
    .await;
    page.shadow_text("trackline-widget", "[data-testid=parcel-summary]")
        .await;
    page.assert_no_csp_violations().await;
    page.close().await;
}

#[tokio::test]
async fn a_storefront_on_another_origin_embeds_the_widget() {
    let page = Session::start().await;
    // The snippet as a seller pastes it, on a page of its own origin.
    let html = format!(
        "<!doctype html><title>Another shop</title><p>Elsewhere</p>\
         <script type=\"module\" src=\"{origin}/trackline-widget.js\"></script>\
         <trackline-widget number=\"1000000007\" lang=\"en\"></trackline-widget>",
        origin = page.origin()
    );
    page.open_elsewhere(html).await;
    // The module, the wasm (fetched with integrity), the stylesheet and the lookup all cross origins.
    assert_eq!(
        page.shadow_text("trackline-widget", "[data-testid=pickup-code]")
            .await,
        "4821"
    );
    let styled = page
        .eval(
            "return getComputedStyle(document.querySelector('trackline-widget').shadowRoot \
             .querySelector('[data-testid=pickup-code]')).fontWeight",
        )
        .await;
    assert_eq!(styled, "800", "the stylesheet did not load across origins");
    page.close().await;
}

#[tokio::test]
async fn the_loader_draws_the_form_at_once_and_what_was_typed_survives_the_wasm() {
    let page = Session::start().await;
    // A slow link: the wasm takes seconds, the loader and stylesheet a moment.
    page.throttle(Some(16_000)).await;
    page.client
        .goto(&format!("{}/examples/plain.html", page.origin()))
        .await
        .expect("the page loads");
    page.eval(
        "document.querySelector('trackline-widget').remove(); \
               const w = document.createElement('trackline-widget'); w.setAttribute('lang', 'ru'); \
               document.querySelector('main').append(w); return true;",
    )
    .await;
    page.wait_for_script(
        "const root = document.querySelector('trackline-widget').shadowRoot; \
         return !!root?.querySelector('#tl-number') && !root.querySelector('[data-testid=widget]')",
    )
    .await;
    // Drawn by the loader, in the element's language, before any wasm ran.
    assert_eq!(
        page.shadow_text("trackline-widget", ".tl-form__button")
            .await,
        "Отследить"
    );
    page.eval(
        "const input = document.querySelector('trackline-widget').shadowRoot.querySelector('#tl-number'); \
         input.focus(); input.value = '1000000007'; \
         input.form.requestSubmit(); return true;",
    )
    .await;
    page.throttle(None).await;
    assert_eq!(
        page.shadow_text("trackline-widget", "[data-testid=pickup-code]")
            .await,
        "4821"
    );
    let kept = page
        .eval(
            "const root = document.querySelector('trackline-widget').shadowRoot; \
               return [root.querySelector('[data-testid=number-input]').value, \
                       root.activeElement?.dataset.testid ?? null];",
        )
        .await;
    assert_eq!(kept, serde_json::json!(["1000000007", "number-input"]));
    page.close().await;
}

/// A storefront page on another origin with `elements`, the loader from the server under test.
async fn open_storefront(page: &Session, elements: &str) {
    let origin = page.origin().to_owned();
    page.open_elsewhere(format!(
        "<!doctype html><meta charset=utf-8><title>Order</title>\
         <script type=module src=\"{origin}/trackline-widget.js\"></script>{elements}"
    ))
    .await;
}

/// Types the demo's delivered number into the widget of `host`, presses Track, and waits for it.
async fn track_delivered_in(page: &Session, host: &str) {
    page.eval(&format!(
        "const root = document.querySelector({host:?}).shadowRoot; \
         const input = root.querySelector('[data-testid=number-input]'); \
         input.value = '1000000008'; input.dispatchEvent(new Event('input', {{ bubbles: true }})); \
         root.querySelector('[data-testid=track-button]').click(); return true;"
    ))
    .await;
    page.shadow_text(host, "[data-testid=shipment][data-stage=delivered]")
        .await;
}

/// The requests the page made whose address holds `part`, each as [made before the wasm had
/// arrived, by what].
async fn requests(page: &Session, part: &str) -> serde_json::Value {
    page.eval(&format!(
        "const entries = performance.getEntriesByType('resource'); \
         const wasm = entries.find((e) => e.name.endsWith('.wasm')); \
         return entries.filter((e) => e.name.includes({part:?})) \
           .map((e) => [e.startTime < (wasm?.responseEnd ?? Infinity), e.initiatorType]);"
    ))
    .await
}

#[tokio::test]
async fn an_element_on_its_servers_lookup_shows_the_rendered_status_before_the_wasm_and_takes_it_over(
) {
    let page = Session::start().await;
    crate::linked::watch_the_widget(&page).await;
    // A slow link: the wasm's download is long enough to see the status come before it.
    page.throttle(Some(150_000)).await;
    open_storefront(
        &page,
        "<trackline-widget number=\"RA100000048RU\" lang=\"en\"></trackline-widget>\
         <trackline-widget number=\"1000000007\" lang=\"ru\" compact></trackline-widget>",
    )
    .await;
    let shown = "[...document.querySelectorAll('trackline-widget')].every((element) => \
                 element.shadowRoot?.querySelector('[data-testid=timeline], [data-testid=compact-line]'))";
    page.wait_for_script(&format!("return {shown}")).await;
    let before_wasm = page
        .eval("return !performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm'))")
        .await;
    assert_eq!(before_wasm, json!(true), "the status waited for the wasm");
    page.throttle(None).await;
    page.wait_for_script(
        "return [...document.querySelectorAll('trackline-widget')].every((element) => \
         element.shadowRoot.querySelector('[data-rendered][data-hydrated]'))",
    )
    .await;
    // One request each, for the rendering, which carried the lookup: none for the lookup itself.
    assert_eq!(
        requests(&page, "/widget?n=RA100000048RU").await,
        json!([[true, "fetch"]])
    );
    assert_eq!(
        requests(&page, "/widget?n=1000000007").await,
        json!([[true, "fetch"]])
    );
    assert_eq!(requests(&page, "/track/").await, json!([]));
    assert_eq!(page.eval("return window.__errors").await, json!([]));
    assert_eq!(
        crate::linked::wasm_asked_beside_the_glue(&page).await,
        json!(true)
    );
    // Taken over: Track in the first element looks up in the browser.
    track_delivered_in(&page, "trackline-widget").await;
    assert_eq!(
        requests(&page, "/track/1000000008")
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    page.close().await;
}

#[tokio::test]
async fn an_element_with_its_own_endpoint_asks_once_while_the_wasm_is_still_downloading() {
    let page = Session::start().await;
    page.throttle(Some(150_000)).await;
    let origin = page.origin().to_owned();
    open_storefront(
        &page,
        &format!(
            "<trackline-widget number=\"RA100000048RU\" lang=\"en\" \
               endpoint=\"{origin}/api/v1/track/{{number}}\"></trackline-widget>\
             <trackline-widget number=\"1000000007\" lang=\"en\" \
               endpoint=\"{origin}/api/v1/shops/demo/track/{{number}}\"></trackline-widget>"
        ),
    )
    .await;
    page.wait_for_script(
        "return [...document.querySelectorAll('trackline-widget')].every((element) => \
         element.shadowRoot?.querySelector('[data-testid=timeline]'))",
    )
    .await;
    page.throttle(None).await;
    // Each element's lookup was asked exactly once, by the loader's fetch, before the wasm had arrived.
    assert_eq!(
        requests(&page, "/track/RA100000048RU").await,
        json!([[true, "fetch"]])
    );
    assert_eq!(
        requests(&page, "/track/1000000007").await,
        json!([[true, "fetch"]])
    );
    assert_eq!(requests(&page, "/widget?").await, json!([]));
    page.close().await;
}

#[tokio::test]
async fn an_element_without_a_language_takes_the_one_its_server_picked_and_its_order_pages_hint() {
    let page = Session::start().await;
    crate::linked::watch_the_widget(&page).await;
    // A browser whose `Accept-Language` names only Russian while `navigator.languages` stays
    // English (as where the header is reduced to one language): the server's pick is what the
    // widget shows, and what the wasm takes over without redrawing it.
    page.cdp("Network.enable", json!({})).await;
    page.cdp(
        "Network.setExtraHTTPHeaders",
        json!({ "headers": { "Accept-Language": "ru-RU,ru;q=0.9" } }),
    )
    .await;
    let origin = page.origin().to_owned();
    open_storefront(
        &page,
        &format!(
            "<link rel=\"preload\" as=\"fetch\" crossorigin href=\"{origin}/widget?n=RA100000048RU\">\
             <trackline-widget number=\"RA100000048RU\"></trackline-widget>"
        ),
    )
    .await;
    page.wait_for_script(
        "return document.querySelector('trackline-widget').shadowRoot?.querySelector('[data-rendered][data-hydrated]') != null",
    )
    .await;
    assert_eq!(
        page.eval(
            "const root = document.querySelector('trackline-widget').shadowRoot; \
             return [navigator.language, root.querySelector('[part~=widget]').lang, \
                     root.querySelector('[data-testid=headline]').textContent]"
        )
        .await,
        json!(["en-US", "ru", "В пути"])
    );
    // The order page's hint named the loader's URL: one request for the rendering, the hint's.
    let asked = page
        .eval(
            "return performance.getEntriesByType('resource') \
             .filter((e) => e.name.includes('/widget?')).map((e) => [e.name.split('/').pop(), e.initiatorType])",
        )
        .await;
    assert_eq!(asked, json!([["widget?n=RA100000048RU", "link"]]));
    assert_eq!(page.eval("return window.__errors").await, json!([]));
    // Taken over in Russian: the next lookup is drawn by the wasm in it.
    track_delivered_in(&page, "trackline-widget").await;
    assert_eq!(
        page.eval(
            "return document.querySelector('trackline-widget').shadowRoot \
             .querySelector('[data-testid=headline]').textContent"
        )
        .await,
        json!("Получен")
    );
    page.close().await;
}

/// A guarded order in an element on another origin: the reply crosses in the `Trackline-Check`
/// header, which a page may send across origins only once the server's preflight allows it,
/// opens the order, and goes into no address (a proxy's or a server's log keeps those) and no
/// storage of the storefront's.
#[tokio::test]
async fn an_element_elsewhere_opens_a_guarded_order_with_the_reply_in_its_header() {
    let page = Session::start().await;
    // The storefront notes every request the page's scripts make, with the header it carries.
    open_storefront(
        &page,
        "<script>window.__asked = []; const original = window.fetch; \
           window.fetch = (input, init) => { const request = new Request(input, init); \
             const entry = { url: request.url, check: request.headers.get('trackline-check') }; \
             window.__asked.push(entry); \
             return original(input, init).then((response) => { entry.status = response.status; return response; }); };</script>\
         <trackline-widget shop=\"demo-guarded\" number=\"5000000001\" lang=\"en\"></trackline-widget>",
    )
    .await;
    page.wait_for_script(
        "return document.querySelector('trackline-widget').shadowRoot?.querySelector('[data-hydrated] [data-testid=check-input]') != null",
    )
    .await;
    page.eval(
        "const root = document.querySelector('trackline-widget').shadowRoot; \
         const input = root.querySelector('[data-testid=check-input]'); \
         input.value = '1234'; input.dispatchEvent(new Event('input', { bubbles: true })); \
         root.querySelector('[data-testid=check-submit]').click(); return true;",
    )
    .await;
    page.shadow_text(
        "trackline-widget",
        "[data-testid=shipment][data-stage=in_transit]",
    )
    .await;
    let asked = page.eval("return window.__asked").await;
    let asked = asked.as_array().cloned().unwrap_or_default();
    let opened = asked.iter().find(|entry| entry["check"] == "1234");
    let opened = opened.unwrap_or_else(|| panic!("no request carried the reply: {asked:?}"));
    assert!(
        opened["url"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!(
                "{}/api/v1/shops/demo-guarded/track/5000000001",
                page.origin()
            )),
        "{opened}"
    );
    // A header no CORS-safelisted request has: this 200 crossed the preflight.
    assert_eq!(opened["status"], 200, "{opened}");
    // No address the page asked holds the reply, whoever asked it (the loader, the wasm, a preload).
    let addresses = page
        .eval("return performance.getEntriesByType('resource').map((e) => e.name)")
        .await;
    for address in addresses
        .as_array()
        .into_iter()
        .flatten()
        .chain(asked.iter().map(|entry| &entry["url"]))
    {
        let address = address.as_str().unwrap_or_default();
        assert!(
            !address.contains("1234") && !address.contains("check"),
            "the reply in an address: {address}"
        );
    }
    // Nor does the storefront's storage keep what it opened.
    let stored = page
        .eval("return JSON.stringify(Object.entries(localStorage))")
        .await;
    let stored = stored.as_str().unwrap_or_default();
    assert!(
        !stored.contains("trackline:answer:5000000001") && !stored.contains("in_transit"),
        "{stored}"
    );

    // The preflight itself, as the browser sent it: the server allows the header to that origin.
    let preflight = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!(
                "{}/api/v1/shops/demo-guarded/track/5000000001",
                page.origin()
            ),
        )
        .header("origin", "http://127.0.0.1:1")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "trackline-check")
        .send()
        .await
        .expect("the preflight is answered");
    let allowed = preflight
        .headers()
        .get("access-control-allow-headers")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(allowed.contains("trackline-check"), "{allowed}");
    page.close().await;
}
