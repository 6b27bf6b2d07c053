//! The buyer's whole experience on the hosted page: every stage and exception worded,
//! the pickup card, the order switch, languages, the address and recent numbers, and axe-core on each state.

use trackline_e2e::Session;

/// Fails with axe-core's own words if the page has any accessibility violation.
async fn assert_accessible(page: &Session, state: &str) {
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "{state}: {violations:#?}");
}

/// Fails if the page scrolls sideways, a button or link is smaller than a fingertip (44 px), or
/// a number is broken across lines (a posting's hyphens invite it).
async fn assert_fits_a_phone(page: &Session, state: &str) {
    let report = page
        .eval(
            "const root = document.querySelector('[data-testid=widget]');
             const small = [...root.querySelectorAll('button, a, input')]
               .filter(e => e.offsetParent !== null)
               .map(e => [e.textContent.trim() || e.getAttribute('aria-label') || e.tagName, e.getBoundingClientRect().height])
               .filter(([, h]) => h < 44);
             const broken = [...root.querySelectorAll('.tl-numbers dd, .tl-parcels__tab-number, [data-testid=recent-pick]')]
               .filter(e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length > 1; })
               .map(e => e.textContent);
             return { overflow: Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth), small, broken };",
        )
        .await;
    assert_eq!(report["overflow"], 0, "{state} scrolls sideways: {report}");
    assert_eq!(
        report["small"],
        serde_json::json!([]),
        "{state}: targets under 44 px"
    );
    assert_eq!(
        report["broken"],
        serde_json::json!([]),
        "{state}: numbers broken across lines"
    );
}

#[tokio::test]
async fn every_stage_has_its_own_words_and_passes_axe() {
    let page = Session::start().await;
    page.resize(320, 800).await;
    let mut headlines = Vec::new();
    for (number, stage) in [
        ("1000000001", "created"),
        ("1000000002", "packed"),
        ("1000000003", "handed_over"),
        ("1000000004", "in_transit"),
        ("1000000005", "arrived"),
        ("1000000006", "out_for_delivery"),
        ("1000000007", "ready_for_pickup"),
        ("1000000008", "delivered"),
        ("3000000001", "sorting_at_hub"),
    ] {
        page.open(&format!("/?n={number}")).await;
        page.find(&format!("[data-testid=shipment][data-stage={stage}]"))
            .await;
        let current = page.find("[data-testid=step][aria-current=step]").await;
        assert_eq!(
            current.attr("data-stage").await.unwrap().as_deref(),
            Some(stage)
        );
        let headline = page.text("[data-testid=headline]").await;
        // The live region says the same thing the buyer sees.
        page.wait_for_script(&format!(
            "return document.querySelector('[data-testid=announcement]').textContent.startsWith({headline:?})"
        ))
        .await;
        headlines.push(headline);
        assert_accessible(&page, stage).await;
        assert_fits_a_phone(&page, stage).await;
    }
    let mut distinct = headlines.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), headlines.len(), "{headlines:?}");
    page.close().await;
}

#[tokio::test]
async fn every_exception_says_what_happens_next() {
    let page = Session::start().await;
    let mut next_steps = Vec::new();
    for (number, exception, asks_support) in [
        ("2000000001", "delayed", false),
        ("2000000002", "attempt_failed", true),
        ("2000000003", "address_problem", true),
        ("2000000004", "customs_hold", false),
        ("2000000005", "damaged", true),
        ("2000000006", "lost", true),
        ("2000000007", "returning", false),
        ("2000000008", "returned", false),
        ("2000000009", "cancelled", false),
    ] {
        page.open(&format!("/?n={number}")).await;
        page.find("[data-testid=step-exception]").await;
        next_steps.push(page.text("[data-testid=next-step]").await);
        let support_first = !page.all("[data-testid=contact-support]").await.is_empty();
        assert_eq!(support_first, asks_support, "{exception}");
        if asks_support {
            page.find("[data-testid=contact-support]")
                .await
                .click()
                .await
                .expect("the button clicks");
            page.wait_for_script(
                "return document.activeElement?.getAttribute('data-testid') === 'support'",
            )
            .await;
        }
        assert_accessible(&page, exception).await;
    }
    let mut distinct = next_steps.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 9, "{next_steps:#?}");
    page.close().await;
}

