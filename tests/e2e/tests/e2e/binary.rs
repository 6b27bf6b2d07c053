//! The server binary as operators run it, with no `--static-dir`: the widget it carries is served
//! whole (page, loader, module, wasm, examples), as the build compressed it, with the same
//! caching and security headers as from a directory.

use reqwest::header;
use trackline_server::Settings;

/// The demo server with its embedded widget, on a free port.
async fn server() -> (String, tokio::sync::oneshot::Sender<()>) {
    let config = Settings {
        addr: "127.0.0.1:0".parse().expect("an address"),
        database_url: "sqlite::memory:".to_owned(),
        static_dir: None,
        demo: true,
        ..Settings::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (listening, serving) = trackline_server::start(&config, async {
        let _ = stopped.await;
    })
    .await
    .expect("the server starts");
    tokio::spawn(serving);
    (format!("http://{}", listening.addr), stop)
}

#[tokio::test]
async fn the_binary_serves_the_widget_it_carries_as_the_build_compressed_it() {
    assert!(trackline_server::http::embedded::is_embedded());
    let (base, _stop) = server().await;
    // Without its decompression features, the client compares the bytes on the wire.
    let client = reqwest::Client::new();
    let dist = trackline_e2e::dist_dir();
    let page = client
        .get(format!("{base}/"))
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .expect("the page answers");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    // The page is the build's, rendered: the server fills in the widget where the build left it room.
    let body = client
        .get(format!("{base}/"))
        .send()
        .await
        .and_then(|page| page.error_for_status())
        .expect("the page answers")
        .text()
        .await
        .expect("the page reads");
    // Its head is the build's, with the build's stylesheet inline in place of the link to it.
    let built = std::fs::read_to_string(dist.join("index.html")).expect("the build's page");
    let head = built.split("<body").next().unwrap_or_default();
    let (before, after) = head
        .split_once("<link rel=\"stylesheet\"")
        .expect("the build links its stylesheet");
    let after = &after[after.find('>').expect("the link ends") + 1..];
    assert!(
        body.starts_with(before),
        "the page's head is not the build's"
    );
    assert!(body.contains(after), "the page's head is not the build's");
    let stylesheet = std::fs::read_dir(&dist)
        .expect("dist")
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "css"))
        .expect("the build's stylesheet");
    let css = std::fs::read_to_string(stylesheet).expect("the stylesheet reads");
    assert!(body.contains(&format!("<style>{css}</style>")));
    assert!(body.contains("data-rendered"), "the page was not rendered");
    // Every file of the build, at its own path, as the build wrote it; hashed ones kept a year.
    let (mut files, mut hashed) = (0, 0);
    for entry in std::fs::read_dir(&dist).expect("dist").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // The page itself is rendered per address (above).
        if !entry.path().is_file()
            || name.ends_with(".br")
            || name.ends_with(".gz")
            || name == "index.html"
        {
            continue;
        }
        let reply = client
            .get(format!("{base}/{name}"))
            .header(header::ACCEPT_ENCODING, "identity")
            .send()
            .await
            .expect("a file answers");
        assert_eq!(reply.status(), 200, "{name}");
        let policy = reply.headers()[header::CACHE_CONTROL].clone();
        let tag = reply.headers()[header::ETAG].clone();
        let bytes = reply.bytes().await.expect("a file reads");
        assert_eq!(
            bytes.as_ref(),
            std::fs::read(entry.path()).unwrap(),
            "{name}"
        );
        if trackline_server::http::assets::is_content_hashed(&name) {
            assert_eq!(policy, "public, max-age=31536000, immutable", "{name}");
            hashed += 1;
        }
        // A client that has it is told so.
        let again = client
            .get(format!("{base}/{name}"))
            .header(header::ACCEPT_ENCODING, "identity")
            .header(header::IF_NONE_MATCH, tag)
            .send()
            .await
            .expect("a file answers again");
        assert_eq!(again.status(), 304, "{name}");
        files += 1;
    }
    assert!(
        files >= 6 && hashed >= 3,
        "only {files} files, {hashed} hashed"
    );
    let example = client
        .get(format!("{base}/examples/order-page.html"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("an example answers");
    assert_eq!(example.status(), 200);
    assert_eq!(example.headers()[header::CONTENT_ENCODING], "gzip");
    let missing = client
        .get(format!("{base}/no-such-file.js"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(missing.status(), 404);
}
