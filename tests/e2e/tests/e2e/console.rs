//! The seller's console (`/console/`), as the real server serves it from the build: the sign-in
//! page in Russian under the strict policy, every control labelled (axe), and an invitation link's
//! token taken out of the address bar at once.

use trackline_e2e::Session;
use trackline_server::http::members::new_invitation;
use trackline_server::store::members::Role;

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

/// Types `text` into the input `css`, as a person would.
pub(crate) async fn fill(page: &Session, css: &str, text: &str) {
    let input = page.find(css).await;
    input.clear().await.expect("the input clears");
    input.send_keys(text).await.expect("typing works");
}

/// Presses the button `css`.
pub(crate) async fn press(page: &Session, css: &str) {
    page.find(css)
        .await
        .click()
        .await
        .expect("the button is pressed");
}

/// A new invitation to the demo shop, as `trackline-server invite demo` makes it: its link.
pub(crate) async fn invitation(page: &Session, role: Role) -> String {
    let store = page.store().await;
    let seller = store
        .seller_by_handle(trackline_server::demo::DEMO_SELLER)
        .await
        .expect("the store reads")
        .expect("the demo shop");
    let (link, _) = new_invitation(&store, page.origin(), seller, role)
        .await
        .expect("an invitation");
    link
}

/// Signed in: the console's shell names who is.
pub(crate) async fn signed_in(page: &Session) {
    page.find("[data-testid=who]").await;
}

#[tokio::test]
async fn an_owner_joins_with_a_passkey_and_staff_with_a_password_and_neither_is_reached_from_another_site(
) {
    let page = Session::start_at_localhost().await;
    let authenticator = page.add_virtual_authenticator().await;

    // The owner opens the invitation link, names herself and makes a passkey: signed in, the
    // attention queue of the demo shop (it has delayed and held parcels) is her home.
    let link = invitation(&page, Role::Owner).await;
    page.goto(&link.replace("/console/#", "/console/?lang=en#"))
        .await;
    page.find("[data-testid=invited]").await;
    fill(&page, "#con-name", "Anna").await;
    press(&page, "[data-testid=create-passkey]").await;
    signed_in(&page).await;
    assert_eq!(page.virtual_credentials(&authenticator).await.len(), 1);
    page.find("[data-testid=queue]").await;
    assert!(page.axe_violations().await.is_empty());

    // Signed out, she comes back with the passkey alone: no login typed.
    press(&page, "[data-testid=sign-out]").await;
    page.find("[data-testid=sign-in]").await;
    press(&page, "[data-testid=passkey-sign-in]").await;
    signed_in(&page).await;

    // Another site's page posts to the console's routes with the browser's cookies: sign out
    // everywhere, by a form and by a script. Neither reaches her session.
    let origin = page.origin().to_owned();
    page.open_elsewhere(format!(
        "<!doctype html><html><body>\
         <form id=f method=post action=\"{origin}/api/v1/console/sign-out-everywhere\"></form>\
         <script>\
           window.tried = fetch('{origin}/api/v1/console/sign-out-everywhere', \
             {{method: 'POST', credentials: 'include', mode: 'no-cors', body: '{{}}'}}) \
             .then(() => true, () => true);\
           window.tried.then(() => document.getElementById('f').submit());\
         </script></body></html>"
    ))
    .await;
    // The form's answer is the server's refusal, on the server's origin.
    page.wait_for_script(&format!(
        "return location.origin === {origin:?} && document.readyState === 'complete'"
    ))
    .await;
    page.goto(&format!("{origin}/console/?lang=en")).await;
    signed_in(&page).await;

    // Staff join by password, on a device with no passkey.
    press(&page, "[data-testid=sign-out]").await;
    page.find("[data-testid=sign-in]").await;
    // (Another query than the page's now, so that the browser loads it: a fragment alone would not.)
    let link = invitation(&page, Role::Staff).await;
    page.goto(&link.replace("/console/#", "/console/?lang=en&staff#"))
        .await;
    page.find("[data-testid=invited]").await;
    fill(&page, "#con-name", "Boris").await;
    fill(&page, "#con-new-login", "boris@shop.example").await;
    fill(&page, "#con-new-password", "counter-top-42").await;
    press(&page, "[data-testid=create-password]").await;
    signed_in(&page).await;
    // No owner's page in staff's navigation, and the keys are refused to their session.
    assert_eq!(
        page.eval("return document.querySelector('a[href=\"#/webhooks\"]') === null")
            .await,
        true
    );
    page.wait_for_script(
        "if (window.keys === undefined) { window.keys = null; \
           fetch('/api/v1/seller/webhooks', {credentials: 'same-origin'}).then(r => window.keys = r.status); } \
         return window.keys === 403;",
    )
    .await;

    // Signed out, back by login and password.
    press(&page, "[data-testid=sign-out]").await;
    page.find("[data-testid=sign-in]").await;
    fill(&page, "#con-login", "boris@shop.example").await;
    fill(&page, "#con-password", "counter-top-42").await;
    press(&page, "[data-testid=password-sign-in]").await;
    signed_in(&page).await;

    // Twelve hours idle: the session has ended, and the console says so on the next load.
    let store = page.store().await;
    sqlx::query("UPDATE member_sessions SET seen_ms = 0")
        .execute(store.pool())
        .await
        .expect("the sessions age");
    page.goto(&format!("{origin}/console/?lang=en")).await;
    page.find("[data-testid=sign-in]").await;
    page.close().await;
}
