//! The seller's console at work, in Chromium against the real server: a Windows-1251 `;` CSV
//! and an XLSX imported through the import page (preview, refusals, apply, the list), a parcel
//! moved to "ready for pickup" by hand and seen so on the buyer's page and by the shop's webhook,
//! and the screenshots of the pages an owner checks from a phone or a desk, in three languages.

use super::console::{fill, invitation, press, signed_in};
use std::path::{Path, PathBuf};
use trackline_e2e::{project_root, Session};
use trackline_server::change::tells::Kind;
use trackline_server::store::members::Role;

/// The reference of the parcel the tests move, put into the demo shop by `put_parcel`.
const PARCEL: &str = "e2e-pickup";
/// Its order number, as the buyer types it on the hosted page.
const PARCEL_ORDER: &str = "7000000001";

/// An owner of the demo shop, invited and signed in with a password, on the console in `lang`.
async fn signed_in_owner(page: &Session, lang: &str) {
    let link = invitation(page, Role::Owner).await;
    page.goto(&link.replace("/console/#", &format!("/console/?lang={lang}#")))
        .await;
    page.find("[data-testid=invited]").await;
    fill(page, "#con-name", "Anna").await;
    fill(page, "#con-new-login", "anna@shop.example").await;
    fill(page, "#con-new-password", "counter-top-42").await;
    press(page, "[data-testid=create-password]").await;
    signed_in(page).await;
}

/// Opens the console's `place` (`#/import`) in `lang`, loaded afresh with the session kept: the
/// query changes each time, since a fragment alone would not load the page again.
async fn open_console(page: &Session, lang: &str, place: &str) {
    static LOADS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let load = LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    page.goto(&format!(
        "{}/console/?lang={lang}&load={load}{place}",
        page.origin()
    ))
    .await;
    page.wait_for_script(&format!(
        "return location.search.endsWith('load={load}') && document.readyState === 'complete'"
    ))
    .await;
    signed_in(page).await;
}

/// Picks `file` in the import page's file input, as the browser's file dialog would.
async fn pick(page: &Session, file: &Path) {
    let input = page.find("#con-import-file").await;
    // Enabled again once an earlier upload or apply ended.
    page.wait_for_script("return !document.querySelector('#con-import-file').disabled")
        .await;
    // Chromium takes only a canonical path (no `..`).
    let file = file.canonicalize().expect("the file exists");
    input
        .send_keys(&file.display().to_string())
        .await
        .expect("the file is picked");
}

/// Waits until the page's text (its `innerText`, as read on the screen) holds `words`.
async fn shows(page: &Session, words: &str) {
    let script = format!("return document.body.innerText.includes({words:?})");
    let seen = trackline_e2e::wait_until(|| async {
        (page.eval(&script).await == serde_json::Value::Bool(true)).then_some(())
    })
    .await;
    if seen.is_none() {
        let text = page.eval("return document.body.innerText").await;
        panic!(
            "never shown: {words:?}; the page says {}",
            text.as_str().unwrap_or_default()
        );
    }
}

/// The Windows-1251 `;` CSV as Ozon's seller cabinet exports postings.
fn ozon_csv() -> PathBuf {
    project_root().join("server/tests/fixtures/import/ozon-postings-1251.csv")
}

/// An XLSX as Excel saves it: Russian headers, two rows that import and one status the import
/// does not know, written to a temporary file.
fn excel_file() -> PathBuf {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        ["Номер заказа", "Трек-номер", "Статус"],
        ["X-1001", "RA644000014RU", "Доставляется"],
        ["X-1002", "", "Доставлен"],
        ["X-1003", "", "Непонятно"],
    ];
    for (row, cells) in (0u32..).zip(rows) {
        for (column, cell) in (0u16..).zip(cells) {
            if !cell.is_empty() {
                sheet.write(row, column, cell).expect("the cell is written");
            }
        }
    }
    let bytes = workbook.save_to_buffer().expect("the workbook is saved");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let path = std::env::temp_dir().join(format!("trackline-e2e-orders-{nanos}.xlsx"));
    std::fs::write(&path, bytes).expect("the workbook is written");
    path
}

/// The server's store with its secret key (so sealed keys and webhook secrets can be written),
/// and the demo shop in it.
async fn demo_shop(
    store: trackline_server::Store,
) -> (
    trackline_server::Store,
    trackline_server::store::sellers::SellerId,
) {
    let key = trackline_server::secrets::SecretKey::from_base64(trackline_e2e::SECRET_KEY)
        .expect("a 32-byte key");
    let store = store
        .with_secret_key(Some(key))
        .await
        .expect("the server's key opens its store");
    let seller = store
        .seller_by_handle(trackline_server::demo::DEMO_SELLER)
        .await
        .expect("the store reads")
        .expect("the demo shop");
    (store, seller)
}

