//! The hosted page as an app on the buyer's phone: its manifest and worker make it installable
//! (which iOS asks before Web Push), the worker keeps its shell for visits without a network and
//! shows notifications, and "Notify me" says what this browser can do. A storefront's element
//! registers no worker on the shop's origin.

use serde_json::{json, Value};
use trackline_e2e::Session;

/// Waits until the page's worker controls it.
async fn controlled(page: &Session) {
    page.wait_for_script("return !!navigator.serviceWorker?.controller")
        .await;
}

#[tokio::test]
async fn the_hosted_page_installs_and_opens_without_a_network_on_the_saved_status() {
    let page = Session::start().await;
    page.open("/?n=1000000007").await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    controlled(&page).await;
    let errors = page.cdp("Page.getInstallabilityErrors", json!({})).await;
    assert_eq!(errors["installabilityErrors"], json!([]), "{errors}");
    let manifest = page.cdp("Page.getAppManifest", json!({})).await;
    assert_eq!(manifest["errors"], json!([]), "{manifest}");
    // The server goes away: the worker serves the shell, and the widget the device's copy.
    page.stop_server().await;
    page.open("/?n=1000000007").await;
    page.find("[data-testid=saved]").await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    page.close().await;
}

#[tokio::test]
async fn the_app_is_named_in_the_language_of_the_page_it_was_installed_from() {
    let page = Session::start().await;
    for (lang, name) in [
        ("ru", "Где моя посылка"),
        ("zh", "我的包裹在哪里"),
        ("en", "trackline: where is my parcel"),
    ] {
        page.open(&format!("/?n=1000000007&lang={lang}")).await;
        page.find("[data-testid=pickup-code]").await;
        let manifest = page.cdp("Page.getAppManifest", json!({})).await;
        assert_eq!(manifest["errors"], json!([]), "{manifest}");
        let data: Value = serde_json::from_str(manifest["data"].as_str().unwrap_or_default())
            .unwrap_or_else(|_| panic!("{lang}: no manifest: {manifest}"));
        assert_eq!(data["name"], name, "{lang}");
        // One app whatever language installed it.
        assert_eq!(data["id"], "/", "{lang}");
    }
    let errors = page.cdp("Page.getInstallabilityErrors", json!({})).await;
    assert_eq!(errors["installabilityErrors"], json!([]), "{errors}");
    page.close().await;
}

/// What the worker does with a push and with clicks, run in the page with stand-ins for its
/// global scope (the page's strict CSP allows the file itself as a script, not text made into
/// code): the browser cannot be made to deliver a push or click a notification here.
const WORKER_UNDER_TEST: &str = r#"
const listeners = {}, shown = [], fetched = [], opened = [], pending = [], subscribed = [];
const realAdd = window.addEventListener, realFetch = window.fetch;
window.addEventListener = (type, listener) => { listeners[type] = listener; };
const subscription = (endpoint) =>
  ({ endpoint, toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: 'P', auth: 'A' } }) });
window.registration = {
  showNotification: (title, options) => { shown.push({ title, options }); return Promise.resolve(); },
  pushManager: {
    getSubscription: () => Promise.resolve({ endpoint: 'https://push.example/abc' }),
    subscribe: (options) => { subscribed.push(options); return Promise.resolve(subscription('https://push.example/again')); },
  },
};
window.clients = {
  matchAll: () => Promise.resolve([]),
  openWindow: (url) => { opened.push(url); return Promise.resolve(); },
  claim: () => Promise.resolve(),
};
window.skipWaiting = () => Promise.resolve();
window.fetch = (url, init) => {
  fetched.push({ url, method: init && init.method, body: init && init.body });
  if (url === '/api/v1/push/key') return Promise.resolve(Response.json({ public_key: 'KEY' }));
  return Promise.resolve(new Response(null, { status: 204 }));
};
await new Promise((loaded, failed) => {
  const script = document.createElement('script');
  script.src = '/sw.js';
  script.onload = loaded;
  script.onerror = failed;
  document.head.append(script);
});
window.addEventListener = realAdd;
const event = (fields) => ({ ...fields, waitUntil: (promise) => pending.push(promise) });
const message = { title: 'Ждёт в пункте выдачи', body: 'Посылка 1\nПункт Ozon', url: '/?n=1&lang=ru',
  tag: 'parcel-1', lang: 'ru', stop: 'Больше не присылать', unsubscribe: '/api/v1/track/1/push' };
