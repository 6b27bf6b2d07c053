//! The map against the territory: every path and Rust name `ARCHITECTURE.md` puts in backticks
//! still exists, the store imports nothing from the modules above it, and the server's
//! top-level modules import one another without a circle.
//!
//! Read as text, with no parser: a name is found when some Rust file in the repository defines
//! it (`struct`, `enum` and its variants, `trait`, `type`, `fn`, `mod`, `const`, `static`), or a
//! file or folder, a crate or a Cargo feature is called so.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// Folders that hold no source of ours: builds, dependencies, the package's output.
const NOT_SOURCE: [&str; 5] = ["target", "node_modules", ".git", "dist", "pkg"];

/// Where a path in the map may start besides the repository's root: inside a crate's sources,
/// so that the code map can say `http/page.rs` under `server/src/`.
const PATH_ROOTS: [&str; 6] = [
    "",
    "server/src",
    "src",
    "core/src",
    "xtask/src",
    "configurator/src",
];

/// What the store may never import: every module above it.
const ABOVE_THE_STORE: [&str; 14] = [
    "http",
    "webhooks",
    "push",
    "sources",
    "providers",
    "ozon",
    "updates",
    "lookup",
    "lookup_cache",
    "state",
    "config",
    "settings",
    "demo",
    "background",
];

/// Import circles allowed for now, each as the exact set of modules in it.
const ALLOWED_CIRCLES: [&[&str]; 0] = [];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every file under `dir` (recursively), leaving out what is not source.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !NOT_SOURCE.contains(&name.as_str()) {
                    pending.push(path);
                }
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The identifier at the start of `text`, if one starts there.
fn leading_ident(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let word = &text[..end];
    is_ident(word).then_some(word)
}

/// Rust source without its comments (line, doc and block) and string literals, lines kept.
fn without_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if depth > 0 {
            if c == '*' && next == Some('/') {
                depth -= 1;
                i += 2;
            } else if c == '/' && next == Some('*') {
                depth += 1;
                i += 2;
            } else {
                if c == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            depth = 1;
            i += 2;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal (`'"'`, `'\''`, `'\u{22}'`): skip past its closing quote.
            out.push_str("' '");
            i += 3;
            if next == Some('\\') {
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
        } else if c == 'r'
            && raw_string_hashes(&chars[i + 1..]).is_some()
            && !out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            // A raw string, `r"…"` or `r#"…"#`: its end is the quote and as many hashes.
            let hashes = raw_string_hashes(&chars[i + 1..]).unwrap_or_default();
            let end = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            let text: String = chars[start..].iter().collect();
            let length = text.find(&end).map_or(text.len(), |at| at + end.len());
            out.push_str("\"\"");
            out.extend(text[..length].chars().filter(|c| *c == '\n'));
            i = start + text[..length].chars().count();
        } else if c == '"' {
            // A string's text is not code: skip to its closing quote.
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if chars.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// How many hashes open a raw string starting here (after its `r`), if one does.
fn raw_string_hashes(after_r: &[char]) -> Option<usize> {
    let hashes = after_r.iter().take_while(|c| **c == '#').count();
    (after_r.get(hashes) == Some(&'"')).then_some(hashes)
}

/// The names the repository defines: items in its Rust files (enum variants included), its
/// files and folders (without extension), its crates and their features.
fn defined_names(root: &Path) -> BTreeSet<String> {
    const ITEMS: [&str; 8] = [
        "struct", "enum", "trait", "type", "fn", "mod", "const", "static",
    ];
    let mut names = BTreeSet::new();
    for path in files_under(root) {
        let mut here = path.as_path();
        while let Ok(inner) = here.strip_prefix(root) {
            if inner.as_os_str().is_empty() {
                break;
            }
            if let Some(stem) = here.file_stem() {
                names.insert(stem.to_string_lossy().into_owned());
            }
            let Some(parent) = here.parent() else { break };
            here = parent;
        }
        let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        if extension == "toml" && path.file_name().is_some_and(|n| n == "Cargo.toml") {
            names.extend(cargo_names(&text));
        }
        if extension != "rs" {
            continue;
        }
        let code = without_comments(&text);
        let mut enum_depth: Option<i32> = None;
        for line in code.lines() {
            let words: Vec<&str> = line
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                if ITEMS.contains(&pair[0]) && is_ident(pair[1]) {
                    names.insert(pair[1].to_owned());
                }
            }
            // An enum's variants: the names that open a line at the body's first level.
            match enum_depth {
                Some(depth) => {
                    if depth == 1 {
                        if let Some(variant) = leading_ident(line.trim_start()) {
                            if variant.starts_with(|c: char| c.is_ascii_uppercase()) {
                                names.insert(variant.to_owned());
                            }
                        }
                    }
                    let depth = depth + brace_balance(line);
                    enum_depth = (depth > 0).then_some(depth);
                }
                None if words.windows(2).any(|w| w[0] == "enum") && line.contains('{') => {
                    let depth = brace_balance(line);
                    enum_depth = (depth > 0).then_some(depth);
                }
                None => {}
            }
        }
    }
    names
}

fn brace_balance(line: &str) -> i32 {
    line.chars()
        .map(|c| match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        })
        .sum()
}