/// Puts a parcel in transit into the demo shop under `PARCEL`, as the seller's backend would.
async fn put_parcel(page: &Session) {
    let (store, seller) = demo_shop(page.store().await).await;
    let shipment: trackline_core::Shipment = serde_json::from_value(serde_json::json!({
        "order_number": PARCEL_ORDER,
        "shipment_number": format!("{PARCEL_ORDER}-0001-1"),
        "stage": "in_transit",
        "status_text": "Left the sorting centre",
        "updated_at": "2026-11-19T12:45:00+03:00",
        "support": {"contacts": [
            {"kind": "phone", "value": "+7 800 100-00-00"},
            {"kind": "telegram", "value": "https://t.me/demo_shop_help"}
        ]},
        "events": [
            {"at": "2026-11-19T12:45:00+03:00", "stage": "in_transit", "text": "Left the sorting centre", "location": "Moscow"},
            {"at": "2026-11-18T11:30:00+03:00", "stage": "handed_over", "text": "Handed to the carrier", "location": "Tver"}
        ]
    }))
    .expect("a contract shipment");
    trackline_server::updates::put(
        &store,
        seller,
        PARCEL,
        &shipment,
        &trackline_core::second_factor::SecondFactors::default(),
    )
    .await
    .expect("the shipment is written");
}

#[tokio::test]
async fn an_owner_imports_an_ozon_csv_in_windows_1251_and_an_xlsx_through_the_console() {
    let page = Session::start_at_localhost().await;
    signed_in_owner(&page, "en").await;
    open_console(&page, "en", "#/import").await;
    // The Widget section opens the configurator with the demo shop filled in.
    page.find("nav a[href='/configure/?shop=demo&lang=en']")
        .await;

    // The postings file: five rows to create, four refused, each refusal with its line and why.
    pick(&page, &ozon_csv()).await;
    shows(&page, "Not imported: 4").await;
    page.find("[data-testid=preview]").await;
    shows(
        &page,
        "Line 8: Status: “Потерян курьером” is not a status the import knows.",
    )
    .await;
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "the import preview: {violations:#?}");
    press(&page, "[data-testid=apply]").await;
    page.find("[data-testid=applied]").await;
    assert_eq!(
        page.text("[data-testid=applied]").await,
        "Imported: 5 of 5 written."
    );

    // The list shows each posting by its reference.
    open_console(&page, "en", "#/shipments").await;
    for reference in [
        "0123456789-0001-1",
        "0123456790-0002-1",
        "0123456791-0003-1",
        "0123456792-0004-1",
        "0123456793-0005-2",
    ] {
        page.find(&format!(
            "[data-testid=row] a[href=\"#/shipment/{reference}\"]"
        ))
        .await;
    }

    // An XLSX: its unknown status refused on its own line, the rest to create.
    open_console(&page, "en", "#/import").await;
    let excel = excel_file();
    pick(&page, &excel).await;
    shows(&page, "Not imported: 1").await;
    page.find("[data-testid=preview]").await;
    shows(
        &page,
        "Line 4: Status: “Непонятно” is not a status the import knows.",
    )
    .await;
    shows(&page, "Import: write 2 shipments").await;
    let _ = std::fs::remove_file(excel);
    page.close().await;
}

