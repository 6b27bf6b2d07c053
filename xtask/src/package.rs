//! The npm package a shop's web developer installs (`trackline-widget`), made from the built
//! widget in `dist/`: the loader as an ES module that finds its glue, wasm and stylesheet beside
//! itself (`import.meta.url`), those files, the Custom Elements Manifest and the TypeScript
//! declarations. It is packed and installed by the tests, never published from here.

use crate::cmd::{ensure, Done};
use crate::dist::{built, built_wasm_and_glue, loader, version, Home};
use std::path::{Path, PathBuf};

/// Where the package is made.
pub const OUT: &str = "target/npm/trackline-widget";

/// Makes the package in `target/npm/trackline-widget` from `dist/`.
///
/// # Errors
/// When no widget has been built, or a file cannot be written.
pub fn make() -> Done {
    let dist = Path::new("dist");
    ensure(
        dist.join("index.html").is_file(),
        "no built widget in dist/: trunk build --release (cargo xtask test does)",
    )?;
    let source = crate::cmd::root();
    let out = PathBuf::from(OUT);
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    let element = crate::element::read(&source)?;

    let (wasm, module) = built_wasm_and_glue(dist)?;
    let css = built(dist, "trackline-", ".css")?;
    for file in [&wasm, &css] {
        std::fs::copy(dist.join(file), out.join(file))?;
    }
    // The glue's own fallback names the wasm as wasm-bindgen wrote it, before trunk hashed it: a
    // bundler looking for that file warns that it is missing. It names the file that is there.
    // (As the build's minifier writes it, in double quotes.)
    const WRITTEN: &str = "\"trackline_bg.wasm\"";
    let glue = std::fs::read_to_string(dist.join(&module))?;
    ensure(
        glue.contains(WRITTEN),
        format!("{module} does not name the wasm as {WRITTEN}"),
    )?;
    let glue = glue.replace(WRITTEN, &format!("\"./{wasm}\""));
    std::fs::write(out.join(&module), glue)?;
    std::fs::write(
        out.join(crate::element::LOADER),
        loader(dist, &source, &element, Home::Page)?,
    )?;
    crate::element::write(&element, &out)?;
    let version = version(&source)?;
    std::fs::write(out.join("README.md"), readme(&element, &version))?;

    let files = [
        crate::element::LOADER,
        &module,
        &wasm,
        &css,
        "custom-elements.json",
        "trackline-widget.d.ts",
        "react.d.ts",
        "README.md",
    ];
    // Written out in order: a conditional export's first matching condition wins, so `types`
    // goes before `default` (serde_json's maps would sort them the other way).
    let quote = |text: &str| serde_json::Value::from(text).to_string();
    let files: Vec<String> = files.iter().map(|file| quote(file)).collect();
    let manifest = format!(
        r#"{{
  "name": "trackline-widget",
  "version": {version},
  "description": {description},
  "license": "MIT OR Apache-2.0",
  "keywords": ["web-component", "custom-element", "shipment-tracking", "parcel-tracking", "webassembly"],
  "type": "module",
  "main": "./trackline-widget.js",
  "module": "./trackline-widget.js",
  "types": "./trackline-widget.d.ts",
  "exports": {{
    ".": {{
      "types": "./trackline-widget.d.ts",
      "default": "./trackline-widget.js"
    }},
    "./react": {{
      "types": "./react.d.ts"
    }},
    "./custom-elements.json": "./custom-elements.json",
    "./package.json": "./package.json"
  }},
  "customElements": "custom-elements.json",
  "unpkg": "trackline-widget.js",
  "jsdelivr": "trackline-widget.js",
  "sideEffects": ["./trackline-widget.js"],
  "files": [{files}]
}}
"#,
        version = quote(&version),
        description = element["summary"],
        files = files.join(", "),
    );
    std::fs::write(out.join("package.json"), manifest)?;
    println!("package: {OUT}");
    Ok(())
}

/// The package's README: how to bring the element in, in the ways a web developer does.
fn readme(element: &serde_json::Value, version: &str) -> String {
    let tag = element["tag"].as_str().unwrap_or("trackline-widget");
    format!(
        "# trackline-widget {version}\n\n\
         {summary}\n\n\
         ```sh\nnpm install trackline-widget\n```\n\n\
         ```js\nimport \"trackline-widget\";\n```\n\n\
         ```html\n<{tag} endpoint=\"https://track.shop.example/api/v1/shops/demo/track/{{number}}\" number=\"RA100000048RU\"></{tag}>\n```\n\n\
         The element asks `endpoint` (a URL template with `{{number}}`) for the status; without it, the\n\
         page's own origin (`/api/v1/track/{{number}}`). The loader finds its WebAssembly, glue and\n\
         styles beside itself, so it works from `node_modules`, a bundle (Vite carries the files\n\
         along; webpack 5 and Parcel 2 follow `new URL(…, import.meta.url)` too) and a CDN path (`https://unpkg.com/trackline-widget`) alike. With esbuild,\n\
         which does not follow `new URL(…, import.meta.url)`, copy the package's `.wasm` and `.css`\n\
         next to the bundle.\n\n\
         Types: `trackline-widget.d.ts` (the element, its events, `HTMLElementTagNameMap`); for\n\
         React 19's JSX, `import type {{}} from \"trackline-widget/react\";` once. The element's\n\
         attributes, properties, methods, events, parts and custom properties are in\n\
         `custom-elements.json`, and on the reference server's `/docs/widget`.\n\n\
         A page's Content-Security-Policy needs the endpoint's origin in `connect-src` and\n\
         `'wasm-unsafe-eval'` in `script-src`; the styles are adopted by the element's shadow root\n\
         and need no `style-src`.\n",
        summary = element["summary"].as_str().unwrap_or_default(),
    )
}
