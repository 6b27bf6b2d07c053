//! The seller's console (`/console/`), as the real server serves it from the build: the sign-in
//! page in Russian under the strict policy, every control labelled (axe), and an invitation link's
//! token taken out of the address bar at once.

use trackline_e2e::Session;

#[tokio::test]
async fn the_console_signs_in_in_russian_under_its_policy_and_keeps_no_invitation_in_the_address() {
    let page = Session::start().await;
    page.open("/console/?lang=ru").await;
    // No session yet: the sign-in page, a passkey first.
    page.wait_for_script(
        "return document.querySelector('[data-testid=sign-in] h1')?.textContent === 'Вход'",
    )
    .await;
    assert_eq!(
        page.text("[data-testid=passkey-sign-in]").await,
        "Войти с ключом доступа"
    );
    assert_eq!(
        page.eval("return document.documentElement.lang").await,
        "ru"
    );
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    page.assert_no_csp_violations().await;

    // Another address, so that the page loads again (a fragment alone would not).
    page.open("/console/?lang=zh#invitation=abc_DEF-123").await;
    page.wait_for_script("return document.querySelector('[data-testid=invited]') !== null")
        .await;
    assert_eq!(page.eval("return location.hash").await, "");
    assert_eq!(page.eval("return location.search").await, "?lang=zh");
    let violations = page.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    page.assert_no_csp_violations().await;
}
