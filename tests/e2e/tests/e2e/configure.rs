//! The snippet configurator (`/configure/`): a seller changes the settings and the brand's
//! colours, the preview (the real widget) follows, and the snippet it gives renders the same
//! widget on a blank page of another origin, its loader pinned by a hash that holds.

use trackline_e2e::Session;

/// The preview's widget, inside its shadow root.
const PREVIEW: &str = "document.getElementById('cfg-preview-widget')";

/// How a widget looks: its headline, its language, its corner radius and its accent.
fn look(widget: &str) -> String {
    format!(
        "const root = {widget}.shadowRoot; \
         return [root.querySelector('[data-testid=headline]').textContent, \
                 root.querySelector('[part~=widget]').lang, \
                 getComputedStyle(root.querySelector('[part~=input]')).borderTopLeftRadius, \
                 getComputedStyle(root.querySelector('[part~=button]')).backgroundColor];"
    )
}

/// Sets a control's value and tells the page, as a seller's input would.
async fn choose(page: &Session, id: &str, value: &str, event: &str) {
    page.eval(&format!(
        "const input = document.getElementById({id:?}); input.value = {value:?}; \
         input.dispatchEvent(new Event({event:?}, {{ bubbles: true }})); return true;"
    ))
    .await;
}

#[tokio::test]
async fn a_seller_configures_the_widget_and_the_snippet_renders_it_the_same_elsewhere() {
    let page = Session::start().await;
    page.resize(1280, 900).await;
    page.open("/configure/").await;
    // The preview is the real widget, showing the demo number.
    page.wait_for_script(&format!(
        "return {PREVIEW}?.shadowRoot?.querySelector('[data-testid=headline]')?.textContent === 'In transit'"
    ))
    .await;
    let accent = format!(
        "return getComputedStyle({PREVIEW}.shadowRoot.querySelector('[part~=button]')).backgroundColor"
    );
    assert_eq!(page.eval(&accent).await, "rgb(11, 95, 255)");

    // A colour changes the preview at once; the language and the shop change what it shows.
    choose(&page, "cfg--trackline-accent", "#b3003c", "input").await;
    page.wait_for_script(&format!(
        "return getComputedStyle({PREVIEW}.shadowRoot.querySelector('[part~=button]')).backgroundColor === 'rgb(179, 0, 60)'"
    ))
    .await;
    choose(&page, "cfg--trackline-radius", "4", "input").await;
    choose(&page, "cfg-lang", "ru", "change").await;
    choose(&page, "cfg-shop", "demo", "change").await;
    page.wait_for_script(&format!(
        "return {PREVIEW}.getAttribute('shop') === 'demo' && \
         {PREVIEW}.shadowRoot.querySelector('[data-testid=headline]')?.textContent === 'В пути'"
    ))
    .await;

    // The snippet says all of it, pinned.
    page.wait_for_script(
        "return document.querySelector('[data-testid=snippet]').textContent.includes('trackline-widget-')",
    )
    .await;
    let snippet = page
        .eval("return document.querySelector('[data-testid=snippet]').textContent")
        .await
        .as_str()
        .expect("the snippet")
        .to_owned();
    for part in [
        "integrity=\"sha384-",
        "shop=\"demo\"",
        "lang=\"ru\"",
        "number=\"RA100000048RU\"",
        "--trackline-accent: #b3003c;",
        "--trackline-radius: 4px;",
        "<link rel=\"preload\" as=\"fetch\" crossorigin href=\"",
    ] {
        assert!(snippet.contains(part), "{part} is not in {snippet}");
    }
    // The order page's first line is explained beside it.
    assert_eq!(
        page.eval("return document.querySelector('[data-testid=preload-hint]') !== null")
            .await,
        serde_json::json!(true)
    );
    // All of it under the server's strict policy: no inline style, no inline script.
    page.assert_no_csp_violations().await;
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    // Copy puts exactly that on the clipboard (the browser lets this origin read it back).
    page.cdp(
        "Browser.grantPermissions",
        serde_json::json!({
            "origin": page.origin(),
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        }),
    )
    .await;
    page.eval("document.querySelector('[data-testid=copy]').click(); return true;")
        .await;
    page.wait_for_script(
        "return document.querySelector('[data-testid=copy]').textContent === 'Copied'",
    )
    .await;
    let copied = page.eval("return navigator.clipboard.readText()").await;
    assert_eq!(copied.as_str(), Some(snippet.as_str()));

    // Pasted into a blank page of another origin, it renders the same widget.
    let preview = page.eval(&look(PREVIEW)).await;
    page.open_elsewhere(format!(
        "<!doctype html><meta charset=\"utf-8\"><title>shop</title>\n{snippet}"
    ))
    .await;
    page.wait_for_script(
        "return document.querySelector('trackline-widget')?.shadowRoot?.querySelector('[data-testid=headline]') != null",
    )
    .await;
    let pasted = page
        .eval(&look("document.querySelector('trackline-widget')"))
        .await;
    assert_eq!(pasted, preview);
    // The order page's hint and the loader asked for the rendering once between them: the
    // loader's request took the hinted one.
    let asked = page
        .eval(
            "return performance.getEntriesByType('resource') \
             .filter((e) => e.name.includes('/widget?')).map((e) => e.initiatorType)",
        )
        .await;
    assert_eq!(asked, serde_json::json!(["link"]));

    // A seller who reads Chinese or Russian gets the configurator in their language.
    page.open("/configure/?lang=zh").await;
    page.wait_for_script(
        "return document.documentElement.lang === 'zh-CN' && \
         document.querySelector('h1')?.textContent === '为您的店铺配置查询组件' && \
         document.querySelector('[data-testid=copy]')?.textContent === '复制代码'",
    )
    .await;
    page.close().await;
}

#[tokio::test]
async fn the_configurator_opened_from_the_console_has_the_shop_filled_in() {
    let page = Session::start().await;
    page.resize(1280, 900).await;
    // As the console's Widget section links it, with the seller's handle.
    page.open("/configure/?shop=demo-guarded&lang=en").await;
    page.wait_for_script(&format!(
        "return document.getElementById('cfg-shop')?.value === 'demo-guarded' && \
         {PREVIEW}?.getAttribute('shop') === 'demo-guarded'"
    ))
    .await;
    page.close().await;
}