#[tokio::test]
async fn a_delayed_parcel_shows_its_new_estimate() {
    let page = Session::start().await;
    page.open("/?n=2000000001").await;
    // The demo's new window is five to eight days out: worded as a range, not a single day.
    let eta = page.text("[data-testid=eta-value]").await;
    assert!(eta.contains('–'), "{eta}");
    page.close().await;
}

#[tokio::test]
async fn the_pickup_card_has_the_code_the_days_left_and_a_map() {
    let page = Session::start().await;
    page.open("/?n=1000000007").await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    let until = page.text("[data-testid=storage-until]").await;
    assert!(until.starts_with("Kept 6 more days, until "), "{until}");
    let map = page.find("[data-testid=pickup-map]").await;
    let href = map.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with("https://www.openstreetmap.org/"), "{href}");
    // No estimate once the parcel waits at the point.
    assert!(page.all("[data-testid=eta]").await.is_empty());
    page.close().await;
}

#[tokio::test]
async fn a_status_that_stopped_moving_and_is_late_puts_support_first() {
    let page = Session::start().await;
    page.open("/?n=4000000001").await;
    let stale = page.text("[data-testid=stale]").await;
    assert!(stale.starts_with("No update for "), "{stale}");
    let late = page.text("[data-testid=overdue]").await;
    assert!(late.starts_with("3 days late."), "{late}");
    page.find("[data-testid=contact-support]").await;
    assert_accessible(&page, "stale and late").await;
    page.close().await;
}

#[tokio::test]
async fn the_order_switch_works_by_keyboard_and_summarises_the_parcels() {
    let page = Session::start().await;
    page.resize(320, 800).await;
    page.open("/?n=0132112277").await;
    assert_fits_a_phone(&page, "split order").await;
    let first = page
        .find("[data-testid=parcel-tab][aria-selected=true]")
        .await;
    // It opened on the parcel still in transit (the second); right arrow wraps to the first.
    assert_eq!(
        first.attr("id").await.ok().flatten().as_deref(),
        Some("tl-parcel-tab-1")
    );
    first.send_keys("\u{E014}").await.expect("arrow right");
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    page.wait_for_script(
        "return document.activeElement?.getAttribute('aria-selected') === 'true' \
         && document.activeElement.id === 'tl-parcel-tab-0'",
    )
    .await;
    assert_accessible(&page, "split order").await;
    page.close().await;
}

#[tokio::test]
async fn each_language_is_complete_with_its_plurals() {
    let page = Session::start().await;
    for (lang, title, until) in [
        ("en", "Track your parcel", "Kept 6 more days"),
        ("ru", "Где моя посылка", "Хранится ещё 6 дней"),
        ("zh", "查询您的包裹", "还将保管 6 天"),
    ] {
        page.open(&format!("/?n=1000000007&lang={lang}")).await;
        // The status first: the page's own form (and its heading) is replaced when the wasm starts.
        let text = page.text("[data-testid=storage-until]").await;
        assert_eq!(page.text("h1").await, title);
        assert!(text.starts_with(until), "{lang}: {text}");
        let html_lang = page.eval("return document.documentElement.lang").await;
        assert!(html_lang.as_str().unwrap_or_default().starts_with(lang));
        assert_accessible(&page, lang).await;
    }
    page.close().await;
}

#[tokio::test]
async fn the_number_lives_in_the_address_and_recent_numbers_are_kept_until_removed() {
    let page = Session::start().await;
    page.open("/").await;
    assert_accessible(&page, "the empty form").await;
    page.track("1000000008").await;
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    page.wait_for_script("return location.search === '?n=1000000008'")
        .await;
    // A reload shows the same status.
    page.client.refresh().await.expect("the page reloads");
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    // Back at the empty page the number is offered again.
    page.open("/").await;
    let pick = page.find("[data-testid=recent-pick]").await;
    assert_eq!(pick.text().await.unwrap(), "1000000008");
    assert_accessible(&page, "recent numbers").await;
    pick.click().await.expect("the number clicks");
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    page.open("/").await;
    page.find("[data-testid=recent-remove]")
        .await
        .click()
        .await
        .expect("remove clicks");
    page.wait_for_script("return !document.querySelector('[data-testid=recent-item]')")
        .await;
    page.client.refresh().await.expect("the page reloads");
    page.find("[data-testid=form]").await;
    page.wait_for_script("return localStorage.getItem('trackline:recent') === null")
        .await;
    assert!(page.all("[data-testid=recent-item]").await.is_empty());
    page.close().await;
}