listeners.push(event({ data: { json: () => message } }));
listeners.push(event({ data: { json: () => { throw new SyntaxError('not JSON'); } } }));
const note = (data) => ({ data, close() {} });
listeners.notificationclick(event({ action: '', notification: note({ url: '/?n=1&lang=ru' }) }));
listeners.notificationclick(event({ action: '', notification: note({ url: 'https://elsewhere.example/phish' }) }));
listeners.notificationclick(event({ action: 'stop', notification: note({ unsubscribe: '/api/v1/track/1/push' }) }));
listeners.notificationclick(event({ action: 'stop', notification: note({ unsubscribe: 'https://elsewhere.example/x' }) }));
// The push service replaced a subscription: with its successor given, with none (the worker
// subscribes again with the server's key), and without the old one (nothing to tell).
const change = (oldSubscription, newSubscription) =>
  listeners.pushsubscriptionchange(event({ oldSubscription, newSubscription }));
change({ endpoint: 'https://push.example/old' }, subscription('https://push.example/new'));
change({ endpoint: 'https://push.example/older' }, null);
change(null, subscription('https://push.example/unknown'));
await Promise.all(pending);
window.fetch = realFetch;
return { shown, fetched, opened, subscribed, origin: location.origin, kinds: Object.keys(listeners).sort() };
"#;

#[tokio::test]
async fn the_worker_shows_a_push_and_opens_only_this_servers_pages() {
    let page = Session::start().await;
    page.open("/").await;
    // The page's own widget first: its listeners (`online`, `visibilitychange`) must not land in
    // the stand-in scope, which takes every `addEventListener` while the worker's file loads.
    page.wait_for_script(
        "return document.getElementById('trackline')?.hasAttribute('data-hydrated') === true",
    )
    .await;
    let seen = page
        .eval(&format!(
            "return (async () => {{ {WORKER_UNDER_TEST} }})();"
        ))
        .await;
    let origin = seen["origin"].as_str().unwrap().to_owned();
    assert_eq!(
        seen["kinds"],
        json!([
            "activate",
            "fetch",
            "install",
            "notificationclick",
            "push",
            "pushsubscriptionchange"
        ]),
        "{seen}"
    );
    let shown = &seen["shown"];
    assert_eq!(shown[0]["title"], "Ждёт в пункте выдачи", "{seen}");
    assert_eq!(shown[0]["options"]["body"], "Посылка 1\nПункт Ozon");
    assert_eq!(shown[0]["options"]["tag"], "parcel-1");
    assert_eq!(shown[0]["options"]["actions"][0]["action"], "stop");
    assert_eq!(
        shown[0]["options"]["actions"][0]["title"],
        "Больше не присылать"
    );
    // A push that is not JSON still shows something: a push must.
    assert_eq!(shown[1]["title"], "trackline");
    assert_eq!(
        seen["opened"],
        json!([format!("{origin}/?n=1&lang=ru"), format!("{origin}/")]),
        "a click opens the parcel's page, and never another site"
    );
    let fetched = |url: &str| -> Vec<Value> {
        seen["fetched"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|request| request["url"].as_str().is_some_and(|at| at.ends_with(url)))
            .cloned()
            .collect()
    };
    // Each replaced subscription it knows of is moved to its successor, asked for once where the
    // browser gave none.
    let moved: Vec<Value> = fetched("/api/v1/push/renew")
        .iter()
        .map(|request| serde_json::from_str(request["body"].as_str().unwrap_or("null")).unwrap())
        .collect();
    let pair = |old: &str, new: &str| json!({"endpoint": old, "subscription": {"endpoint": new, "expirationTime": null, "keys": {"p256dh": "P", "auth": "A"}}});
    assert_eq!(moved.len(), 2, "{seen}");
    assert!(
        moved.contains(&pair(
            "https://push.example/old",
            "https://push.example/new"
        )),
        "{seen}"
    );
    assert!(
        moved.contains(&pair(
            "https://push.example/older",
            "https://push.example/again"
        )),
        "{seen}"
    );
    assert_eq!(
        seen["subscribed"],
        json!([{"userVisibleOnly": true, "applicationServerKey": "KEY"}])
    );
    let fetched = fetched("/api/v1/track/1/push");
    assert_eq!(fetched.len(), 1, "{seen}");
    assert_eq!(fetched[0]["url"], format!("{origin}/api/v1/track/1/push"));
    assert_eq!(fetched[0]["method"], "DELETE");
    assert_eq!(
        fetched[0]["body"],
        r#"{"endpoint":"https://push.example/abc"}"#
    );
    page.close().await;
}

