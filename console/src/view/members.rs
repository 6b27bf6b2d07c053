//! The owners' members page: who signs in to the console (name, role, login, passkeys, since),
//! the invitations not yet used (who made each, revoked behind a confirmation), a new
//! invitation (its link shown once, with its expiry), and removing a member behind a
//! confirmation that says which of the tokens and invitations they made stop working with them,
//! and how many of the shop's tokens name no maker (no removal revokes those) (never the last
//! owner: the server says 409).

use super::connections::{confirmed, moment, owners_only, shown_once};
use super::{alert, reported, Gate, Problem};
use crate::api::{self, ApiError, MemberListed, Members, OpenInvitation, Role};
use crate::words::{self, text as t, Word};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;

/// A role in the seller's words.
pub fn role_text(lang: Lang, role: Role) -> &'static str {
    if role.is_owner() {
        t(lang, Word::RoleOwner)
    } else {
        t(lang, Word::RoleStaff)
    }
}

/// `count` things in `lang`, the word's form chosen as Russian counts (1, 21: one; 2–4, 22–24:
/// a few; the rest: many); English and Chinese use the "few" and "many" forms alike.
fn counted(lang: Lang, count: i64, [one, few, many]: [Word; 3]) -> String {
    let (tens, units) = (count % 100, count % 10);
    let word = if units == 1 && tens != 11 {
        one
    } else if (2..=4).contains(&units) && !(12..=14).contains(&tens) {
        few
    } else {
        many
    };
    words::fill(lang, word, &[("count", &count.to_string())])
}

