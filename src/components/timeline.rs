//! The step timeline: an ordered list, done / current / upcoming, the exception on the current step.

use crate::i18n::{Lang, Msg};
use crate::{format, labels};
use leptos::prelude::*;
use trackline_core::{StepState, Timeline};

/// The journey as an ordered list of steps.
#[component]
pub fn TimelineView(
    /// The language of the labels.
    lang: Lang,
    /// The laid-out steps.
    timeline: Timeline,
    /// The endpoint's words for the status, used to name a stage this build does not know.
    status_text: Option<String>,
) -> impl IntoView {
    let steps = timeline
        .steps
        .into_iter()
        .map(|step| {
            let (modifier, state_msg) = match step.state {
                StepState::Done => ("done", Msg::StepDone),
                StepState::Current => ("current", Msg::StepCurrent),
                StepState::Upcoming => ("upcoming", Msg::StepUpcoming),
            };
            let current = step.state == StepState::Current;
            let label = match (&status_text, step.stage.is_known()) {
                (Some(text), false) => text.clone(),
                _ => labels::stage(lang, &step.stage),
            };
            let exception = step.exception.as_ref().map(|exception| {
                view! {
                    <span class="tl-timeline__exception" data-testid="step-exception">
                        {labels::exception(lang, exception)}
                    </span>
                }
            });
            let reached = step.reached_at.as_deref().map(|at| {
                view! { <span class="tl-timeline__time">{format::date_time(lang, at)}</span> }
            });
            let class = format!(
                "tl-timeline__step tl-timeline__step--{modifier}{}",
                if exception.is_some() { " tl-timeline__step--exception" } else { "" }
            );
            view! {
                <li class=class data-testid="step" data-state=modifier data-stage=step.stage.as_str().to_owned()
                    aria-current=current.then_some("step")>
                    <span class="tl-timeline__marker" aria-hidden="true"></span>
                    <span class="tl-timeline__body">
                        <span class="tl-timeline__label">{label}</span>
                        <span class="tl-visually-hidden">{format!(" ({})", lang.t(state_msg))}</span>
                        {exception}
                        {reached}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ol class="tl-timeline" part="timeline" aria-label=lang.t(Msg::TimelineLabel) data-testid="timeline">
            {steps}
        </ol>
    }
}
