//! The built widget in `dist/`: trunk builds it, and its post-build hook (this module's
//! `post_build`, run by trunk) finishes it for a strict Content-Security-Policy and slow links.

use crate::cmd::{cmd, ensure, Done, Failed};
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};
use std::path::{Path, PathBuf};

/// Builds the release widget into `dist/`, then the snippet configurator into `dist/configure/`
/// and the seller's console into `dist/console/`.
///
/// # Errors
/// When trunk fails.
pub fn build() -> Done {
    cmd("trunk").args(["build", "--release"]).run()?;
    configurator()?;
    console()
}

/// Builds the snippet configurator (its own trunk build, which leaves the widget's wasm as it
/// is) and puts it in `dist/configure/` under the strict policy, with `loader.json`: the pinned
/// loader's name and integrity, for the snippet it makes.
///
/// # Errors
/// When trunk fails, or the widget was not built first.
fn configurator() -> Done {
    let out = page(
        "configurator/Trunk.toml",
        "target/configurator-dist",
        "dist/configure",
        "/configure/",
    )?;
    let (file, integrity) = pinned_loader(Path::new("dist"))?;
    let pinned = serde_json::json!({ "file": file, "integrity": integrity });
    std::fs::write(out.join("loader.json"), pinned.to_string())?;
    precompress(out)
}

/// Builds the seller's console (its own trunk build and wasm, never in the buyers') and puts it
/// in `dist/console/` under the strict policy.
///
/// # Errors
/// When trunk fails.
fn console() -> Done {
    let out = page(
        "console/Trunk.toml",
        "target/console-dist",
        "dist/console",
        "/console/",
    )?;
    precompress(out)
}

/// Builds a page of its own with trunk (`config`, into `built`) and copies it to `out`, its
/// start-up script moved into a file for the strict policy (served under `base`).
fn page<'a>(config: &str, built: &str, out: &'a str, base: &str) -> Done<&'a Path> {
    cmd("trunk")
        .args(["build", "--release", "--config", config])
        .run()?;
    let built = Path::new(built);
    let out = Path::new(out);
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    for entry in std::fs::read_dir(built)? {
        let path = entry?.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, out.join(name))?;
        }
    }
    let html = std::fs::read_to_string(built.join("index.html"))?;
    std::fs::write(
        out.join("index.html"),
        externalise_start_script(out, base, &html, |code| Ok(code.to_owned()))?,
    )?;
    Ok(out)
}

/// trunk's post-build hook, in order: moves the start-up script out of the page, writes the
/// custom element's loader, lowers the priority of the widget's preloads, then keeps a brotli
/// and a gzip copy of every text and wasm file beside it.
///
/// # Errors
/// When trunk did not run it, or a built file is missing.
pub fn post_build() -> Done {
    let staging = PathBuf::from(
        std::env::var_os("TRUNK_STAGING_DIR")
            .ok_or_else(|| Failed("post-build is run by trunk as its post_build hook".into()))?,
    );
    let source = std::env::var_os("TRUNK_SOURCE_DIR").map_or_else(crate::cmd::root, PathBuf::from);
    let page = staging.join("index.html");
    let html = minified_stylesheet(&staging, &std::fs::read_to_string(&page)?)?;
    let html = minified_glue(&staging, &html)?;
    let html = externalise_start_script(&staging, "/", &html, |code| {
        after_the_first_paint_on_linked_pages(&staging, &source, code)
    })?;
    let element = crate::element::read(&source)?;
    write_loader(&staging, &source, &element)?;
    crate::element::write(&element, &staging)?;
    crate::reference::write(&crate::element::manifest(&element), &source, &staging)?;
    write_worker(&staging, &source)?;
    write_manifests(&staging, &source)?;
    std::fs::write(&page, lower_preload_priority(&html))?;
    precompress(&staging)
}