/// What removing `member` revokes with them, in the seller's words ("2 API tokens and 1
/// invitation made by Anna will stop working."); `None` when they made nothing still open.
pub fn what_stops(lang: Lang, member: &MemberListed) -> Option<String> {
    let mut parts = Vec::new();
    if member.tokens_made > 0 {
        parts.push(counted(
            lang,
            member.tokens_made,
            [Word::ApiTokensOne, Word::ApiTokensFew, Word::ApiTokensMany],
        ));
    }
    if member.invitations_made > 0 {
        parts.push(counted(
            lang,
            member.invitations_made,
            [
                Word::InvitationsOne,
                Word::InvitationsFew,
                Word::InvitationsMany,
            ],
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let what = parts.join(t(lang, Word::AndWord));
    Some(words::fill(
        lang,
        Word::RemovalRevokes,
        &[("what", &what), ("name", &member.name)],
    ))
}

/// The shop's tokens no removal revokes (made by the operator, or before makers were kept), so
/// that an owner removing someone who knew them revokes them by hand; `None` when there are none.
pub fn unknown_makers(lang: Lang, count: i64) -> Option<String> {
    (count > 0).then(|| {
        words::fill(
            lang,
            Word::TokensWithoutMaker,
            &[("count", &count.to_string())],
        )
    })
}

/// An open invitation: its role and expiry, who made it, and its revocation.
pub fn invitation_row(
    lang: Lang,
    gate: RwSignal<Gate>,
    invitation: OpenInvitation,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let id = invitation.id;
    let revoke = move || {
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::revoke_invitation(id).await;
            busy.set(false);
            match answer {
                // Used or revoked meanwhile: either way it is gone from the list.
                Ok(()) | Err(ApiError::NotFound) => reload(),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let mut line = words::fill(
        lang,
        Word::InvitationUntil,
        &[
            ("role", role_text(lang, invitation.role)),
            ("date", &moment(lang, invitation.expires_ms)),
        ],
    );
    if let Some(name) = &invitation.invited_by {
        line.push_str(" · ");
        line.push_str(&words::fill(lang, Word::InvitedBy, &[("name", name)]));
    }
    let question = t(lang, Word::RevokeInvitationConfirm).to_owned();
    view! {
        <li class="con__card" data-testid="invitation">
            <p>{line}</p>
            {alert(lang, problem)}
            {confirmed(lang, Word::RevokeInvitation, question, Word::RevokeInvitationYes, busy, revoke)}
        </li>
    }
}

fn member_row(
    lang: Lang,
    gate: RwSignal<Gate>,
    member: MemberListed,
    without_maker: i64,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let id = member.id;
    let remove = move || {
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let answer = api::remove_member(id).await;
            busy.set(false);
            match answer {
                Ok(()) => reload(),
                Err(ApiError::Conflict) => problem.set(Some(Problem::Said(Word::ErrLastOwner))),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    let facts = [
        role_text(lang, member.role).to_owned(),
        member
            .login
            .clone()
            .unwrap_or_else(|| t(lang, Word::MemberNoLogin).to_owned()),
        words::fill(
            lang,
            Word::MemberPasskeys,
            &[("count", &member.passkeys.to_string())],
        ),
        words::fill(
            lang,
            Word::MemberSince,
            &[("date", &moment(lang, member.created_ms))],
        ),
    ]
    .join(" · ");
    let mut question = words::fill(lang, Word::RemoveMemberConfirm, &[("name", &member.name)]);
    if let Some(stops) = what_stops(lang, &member) {
        question.push(' ');
        question.push_str(&stops);
    }
    if let Some(unknown) = unknown_makers(lang, without_maker) {
        question.push(' ');
        question.push_str(&unknown);
    }
    let you = gate
        .with_untracked(|gate| matches!(gate, Gate::In(session) if session.member.id == member.id));
    let name = if you {
        words::fill(lang, Word::MemberYou, &[("name", &member.name)])
    } else {
        member.name.clone()
    };
    view! {
        <li class="con__card" data-testid="member">
            <p class="con__ref">{name}</p>
            <p class="con__muted">{facts}</p>
            {alert(lang, problem)}
            {confirmed(lang, Word::RemoveMember, question, Word::RemoveYes, busy, remove)}
        </li>
    }
}

/// The owners' members page.
#[component]
pub fn MembersPage(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    owners_only(lang, gate, move || members_page(lang, gate))
}

fn members_page(lang: Lang, gate: RwSignal<Gate>) -> impl IntoView {
    let list = RwSignal::new(None::<Members>);
    let problem = RwSignal::new(None::<Problem>);
    let reload = move || {
        spawn_local(async move {
            match api::members().await {
                Ok(found) => list.set(Some(found)),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    reload();
    let role = RwSignal::new("staff".to_owned());
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<api::InvitationLink>);
    let refused = RwSignal::new(None::<Problem>);
    let invite = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen = if role.get_untracked() == "owner" {
            Role::Owner
        } else {
            Role::Staff
        };
        busy.set(true);
        refused.set(None);
        made.set(None);
        spawn_local(async move {
            let answer = api::invite(chosen).await;
            busy.set(false);
            match answer {
                Ok(link) => {
                    made.set(Some(link));
                    reload();
                }
                Err(error) => refused.set(Some(reported(gate, error))),
            }
        });
    };
    let link = move || {
        made.get().map(|link| {
            let said = words::fill(
                lang,
                Word::LinkOnce,
                &[("date", &moment(lang, link.expires_ms))],
            );
            shown_once(lang, said, link.link, "invitation-link")
        })
    };
    let shown = move || match list.get() {
        None => view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any(),
        Some(found) => {
            let invitations = if found.invitations.is_empty() {
                view! { <p class="con__muted">{t(lang, Word::NoInvitations)}</p> }.into_any()
            } else {
                view! {
                    <ul class="con__list">
                        {found.invitations.into_iter().map(|invitation| invitation_row(lang, gate, invitation, reload)).collect_view()}
                    </ul>
                }
                .into_any()
            };
            view! {
                <ul class="con__list">
                    {found.members.into_iter().map(|member| member_row(lang, gate, member, found.tokens_without_maker, reload)).collect_view()}
                </ul>
                <section class="con__card" aria-labelledby="con-invitations">
                    <h2 id="con-invitations">{t(lang, Word::InvitationsOpen)}</h2>
                    {invitations}
                </section>
            }
            .into_any()
        }
    };
    view! {
        <h1>{t(lang, Word::MembersTitle)}</h1>
        {alert(lang, problem)}
        {link}
        {shown}
        <section class="con__card" aria-labelledby="con-invite">
            <h2 id="con-invite">{t(lang, Word::InviteTitle)}</h2>
            <form class="con__form" on:submit=invite>
                <label for="con-invite-role">{t(lang, Word::InviteRole)}</label>
                <select id="con-invite-role" aria-describedby="con-roles-hint" prop:value=move || role.get()
                    on:change=move |event| role.set(event_target_value(&event))>
                    <option value="staff">{t(lang, Word::RoleStaffChoice)}</option>
                    <option value="owner">{t(lang, Word::RoleOwnerChoice)}</option>
                </select>
                <p id="con-roles-hint" class="con__hint">{t(lang, Word::RolesHint)}</p>
                {alert(lang, refused)}
                <button type="submit" class="con__primary" disabled=move || busy.get()>{t(lang, Word::InviteButton)}</button>
            </form>
        </section>
    }
}