#[tokio::test]
async fn a_parcel_moved_to_ready_for_pickup_shows_so_to_the_buyer_and_reaches_the_webhook() {
    let page = Session::start_at_localhost().await;
    put_parcel(&page).await;
    // A webhook for the parcels reaching a pickup point, with its receiver on loopback (the
    // harness lets the server reach private addresses, which it refuses by default).
    let (url, received) = receiver().await;
    let (store, seller) = demo_shop(page.store().await).await;
    store
        .add_webhook(seller, &url, &[Kind::ReadyForPickup])
        .await
        .expect("the webhook is added");

    signed_in_owner(&page, "en").await;
    open_console(&page, "en", &format!("#/shipment/{PARCEL}")).await;
    page.find("[data-testid=buyer-view]").await;
    page.find("#con-stage")
        .await
        .select_by_value("ready_for_pickup")
        .await
        .expect("the stage is chosen");
    // The parcel has no pickup point yet: the form asks for the code the buyer will show.
    fill(&page, "[data-testid=ask-pickup-code]", "4821").await;
    fill(&page, "[data-testid=ask-pickup-name]", "Pickup point 12").await;
    fill(
        &page,
        "[data-testid=ask-pickup-address]",
        "Tverskaya 1, Moscow",
    )
    .await;
    fill(&page, "#con-text", "Arrived at the pickup point").await;
    let violations = page.axe_violations().await;
    assert!(
        violations.is_empty(),
        "the shipment's page: {violations:#?}"
    );
    press(&page, "[data-testid=add-event]").await;
    shows(&page, "Arrived at the pickup point").await;
    page.wait_for_script(
        "return document.querySelector('[data-testid=buyer-view] [data-testid=shipment]')\
           ?.dataset.stage === 'ready_for_pickup'",
    )
    .await;

    // The buyer, on the hosted page, by the order number.
    page.open(&format!("/?n={PARCEL_ORDER}&lang=en")).await;
    assert_eq!(
        page.text("[data-testid=headline]").await,
        "Ready for pickup"
    );
    // With the code the seller typed, in the big digits a pickup point's clerk reads.
    assert_eq!(
        page.text("[data-testid=pickup-code]")
            .await
            .replace(' ', ""),
        "4821"
    );

    // The receiver is told, signed, of this parcel at its pickup point; the store notes it delivered.
    let request = tokio::time::timeout(std::time::Duration::from_secs(30), received)
        .await
        .expect("the webhook arrives within 30 s")
        .expect("the receiver hands the request over");
    let lower = request.to_ascii_lowercase();
    assert!(lower.starts_with("post /trackline "), "{request}");
    assert!(
        lower.contains("trackline-event: ready_for_pickup"),
        "{request}"
    );
    assert!(lower.contains("trackline-signature: "), "{request}");
    assert!(request.contains(PARCEL_ORDER), "{request}");
    let delivered = trackline_e2e::wait_until(|| async {
        let states: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, state FROM webhook_deliveries")
                .fetch_all(store.pool())
                .await
                .expect("the deliveries read");
        (states.iter().any(|(_, state)| state == "delivered")).then_some(states)
    })
    .await
    .expect("the delivery is noted delivered");
    assert_eq!(
        delivered,
        [("ready_for_pickup".to_owned(), "delivered".to_owned())]
    );
    page.close().await;
}

/// A webhook receiver on loopback: answers the first request `200 OK` and hands it over whole
/// (its head and body, read to the announced length, at most 1 MiB).
async fn receiver() -> (String, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://{}/trackline",
        listener.local_addr().expect("its address")
    );
    let (hand_over, received) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let mut request = Vec::new();
        let mut chunk = [0u8; 8192];
        while !whole(&request) && request.len() < 1 << 20 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(read) => request.extend_from_slice(&chunk[..read]),
            }
        }
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await;
        let _ = hand_over.send(String::from_utf8_lossy(&request).into_owned());
    });
    (url, received)
}

/// Whether `request` holds its head and as much body as its `content-length` says.
fn whole(request: &[u8]) -> bool {
    let Some(end) = request.windows(4).position(|four| four == b"\r\n\r\n") else {
        return false;
    };
    let length = String::from_utf8_lossy(&request[..end])
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    request.len() >= end + 4 + length
}

#[tokio::test]
#[ignore = "screenshots: cargo test -p trackline-e2e --test e2e -- --ignored console_screenshots"]
async fn console_screenshots() {
    let page = Session::start_at_localhost().await;
    put_parcel(&page).await;
    signed_in_owner(&page, "en").await;
    // CDEK's keys saved (so the keys page offers its check) and an invitation not yet used (so
    // the members page lists one to revoke); neither reaches a provider.
    let (store, seller) = demo_shop(page.store().await).await;
    let keys = trackline_server::provider::Keys::Client {
        client_id: "shop-account".into(),
        client_secret: "shop-secure-password".into(),
    };
    store
        .set_source_keys(
            seller,
            trackline_server::provider::Provider::Cdek,
            Some(&keys),
        )
        .await
        .expect("the keys are kept");
    invitation(&page, Role::Staff).await;
    let dir = project_root().join("target/screenshots/console");
    std::fs::create_dir_all(&dir).expect("the screenshots' directory");
    let shot = |name: &str, lang: &str, width: u32| dir.join(format!("{name}-{lang}-{width}.png"));
    for lang in ["ru", "en", "zh"] {
        open_console(&page, lang, "#/").await;
        page.wait_for_script(
            "return document.querySelector('[data-testid=queue], [data-testid=all-clear]') !== null",
        )
        .await;
        for width in [360, 1280] {
            page.screenshot(width, &shot("attention", lang, width))
                .await;
        }

        open_console(&page, lang, &format!("#/shipment/{PARCEL}")).await;
        page.find("[data-testid=buyer-view] [data-testid=shipment]")
            .await;
        for width in [360, 1280] {
            page.screenshot(width, &shot("shipment", lang, width)).await;
        }

        open_console(&page, lang, "#/import").await;
        pick(&page, &ozon_csv()).await;
        page.find("[data-testid=preview]").await;
        for width in [360, 1280] {
            page.screenshot(width, &shot("import", lang, width)).await;
        }

        open_console(&page, lang, "#/keys").await;
        page.find("[data-testid^=keys-]").await;
        for width in [360, 1280] {
            page.screenshot(width, &shot("keys", lang, width)).await;
        }

        open_console(&page, lang, "#/members").await;
        page.find("[data-testid=invitation]").await;
        for width in [360, 1280] {
            page.screenshot(width, &shot("members", lang, width)).await;
        }

        open_console(&page, lang, "#/insights").await;
        page.find("[data-testid=chart], [data-testid=insights-empty]")
            .await;
        for width in [360, 1280] {
            page.screenshot(width, &shot("insights", lang, width)).await;
        }
    }
    page.close().await;
}