#[tokio::test]
async fn failures_and_the_dark_theme_pass_axe_too() {
    let page = Session::start().await;
    page.open("/?n=ZZ999999995DE").await;
    page.find("[data-testid=failure]").await;
    assert_accessible(&page, "not found").await;
    for number in ["1000000007", "2000000002", "0132112277"] {
        page.open(&format!("/?n={number}&theme=dark")).await;
        page.find("[data-testid=shipment]").await;
        assert_accessible(&page, &format!("{number} dark")).await;
    }
    page.close().await;
}

#[tokio::test]
async fn the_axe_check_catches_a_real_violation() {
    // Without this, "no violations" could mean that axe never ran.
    let page = Session::start().await;
    page.open("/?n=1000000004").await;
    page.find("[data-testid=shipment]").await;
    page.eval(
        "const b = document.createElement('button'); \
         document.querySelector('[data-testid=shipment]').append(b); return true;",
    )
    .await;
    let violations = page.axe_violations().await;
    assert!(
        violations.iter().any(|v| v.starts_with("button-name")),
        "{violations:?}"
    );
    page.close().await;
}

#[tokio::test]
async fn the_pickup_code_and_the_page_link_can_be_copied() {
    let page = Session::start().await;
    page.open("/?n=1000000007").await;
    let copy = page.find("[data-testid=copy-code]").await;
    copy.click().await.expect("copy clicks");
    page.wait_for_script(
        "return document.querySelector('[data-testid=copy-code]').textContent === 'Copied'",
    )
    .await;
    // Headless Chromium has no share sheet, so the link goes to the clipboard.
    let share = page.find("[data-testid=share]").await;
    share.click().await.expect("share clicks");
    page.wait_for_script(
        "return document.querySelector('[data-testid=share]').textContent === 'Link copied'",
    )
    .await;
    page.close().await;
}

#[tokio::test]
async fn an_order_the_shop_guards_opens_with_the_phones_last_digits() {
    let page = Session::start().await;
    page.open("/?shop=demo-guarded&n=5000000001&lang=ru").await;
    let failure = page.find("[data-failure=check_required]").await;
    assert!(failure.text().await.unwrap().contains("4 цифры"));
    assert_accessible(&page, "the second-factor form").await;
    let input = page.find("[data-testid=check-input]").await;
    assert_eq!(
        input.attr("inputmode").await.unwrap().as_deref(),
        Some("numeric")
    );
    input.send_keys("0000\u{E007}").await.expect("typing works");
    page.find("[data-failure=check_failed]").await;
    let input = page.find("[data-testid=check-input]").await;
    input.send_keys("1234\u{E007}").await.expect("typing works");
    page.find("[data-testid=shipment][data-stage=in_transit]")
        .await;
    // The answer never goes into the page's address.
    page.wait_for_script("return location.search === '?shop=demo-guarded&n=5000000001&lang=ru'")
        .await;
    page.close().await;
}

#[tokio::test]
async fn a_pickup_code_the_shop_withholds_opens_at_the_card_with_the_phones_last_digits() {
    let page = Session::start().await;
    page.open("/?shop=demo-guarded&n=RA500000021RU&lang=en")
        .await;
    let withheld = page.find("[data-testid=pickup-withheld]").await;
    assert!(withheld.text().await.unwrap().contains("to its buyer only"));
    assert!(page.all("[data-testid=pickup-code]").await.is_empty());
    assert_accessible(&page, "a withheld pickup card").await;
    page.find("[data-testid=pickup-show]")
        .await
        .click()
        .await
        .expect("Show the code opens");
    let input = page.find("[data-testid=check-input]").await;
    input.send_keys("1234\u{E007}").await.expect("typing works");
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    assert!(page.all("[data-testid=pickup-withheld]").await.is_empty());
    // The answer never goes into the page's address.
    page.wait_for_script("return location.search === '?shop=demo-guarded&n=RA500000021RU&lang=en'")
        .await;
    page.close().await;
}