/// The built stylesheet minified by esbuild, and `html`'s integrity for it made again: every
/// copy of it goes on the way to a first paint (inline in a rendered page, carried by the
/// loader, the file itself). Its comments alone were a fifth of it (0.8 of 3.6 KB brotli); the
/// rest of the minifying takes 2 787 → 2 608 B brotli.
fn minified_stylesheet(staging: &Path, html: &str) -> Done<String> {
    let name = built(staging, "trackline-", ".css")?;
    changed_in_place(staging, &name, html, minified)
}

/// wasm-bindgen's glue minified by esbuild (pinned in `.tools` by setup), and `html`'s
/// integrity for it made again: every takeover and every element waits for it beside the wasm,
/// and as wasm-bindgen writes it, it is twice the size (60 against 28 KB, 8.9 against 6.7 KB
/// brotli). Its exports keep their names.
fn minified_glue(staging: &Path, html: &str) -> Done<String> {
    let (_, name) = built_wasm_and_glue(staging)?;
    changed_in_place(staging, &name, html, minified)
}

/// Minifies the script or stylesheet at `path` in place with esbuild (pinned in `.tools` by
/// setup), which keeps a module's exports and a custom property's lone space (the stylesheet's
/// `--tl-if-light: ;` switches).
fn minified(path: &Path) -> Done {
    let file = path.to_string_lossy();
    cmd("esbuild")
        .args([
            &*file,
            "--minify",
            "--log-level=warning",
            "--allow-overwrite",
            &format!("--outfile={file}"),
        ])
        .run()
}

/// The built file `name` after `change`, and `html`'s integrity for it made again (trunk wrote
/// it for the file as it was).
fn changed_in_place(
    staging: &Path,
    name: &str,
    html: &str,
    change: impl FnOnce(&Path) -> Done,
) -> Done<String> {
    let path = staging.join(name);
    let before = sri(&path)?;
    ensure(
        html.contains(&format!("integrity=\"{before}\"")),
        format!("index.html names {name} without its integrity"),
    )?;
    change(&path)?;
    Ok(html.replace(&before, &sri(&path)?))
}

/// A strict CSP (`script-src 'self'`) refuses inline scripts: trunk's start-up code goes into
/// a hashed file of its own next to the wasm (as `rewrite` leaves it), so the hosted page and
/// the iframe form run under that policy on any static host, with no per-request nonce.
fn externalise_start_script(
    staging: &Path,
    base: &str,
    html: &str,
    rewrite: impl Fn(&str) -> Done<String>,
) -> Done<String> {
    const OPEN: &str = "<script type=\"module\">";
    let found: Vec<usize> = html.match_indices(OPEN).map(|(at, _)| at).collect();
    ensure(
        found.len() == 1,
        format!("expected one inline module script, found {}", found.len()),
    )?;
    let start = found[0] + OPEN.len();
    let end = start
        + html[start..]
            .find("</script>")
            .ok_or_else(|| Failed("the inline module script does not end".into()))?;
    let code = rewrite(&format!("{}\n", html[start..end].trim()))?;
    let hash = hex(&Sha256::digest(code.as_bytes()));
    let name = format!("trackline-start-{}.js", &hash[..16]);
    std::fs::write(staging.join(&name), &code)?;
    Ok(format!(
        "{}<script type=\"module\" src=\"{base}{name}\"></script>{}",
        &html[..found[0]],
        &html[end + "</script>".len()..]
    ))
}

/// The text between `open` and the next `close` in `code`.
fn between<'a>(code: &'a str, open: &str, close: &str) -> Done<&'a str> {
    code.split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map(|(inside, _)| inside)
        .ok_or_else(|| Failed(format!("trunk's start-up code has no {open}…{close}")))
}

