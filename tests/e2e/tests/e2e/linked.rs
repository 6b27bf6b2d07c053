//! A link that already holds the number (`/?n=…`, the iframe form): the server renders the status
//! into the page, which is whole without script, and the wasm takes it over without a change on
//! screen and without asking again.

use crate::faults::xss_body;
use serde_json::json;
use trackline_e2e::Session;

/// Records, from the end of parsing, every change that script makes inside the widget's root
/// (`window.__changes`), and every error (`window.__errors`): installed before the page loads.
pub async fn watch_the_widget(page: &Session) {
    page.cdp("Page.enable", json!({})).await;
    page.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "{
            window.__changes = []; window.__errors = []; window.__xss = [];
            addEventListener('error', (e) => __errors.push(String(e.message)));
            addEventListener('unhandledrejection', (e) => __errors.push(String(e.reason)));
            document.addEventListener('securitypolicyviolation', (e) => __errors.push(`CSP ${e.violatedDirective}`));
            const error = console.error.bind(console), warn = console.warn.bind(console);
            console.error = (...args) => { __errors.push(args.join(' ')); error(...args); };
            console.warn = (...args) => { __errors.push(args.join(' ')); warn(...args); };
            // Only what differs counts: hydration may write an attribute again with the value it has.
            const changed = (r, node) => r.type === 'childList'
              || (r.type === 'characterData' && r.oldValue !== r.target.data)
              || (r.type === 'attributes' && r.oldValue !== node.getAttribute(r.attributeName));
            document.addEventListener('readystatechange', () => {
              if (document.readyState !== 'interactive') return;
              new MutationObserver((records) => {
                for (const r of records) {
                  const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
                  if (!node?.closest('#trackline') || !changed(r, node)) continue;
                  if (node.id === 'trackline' && r.attributeName === 'data-hydrated') continue;
                  __changes.push(`${r.type} ${node.tagName}.${node.className} ${r.attributeName ?? ''}`);
                }
              }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true,
                                     attributeOldValue: true, characterDataOldValue: true });
            });
        }" }),
    )
    .await;
}

/// Whether the page asked for the wasm while the glue was still on its way: the widget's code
/// then costs one round trip, not one after the other.
pub async fn wasm_asked_beside_the_glue(page: &Session) -> serde_json::Value {
    page.eval(
        "const entries = performance.getEntriesByType('resource'); \
         const glue = entries.find((e) => /\\/trackline-[0-9a-f]+\\.js$/.test(e.name)); \
         const wasm = entries.find((e) => e.name.endsWith('.wasm')); \
         return Boolean(glue && wasm && wasm.startTime < glue.responseEnd);",
    )
    .await
}

/// Opens `path` with script turned off, as some buyers' browsers have it.
async fn open_without_script(page: &Session, path: &str) {
    page.cdp(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .await;
    page.open(path).await;
}

/// Puts the browser's clock in `zone`.
async fn live_in(page: &Session, zone: &str) {
    page.cdp(
        "Emulation.setTimezoneOverride",
        json!({ "timezoneId": zone }),
    )
    .await;
}

/// How many requests the page made for the lookup of `number`.
async fn lookups_of(page: &Session, number: &str) -> serde_json::Value {
    page.eval(&format!(
        "return performance.getEntriesByType('resource').filter((e) => e.name.includes('/track/{number}')).length"
    ))
    .await
}

#[tokio::test]
async fn a_link_shows_the_whole_status_without_script() {
    let page = Session::start().await;
    open_without_script(&page, "/?n=1000000007&lang=ru").await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    assert_eq!(
        page.text("[data-testid=headline]").await,
        "Ждёт в пункте выдачи"
    );
    let current = page.find("[data-testid=step][aria-current=step]").await;
    assert_eq!(
        current.attr("data-stage").await.unwrap().as_deref(),
        Some("ready_for_pickup")
    );
    let links = page
        .eval(
            "return [...document.querySelectorAll('[data-testid=support-link], [data-testid=carrier-link]')] \
             .map((a) => a.getAttribute('href').split(':')[0])",
        )
        .await;
    let schemes: Vec<&str> = links
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|scheme| scheme.as_str())
        .collect();
    assert!(
        schemes.contains(&"tel") && schemes.contains(&"https"),
        "{schemes:?}"
    );
    // Nothing is offered that only the script could do, and the script did not run.
    let inert = page
        .eval(
            "return [[...document.querySelectorAll('.tl-needs-script')].filter((e) => e.offsetParent !== null).length, \
             document.getElementById('trackline').hasAttribute('data-hydrated'), document.documentElement.lang]",
        )
        .await;
    assert_eq!(inert, json!([0, false, "ru"]));

    // The form works as a plain form: another number, the language kept.
    page.track("RA100000048RU").await;
    page.find("[data-testid=shipment][data-stage=in_transit]")
        .await;
    assert_eq!(page.text("[data-testid=headline]").await, "В пути");
    let address = page.eval("return location.search").await;
    assert_eq!(address, json!("?lang=ru&n=RA100000048RU"));
    page.close().await;
}