/// What a scanner reads from the page as it is on screen (the window is tall enough to hold the
/// whole pickup card), if anything. The whole window, not the element: with script off,
/// chromedriver cannot take an element's picture.
async fn scan_pickup_qr(page: &Session) -> Option<String> {
    page.find("[data-testid=pickup-qr]").await;
    let png = page.client.screenshot().await.ok()?;
    let gray = image::load_from_memory(&png).ok()?.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    prepared
        .detect_grids()
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, content)| content))
}

#[tokio::test]
async fn the_pickup_code_scans_as_a_qr_code_in_both_themes_and_without_script() {
    let page = Session::start().await;
    page.resize(360, 1600).await;
    for path in ["/?n=1000000007", "/?n=1000000007&theme=dark&lang=zh"] {
        page.open(path).await;
        assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
        assert_eq!(
            scan_pickup_qr(&page).await.as_deref(),
            Some("4821"),
            "{path}"
        );
        // The picture is hidden from screen readers, which read the digits.
        let hidden = page
            .find("[data-testid=pickup-qr]")
            .await
            .attr("aria-hidden")
            .await;
        assert_eq!(hidden.ok().flatten().as_deref(), Some("true"));
    }
    // The server's rendering alone draws the same symbol.
    page.cdp(
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({ "value": true }),
    )
    .await;
    page.open("/?n=1000000007&lang=ru").await;
    assert_eq!(scan_pickup_qr(&page).await.as_deref(), Some("4821"));
    page.close().await;
}

#[tokio::test]
async fn with_the_network_cut_the_last_answer_comes_from_the_device_marked_with_its_age() {
    let page = Session::start().await;
    page.open("/").await;
    page.track("1000000007").await;
    page.find("[data-testid=pickup-code]").await;
    page.track("RA100000048RU").await;
    page.find("[data-testid=shipment][data-stage=in_transit]")
        .await;

    // Within its 30 s the browser's HTTP cache would still answer; a buyer who comes back later has only the device's copy.
    page.cdp(
        "Network.setCacheDisabled",
        serde_json::json!({ "cacheDisabled": true }),
    )
    .await;
    page.set_offline(true).await;
    page.track("1000000007").await;
    let notice = page.text("[data-testid=saved-message]").await;
    assert!(
        notice.starts_with("You are offline") && notice.contains("minute ago"),
        "{notice}"
    );
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    assert_accessible(&page, "a saved copy").await;
    // A number this device never looked up has no copy: the buyer is told there is no connection.
    page.track("RA200000010RU").await;
    page.find("[data-failure=network]").await;

    // The network coming back brings the live status without a tap.
    page.track("1000000007").await;
    page.find("[data-testid=saved]").await;
    page.set_offline(false).await;
    page.wait_for_script("return document.querySelector('[data-testid=saved]') === null")
        .await;
    assert_eq!(page.text("[data-testid=pickup-code]").await, "4821");
    page.close().await;
}

// The phishing channel this closes: another shop on the same server wrote a shipment with the demo
// shop's tracking number and its own support contacts, and the demo shop's buyers saw it first.
#[tokio::test]
async fn a_buyer_sees_only_the_shop_whose_page_they_are_on() {
    let page = Session::start().await;
    page.put_shipment_as_new_seller(
        "Impostor Shop",
        serde_json::json!({
            "tracking_number": "RA100000048RU",
            "stage": "delivered",
            "support": {"contacts": [{"kind": "phone", "value": "+79990000000"}]}
        }),
    )
    .await;
    // The demo shop's page: its own parcel, in transit, and its own support line only.
    page.open("/?n=RA100000048RU").await;
    page.find("[data-testid=shipment][data-stage=in_transit]")
        .await;
    assert!(page.all("[data-testid=parcel-tab]").await.is_empty());
    page.find("[data-testid=support-link]").await;
    for link in page.all("[data-testid=support-link]").await {
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        assert!(!href.contains("79990000000"), "{href}");
    }
    // The impostor's page shows the impostor's parcel, and nothing of the demo shop's.
    page.open("/?shop=impostor-shop&n=RA100000048RU").await;
    page.find("[data-testid=shipment][data-stage=delivered]")
        .await;
    assert!(page.all("[data-testid=parcel-tab]").await.is_empty());
    page.close().await;
}