/// A page the server rendered for a linked number shows its status without the wasm: there
/// trunk's start-up code fetches the widget's code after that first paint instead of beside it
/// (the server leaves the page's preloads out, `Template` in server/src/http/page.rs), so that
/// nothing but the page competes with that paint and Lighthouse no longer counts the wasm in the
/// largest paint it simulates (`embed/after-paint.js` takes the place of the glue's import and
/// asks for the wasm beside the glue). The glue and the wasm keep the integrity that the
/// preloads check elsewhere (the form, whose preloads stand and are taken by these same requests).
fn after_the_first_paint_on_linked_pages(
    staging: &Path,
    source: &Path,
    code: &str,
) -> Done<String> {
    const IMPORT_OPEN: &str = "import init, * as bindings from '";
    const WASM_OPEN: &str = "module_or_path: '";
    let glue = between(code, IMPORT_OPEN, "';")?;
    let wasm = between(code, WASM_OPEN, "'")?;
    let integrity = |path: &str| sri(&staging.join(path.trim_start_matches('/')));
    let deferred = without_comment_lines(&std::fs::read_to_string(
        source.join("embed/after-paint.js"),
    )?)
    .replace("@GLUE_SRI@", &integrity(glue)?)
    .replace("@GLUE@", glue)
    .replace("@WASM_SRI@", &integrity(wasm)?)
    .replace("@WASM@", wasm);
    Ok(code
        .replacen(&format!("{IMPORT_OPEN}{glue}';"), deferred.trim_end(), 1)
        .replacen(
            &format!("{WASM_OPEN}{wasm}'"),
            "module_or_path: wasmResponse",
            1,
        ))
}

/// The page's plain form (and its stylesheet) first, the widget's code after it: on a slow link
/// the wasm preload would otherwise share the bandwidth with the render-blocking stylesheet.
fn lower_preload_priority(html: &str) -> String {
    html.replace(
        "<link rel=\"modulepreload\" ",
        "<link rel=\"modulepreload\" fetchpriority=\"low\" ",
    )
    .split("<link rel=\"preload\" href=\"")
    .enumerate()
    .map(|(i, part)| {
        let wasm = part
            .split('"')
            .next()
            .is_some_and(|href| href.ends_with(".wasm"));
        match (i, wasm) {
            (0, _) => part.to_owned(),
            (_, true) => format!("<link rel=\"preload\" fetchpriority=\"low\" href=\"{part}"),
            (_, false) => format!("<link rel=\"preload\" href=\"{part}"),
        }
    })
    .collect()
}

/// The first built file whose name starts with `prefix` and ends with `suffix`.
pub fn built(staging: &Path, prefix: &str, suffix: &str) -> Done<String> {
    std::fs::read_dir(staging)?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix) && name.ends_with(suffix))
        .min()
        .ok_or_else(|| Failed(format!("no {prefix}*{suffix} in {}", staging.display())))
}

/// The built wasm in `dir` and wasm-bindgen's glue beside it (`trackline-<hash>_bg.wasm`,
/// `trackline-<hash>.js`), by name.
///
/// # Errors
/// When no wasm has been built there.
pub fn built_wasm_and_glue(dir: &Path) -> Done<(String, String)> {
    let wasm = built(dir, "trackline-", "_bg.wasm")?;
    let glue = format!("{}.js", wasm.trim_end_matches("_bg.wasm"));
    Ok((wasm, glue))
}

/// The subresource-integrity hash of a file.
pub fn sri(file: &Path) -> Done<String> {
    let bytes = std::fs::read(file)?;
    Ok(format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes))
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The package's version, from the widget crate's `Cargo.toml`.
pub fn version(source: &Path) -> Done<String> {
    let manifest = std::fs::read_to_string(source.join("Cargo.toml"))?;
    manifest
        .split("\n[")
        .find(|section| section.starts_with("package]"))
        .and_then(|section| {
            section
                .lines()
                .find_map(|line| line.strip_prefix("version = "))
        })
        .map(|version| version.trim().trim_matches('"').to_owned())
        .ok_or_else(|| Failed("no version in Cargo.toml's [package]".into()))
}

/// Writes the `<trackline-widget>` loader with the built file names and their integrity, as
/// `trackline-widget-<version>.js` (pinned) and `trackline-widget.js` (latest).
fn write_loader(staging: &Path, source: &Path, element: &serde_json::Value) -> Done {
    let pinned = staging.join(format!("trackline-widget-{}.js", version(source)?));
    std::fs::write(&pinned, loader(staging, source, element, Home::Server)?)?;
    // On the way to every element's first paint: 6 081 → 5 333 B brotli, with the minified
    // stylesheet it carries. (The npm package's copy stays readable; a seller's bundler
    // minifies it with the shop.)
    minified(&pinned)?;
    std::fs::copy(&pinned, staging.join("trackline-widget.js"))?;
    Ok(())
}