#[tokio::test]
async fn notify_me_says_what_a_browser_that_said_no_must_do_and_asks_nothing_unprompted() {
    let page = Session::start().await;
    page.cdp(
        "Browser.setPermission",
        json!({"permission": {"name": "notifications"}, "setting": "denied"}),
    )
    .await;
    page.open("/?n=1000000004&lang=ru").await;
    // Offered, not asked: no prompt, no message until the buyer taps.
    page.find("[data-testid=notify-me]")
        .await
        .click()
        .await
        .expect("it clicks");
    page.find("[data-notify=blocked]").await;
    let said = page.text("[data-testid=notify-said]").await;
    assert!(
        said.starts_with("Уведомления для этого сайта запрещены"),
        "{said}"
    );
    // A delivered parcel offers nothing.
    page.open("/?n=1000000008").await;
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    assert!(page.all("[data-testid=notify]").await.is_empty());
    page.close().await;
}

#[tokio::test]
async fn notify_me_subscribes_where_the_browser_has_a_push_service_and_says_so_where_not() {
    let page = Session::start().await;
    page.cdp(
        "Browser.setPermission",
        json!({"permission": {"name": "notifications"}, "setting": "granted"}),
    )
    .await;
    page.open("/?n=1000000004").await;
    page.find("[data-testid=notify-me]")
        .await
        .click()
        .await
        .expect("it clicks");
    let outcome = trackline_e2e::wait_until(|| async {
        page.eval("return document.querySelector('[data-testid=notify]')?.dataset.notify ?? null")
            .await
            .as_str()
            .map(str::to_owned)
    })
    .await
    .expect("the control answers");
    // Headless Chromium has no push service to subscribe with (Google's is out of reach here):
    // it says so, and the page goes on working. A browser with one ends "on".
    assert!(matches!(outcome.as_str(), "on" | "failed"), "{outcome}");
    println!("notify in headless Chromium: {outcome}");
    page.close().await;
}

#[tokio::test]
async fn a_storefronts_element_registers_no_worker_and_links_to_its_servers_page() {
    let page = Session::start().await;
    page.open("/examples/two-widgets.html").await;
    page.shadow_text("#first", "[data-testid=headline]").await;
    let registered = page
        .eval("return navigator.serviceWorker.getRegistrations().then((all) => all.length)")
        .await;
    assert_eq!(registered, json!(0));
    // Its "Notify me" opens the reference server's page for the number, in a tab of its own.
    page.wait_for_script(
        "return !!document.querySelector('#first').shadowRoot.querySelector('[data-testid=notify-elsewhere][href]')",
    )
    .await;
    let link = page
        .eval(
            "const a = document.querySelector('#first').shadowRoot.querySelector('[data-testid=notify-elsewhere]'); \
             const url = new URL(a.href); \
             return [a.target, url.origin === location.origin, url.pathname, url.searchParams.get('n'), url.searchParams.get('lang')];",
        )
        .await;
    assert_eq!(link, json!(["_blank", true, "/", "RA100000048RU", "en"]));
    // A compact element on an order page offers nothing.
    page.open("/examples/order-page.html").await;
    page.shadow_text("trackline-widget", "[data-testid=compact-line]")
        .await;
    let offered = page
        .eval("return !!document.querySelector('trackline-widget').shadowRoot.querySelector('[data-testid=notify]')")
        .await;
    assert_eq!(offered, json!(false));
    page.close().await;
}

#[tokio::test]
async fn in_the_iframe_form_notify_me_opens_the_page_in_its_own_tab() {
    let page = Session::start().await;
    page.open("/examples/iframe.html").await;
    let frame = "document.getElementById('trackline-frame').contentDocument";
    page.wait_for_script(&format!(
        "return !!{frame}?.querySelector('[data-testid=notify-elsewhere]')"
    ))
    .await;
    let link = page
        .eval(&format!(
            "const a = {frame}.querySelector('[data-testid=notify-elsewhere]'); \
             return [a.target, new URL(a.href).pathname, new URL(a.href).searchParams.get('n')];"
        ))
        .await;
    assert_eq!(link, json!(["_blank", "/", "1000000007"]));
    page.close().await;
}