/// Opens a storefront whose element (in `lang`) asks a fixture endpoint of its own for a parcel
/// whose window was learnt from 214 parcels on its route, starting `ahead` days from today; with
/// a negative `ahead`, past its end but not its `late_after`. (The reference server's store keeps
/// no basis yet: the learnt estimates are another part's.)
async fn open_learnt(page: &Session, lang: &str, ahead: i64) {
    use trackline_core::time::format_date;
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64
        / 86_400;
    let from = today + ahead;
    let answer = serde_json::json!({"shipments": [{
        "tracking_number": "RA100000048RU",
        "stage": "in_transit",
        "events": [{"at": "2026-12-01T10:00:00Z", "stage": "handed_over", "text": "Accepted", "location": "Москва"}],
        "estimated_delivery": {
            "from": format_date(from), "to": format_date(from + 2), "basis": "history",
            "late_after": format_date(from + 5),
            "history": {"parcels": 214, "days_from": 5, "days_to": 7, "scope": "route", "counted_from": "handed_over"}
        }
    }]});
    let dir = std::env::temp_dir().join(format!(
        "trackline-learnt-{lang}-{ahead}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join("t")).expect("a temporary directory");
    std::fs::write(dir.join("t/RA100000048RU.json"), answer.to_string()).expect("the answer");
    std::fs::write(
        dir.join("index.html"),
        format!(
            r#"<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>shop</title>
<script type="module" src="{}/trackline-widget.js"></script>
<trackline-widget id="w" lang="{lang}" theme="light" endpoint="/t/{{number}}.json" number="RA100000048RU"></trackline-widget>"#,
            page.origin()
        ),
    )
    .expect("the page");
    let origin = trackline_e2e::serve_dir(dir).await;
    page.goto(&format!("{origin}/")).await;
}

/// The text of `inner` in the element's shadow root, once it is there.
async fn in_element(page: &Session, inner: &str) -> String {
    page.shadow_text("#w", inner).await
}

#[tokio::test]
async fn a_learnt_estimate_says_where_it_comes_from_and_is_not_late_before_late_after() {
    let page = Session::start().await;
    for (lang, words) in [
        ("en", "Usually 5–7 days on this route, from 214 parcels"),
        (
            "ru",
            "Обычно 5–7 дней на этом маршруте, судя по 214 посылкам",
        ),
        ("zh", "此线路通常 5–7 天送达（依据 214 件包裹）"),
    ] {
        open_learnt(&page, lang, 2).await;
        assert_eq!(in_element(&page, "[data-testid=eta-source]").await, words);
    }
    // Past the window's end, before late_after: still expected, not late.
    open_learnt(&page, "en", -3).await;
    let eta = in_element(&page, "[data-testid=eta-value]").await;
    assert!(eta.starts_with("Taking longer than usual, by "), "{eta}");
    let late = page
        .eval("return document.getElementById('w').shadowRoot.querySelectorAll('[data-testid=overdue]').length")
        .await;
    assert_eq!(late, 0);
    page.close().await;
}

#[tokio::test]
#[ignore = "screenshots: cargo test -p trackline-e2e --test e2e -- --ignored learnt_estimate_screenshots"]
async fn learnt_estimate_screenshots() {
    let page = Session::start().await;
    let dir = trackline_e2e::project_root().join("target/screenshots/estimate");
    std::fs::create_dir_all(&dir).expect("the screenshots' directory");
    for (state, ahead) in [("learnt", 2), ("behind", -3)] {
        for lang in ["en", "ru", "zh"] {
            open_learnt(&page, lang, ahead).await;
            in_element(&page, "[data-testid=eta-source]").await;
            for width in [360, 1280] {
                page.screenshot(width, &dir.join(format!("{state}-{lang}-{width}.png")))
                    .await;
            }
        }
    }
    page.close().await;
}
