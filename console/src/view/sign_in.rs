//! Signing in (a passkey, or a login and password) and accepting an invitation (creating a
//! passkey, or choosing a password where the device has none).

use super::app::Languages;
use super::{alert, Problem};
use crate::api::{self, ApiError, Invitation, Role, Session};
use crate::form;
use crate::webauthn;
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// A signal's text, trimmed of nothing: what the control holds.
fn typed(signal: RwSignal<String>) -> impl Fn(leptos::ev::Event) + Copy + 'static {
    move |event| signal.set(event_target_value(&event))
}

/// A passkey sign-in, from the server's options to its session.
async fn passkey_sign_in() -> Result<Session, Problem> {
    let ceremony = api::passkey_sign_in_start().await.map_err(Problem::Api)?;
    let credential = webauthn::get(&ceremony.options)
        .await
        .map_err(Problem::Passkey)?;
    api::passkey_sign_in_finish(&ceremony.ceremony, credential)
        .await
        .map_err(|error| Problem::of(error, ApiError::SignedOut, Word::ErrPasskeyRefused))
}

/// The sign-in page: a passkey first, a login and password below it.
#[component]
pub fn SignIn(
    /// The seller's language.
    lang: Lang,
    /// Why the seller is here, if it is worth saying (the session ended).
    notice: Option<Word>,
    /// Called with the session once signed in.
    signed_in: Callback<Session>,
) -> impl IntoView {
    let problem = RwSignal::new(notice.map(Problem::Said));
    let busy = RwSignal::new(false);
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let with_passkey = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = passkey_sign_in().await;
            busy.set(false);
            match result {
                Ok(session) => signed_in.run(session),
                Err(failed) => problem.set(Some(failed)),
            }
        });
    };
    let with_password = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let login = match form::login(&login.get_untracked()) {
            Ok(login) => login,
            Err(word) => return problem.set(Some(Problem::Said(word))),
        };
        let password = password.get_untracked();
        if password.is_empty() {
            return problem.set(Some(Problem::Said(Word::ErrWrongPassword)));
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = api::password_sign_in(&login, &password).await;
            busy.set(false);
            match result {
                Ok(session) => signed_in.run(session),
                Err(error) => problem.set(Some(Problem::of(
                    error,
                    ApiError::SignedOut,
                    Word::ErrWrongPassword,
                ))),
            }
        });
    };
    view! {
        <main id="content" class="con__narrow" data-testid="sign-in">
            <p class="con__brand">{t(lang, Word::Title)}</p>
            <h1>{t(lang, Word::SignInTitle)}</h1>
            {alert(lang, problem)}
            <button type="button" class="con__primary con__wide" data-testid="passkey-sign-in"
                disabled=move || busy.get() on:click=with_passkey>
                {t(lang, Word::SignInWithPasskey)}
            </button>
            <form class="con__form" on:submit=with_password>
                <h2>{t(lang, Word::OrWithPassword)}</h2>
                <label for="con-login">{t(lang, Word::Login)}</label>
                <input id="con-login" type="text" autocomplete="username" autocapitalize="none"
                    spellcheck="false" maxlength="100" required
                    prop:value=move || login.get() on:input=typed(login)/>
                <label for="con-password">{t(lang, Word::Password)}</label>
                <input id="con-password" type="password" autocomplete="current-password" maxlength="256" required
                    prop:value=move || password.get() on:input=typed(password)/>
                <button type="submit" data-testid="password-sign-in" disabled=move || busy.get()>
                    {t(lang, Word::SignInButton)}
                </button>
            </form>
            <p class="con__hint">{t(lang, Word::LostPasskey)}</p>
        </main>
        <footer class="con__foot"><Languages lang/></footer>
    }
}

/// The role's word.
fn role_word(role: Role) -> Word {
    match role {
        Role::Owner => Word::RoleOwner,
        Role::Staff | Role::Other => Word::RoleStaff,
    }
}

/// A passkey's registration, from the server's options to its session.
async fn passkey_register(token: String, name: String) -> Result<Session, Problem> {
    let gone = |error| Problem::of(error, ApiError::NotFound, Word::ErrInvitationGone);
    let ceremony = api::passkey_register_start(&token, &name)
        .await
        .map_err(gone)?;
    let credential = webauthn::create(&ceremony.options)
        .await
        .map_err(Problem::Passkey)?;
    api::passkey_register_finish(&ceremony.ceremony, credential)
        .await
        .map_err(gone)
}

