//! The home: what needs attention, queue by queue, each with the way to resolve it.

use super::insights::InsightsSummary;
use super::{alert, reported, Gate, Problem};
use crate::api;
use crate::attention::{self, Queue};
use crate::words::{self, text as t, Word};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trackline::i18n::Lang;
use trackline_core::{Exception, Stage};

/// A detail as the seller reads it: a stage or an exception in their words, anything else as sent.
pub fn detail(lang: Lang, detail: &str) -> String {
    let exception = Exception::from_wire(detail);
    if exception.is_known() {
        return trackline::labels::exception(lang, &exception);
    }
    let stage = Stage::from_wire(detail);
    if stage.is_known() {
        return trackline::labels::stage(lang, &stage);
    }
    detail.to_owned()
}

fn queue_view(lang: Lang, queue: Queue) -> impl IntoView {
    let id = format!("con-queue-{}", queue.key);
    let labelled = id.clone();
    let key = queue.key.clone();
    let count = words::fill(lang, Word::InQueue, &[("count", &queue.count.to_string())]);
    let items = queue
        .items
        .into_iter()
        .map(|item| {
            let label = match item.place {
                Some(place) => view! { <a href=place.hash()>{item.label}</a> }.into_any(),
                None => view! { <span>{item.label}</span> }.into_any(),
            };
            let detail = item
                .detail
                .map(|text| view! { " " <span class="con__muted">{detail(lang, &text)}</span> });
            view! { <li>{label}{detail}</li> }
        })
        .collect_view();
    let action = queue.action.map(|place| {
        view! { <a class="con__action" href=place.hash()>{t(lang, Word::Resolve)}</a> }
    });
    view! {
        <section class="con__card" aria-labelledby=labelled data-testid="queue" data-queue=key>
            <h2 id=id>{t(lang, queue.word)}</h2>
            <p class="con__muted">{count}</p>
            <ul class="con__items">{items}</ul>
            {action}
        </section>
    }
}

/// The needs-attention home.
#[component]
pub fn Home(
    /// The seller's language.
    lang: Lang,
    /// The sign-in state, which an ended session changes.
    gate: RwSignal<Gate>,
) -> impl IntoView {
    let queues = RwSignal::new(None::<Vec<Queue>>);
    let problem = RwSignal::new(None::<Problem>);
    let load = move || {
        problem.set(None);
        spawn_local(async move {
            match api::attention().await {
                Ok(answer) => queues.set(Some(attention::queues(&answer))),
                Err(error) => problem.set(Some(reported(gate, error))),
            }
        });
    };
    load();
    let shown = move || {
        match queues.get() {
        None if problem.with(Option::is_none) => {
            Some(view! { <p role="status">{t(lang, Word::Loading)}</p> }.into_any())
        }
        None => Some(
            view! { <button type="button" on:click=move |_| load()>{t(lang, Word::TryAgain)}</button> }
                .into_any(),
        ),
        Some(queues) if attention::all_clear(&queues) => Some(
            view! { <p class="con__lead" data-testid="all-clear">{t(lang, Word::AttentionEmpty)}</p> }
                .into_any(),
        ),
        Some(queues) => Some(
            queues
                .into_iter()
                .filter(|queue| queue.count > 0)
                .map(|queue| queue_view(lang, queue))
                .collect_view()
                .into_any(),
        ),
    }
    };
    view! {
        <h1>{t(lang, Word::AttentionTitle)}</h1>
        {alert(lang, problem)}
        <div class="con__cards">{shown}</div>
        <InsightsSummary lang gate/>
    }
}
