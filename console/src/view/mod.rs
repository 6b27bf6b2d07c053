//! The console's views: the shell and the sign-in (`app`), the invitation and sign-in forms
//! (`sign_in`), the needs-attention home (`home`), the shipments list (`list`), one
//! shipment's page (`shipment`, with its `activity` and `edit` form), the owners' webhooks (`webhooks`) a spreadsheet's import
//! (`import`) and the insights' charts (`insights`); the owners' connections: members, API tokens, the audit log, provider keys and
//! settings, on what `connections` shares.

pub mod activity;
pub mod app;
pub mod audit;
pub mod connections;
pub mod edit;
pub mod home;
pub mod import;
pub mod insights;
pub mod keys;
pub mod list;
pub mod members;
pub mod settings;
pub mod shipment;
pub mod sign_in;
pub mod tokens;
pub mod webhooks;

use crate::api::{ApiError, Session};
use crate::webauthn::PasskeyError;
use crate::words::{self, Word};
use leptos::prelude::*;
use trackline::i18n::Lang;

/// Whether a member is signed in.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Asking the server for this browser's session.
    Checking,
    /// Signed out, perhaps with a word why (the session ended).
    Out(Option<Word>),
    /// Opened from an invitation link, with its token.
    Invited(String),
    /// Signed in.
    In(Session),
}

/// What went wrong, from any side: the server, the browser's passkey, or the form itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A call failed.
    Api(ApiError),
    /// The passkey ceremony failed in the browser.
    Passkey(PasskeyError),
    /// A word of its own (a form's check, or a status that means something here).
    Said(Word),
}

impl Problem {
    /// The problem told in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Problem::Api(error) => words::fill(lang, error.word(), &[("field", error.field())]),
            Problem::Passkey(error) => words::text(lang, error.word()).to_owned(),
            Problem::Said(word) => words::text(lang, *word).to_owned(),
        }
    }

    /// A failed call where `status`'s answer means `word` here (401 from a password sign-in is a
    /// wrong password, 404 for an invitation is one that is gone).
    pub fn of(error: ApiError, status: ApiError, word: Word) -> Problem {
        if error == status {
            Problem::Said(word)
        } else {
            Problem::Api(error)
        }
    }
}

/// A failed call seen by a page of the signed-in console: a session that ended signs out (with
/// the word why), anything else is the page's to say.
pub fn reported(gate: RwSignal<Gate>, error: ApiError) -> Problem {
    if error == ApiError::SignedOut {
        gate.set(Gate::Out(Some(Word::ErrSignedOut)));
    }
    Problem::Api(error)
}

/// A problem's line, announced as it appears.
pub fn alert(lang: Lang, problem: RwSignal<Option<Problem>>) -> impl IntoView {
    move || {
        problem.get().map(|problem| {
            view! { <p class="con__error" role="alert">{problem.text(lang)}</p> }
        })
    }
}