/// The page an invitation link opens: what it is for, then a passkey or a password.
#[component]
pub fn Invited(
    /// The seller's language.
    lang: Lang,
    /// The invitation's token.
    token: String,
    /// Called with the session once registered.
    signed_in: Callback<Session>,
) -> impl IntoView {
    let invitation = RwSignal::new(None::<Result<Invitation, Problem>>);
    let token = StoredValue::new(token);
    spawn_local(async move {
        let found = api::invitation(&token.get_value())
            .await
            .map_err(|error| Problem::of(error, ApiError::NotFound, Word::ErrInvitationGone));
        invitation.set(Some(found));
    });
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let start = move || -> Option<String> {
        if busy.get_untracked() {
            return None;
        }
        match form::name(&name.get_untracked()) {
            Ok(name) => Some(name),
            Err(word) => {
                problem.set(Some(Problem::Said(word)));
                None
            }
        }
    };
    let finish = move |result: Result<Session, Problem>| {
        busy.set(false);
        match result {
            Ok(session) => signed_in.run(session),
            Err(failed) => problem.set(Some(failed)),
        }
    };
    let with_passkey = move |_| {
        let Some(name) = start() else { return };
        busy.set(true);
        problem.set(None);
        spawn_local(async move { finish(passkey_register(token.get_value(), name).await) });
    };
    let with_password = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(name) = start() else { return };
        let checked = form::login(&login.get_untracked())
            .and_then(|login| form::password(&password.get_untracked()).map(|()| login));
        let login = match checked {
            Ok(login) => login,
            Err(word) => return problem.set(Some(Problem::Said(word))),
        };
        let password = password.get_untracked();
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = api::password_register(&token.get_value(), &name, &login, &password)
                .await
                .map_err(|error| Problem::of(error, ApiError::NotFound, Word::ErrInvitationGone));
            finish(result);
        });
    };
    let what = move || match invitation.get() {
        None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Some(Err(problem)) => {
            view! { <p class="con__error" role="alert">{problem.text(lang)}</p> }.into_any()
        }
        Some(Ok(invitation)) => {
            let said = words::fill(
                lang,
                Word::InvitationFor,
                &[
                    ("shop", &invitation.seller),
                    ("role", t(lang, role_word(invitation.role))),
                ],
            );
            view! { <p class="con__lead" data-testid="invitation">{said}</p> }.into_any()
        }
    };
    let keep = format!("#invitation={}", token.get_value());
    view! {
        <main id="content" class="con__narrow" data-testid="invited">
            <p class="con__brand">{t(lang, Word::Title)}</p>
            <h1>{t(lang, Word::InvitationTitle)}</h1>
            {what}
            {alert(lang, problem)}
            <label for="con-name">{t(lang, Word::YourName)}</label>
            <input id="con-name" type="text" autocomplete="name" maxlength="100" required
                prop:value=move || name.get() on:input=typed(name)/>
            <p class="con__hint" id="con-passkey-hint">{t(lang, Word::PasskeyHint)}</p>
            <button type="button" class="con__primary con__wide" data-testid="create-passkey"
                aria-describedby="con-passkey-hint" disabled=move || busy.get() on:click=with_passkey>
                {t(lang, Word::CreatePasskey)}
            </button>
            <form class="con__form" on:submit=with_password>
                <h2>{t(lang, Word::PasswordInstead)}</h2>
                <label for="con-new-login">{t(lang, Word::Login)}</label>
                <input id="con-new-login" type="text" autocomplete="username" autocapitalize="none"
                    spellcheck="false" maxlength="100" required
                    prop:value=move || login.get() on:input=typed(login)/>
                <label for="con-new-password">{t(lang, Word::Password)}</label>
                <input id="con-new-password" type="password" autocomplete="new-password" minlength="10" maxlength="256"
                    required aria-describedby="con-password-rule"
                    prop:value=move || password.get() on:input=typed(password)/>
                <p class="con__hint" id="con-password-rule">{t(lang, Word::PasswordRule)}</p>
                <button type="submit" data-testid="create-password" disabled=move || busy.get()>
                    {t(lang, Word::CreateWithPassword)}
                </button>
            </form>
        </main>
        <footer class="con__foot"><Languages lang keep/></footer>
    }
}
