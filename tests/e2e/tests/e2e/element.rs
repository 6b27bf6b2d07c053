//! `<trackline-widget>` is what its Custom Elements Manifest says: every attribute and property
//! it lists changes the widget, every method works, every event is dispatched, and its parts
//! and custom properties are exactly those the widget has.

use serde_json::Value;
use std::collections::BTreeSet;
use trackline_e2e::{dist_dir, Session};

fn manifest() -> Value {
    let path = dist_dir().join("custom-elements.json");
    let text = std::fs::read_to_string(&path).expect("the build wrote custom-elements.json");
    serde_json::from_str(&text).expect("the manifest is JSON")
}

fn names(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["name"].as_str().map(str::to_owned))
        .collect()
}

/// Where each check starts: a status in English, in the default theme.
const RESET: &str =
    "for (const name of ['endpoint', 'shop', 'compact', 'theme']) w.removeAttribute(name); \
                     w.setAttribute('lang', 'en'); w.setAttribute('number', 'RA100000048RU')";
const STARTED: &str = "root.querySelector('[part~=widget]')?.lang === 'en' \
                       && root.querySelector('[part~=widget]').dataset.theme === 'auto' \
                       && root.querySelector('[data-testid=shipment][data-stage=in_transit]') \
                       && root.querySelector('[data-testid=headline]')?.textContent === 'In transit'";

/// Sets up something on the element `w` (its shadow root is `root`), then waits for what must follow.
async fn step(page: &Session, action: &str, then: &str) {
    page.eval(&format!(
        "const w = document.getElementById('w'); const root = w.shadowRoot; {action}; return true;"
    ))
    .await;
    page.wait_for_script(&format!(
        "const w = document.getElementById('w'); const root = w.shadowRoot; \
         const found = Boolean({then}); if (found) collect(); return found;"
    ))
    .await;
}

