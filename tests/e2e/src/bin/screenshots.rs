//! Screenshots of the demo's states at phone and desktop widths, light and dark, for people to look at.
//!
//! Not a check: `cargo xtask screenshots [DIR]` runs it and says where the files went.

use std::path::PathBuf;
use trackline_e2e::{project_root, Session};

/// The states worth looking at: a path of the hosted page and a file name; the last two as a
/// buyer with JavaScript off sees them (the server's rendering alone).
const STATES: [(&str, &str); 17] = [
    ("/", "start"),
    ("/?n=RA100000048RU", "in-transit"),
    ("/?n=RA100000048RU&lang=ru", "in-transit-ru"),
    ("/?n=RA100000048RU&lang=zh", "in-transit-zh"),
    ("/?n=1000000007&lang=zh", "pickup-zh"),
    ("/?n=1000000007", "pickup"),
    ("/?n=1000000007&lang=ru", "pickup-ru"),
    ("/?n=0132112277&lang=zh", "split-zh"),
    ("/?n=2000000001", "delayed"),
    ("/?n=2000000002", "attempt-failed"),
    ("/?n=LP300000043CN&lang=ru", "customs-ru"),
    ("/?n=4000000001", "stale-and-late"),
    ("/?n=1000000008", "delivered"),
    ("/?n=ZZ999999995DE", "not-found"),
    ("/?n=1000000007&lang=ru", "pickup-ru-noscript"),
    (
        "/?shop=demo-guarded&n=5000000001&lang=zh",
        "asked-zh-noscript",
    ),
    (
        "/?shop=demo-guarded&n=RA500000021RU&lang=ru",
        "pickup-withheld-ru-noscript",
    ),
];

#[tokio::main]
async fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("screenshots"));
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    let page = Session::start().await;
    for (path, name) in STATES {
        let script = !name.ends_with("-noscript");
        page.cdp(
            "Emulation.setScriptExecutionDisabled",
            serde_json::json!({ "value": !script }),
        )
        .await;
        for theme in ["light", "dark"] {
            let joiner = if path.contains('?') { '&' } else { '?' };
            page.open(&format!("{path}{joiner}theme={theme}")).await;
            let ready = if name == "start" {
                "[data-testid=form]"
            } else if name == "not-found" || name.starts_with("asked") {
                "[data-testid=failure]"
            } else {
                "[data-testid=shipment]"
            };
            page.find(ready).await;
            for width in [360, 1280] {
                page.screenshot(width, &dir.join(format!("{name}-{width}-{theme}.png")))
                    .await;
            }
        }
    }
    guarded_pickup(&page, &dir).await;
    page.close().await;
    println!("screenshots in {}", dir.display());
}

/// The guarded demo shop's parcel at a pickup point, found by tracking number: the card with its
/// code withheld, then opened with the buyer's phone digits at "Show the code", in each language.
async fn guarded_pickup(page: &Session, dir: &std::path::Path) {
    use trackline_server::demo::{GUARDED_PHONE_LAST4, GUARDED_PICKUP, GUARDED_SELLER};
    page.cdp(
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({ "value": false }),
    )
    .await;
    for lang in ["ru", "en", "zh"] {
        page.open(&format!(
            "/?shop={GUARDED_SELLER}&n={GUARDED_PICKUP}&lang={lang}&theme=light"
        ))
        .await;
        page.find("[data-testid=pickup-withheld]").await;
        for width in [360, 1280] {
            let name = format!("pickup-withheld-{lang}-{width}-light.png");
            page.screenshot(width, &dir.join(name)).await;
        }
        page.find("[data-testid=pickup-show]")
            .await
            .click()
            .await
            .expect("Show the code opens");
        page.find("[data-testid=check-input]")
            .await
            .send_keys(GUARDED_PHONE_LAST4)
            .await
            .expect("typing works");
        for width in [360, 1280] {
            let name = format!("pickup-asking-{lang}-{width}-light.png");
            page.screenshot(width, &dir.join(name)).await;
        }
        page.find("[data-testid=check-submit]")
            .await
            .click()
            .await
            .expect("the reply is sent");
        page.find("[data-testid=pickup-code]").await;
        for width in [360, 1280] {
            let name = format!("pickup-opened-{lang}-{width}-light.png");
            page.screenshot(width, &dir.join(name)).await;
        }
    }
}