/// The pinned loader built in `dist` (`trackline-widget-<version>.js`) and its integrity hash,
/// as a seller's snippet names them.
///
/// # Errors
/// When no widget has been built.
pub fn pinned_loader(dist: &Path) -> Done<(String, String)> {
    let file = format!("trackline-widget-{}.js", version(&crate::cmd::root())?);
    let path = dist.join(&file);
    ensure(
        path.is_file(),
        format!(
            "no built loader {}: cargo xtask build builds it (or trunk build --release)",
            path.display()
        ),
    )?;
    let integrity = sri(&path)?;
    Ok((file, integrity))
}

/// Where a loader's elements ask when they name no endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// The reference server the loader came from, which also renders their widget.
    Server,
    /// The page's own origin: the npm package's loader, which comes from a bundle or a CDN.
    Page,
}

/// The `<trackline-widget>` loader for the widget built in `dir`: the built file names and
/// their integrity, the element's attributes from its description, and the drawn form's words
/// from the same locale files as the widget's, so that they cannot drift.
///
/// # Errors
/// When a built file or a locale is missing.
pub fn loader(dir: &Path, source: &Path, element: &serde_json::Value, home: Home) -> Done<String> {
    let (wasm, module) = built_wasm_and_glue(dir)?;
    ensure(
        dir.join(&module).is_file(),
        format!("no {module} beside {wasm}"),
    )?;
    let css = built(dir, "trackline-", ".css")?;
    let mut words = serde_json::Map::new();
    for lang in ["en", "ru", "zh"] {
        let path = source.join(format!("locales/{lang}.json"));
        let text = std::fs::read_to_string(&path)?;
        let locale: serde_json::Value = serde_json::from_str(&text)
            .map_err(|error| Failed(format!("{}: {error}", path.display())))?;
        let form = ["title", "input_label", "track_button", "input_placeholder"]
            .map(|key| locale[key].clone());
        words.insert(lang.to_owned(), serde_json::Value::from(form.to_vec()));
    }
    let template = without_comment_lines(&std::fs::read_to_string(
        source.join("embed/trackline-widget.js"),
    )?);
    let server = match home {
        Home::Server => "base.origin",
        Home::Page => "\"\"",
    };
    Ok(template
        .replace("/*@SERVER@*/ base.origin", server)
        .replace(
            "/*@ATTRIBUTES@*/ {}",
            &crate::element::loader_attributes(element),
        )
        .replace(
            "/*@FORM_WORDS@*/ {}",
            &serde_json::Value::Object(words).to_string(),
        )
        .replace("@MODULE@", &format!("./{module}"))
        .replace("@WASM@", &format!("./{wasm}"))
        .replace(
            "/*@CSS_TEXT@*/ \"\"",
            &serde_json::Value::String(std::fs::read_to_string(dir.join(&css))?).to_string(),
        )
        .replace("@CSS@", &format!("./{css}"))
        .replace("@WASM_SRI@", &sri(&dir.join(&wasm))?)
        .replace("@CSS_SRI@", &sri(&dir.join(&css))?))
}

/// Writes the installed app's manifest in each other language of the page
/// (`manifest-ru.webmanifest`, …): the English one with its names from `public/manifest-words.json`.
/// Every one keeps the same `id`, so that the app is one whatever language installed it.
fn write_manifests(staging: &Path, source: &Path) -> Done {
    let read = |path: &Path| -> Done<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(path)?)
            .map_err(|error| Failed(format!("{}: {error}", path.display())))
    };
    let english = read(&staging.join("manifest.webmanifest"))?;
    let words = read(&source.join("public/manifest-words.json"))?;
    for lang in ["ru", "zh"] {
        let mut manifest = english.clone();
        for key in ["name", "short_name", "description"] {
            let word = words[lang][key]
                .as_str()
                .ok_or_else(|| Failed(format!("manifest-words.json: no {lang}.{key}")))?;
            manifest[key] = word.into();
        }
        manifest["lang"] = lang.into();
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| Failed(e.to_string()))?;
        std::fs::write(staging.join(format!("manifest-{lang}.webmanifest")), text)?;
    }
    Ok(())
}

