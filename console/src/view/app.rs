//! The console: which screen a browser sees (checking, signing in, an invitation, signed in) and,
//! signed in, the shell around every page: who is signed in, the sections, signing out.

use super::audit::AuditPage;
use super::home::Home;
use super::import::ImportPage;
use super::insights::InsightsPage;
use super::keys::KeysPage;
use super::list::List;
use super::members::MembersPage;
use super::settings::SettingsPage;
use super::shipment::ShipmentPage;
use super::sign_in::{Invited, SignIn};
use super::tokens::TokensPage;
use super::webhooks::WebhooksPage;
use super::{alert, Gate, Problem};
use crate::api::{self, ApiError, Role, Session};
use crate::route::{self, sections, Place};
use crate::words::{self, text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// The place the address names now.
fn current_place() -> Place {
    let hash = web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default();
    Place::of_hash(&hash)
}

/// The console's whole page.
#[component]
pub fn Console(
    /// The seller's language.
    lang: Lang,
    /// The invitation an invitation link brought, if it did.
    invitation: Option<String>,
) -> impl IntoView {
    let gate = RwSignal::new(match &invitation {
        Some(token) => Gate::Invited(token.clone()),
        None => Gate::Checking,
    });
    if invitation.is_none() {
        spawn_local(async move {
            gate.set(match api::session().await {
                Ok(session) => Gate::In(session),
                // No session, or a server without the console's routes: the sign-in page, plainly.
                Err(ApiError::SignedOut | ApiError::NotFound) => Gate::Out(None),
                Err(error) => Gate::Out(Some(error.word())),
            });
        });
    }
    let signed_in = Callback::new(move |session: Session| gate.set(Gate::In(session)));
    move || match gate.get() {
        Gate::Checking => view! {
            <main id="content" class="con__narrow">
                <h1>{t(lang, Word::Title)}</h1>
                <p role="status">{t(lang, Word::Loading)}</p>
            </main>
        }
        .into_any(),
        Gate::Out(notice) => view! { <SignIn lang notice signed_in/> }.into_any(),
        Gate::Invited(token) => view! { <Invited lang token signed_in/> }.into_any(),
        Gate::In(session) => view! { <Shell lang gate session/> }.into_any(),
    }
}

/// The language switch: the same place in another language (the page loads again in it).
#[component]
pub fn Languages(
    /// The language shown.
    lang: Lang,
    /// The fragment to keep across the reload (an invitation's), if any.
    #[prop(optional)]
    keep: Option<String>,
) -> impl IntoView {
    let keep = keep.unwrap_or_default();
    let links = [Lang::Ru, Lang::En, Lang::Zh].map(|other| {
        let tag = match other {
            Lang::Ru => "ru",
            Lang::En => "en",
            Lang::Zh => "zh",
        };
        let current = (other == lang).then_some("true");
        view! {
            <li><a href=format!("?lang={tag}{keep}") hreflang=tag lang=other.tag() aria-current=current>
                {words::language_name(other)}
            </a></li>
        }
    });
    view! {
        <nav class="con__langs" aria-label=t(lang, Word::Language)>
            <ul>{links.into_iter().collect_view()}</ul>
        </nav>
    }
}

/// The signed-in console: the bar, the sections and the page of the place.
#[component]
fn Shell(lang: Lang, gate: RwSignal<Gate>, session: Session) -> impl IntoView {
    let place = RwSignal::new(current_place());
    let listening = window_event_listener(leptos::ev::hashchange, move |_| {
        place.set(current_place());
    });
    on_cleanup(move || listening.remove());
    // Keyboard and screen-reader users land on the new page, not on the link they left.
    let main = NodeRef::<leptos::html::Main>::new();
    Effect::new(move |before: Option<()>| {
        place.track();
        if before.is_some() {
            if let Some(main) = main.get_untracked() {
                let _ = main.focus();
            }
        }
    });
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let sign_out = move |everywhere: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::sign_out(everywhere).await {
                Ok(()) | Err(ApiError::SignedOut) => gate.set(Gate::Out(None)),
                Err(error) => {
                    busy.set(false);
                    problem.set(Some(Problem::Api(error)));
                }
            }
        });
    };
    let role = match session.member.role {
        Role::Owner => t(lang, Word::RoleOwner),
        Role::Staff | Role::Other => t(lang, Word::RoleStaff),
    };
    let owner = session.member.role.is_owner();
    let who = words::fill(
        lang,
        Word::SignedInAs,
        &[
            ("name", &session.member.name),
            ("role", role),
            ("shop", &session.seller.name),
        ],
    );
    view! {
        <header class="con__bar">
            <p class="con__brand">{t(lang, Word::Title)}</p>
            <p class="con__who" data-testid="who">{who}</p>
            <nav class="con__nav" aria-label=t(lang, Word::Navigation)>
                <ul>
                    {sections(session.member.role).into_iter().map(|section| {
                        let opens = section.place.clone();
                        let current = move || {
                            let here = opens.as_ref().is_some_and(|opens| place.with(|place| place.section() == *opens));
                            here.then_some("page")
                        };
                        // The configurator opens with this seller's shop filled in.
                        let href = if section.place.is_none() {
                            route::configurator(&session.seller.handle, lang.tag())
                        } else {
                            section.href.to_owned()
                        };
                        view! { <li><a href=href aria-current=current>{t(lang, section.word)}</a></li> }
                    }).collect_view()}
                </ul>
            </nav>
        </header>
        <main id="content" class="con__main" tabindex="-1" node_ref=main>
            {move || match place.get() {
                Place::Attention => view! { <Home lang gate/> }.into_any(),
                Place::Shipments { problems, stale } => view! { <List lang gate problems stale/> }.into_any(),
                Place::Shipment(reference) => view! { <ShipmentPage lang gate reference/> }.into_any(),
                // Staff is not offered the owners' pages, and the server refuses them anyway.
                place if place.owners_only() && !owner => view! {
                    <h1>{t(lang, Word::Title)}</h1>
                    <p class="con__lead" role="alert">{t(lang, Word::OwnersOnly)}</p>
                }.into_any(),
                Place::Webhooks => view! { <WebhooksPage lang gate/> }.into_any(),
                Place::Import => view! { <ImportPage lang gate/> }.into_any(),
                Place::Members => view! { <MembersPage lang gate/> }.into_any(),
                Place::Tokens => view! { <TokensPage lang gate/> }.into_any(),
                Place::Audit => view! { <AuditPage lang gate/> }.into_any(),
                Place::Keys => view! { <KeysPage lang gate/> }.into_any(),
                Place::Settings => view! { <SettingsPage lang gate/> }.into_any(),
                Place::Insights => view! { <InsightsPage lang gate/> }.into_any(),
            }}
        </main>
        // Signing out is rare: at the foot, not in the way on a phone.
        <footer class="con__foot">
            {alert(lang, problem)}
            <div class="con__out">
                <button type="button" data-testid="sign-out" disabled=move || busy.get()
                    on:click=move |_| sign_out(false)>{t(lang, Word::SignOut)}</button>
                <button type="button" class="con__quiet" data-testid="sign-out-everywhere" disabled=move || busy.get()
                    on:click=move |_| sign_out(true)>{t(lang, Word::SignOutEverywhere)}</button>
            </div>
            <Languages lang/>
        </footer>
    }
}