#[tokio::test]
async fn the_element_is_what_its_manifest_says() {
    let manifest = manifest();
    assert_eq!(manifest["schemaVersion"], "2.1.0");
    let module = &manifest["modules"][0];
    let declaration = &module["declarations"][0];
    assert_eq!(declaration["tagName"], "trackline-widget");
    let events: Vec<String> = names(&declaration["events"]).into_iter().collect();

    let page = Session::start().await;
    let origin = page.origin().to_owned();
    // A storefront of another origin, listening on `document` for every event the manifest lists.
    page.open_elsewhere(format!(
        r#"<!doctype html><meta charset="utf-8"><title>shop</title>
<script>
window.heard = {{}};
for (const name of {events}) document.addEventListener(name, (e) => (heard[name] ??= []).push(e.detail));
window.parts = new Set();
window.collect = () => {{
  for (const node of document.getElementById("w").shadowRoot.querySelectorAll("[part]"))
    for (const part of node.getAttribute("part").split(/\s+/)) parts.add(part);
}};
</script>
<script type="module" src="{origin}/trackline-widget.js"></script>
<trackline-widget id="w" lang="en"></trackline-widget>"#,
        events = serde_json::to_string(&events).unwrap(),
    ))
    .await;
    step(&page, "", "root?.querySelector('[part~=input]')").await;
    step(&page, RESET, STARTED).await;

    // The loader observes exactly the attributes listed.
    let observed = page
        .eval("return [...customElements.get('trackline-widget').observedAttributes].sort()")
        .await;
    let listed: Vec<String> = names(&declaration["attributes"]).into_iter().collect();
    assert_eq!(observed, serde_json::json!(listed));

    // A custom property changes what it says, before and after the wasm alike.
    step(
        &page,
        "w.style.setProperty('--trackline-accent', 'rgb(1, 2, 3)')",
        "getComputedStyle(root.querySelector('[part~=button]')).backgroundColor === 'rgb(1, 2, 3)'",
    )
    .await;

    // Each attribute the manifest lists, set on the element, changes the widget.
    let not_found = format!("{origin}/api/v1/shops/no-such-shop/track/{{number}}");
    let mut checked = BTreeSet::new();
    for attribute in &listed {
        let (action, then) = match attribute.as_str() {
            "number" => (
                "w.setAttribute('number', '1000000008')".to_owned(),
                "root.querySelector('[data-testid=shipment][data-stage=delivered]')".to_owned(),
            ),
            "lang" => (
                "w.setAttribute('lang', 'ru')".to_owned(),
                "root.querySelector('[part~=widget]')?.lang === 'ru' && root.querySelector('[part~=status]')".to_owned(),
            ),
            "theme" => (
                "w.setAttribute('theme', 'dark')".to_owned(),
                "root.querySelector('[part~=widget]')?.dataset.theme === 'dark'".to_owned(),
            ),
            "compact" => (
                "w.setAttribute('compact', '')".to_owned(),
                "root.querySelector('[part~=compact]') && !root.querySelector('[part~=form]')".to_owned(),
            ),
            "shop" => (
                "w.removeAttribute('compact'); w.setAttribute('shop', 'no-such-shop')".to_owned(),
                "root.querySelector('[part~=failure]')".to_owned(),
            ),
            "endpoint" => (
                format!("w.removeAttribute('shop'); w.setAttribute('endpoint', {not_found:?})"),
                "root.querySelector('[part~=failure]')".to_owned(),
            ),
            other => panic!("the manifest lists the attribute {other}, which this test cannot check"),
        };
        step(&page, &action, &then).await;
        checked.insert(attribute.clone());
        // Back to where it started between checks, so that each one's change is its own.
        step(&page, RESET, STARTED).await;
    }
    assert_eq!(checked.len(), listed.len());

    // Each property reflects its attribute, both ways; setting one changes the widget.
    let fields: Vec<&Value> = declaration["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|member| member["kind"] == "field")
        .collect();
    assert_eq!(
        fields
            .iter()
            .map(|field| field["attribute"].as_str().unwrap_or_default().to_owned())
            .collect::<BTreeSet<_>>(),
        names(&declaration["attributes"]),
        "a property for each attribute"
    );
    for field in &fields {
        let name = field["name"].as_str().expect("a name");
        let reflects = if field["type"]["text"] == "boolean" {
            format!(
                "w.{name} = true; const on = w.hasAttribute('{name}') && w.{name} === true; \
                 w.{name} = false; const off = !w.hasAttribute('{name}') && w.{name} === false; \
                 w.toggleAttribute('{name}', true); const back = w.{name} === true; \
                 w.removeAttribute('{name}'); return on && off && back;"
            )
        } else {
            format!(
                "const before = w.getAttribute('{name}'); w.{name} = 'en'; \
                 const set = w.getAttribute('{name}') === 'en' && w.{name} === 'en'; \
                 w.setAttribute('{name}', 'ru'); const read = w.{name} === 'ru'; \
                 if (before === null) w.removeAttribute('{name}'); else w.setAttribute('{name}', before); \
                 return set && read;"
            )
        };
        let result = page
            .eval(&format!(
                "const w = document.getElementById('w'); {reflects}"
            ))
            .await;
        assert_eq!(
            result,
            Value::Bool(true),
            "the property {name} does not reflect"
        );
    }
    step(
        &page,
        "w.number = '0132112277'",
        "root.querySelector('[data-testid=parcel-summary]')",
    )
    .await;

    // Each method does what it says.
    let methods: Vec<&str> = declaration["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|member| member["kind"] == "method")
        .filter_map(|member| member["name"].as_str())
        .collect();
    for method in &methods {
        match *method {
            "lookup" => {
                step(
                    &page,
                    "w.lookup('1000000007')",
                    "root.querySelector('[part~=pickup-code]')?.textContent === '4821' && w.getAttribute('number') === '0132112277'",
                )
                .await
            }
            "refresh" => {
                let asked = "performance.getEntriesByType('resource').filter((e) => e.name.includes('/track/1000000007')).length";
                let before = page.eval(&format!("return {asked}")).await;
                step(
                    &page,
                    "w.refresh()",
                    &format!("{asked} > {before} && root.querySelector('[part~=pickup-code]')"),
                )
                .await
            }
            other => panic!("the manifest lists the method {other}, which this test cannot check"),
        }
    }
    // An unknown number: the failure, and the error event.
    step(
        &page,
        "w.lookup('RA999999995RU')",
        "root.querySelector('[part~=failure]')",
    )
    .await;

    // Every event listed was dispatched, with the detail it says.
    let heard = page.eval("return heard").await;
    for event in &events {
        let details = heard[event]
            .as_array()
            .unwrap_or_else(|| panic!("{event} never came"));
        assert!(
            details.iter().all(|detail| detail["number"].is_string()),
            "{event}: {details:?}"
        );
    }
    let codes: Value = serde_json::from_str::<Value>(
        &std::fs::read_to_string(trackline_e2e::project_root().join("embed/element.json"))
            .expect("the element's description"),
    )
    .expect("JSON")["types"]["TracklineErrorCode"]
        .clone();
    for detail in heard["trackline:error"].as_array().into_iter().flatten() {
        assert!(
            codes
                .as_array()
                .is_some_and(|codes| codes.contains(&detail["code"])),
            "{detail}"
        );
    }
    assert!(heard["trackline:status"][0]["shipments"][0]["stage"].is_string());

    // The parts seen across the form, a status, a split order, a pickup, a failure and the
    // compact form are exactly those listed.
    let seen: BTreeSet<String> =
        serde_json::from_value(page.eval("return [...parts]").await).expect("part names");
    assert_eq!(seen, names(&declaration["cssParts"]));

    // The custom properties the styles read are exactly those listed.
    let read: BTreeSet<String> = serde_json::from_value(
        page.eval(
            "const css = [...document.getElementById('w').shadowRoot.adoptedStyleSheets] \
             .flatMap((sheet) => [...sheet.cssRules]).map((rule) => rule.cssText).join('\\n'); \
             return [...new Set(css.match(/var\\(--trackline-[a-z-]+/g).map((v) => v.slice(4)))];",
        )
        .await,
    )
    .expect("property names");
    assert_eq!(read, names(&declaration["cssProperties"]));
    page.close().await;
}

#[tokio::test]
async fn the_reference_page_is_made_from_the_manifest_and_its_examples_are_live() {
    let manifest = manifest();
    let declaration = &manifest["modules"][0]["declarations"][0];
    let page = Session::start().await;
    page.resize(1280, 900).await;
    page.open("/docs/widget").await;
    page.wait_for_script("return location.pathname === '/docs/widget/'")
        .await;

    // Every name the manifest gives is in the page's tables.
    let cells: Vec<String> = serde_json::from_value(
        page.eval("return [...document.querySelectorAll('td code')].map((c) => c.textContent)")
            .await,
    )
    .expect("the tables' code");
    for list in ["attributes", "events", "cssParts", "cssProperties"] {
        for name in names(&declaration[list]) {
            assert!(cells.contains(&name), "{list}: {name} is not on the page");
        }
    }
    for member in declaration["members"].as_array().expect("members") {
        let name = member["name"].as_str().expect("a name");
        let shown = if member["kind"] == "method" {
            cells
                .iter()
                .any(|cell| cell.starts_with(&format!("{name}(")))
        } else {
            cells.contains(&name.to_owned())
        };
        assert!(shown, "{name} is not on the page");
    }

    // Every example is the real widget on the demo data.
    page.wait_for_script(
        "const all = [...document.querySelectorAll('trackline-widget')]; \
         return all.length >= 6 && all.every((w) => w.shadowRoot?.querySelector('[part~=status], [part~=compact]'));",
    )
    .await;
    // The events example writes what it heard.
    page.wait_for_script(
        "return document.getElementById('heard').textContent.includes('trackline:status')",
    )
    .await;
    // The methods example's buttons call the methods.
    page.eval("document.getElementById('lookup').click(); return true;")
        .await;
    page.wait_for_script(
        "return document.getElementById('methods-example').shadowRoot.querySelector('[part~=pickup-code]')?.textContent === '4821'",
    )
    .await;
    let asked = "performance.getEntriesByType('resource').filter((e) => e.name.includes('/track/1000000007')).length";
    let before = page.eval(&format!("return {asked}")).await;
    page.eval("document.getElementById('refresh').click(); return true;")
        .await;
    page.wait_for_script(&format!("return {asked} > {before}"))
        .await;
    // The parts and custom-properties examples are styled by the page's own stylesheet.
    page.wait_for_script(
        "const code = document.querySelector('.parted').shadowRoot.querySelector('[part~=pickup-code]'); \
         return code !== null && getComputedStyle(code).letterSpacing !== 'normal';",
    )
    .await;
    page.wait_for_script(
        "const button = document.querySelector('.branded').shadowRoot.querySelector('[part~=button]'); \
         return button !== null && getComputedStyle(button).backgroundColor === 'rgb(179, 0, 60)';",
    )
    .await;
    page.assert_no_csp_violations().await;
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    page.close().await;
}