/// Writes the hosted page's service worker, `sw.js`, with the page's shell: the page and its
/// built files, named as this build hashed them, so that a new build is a new worker.
fn write_worker(staging: &Path, source: &Path) -> Done {
    let (wasm, module) = built_wasm_and_glue(staging)?;
    let shell = [
        "/".to_owned(),
        format!("/{}", built(staging, "trackline-start-", ".js")?),
        format!("/{module}"),
        format!("/{wasm}"),
        format!("/{}", built(staging, "trackline-", ".css")?),
        "/favicon.svg".to_owned(),
        "/icon-192.png".to_owned(),
        "/manifest.webmanifest".to_owned(),
    ];
    let version = hex(&Sha256::digest(shell.join(" ").as_bytes()));
    let template = std::fs::read_to_string(source.join("embed/sw.js"))?;
    let worker = template
        .replace(
            "/*@SHELL@*/ [\"/\"]",
            &serde_json::Value::from(shell.to_vec()).to_string(),
        )
        .replace("/*@VERSION@*/ \"dev\"", &format!("\"{}\"", &version[..16]));
    ensure(
        !worker.contains("@SHELL@") && !worker.contains("@VERSION@"),
        "embed/sw.js lost its placeholders",
    )?;
    std::fs::write(staging.join("sw.js"), worker)?;
    Ok(())
}

/// Keeps brotli (-q 11) and gzip (-9) copies beside every text and wasm file, so that the
/// server sends them as built instead of compressing per request.
fn precompress(dir: &Path) -> Done {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    std::thread::scope(|scope| {
        let running: Vec<_> = files
            .iter()
            .map(|file| {
                scope.spawn(move || -> Done {
                    let path = file.to_string_lossy();
                    cmd("brotli")
                        .args(["-q", "11", "-f", "-o", &format!("{path}.br"), &path])
                        .run()?;
                    let gzip = cmd("gzip").args(["-9", "-n", "-c", &path]).read_bytes()?;
                    std::fs::write(format!("{path}.gz"), gzip)?;
                    Ok(())
                })
            })
            .collect();
        running
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| Err(Failed("a compressor panicked".into())))
            })
            .collect::<Done<Vec<()>>>()
    })?;
    Ok(())
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Done {
    for entry in std::fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| matches!(ext, "html" | "js" | "css" | "wasm" | "json"))
        {
            files.push(path);
        }
    }
    Ok(())
}

/// `js` without its lines that hold only a `//` comment: the hosted page's start script as sent,
/// and the npm package's loader, which stays readable (the served loader is minified after it).
/// Neither has a multi-line string (the loader's styles go in as one JSON string), so no such
/// line is inside one.
fn without_comment_lines(js: &str) -> String {
    js.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(|line| [line, "\n"])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_comment_lines_go() {
        let js = "// why\nconst a = \"//x\"; // kept\n  // indented\nfetch(`//host`);\n";
        assert_eq!(
            without_comment_lines(js),
            "const a = \"//x\"; // kept\nfetch(`//host`);\n"
        );
    }

    #[test]
    fn the_scripts_stripped_of_comment_lines_have_none_inside_a_string() {
        // Every multi-line construct the stripper could cut is a template literal; these
        // scripts' each open and close on one line.
        for (file, script) in [
            (
                "trackline-widget.js",
                include_str!("../../embed/trackline-widget.js"),
            ),
            ("after-paint.js", include_str!("../../embed/after-paint.js")),
        ] {
            for (at, line) in script.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                let code = line.split(" // ").next().unwrap_or(line);
                assert!(
                    code.matches('`').count() % 2 == 0,
                    "{file} line {} opens a template literal it does not close: {line}",
                    at + 1
                );
            }
        }
    }
}