#[tokio::test]
async fn a_link_is_taken_over_without_a_change_on_screen_or_a_second_request() {
    let page = Session::start().await;
    // The buyer lives where the shop's support does, so the server's clock is the buyer's.
    live_in(&page, "Europe/Moscow").await;
    watch_the_widget(&page).await;
    page.open("/?n=1000000007").await;
    page.wait_for_script(
        "return document.getElementById('trackline').hasAttribute('data-hydrated')",
    )
    .await;
    // Let the effects that follow hydration run (reading the device, the clock).
    page.wait_for_script("return new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(true), 50)))")
        .await;
    assert_eq!(page.eval("return window.__changes").await, json!([]));
    assert_eq!(page.eval("return window.__errors").await, json!([]));
    assert_eq!(lookups_of(&page, "1000000007").await, json!(0));
    // The widget's code (the glue and the wasm, once each) was asked for after the status was
    // painted, never beside it.
    let code = page
        .eval(
            "const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Infinity; \
             const code = performance.getEntriesByType('resource') \
               .filter((e) => /\\/trackline-[0-9a-f]+(_bg\\.wasm|\\.js)$/.test(e.name)); \
             return [code.length, code.every((e) => e.startTime >= paint)];",
        )
        .await;
    assert_eq!(code, json!([2, true]));

    // Taken over: typing is the widget's (the hint answers), and Track looks up in the browser.
    page.track("RA100000048RU").await;
    page.find("[data-testid=shipment][data-stage=in_transit]")
        .await;
    assert_eq!(lookups_of(&page, "RA100000048RU").await, json!(1));
    assert_eq!(
        page.eval("return location.search").await,
        json!("?n=RA100000048RU")
    );
    assert_eq!(page.eval("return window.__errors").await, json!([]));
    page.close().await;
}

#[tokio::test]
async fn a_links_page_asks_for_the_glue_and_the_wasm_together_after_its_paint() {
    let page = Session::start().await;
    // Slow enough that the glue is still arriving when the wasm is asked for beside it.
    page.throttle(Some(100_000)).await;
    page.open("/?n=1000000007").await;
    page.wait_for_script(
        "return document.getElementById('trackline').hasAttribute('data-hydrated')",
    )
    .await;
    assert_eq!(wasm_asked_beside_the_glue(&page).await, json!(true));
    page.close().await;
}

#[tokio::test]
async fn a_links_page_is_taken_over_in_a_task_after_the_wasms_start() {
    let page = Session::start().await;
    // trunk's start-up code announces the wasm started once its start function has returned.
    page.cdp("Page.enable", json!({})).await;
    page.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "addEventListener('TrunkApplicationStarted', () => { \
            window.__takenOverAtStart = document.getElementById('trackline')?.hasAttribute('data-hydrated'); })" }),
    )
    .await;
    page.open("/?n=1000000007").await;
    page.wait_for_script(
        "return document.getElementById('trackline').hasAttribute('data-hydrated')",
    )
    .await;
    assert_eq!(
        page.eval("return window.__takenOverAtStart ?? null").await,
        json!(false)
    );
    page.close().await;
}

#[tokio::test]
async fn what_the_buyer_types_before_the_wasm_arrives_stays_with_its_focus() {
    let page = Session::start().await;
    // A slow link holds the wasm back long enough to type.
    page.throttle(Some(100_000)).await;
    watch_the_widget(&page).await;
    page.open("/?n=1000000007").await;
    let input = page.find("[data-testid=number-input]").await;
    assert_eq!(
        page.eval("return document.getElementById('trackline').hasAttribute('data-hydrated')")
            .await,
        json!(false),
        "the wasm came too soon to test this"
    );
    input.click().await.expect("the input takes a click");
    page.eval(
        "const input = document.getElementById('tl-number'); \
         input.value = ''; return true;",
    )
    .await;
    input.send_keys("RA1000").await.expect("typing works");
    page.throttle(None).await;
    page.wait_for_script(
        "return document.getElementById('trackline').hasAttribute('data-hydrated')",
    )
    .await;
    let kept = page
        .eval(
            "const input = document.getElementById('tl-number'); \
             return [input.value, document.activeElement === input];",
        )
        .await;
    assert_eq!(kept, json!(["RA1000", true]));
    assert_eq!(page.eval("return window.__errors").await, json!([]));
    // The status of the linked number stays on screen, and the widget reads the input.
    input.send_keys("00048RU").await.expect("typing works");
    page.wait_for_script(
        "return document.querySelector('[data-testid=number-hint]').textContent.length > 0",
    )
    .await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    page.close().await;
}

