//! The element's reference page (`/docs/widget` on the reference server), made from its Custom
//! Elements Manifest: how to bring it in, then its attributes and properties, events, methods,
//! parts and custom properties, each table from the manifest with a live example of the real
//! widget on the demo data, and the Content-Security-Policy a page needs.

use crate::cmd::Done;
use serde_json::Value;
use std::path::Path;

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn list<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value[key].as_array().into_iter().flatten()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// A table: a header row, then rows of cells already made HTML.
fn table(head: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let head: String = head.iter().map(|cell| format!("<th>{cell}</th>")).collect();
    let rows: String = rows
        .map(|row| {
            let cells: String = row.iter().map(|cell| format!("<td>{cell}</td>")).collect();
            format!("<tr>{cells}</tr>\n")
        })
        .collect();
    format!("<div class=\"scroll\"><table><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table></div>\n")
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

/// A block of code to copy.
fn block(text: &str) -> String {
    format!(
        "<pre tabindex=\"0\"><code>{}</code></pre>\n",
        escape(text.trim())
    )
}

/// A live example: what it shows, the markup (shown as code and put in the page as it is).
fn example(caption: &str, markup: &str) -> String {
    format!(
        "<figure class=\"example\"><figcaption>{}</figcaption>\n{}<div class=\"live\">{}</div></figure>\n",
        escape(caption),
        block(markup),
        markup.trim()
    )
}

/// The reference page's HTML, from the manifest.
pub fn page(manifest: &Value) -> String {
    let declaration = &manifest["modules"][0]["declarations"][0];
    let tag = text(declaration, "tagName");
    let members: Vec<&Value> = list(declaration, "members").collect();
    let field = |attribute: &str| {
        members
            .iter()
            .find(|member| member["kind"] == "field" && member["attribute"] == attribute)
            .copied()
    };

    let attributes = table(
        &["attribute", "property", "type", "default", "meaning"],
        list(declaration, "attributes").map(|attribute| {
            let name = text(attribute, "name");
            let property = field(name).map_or_else(String::new, |field| {
                format!(
                    "{}<br>{}",
                    code(text(field, "name")),
                    code(text(&field["type"], "text"))
                )
            });
            vec![
                code(name),
                property,
                code(text(&attribute["type"], "text")),
                attribute["default"]
                    .as_str()
                    .map_or_else(|| "none".to_owned(), code),
                escape(text(attribute, "description")),
            ]
        }),
    );
    let events = table(
        &["event", "type", "meaning"],
        list(declaration, "events").map(|event| {
            vec![
                code(text(event, "name")),
                code(text(&event["type"], "text")),
                escape(text(event, "description")),
            ]
        }),
    );
    let methods = table(
        &["method", "meaning"],
        members
            .iter()
            .filter(|member| member["kind"] == "method")
            .map(|method| {
                let parameters: Vec<String> = list(method, "parameters")
                    .map(|p| format!("{}: {}", text(p, "name"), text(&p["type"], "text")))
                    .collect();
                vec![
                    code(&format!(
                        "{}({}): {}",
                        text(method, "name"),
                        parameters.join(", "),
                        text(&method["return"]["type"], "text")
                    )),
                    escape(text(method, "description")),
                ]
            }),
    );
    let parts = table(
        &["part", "what"],
        list(declaration, "cssParts")
            .map(|part| vec![code(text(part, "name")), escape(text(part, "description"))]),
    );
    let properties = table(
        &["custom property", "default", "what"],
        list(declaration, "cssProperties").map(|property| {
            vec![
                code(text(property, "name")),
                code(text(property, "default")),
                escape(text(property, "description")),
            ]
        }),
    );

    let importing = [
        (
            "A script tag (any storefront that allows one)",
            format!(
                "<script type=\"module\" src=\"https://track.shop.example/trackline-widget.js\"></script>\n\
                 <{tag} shop=\"demo\" number=\"RA100000048RU\"></{tag}>"
            ),
            "Pin a version with trackline-widget-<version>.js and its integrity hash: the configurator (/configure/ on this server) and cargo xtask snippet make both.",
        ),
        (
            "npm, then an import",
            format!(
                "npm install trackline-widget\n\n\
                 import \"trackline-widget\";\n\n\
                 <{tag} endpoint=\"https://track.shop.example/api/v1/shops/demo/track/{{number}}\" number=\"RA100000048RU\"></{tag}>"
            ),
            "From the package, an element asks its endpoint, or the page's own origin without one.",
        ),
        (
            "A bundler",
            "// Vite carries the wasm, the glue and the styles along by itself (webpack 5 and Parcel 2\n\
             // follow new URL(…, import.meta.url) too, by their documentation).\n\
             import \"trackline-widget\";\n\
             // esbuild does not follow new URL(…, import.meta.url): copy\n\
             // node_modules/trackline-widget/*.wasm and *.css next to the bundle."
                .to_owned(),
            "The loader finds its files beside itself (import.meta.url): node_modules, a bundle's assets and a CDN path alike.",
        ),
        (
            "React 19",
            format!(
                "import \"trackline-widget\";\n\
                 import type {{}} from \"trackline-widget/react\"; // the element in JSX, typed\n\n\
                 export function Tracking({{ number }}: {{ number: string }}) {{\n\
                 \x20 return <{tag} number={{number}} lang=\"ru\"\n\
                 \x20   ontrackline:status={{(event) => console.log(event.detail.shipments)}} />;\n\
                 }}"
            ),
            "React 19 sets the element's properties and adds on… props as listeners.",
        ),
        (
            "Vue",
            format!(
                "// vite.config.js, with @vitejs/plugin-vue: the tag is no Vue component\n\
                 vue({{ template: {{ compilerOptions: {{ isCustomElement: (tag) => tag === \"{tag}\" }} }} }})\n\n\
                 <{tag} :number=\"number\" lang=\"ru\" @trackline:status=\"onStatus\" />"
            ),
            "Vue passes attributes and listens with @ on the element's events.",
        ),
    ]
    .iter()
    .map(|(title, snippet, note)| {
        format!(
            "<h3>{}</h3>\n{}<p>{}</p>\n",
            escape(title),
            block(snippet),
            escape(note)
        )
    })
    .collect::<String>();

    let csp = "script-src 'self' https://track.shop.example 'wasm-unsafe-eval';\nconnect-src 'self' https://track.shop.example;";

    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>&lt;{tag}&gt; reference</title>
<link rel="stylesheet" href="/docs/widget/reference.css">
<script src="/examples/csp-violations.js"></script>
<script type="module" src="/trackline-widget.js"></script>
<script type="module" src="/docs/widget/reference.js"></script>
</head>
<body>
<main>
<h1>&lt;{tag}&gt;</h1>
<p class="lead">{summary}</p>
<p>{description}</p>
<nav aria-label="On this page"><a href="#importing">Importing</a> · <a href="#attributes">Attributes and properties</a> · <a href="#events">Events</a> · <a href="#methods">Methods</a> · <a href="#parts">Parts</a> · <a href="#custom-properties">Custom properties</a> · <a href="#csp">Content-Security-Policy</a> · <a href="/custom-elements.json">custom-elements.json</a></nav>

<section id="importing"><h2>Importing</h2>
{importing}</section>

<section id="attributes"><h2>Attributes and properties</h2>
<p>Each attribute has a property that reflects it; changing either updates the widget.</p>
{attributes}{attributes_example}{compact_example}</section>

<section id="events"><h2>Events</h2>
<p>They bubble and cross the shadow root: listen on the element or on <code>document</code>.</p>
{events}{events_example}<p>Heard on this page:</p>
<output id="heard" data-testid="heard" data-events="{event_names}" aria-live="polite">nothing yet</output>
</section>

<section id="methods"><h2>Methods</h2>
{methods}{methods_example}<p><button type="button" id="lookup" data-number="1000000007">lookup("1000000007")</button>
<button type="button" id="refresh">refresh()</button></p>
</section>

<section id="parts"><h2>Parts</h2>
<p>Style the widget's insides with <code>::part()</code>; nothing else of the page reaches in.</p>
{parts}{parts_example}</section>

<section id="custom-properties"><h2>Custom properties</h2>
<p>Set on the element or any ancestor; each has a default that works when the page sets none, and a -dark twin for the dark theme. Colours that carry meaning (done green, warning red) are not themeable.</p>
{properties}{properties_example}</section>

<section id="csp"><h2>Content-Security-Policy</h2>
<p>The widget needs no inline script or style and no eval; compiling its wasm needs <code>'wasm-unsafe-eval'</code>. Allow the widget's origin where scripts and requests come from:</p>
{csp}<p>Its styles are adopted by its shadow root as a constructed stylesheet: no <code>style-src</code> is needed. This page runs under <code>default-src 'self'</code> with no inline code.</p>
</section>
</main>
</body>
</html>
"##,
        summary = escape(text(declaration, "summary")),
        description = escape(text(declaration, "description")),
        attributes_example = example(
            "The attributes: a shop, a number, a language and a theme.",
            &format!(r#"<{tag} shop="demo" number="RA100000048RU" lang="ru" theme="dark"></{tag}>"#)
        ),
        compact_example = example(
            "compact: one line a parcel, for an order page.",
            &format!(r#"<{tag} number="0132112277" lang="en" compact></{tag}>"#)
        ),
        events_example = example(
            "This widget's events are written below as they come.",
            &format!(r#"<{tag} id="events-example" number="1000000008" lang="en"></{tag}>"#)
        ),
        methods_example = example(
            "The buttons call the methods on this widget.",
            &format!(r#"<{tag} id="methods-example" number="RA100000048RU" lang="en"></{tag}>"#)
        ),
        parts_example = example(
            "trackline-widget.parted::part(pickup-code) { letter-spacing: 0.4em; } in this page's stylesheet.",
            &format!(r#"<{tag} class="parted" number="1000000007" lang="zh"></{tag}>"#)
        ),
        properties_example = example(
            "A shop's brand: --trackline-accent: #b3003c; --trackline-radius: 2px; in this page's stylesheet.",
            &format!(r#"<{tag} class="branded" number="RA200000010RU" lang="en" theme="light"></{tag}>"#)
        ),
        csp = block(csp),
        event_names = escape(
            &serde_json::to_string(
                &list(declaration, "events")
                    .map(|event| text(event, "name"))
                    .collect::<Vec<_>>()
            )
            .unwrap_or_default()
        ),
    )
}

/// Writes the reference page, its stylesheet and its script into `dir/docs/widget/`.
///
/// # Errors
/// When a file cannot be read or written.
pub fn write(manifest: &Value, source: &Path, dir: &Path) -> Done {
    let out = dir.join("docs/widget");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("index.html"), page(manifest))?;
    for file in ["reference.css", "reference.js"] {
        std::fs::copy(source.join("embed/reference").join(file), out.join(file))?;
    }
    Ok(())
}
