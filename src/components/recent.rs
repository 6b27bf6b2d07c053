//! The numbers looked up lately on this device, one tap to look again, removable.

use crate::i18n::{Lang, Msg};
use leptos::prelude::*;

/// The recent numbers as buttons; each has a remove button beside it.
#[component]
pub fn RecentNumbers(
    /// The language of the labels.
    lang: Lang,
    /// The numbers, newest first.
    #[prop(into)]
    numbers: Signal<Vec<String>>,
    /// Looks a number up again.
    on_pick: Callback<String>,
    /// Forgets a number.
    on_remove: Callback<String>,
) -> impl IntoView {
    move || {
        let numbers = numbers.get();
        (!numbers.is_empty()).then(|| {
            let items = numbers
                .into_iter()
                .map(|number| {
                    let pick = number.clone();
                    let remove = number.clone();
                    let remove_label = lang.fill(Msg::RecentRemove, &[("number", &number)]);
                    view! {
                        <li class="tl-recent__item" data-testid="recent-item">
                            <button type="button" class="tl-recent__pick" data-testid="recent-pick"
                                on:click=move |_| on_pick.run(pick.clone())>{number}</button>
                            <button type="button" class="tl-recent__remove" data-testid="recent-remove"
                                aria-label=remove_label.clone() title=remove_label
                                on:click=move |_| on_remove.run(remove.clone())>
                                <span aria-hidden="true">"×"</span>
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="tl-recent" data-testid="recent" aria-labelledby="tl-recent-title">
                    <h2 class="tl-recent__title" id="tl-recent-title">{lang.t(Msg::RecentTitle)}</h2>
                    <ul class="tl-recent__list">{items}</ul>
                </section>
            }
        })
    }
}