/// A crate's name (as Rust spells it) and its features, from its `Cargo.toml`.
fn cargo_names(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut section = "";
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if section == "[package]" && key == "name" {
            names.push(value.trim().trim_matches('"').replace('-', "_"));
        }
        if section == "[features]" {
            names.push(key.to_owned());
        }
    }
    names
}

/// The inline code spans of a Markdown text, fenced blocks left out, each with the code spans
/// of the heading it is under (a section on `server/src/store/` may say `versions.rs`).
fn code_spans(markdown: &str) -> Vec<(String, Vec<String>)> {
    let mut spans = Vec::new();
    let mut fenced = false;
    let mut heading = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let here: Vec<String> = line
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|span| span.trim().to_owned())
            .collect();
        if line.starts_with('#') {
            heading.clone_from(&here);
        }
        spans.extend(here.into_iter().map(|span| (span, heading.clone())));
    }
    spans
}

/// What a code span names, if it names a path or a Rust item.
#[derive(Debug, PartialEq)]
enum Named {
    /// A file or folder, from the repository's root, a crate's sources or the section's folder.
    Path(String),
    /// A Rust path; each segment must be defined.
    Symbol(Vec<String>),
}

fn is_path(span: &str) -> bool {
    const EXTENSIONS: [&str; 5] = [".rs", ".md", ".js", ".json", ".toml"];
    let path_chars = |c: char| c.is_ascii_alphanumeric() || "_-./*".contains(c);
    !span.starts_with('/')
        && !span.starts_with('.')
        && span.chars().all(path_chars)
        && (span.contains('/') || EXTENSIONS.iter().any(|e| span.ends_with(e)))
}