/// Marks every control a keyboard user must reach (visible, enabled, not inert) with
/// `data-reach`, and returns how many there are.
const MARK_CONTROLS: &str = r#"
const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter(e => !e.disabled && e.getAttribute('tabindex') !== '-1' && !e.closest('[hidden], [inert]')
    && (e.getClientRects().length > 0 || e.matches('input[type=file]')));
controls.forEach((e, i) => e.setAttribute('data-reach', String(i)));
window.reached = new Set();
document.addEventListener('focusin', ev => {
  const own = ev.target.closest('[data-reach]');
  if (own) window.reached.add(own.getAttribute('data-reach'));
});
return controls.length;"#;

/// Presses Tab once, as a keyboard does (DevTools' input, not a script's focus()).
async fn tab(page: &Session) {
    for kind in ["keyDown", "keyUp"] {
        page.cdp(
            "Input.dispatchKeyEvent",
            serde_json::json!({"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9}),
        )
        .await;
    }
}

#[tokio::test]
async fn every_section_of_the_console_is_axe_clean_and_each_control_is_reached_by_tab() {
    let page = Session::start_at_localhost().await;
    put_parcel(&page).await;
    signed_in_owner(&page, "en").await;
    // Each section, and what shows it has loaded (the page says "Loading…" until then).
    let sections = [
        ("#/", "[data-testid=queue], [data-testid=all-clear]"),
        (
            "#/shipments",
            "[data-testid=row], [data-testid=no-shipments]",
        ),
        (
            &*format!("#/shipment/{PARCEL}"),
            "[data-testid=buyer-view] [data-testid=shipment]",
        ),
        ("#/import", "[data-testid=drop]"),
        ("#/webhooks", "main form"),
        ("#/keys", "[data-testid^=keys-]"),
        ("#/tokens", "main form"),
        ("#/members", "[data-testid=member]"),
        ("#/audit", "[data-testid=audit-entry], main p.con__muted"),
        ("#/settings", "form[aria-busy=false]"),
        (
            "#/insights",
            "[data-testid=chart], [data-testid=insights-empty]",
        ),
    ];
    for (place, loaded) in sections {
        open_console(&page, "en", place).await;
        page.find(loaded).await;
        page.wait_for_script(
            "return ![...document.querySelectorAll('[role=status]')].some(e => e.textContent.includes('Loading'))",
        )
        .await;
        let violations = page.axe_violations().await;
        assert!(violations.is_empty(), "{place}: {violations:#?}");

        // What a closed <details> holds is reached once it is opened (the insights' numbers):
        // opened first, so that its controls are held to the keyboard too.
        page.eval("document.querySelectorAll('details').forEach(d => d.open = true); return true")
            .await;
        let controls = page.eval(MARK_CONTROLS).await.as_u64().unwrap_or(0);
        assert!(controls > 0, "{place}: no control at all");
        page.eval("document.activeElement && document.activeElement.blur(); return true")
            .await;
        // Twice round the page at most: every control once, the browser's own stops besides.
        for _ in 0..(2 * controls + 10) {
            tab(&page).await;
        }
        let missed = page
            .eval(
                "return [...document.querySelectorAll('[data-reach]')]
                   .filter(e => !window.reached.has(e.getAttribute('data-reach')))
                   .map(e => e.outerHTML.slice(0, 120))",
            )
            .await;
        assert_eq!(missed, serde_json::json!([]), "{place}: not reached by Tab");
    }
    page.close().await;
}