#[tokio::test]
async fn a_buyer_elsewhere_sees_the_times_on_their_own_clock_once_the_wasm_runs() {
    let page = Session::start().await;
    live_in(&page, "Asia/Tokyo").await;
    // Every painted frame in which the support card or the history was missing: the redraw on
    // the buyer's clock must not take them away for a frame (a buyer scrolled down to them
    // would be thrown up the page).
    page.cdp("Page.enable", json!({})).await;
    page.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "window.__cardsGone = 0; const frame = () => { \
            const card = (id) => document.querySelector(`#trackline [data-testid=${id}]`); \
            if (document.readyState !== 'loading' && !(card('support') && card('history'))) __cardsGone += 1; \
            requestAnimationFrame(frame); }; requestAnimationFrame(frame);" }),
    )
    .await;
    page.open("/?n=1000000007&lang=en").await;
    page.wait_for_script(
        "return document.getElementById('trackline').hasAttribute('data-hydrated')",
    )
    .await;
    // The server wrote Moscow time (where the shop's support is); Tokyo is six hours ahead, and
    // the widget, once it runs, draws the times on the buyer's clock.
    let script = "const local = (t) => new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', \
                    hour: '2-digit', minute: '2-digit' }).format(new Date(t.getAttribute('datetime'))); \
                  const served = new DOMParser().parseFromString(await (await fetch(location.href)).text(), 'text/html'); \
                  const first = (doc) => doc.querySelector('[data-testid=event] time'); \
                  return [first(served).textContent, first(document)?.textContent, first(served) && local(first(served))];";
    let times = crate::linked::wait_for_value(&page, script, |times| times[1] == times[2]).await;
    assert_ne!(
        times[0], times[1],
        "the server's text was already the buyer's: {times}"
    );
    assert_eq!(page.eval("return window.__cardsGone").await, json!(0));
    page.close().await;
}

/// Waits until `script` (an async function body) returns a value `done` accepts, and returns it.
pub async fn wait_for_value(
    page: &Session,
    script: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let wrapped = format!("return (async () => {{ {script} }})()");
    trackline_e2e::wait_until(|| async {
        let value = page.eval(&wrapped).await;
        done(&value).then_some(value)
    })
    .await
    .unwrap_or_else(|| panic!("never settled: {script}"))
}

#[tokio::test]
async fn a_guarded_order_asks_and_is_answered_by_a_posted_form_without_script() {
    let page = Session::start().await;
    open_without_script(&page, "/?shop=demo-guarded&n=5000000001").await;
    page.find("[data-testid=check-form]").await;
    let input = page.find("[data-testid=check-input]").await;
    input.send_keys("1234\u{E007}").await.expect("typing works");
    page.find("[data-testid=shipment]").await;
    // The reply travelled in the body of a POST, never in the address.
    let address = page.eval("return location.href").await;
    assert!(
        address.as_str().is_some_and(|href| !href.contains("1234")),
        "{address}"
    );
    page.close().await;
}

#[tokio::test]
async fn a_withheld_pickup_code_opens_by_a_posted_form_without_script() {
    let page = Session::start().await;
    open_without_script(&page, "/?shop=demo-guarded&n=RA500000021RU").await;
    page.find("[data-testid=pickup-withheld]").await;
    assert!(page.all("[data-testid=pickup-code]").await.is_empty());
    page.find("[data-testid=pickup-show]")
        .await
        .click()
        .await
        .expect("Show the code opens without script");
    let input = page.find("[data-testid=check-input]").await;
    input.send_keys("1234\u{E007}").await.expect("typing works");
    page.find("[data-testid=pickup-code]").await;
    let address = page.eval("return location.href").await;
    assert!(
        address.as_str().is_some_and(|href| !href.contains("1234")),
        "{address}"
    );
    page.close().await;
}

#[tokio::test]
async fn hostile_text_in_a_rendered_page_stays_text_with_or_without_script() {
    let page = Session::start().await;
    let mut shipment =
        serde_json::from_str::<serde_json::Value>(&xss_body()).unwrap()["shipments"][0].clone();
    shipment["tracking_number"] = json!("RA100000048RU");
    let shop = page
        .put_shipment_as_new_seller("Hostile Shop", shipment)
        .await;
    let path = format!("/?n=RA100000048RU&shop={shop}");
    for script in [false, true] {
        watch_the_widget(&page).await;
        page.cdp(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": !script }),
        )
        .await;
        page.open(&path).await;
        page.find("[data-testid=shipment]").await;
        if script {
            page.wait_for_script(
                "return document.getElementById('trackline').hasAttribute('data-hydrated')",
            )
            .await;
            assert_eq!(page.eval("return window.__xss").await, json!([]));
            assert_eq!(page.eval("return window.__errors").await, json!([]));
        }
        let links = page
            .eval("return [...document.querySelectorAll('#trackline a')].map((a) => a.getAttribute('href'))")
            .await;
        for href in links.as_array().into_iter().flatten() {
            let href = href.as_str().unwrap_or_default().to_lowercase();
            assert!(
                ["https:", "http:", "tel:", "mailto:", "#"]
                    .iter()
                    .any(|scheme| href.starts_with(scheme)),
                "rendered link {href}"
            );
        }
        let injected = page
            .eval("return document.querySelectorAll('#trackline script, #trackline img, #trackline svg animate, #trackline iframe').length")
            .await;
        assert_eq!(injected, json!(0), "script {script}");
    }
    page.close().await;
}