/// What `span` names: a path, a Rust path, or both (`http/seller.rs::post_events`).
fn named(span: &str) -> Vec<Named> {
    if is_path(span) {
        return vec![Named::Path(span.to_owned())];
    }
    let (file, span) = match span.split_once("::") {
        Some((file, rest)) if is_path(file) => (Some(file), rest),
        _ => (None, span),
    };
    // `Store::commit()` names `Store::commit`; `a::{b, c}` names `a::b` and `a::c`.
    let span = span.strip_suffix("()").unwrap_or(span);
    let (head, tail) = match span.split_once("::{") {
        Some((head, rest)) => match rest.strip_suffix('}') {
            Some(tail) => (head, tail),
            None => return Vec::new(),
        },
        None => (span, ""),
    };
    let mut segments: Vec<String> = head.split("::").map(str::to_owned).collect();
    segments.extend(
        tail.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    if !segments.iter().all(|s| is_ident(s)) {
        return Vec::new();
    }
    let mut found = vec![Named::Symbol(segments)];
    if let Some(file) = file {
        found.push(Named::Path(file.to_owned()));
    }
    found
}

fn path_exists(root: &Path, path: &str, section: &[String]) -> bool {
    let bases = PATH_ROOTS
        .iter()
        .copied()
        .chain(section.iter().map(String::as_str));
    bases.into_iter().any(|base| {
        let base = root.join(base);
        match path.split_once('*') {
            // `locales/*.json`: the folder is there and holds such a file.
            Some((folder, rest)) => {
                let suffix = rest.trim_start_matches('*');
                files_under(&base.join(folder))
                    .iter()
                    .any(|file| file.to_string_lossy().ends_with(suffix))
            }
            None => base.join(path).exists(),
        }
    })
}

/// Every name in `markdown` that the repository at `root` no longer has.
fn missing_names(root: &Path, markdown: &str) -> Vec<String> {
    let defined = defined_names(root);
    let mut missing = BTreeSet::new();
    for (span, section) in code_spans(markdown) {
        for name in named(&span) {
            match name {
                Named::Path(path) => {
                    if !path_exists(root, &path, &section) {
                        missing.insert(format!("path `{path}`"));
                    }
                }
                Named::Symbol(segments) => {
                    for segment in segments {
                        if !defined.contains(&segment)
                            && !["crate", "self", "super"].contains(&&*segment)
                        {
                            missing.insert(format!("`{segment}` (in `{span}`)"));
                        }
                    }
                }
            }
        }
    }
    missing.into_iter().collect()
}

#[test]
fn every_name_on_the_map_exists() {
    let root = repo();
    let map = fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap_or_default();
    assert!(
        !map.is_empty(),
        "ARCHITECTURE.md is not at {}",
        root.display()
    );
    let missing = missing_names(&root, &map);
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names {} things the repository no longer has:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

#[test]
fn a_name_that_is_gone_is_reported() {
    let root = repo();
    let map = "The `store/` holds `Store::commit`; `server/src/nowhere.rs` and `NoSuchThing` \
               and `change::{fold_everything}` do not exist; `GET /widget` is no path.\n\
               ### `server/src/change/`\n\
               `news.rs` is there, `olds.rs` is not; `http/seller.rs::post_nothing` neither.";
    assert_eq!(
        missing_names(&root, map),
        [
            "`NoSuchThing` (in `NoSuchThing`)",
            "`fold_everything` (in `change::{fold_everything}`)",
            "`post_nothing` (in `http/seller.rs::post_nothing`)",
            "path `olds.rs`",
            "path `server/src/nowhere.rs`",
        ]
    );
}

/// The server's modules, each with the top-level modules its files name through `crate::`.
fn server_imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo().join("server/src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let lib = without_comments(&lib);
    let mut modules = BTreeSet::new();
    // `pub use store::Store;` in lib.rs makes `crate::Store` an import of `store`.
    let mut reexports = BTreeMap::new();
    for line in lib.lines().map(str::trim) {
        let line = line.strip_prefix("pub ").unwrap_or(line);
        if let Some(name) = line.strip_prefix("mod ").and_then(leading_ident) {
            modules.insert(name.to_owned());
        }
        if let Some(used) = line.strip_prefix("use ").and_then(|u| u.strip_suffix(';')) {
            let segments: Vec<&str> = used.split("::").collect();
            if let (Some(first), Some(last)) = (segments.first(), segments.last()) {
                reexports.insert((*last).to_owned(), (*first).to_owned());
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in files_under(&src) {
        let Ok(inner) = file.strip_prefix(&src) else {
            continue;
        };
        let own = inner
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        if !modules.contains(&own) {
            continue;
        }
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for name in crate_imports(&without_comments(&text)) {
            let target = reexports.get(&name).unwrap_or(&name);
            if modules.contains(target) && *target != own {
                graph.entry(own.clone()).or_default().insert(target.clone());
            }
        }
    }
    graph
}

/// The first segment of every `crate::` path in `code`, braces opened: `crate::{a, b::c}`
/// names `a` and `b`.
fn crate_imports(code: &str) -> BTreeSet<String> {
    imports_from("crate", code)
}

/// The first segment of every path in `code` that starts with the crate `root`.
fn imports_from(root: &str, code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    let start = format!("{root}::");
    while let Some(at) = rest.find(&start) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + start.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            // `my_crate::`, not the one asked for.
            continue;
        }
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        if let Some(name) = leading_ident(&list[i..]) {
                            names.insert(name.to_owned());
                        }
                        start = false;
                    }
                    _ => {}
                }
            }
        } else if let Some(name) = leading_ident(rest) {
            names.insert(name.to_owned());
        }
    }
    names
}

