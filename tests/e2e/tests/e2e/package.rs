//! The npm package as a shop's web developer meets it: packed, installed from the tarball into
//! an empty project, then imported by its name through an import map, and bundled by Vite, both
//! showing a status from the real server; its declarations and manifest checked by `tsc` as an
//! editor reads them.

use std::path::{Path, PathBuf};
use tokio::process::Command;
use trackline_e2e::{project_root, serve_dir, Session};

fn tool(name: &str) -> PathBuf {
    project_root().join(".tools/node_modules/.bin").join(name)
}

/// Runs a command in `dir`; fails the test with its output if it fails. Returns its output.
async fn run(dir: &Path, program: &Path, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .await
        .unwrap_or_else(|error| panic!("{} does not start: {error}", program.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{} {args:?}: {text}",
        program.display()
    );
    text
}

/// Packs the package (`npm pack`) and installs the tarball into a new, empty project.
async fn installed(name: &str) -> PathBuf {
    let package = project_root().join("target/npm/trackline-widget");
    assert!(
        package.join("package.json").is_file(),
        "no package in {}: cargo xtask package (cargo xtask test makes it)",
        package.display()
    );
    let dir = std::env::temp_dir().join(format!("trackline-npm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app = dir.join("app");
    std::fs::create_dir_all(&app).expect("a temporary directory");
    let packed = run(
        &dir,
        Path::new("npm"),
        &[
            "pack",
            &package.display().to_string(),
            "--pack-destination",
            ".",
            "--silent",
        ],
    )
    .await;
    let tarball = packed
        .lines()
        .rfind(|line| line.ends_with(".tgz"))
        .expect("npm pack names its tarball")
        .trim()
        .to_owned();
    std::fs::write(
        app.join("package.json"),
        r#"{"name": "shop", "private": true, "type": "module"}"#,
    )
    .expect("the project's package.json");
    run(
        &app,
        Path::new("npm"),
        &[
            "install",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--silent",
            &format!("../{tarball}"),
        ],
    )
    .await;
    app
}

/// The element as a storefront writes it: the real server's lookup as its endpoint.
fn element(page: &Session) -> String {
    format!(
        r#"<trackline-widget endpoint="{}/api/v1/track/{{number}}" number="1000000007" lang="en"></trackline-widget>"#,
        page.origin()
    )
}

/// Opens the shop's page, which shows the parcel at the pickup point, its wasm fetched from
/// under `wasm_from` (and checked against the integrity the loader holds).
async fn shows_a_status(page: &Session, shop: &str, wasm_from: &str) {
    page.goto(&format!("{shop}/")).await;
    assert_eq!(
        page.shadow_text("trackline-widget", "[data-testid=pickup-code]")
            .await,
        "4821"
    );
    let wasm = page
        .eval("return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm'))")
        .await;
    assert!(
        wasm.as_array().is_some_and(|names| names.len() == 1
            && names[0]
                .as_str()
                .is_some_and(|name| name.starts_with(wasm_from))),
        "{wasm}"
    );
}

#[tokio::test]
async fn the_package_imported_by_its_name_through_an_import_map_shows_a_status() {
    let app = installed("import-map").await;
    let page = Session::start().await;
    std::fs::write(
        app.join("index.html"),
        format!(
            r#"<!doctype html><meta charset="utf-8"><title>shop</title>
<script type="importmap">{{"imports": {{"trackline-widget": "./node_modules/trackline-widget/trackline-widget.js"}}}}</script>
<script type="module">import "trackline-widget";</script>
{}"#,
            element(&page)
        ),
    )
    .expect("the page");
    let shop = serve_dir(app.clone()).await;
    // Its wasm came from beside the loader in node_modules, checked against its integrity.
    shows_a_status(
        &page,
        &shop,
        &format!("{shop}/node_modules/trackline-widget/"),
    )
    .await;
    page.close().await;
    let _ = std::fs::remove_dir_all(app.parent().unwrap_or(&app));
}

#[tokio::test]
async fn the_package_from_a_cdn_path_on_another_origin_shows_a_status() {
    // As unpkg or jsDelivr serve it: the package's folder under a path of an origin of its own.
    let app = installed("cdn").await;
    let page = Session::start().await;
    let cdn = serve_dir(app.join("node_modules")).await;
    let shop_dir = app.join("shop");
    std::fs::create_dir_all(&shop_dir).expect("the shop's folder");
    std::fs::write(
        shop_dir.join("index.html"),
        format!(
            r#"<!doctype html><meta charset="utf-8"><title>shop</title>
<script type="module" src="{cdn}/trackline-widget/trackline-widget.js"></script>
{}"#,
            element(&page)
        ),
    )
    .expect("the page");
    let shop = serve_dir(shop_dir).await;
    shows_a_status(&page, &shop, &format!("{cdn}/trackline-widget/")).await;
    page.close().await;
    let _ = std::fs::remove_dir_all(app.parent().unwrap_or(&app));
}

#[tokio::test]
async fn a_page_bundled_by_vite_from_the_package_shows_a_status() {
    let app = installed("vite").await;
    let page = Session::start().await;
    std::fs::write(
        app.join("index.html"),
        format!(
            r#"<!doctype html><meta charset="utf-8"><title>shop</title>
<script type="module" src="./main.js"></script>
{}"#,
            element(&page)
        ),
    )
    .expect("the page");
    std::fs::write(app.join("main.js"), "import \"trackline-widget\";\n").expect("the script");
    let built = run(&app, &tool("vite"), &["build", "--logLevel", "warn"]).await;
    // Nothing the bundler had to guess about: every file the package names is there.
    assert!(!built.contains("doesn't exist"), "{built}");
    let shop = serve_dir(app.join("dist")).await;
    // The bundle carried the wasm along: served from the shop's own assets.
    shows_a_status(&page, &shop, &format!("{shop}/assets/")).await;
    page.close().await;
    let _ = std::fs::remove_dir_all(app.parent().unwrap_or(&app));
}

#[tokio::test]
async fn the_declarations_and_the_manifest_hold_a_developers_code_to_the_element() {
    let app = installed("types").await;
    // React's types and the manifest's schema, as a developer's project has them.
    let types = app.join("node_modules/@types");
    std::fs::create_dir_all(&types).expect("node_modules/@types");
    let tools = project_root().join(".tools/node_modules");
    std::os::unix::fs::symlink(tools.join("@types/react"), types.join("react"))
        .expect("React's types");
    std::os::unix::fs::symlink(
        tools.join("custom-elements-manifest"),
        app.join("node_modules/custom-elements-manifest"),
    )
    .expect("the manifest's schema");
    std::fs::write(
        app.join("tsconfig.json"),
        r#"{"compilerOptions": {"strict": true, "noEmit": true, "target": "ES2022", "module": "ESNext",
  "moduleResolution": "bundler", "jsx": "react-jsx", "lib": ["ES2022", "DOM", "DOM.Iterable"],
  "types": [], "resolveJsonModule": true}, "files": ["usage.tsx", "manifest.ts"]}"#,
    )
    .expect("tsconfig.json");
    std::fs::write(app.join("usage.tsx"), USAGE).expect("usage.tsx");
    // The manifest, as written, against the schema's types (a field it lacks, or one of the
    // wrong shape, fails).
    let manifest =
        std::fs::read_to_string(app.join("node_modules/trackline-widget/custom-elements.json"))
            .expect("the package's manifest");
    std::fs::write(
        app.join("manifest.ts"),
        format!(
            "{MANIFEST_CHECK}export const manifest = {} satisfies Manifest;\n",
            manifest.trim()
        ),
    )
    .expect("manifest.ts");
    run(&app, &tool("tsc"), &["-p", "tsconfig.json"]).await;

    // And the check can fail: a wrong use that the declarations let through fails it.
    std::fs::write(app.join("usage.tsx"), format!("{USAGE}\nexport const wrong: number = document.createElement(\"trackline-widget\").number;\n"))
        .expect("usage.tsx");
    let refused = Command::new(tool("tsc"))
        .args(["-p", "tsconfig.json"])
        .current_dir(&app)
        .output()
        .await
        .expect("tsc runs");
    assert!(!refused.status.success(), "tsc let a wrong use through");
    let _ = std::fs::remove_dir_all(app.parent().unwrap_or(&app));
}

/// The schema's types, with a custom element's fields as the schema's own `CustomElementField`
/// (its `attribute` and `reflects`), which its `members` list leaves out.
const MANIFEST_CHECK: &str = r#"import type { Package, ClassField, CustomElementField } from "custom-elements-manifest";
type Fields<T> = T extends ClassField ? CustomElementField
  : T extends Array<infer U> ? Array<Fields<U>>
  : T extends object ? { [K in keyof T]: Fields<T[K]> } : T;
type Manifest = Fields<Package>;
"#;

/// A developer's code: the element's class, properties, methods and events, the tag in
/// `querySelector` and `createElement`, `document`'s events and React 19's JSX; and wrong uses
/// the declarations must refuse (each `@ts-expect-error` fails the check if nothing is wrong).
const USAGE: &str = r#"import "trackline-widget";
import type { TracklineWidgetElement, TracklineErrorCode } from "trackline-widget";
import type {} from "trackline-widget/react";

const widget = document.querySelector("trackline-widget");
if (widget) {
  const element: TracklineWidgetElement = widget;
  element.number = "RA100000048RU";
  element.endpoint = "https://track.shop.example/api/v1/track/{number}";
  element.shop = null;
  element.compact = true;
  element.theme = "dark";
  element.lang = "ru";
  element.lookup("RA100000048RU");
  element.refresh();
  element.addEventListener("trackline:status", (event) => {
    const stage: string = event.detail.shipments[0]?.stage ?? "";
    const parcel: string | null = event.detail.shipments[0]?.shipment_number ?? null;
    console.log(stage, parcel, event.detail.number);
  });
  element.addEventListener("trackline:error", (event) => {
    const code: TracklineErrorCode = event.detail.code;
    console.log(code);
  });
  // @ts-expect-error: a theme the element does not have
  element.theme = "sepia";
  // @ts-expect-error: lookup takes the number as text
  element.lookup(42);
  // @ts-expect-error: compact is a boolean
  element.compact = "yes";
  element.addEventListener("trackline:error", (event) => {
    // @ts-expect-error: an error's detail has no shipments
    console.log(event.detail.shipments);
  });
}
document.addEventListener("trackline:status", (event) => console.log(event.detail.number));
const created: TracklineWidgetElement = document.createElement("trackline-widget");
console.log(created.compact);

export const Tracking = () => (
  <trackline-widget number="RA100000048RU" lang="ru" theme="light" compact
    ontrackline:status={(event) => console.log(event.detail.shipments.length)} />
);
// @ts-expect-error: a language the widget does not speak
export const Wrong = () => <trackline-widget lang="fr" />;
"#;