/// The server's files that may import the widget crate, and what they may take from it: the
/// hosted page renders the widget's views with its own rules; a notification takes its words
/// and its links.
const WIDGET_IMPORTS: [(&str, &[&str]); 3] = [
    (
        "http/page.rs",
        &["config", "state", "error", "render_to_html"],
    ),
    ("http/push.rs", &["config", "i18n"]),
    ("change/message.rs", &["i18n", "labels", "format", "config"]),
];

#[test]
fn the_server_takes_from_the_widget_only_its_rendering_and_words() {
    let src = repo().join("server/src");
    let mut offences = Vec::new();
    for file in files_under(&src) {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let inner = file.strip_prefix(&src).unwrap_or(&file).to_string_lossy();
        let allowed = WIDGET_IMPORTS
            .iter()
            .find(|(path, _)| *path == inner)
            .map_or(&[][..], |(_, allowed)| *allowed);
        for name in imports_from("trackline", &without_comments(&text)) {
            if !allowed.contains(&name.as_str()) {
                offences.push(format!("{inner} imports trackline::{name}"));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the server takes more from the widget than ARCHITECTURE.md says:\n  {}",
        offences.join("\n  ")
    );
}

#[test]
fn the_store_imports_nothing_above_it() {
    let files = files_under(&repo().join("server/src/store"));
    assert!(!files.is_empty(), "no store found");
    let mut offences = Vec::new();
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for name in crate_imports(&without_comments(&text)) {
            if ABOVE_THE_STORE.contains(&name.as_str()) {
                let inner = file
                    .strip_prefix(repo())
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                offences.push(format!("{inner} imports crate::{name}"));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the store imports from modules above it:\n  {}",
        offences.join("\n  ")
    );
}

/// Whether `to` can be reached from `from`, and by which way.
fn way(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(at) = queue.pop_front() {
        for next in graph.get(at).into_iter().flatten() {
            if next == to {
                let mut way = vec![to.to_owned(), at.to_owned()];
                let mut back = at;
                while back != from {
                    back = came_from[back];
                    way.push(back.to_owned());
                }
                way.reverse();
                return Some(way);
            }
            if next != from && !came_from.contains_key(next.as_str()) {
                came_from.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The import circles of `graph`: each set of modules that reach one another, with one circle
/// through it as the example.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for module in graph.keys() {
        if seen.contains(module) {
            continue;
        }
        let Some(circle) = way(graph, module, module) else {
            continue;
        };
        let members: BTreeSet<String> = graph
            .keys()
            .filter(|other| {
                *other == module
                    || (way(graph, module, other).is_some() && way(graph, other, module).is_some())
            })
            .cloned()
            .collect();
        seen.extend(members.iter().cloned());
        found.push((members, circle));
    }
    found
}

#[test]
fn the_servers_modules_import_no_circle() {
    let graph = server_imports();
    assert!(graph.contains_key("store"), "no server modules found");
    let unexpected: Vec<String> = circles(&graph)
        .into_iter()
        .filter(|(members, _)| {
            !ALLOWED_CIRCLES.iter().any(|allowed| {
                allowed
                    .iter()
                    .copied()
                    .eq(members.iter().map(String::as_str))
            })
        })
        .map(|(_, circle)| circle.join(" → "))
        .collect();
    assert!(
        unexpected.is_empty(),
        "the server's modules import in a circle:\n  {}",
        unexpected.join("\n  ")
    );
}

#[test]
fn a_circle_is_reported() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", &["b"][..]),
        ("b", &["c"]),
        ("c", &["a", "d"]),
        ("d", &[]),
    ]
    .into_iter()
    .map(|(m, to)| (m.to_owned(), to.iter().map(|t| (*t).to_owned()).collect()))
    .collect();
    let found = circles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, ["a", "b", "c", "a"]);
    let imports = crate_imports("use crate::{http::a, store}; x = crate::push::f(); my_crate::no");
    assert_eq!(
        imports.into_iter().collect::<Vec<_>>(),
        ["http", "push", "store"]
    );
}
