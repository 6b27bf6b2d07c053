//! From a shipment to the steps a buyer sees: done, current, upcoming.

use crate::contract::{Event, Shipment};
use crate::status::{Exception, Stage};
use crate::time::parse_rfc3339;

/// How far along a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Passed.
    Done,
    /// Where the parcel is now.
    Current,
    /// Still ahead.
    Upcoming,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The stage this step stands for.
    pub stage: Stage,
    /// Passed, current or ahead.
    pub state: StepState,
    /// The exception, shown on the current step only.
    pub exception: Option<Exception>,
    /// When the parcel first reached this stage, from the events (RFC 3339).
    pub reached_at: Option<String>,
}

/// The ordered steps of one shipment's journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Every step in order, the current one marked.
    pub steps: Vec<Step>,
}

impl Timeline {
    /// Lays out the journey: the courier or the pickup branch, the current step, the exception on it.
    pub fn of(shipment: &Shipment) -> Timeline {
        let path = path_for(shipment);
        let events = events_newest_first(&shipment.events);
        let mut steps: Vec<Step> = path
            .iter()
            .map(|stage| Step {
                stage: stage.clone(),
                state: StepState::Upcoming,
                exception: None,
                reached_at: first_reached(&events, stage),
            })
            .collect();

        let current = match &shipment.stage {
            known if known.is_known() => path.iter().position(|stage| stage == known),
            unknown => {
                // An unknown stage goes right after the last known stage the events reached,
                // so the buyer sees the endpoint's word in its place rather than nothing.
                let after = events
                    .iter()
                    .filter_map(|event| event.stage.as_ref())
                    .find_map(|stage| path.iter().position(|p| p == stage))
                    .map_or(0, |index| index + 1);
                steps.insert(
                    after,
                    Step {
                        stage: unknown.clone(),
                        state: StepState::Upcoming,
                        exception: None,
                        reached_at: first_reached(&events, unknown),
                    },
                );
                Some(after)
            }
        };
        if let Some(current) = current {
            for (index, step) in steps.iter_mut().enumerate() {
                step.state = match index.cmp(&current) {
                    std::cmp::Ordering::Less => StepState::Done,
                    std::cmp::Ordering::Equal => StepState::Current,
                    std::cmp::Ordering::Greater => StepState::Upcoming,
                };
            }
            steps[current].exception = shipment.exception.clone();
        }
        Timeline { steps }
    }

    /// The step the parcel is at.
    pub fn current(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|step| step.state == StepState::Current)
    }
}

/// The stages a parcel passes: the pickup branch when it waits at a point, else the courier one.
fn path_for(shipment: &Shipment) -> Vec<Stage> {
    let pickup = match shipment.stage {
        Stage::ReadyForPickup => true,
        Stage::OutForDelivery => false,
        _ => {
            shipment.pickup_point.is_some()
                || shipment
                    .events
                    .iter()
                    .any(|event| event.stage == Some(Stage::ReadyForPickup))
        }
    };
    let last_mile = if pickup {
        Stage::ReadyForPickup
    } else {
        Stage::OutForDelivery
    };
    vec![
        Stage::Created,
        Stage::Packed,
        Stage::HandedOver,
        Stage::InTransit,
        Stage::Arrived,
        last_mile,
        Stage::Delivered,
    ]
}

/// The events newest first; stamps that do not parse keep their order at the end.
pub fn events_newest_first(events: &[Event]) -> Vec<&Event> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|event| std::cmp::Reverse(parse_rfc3339(&event.at).unwrap_or(i64::MIN)));
    sorted
}

fn first_reached(newest_first: &[&Event], stage: &Stage) -> Option<String> {
    newest_first
        .iter()
        .rev()
        .find(|event| event.stage.as_ref() == Some(stage))
        .map(|event| event.at.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shipment(stage: Stage) -> Shipment {
        Shipment {
            order_number: None,
            shipment_number: None,
            tracking_number: None,
            stage,
            exception: None,
            status_text: None,
            updated_at: None,
            events: vec![],
            estimated_delivery: None,
            carrier: None,
            pickup_point: None,
            support: None,
            stale_since: None,
        }
    }

    fn event(at: &str, stage: Stage) -> Event {
        Event {
            at: at.into(),
            stage: Some(stage),
            exception: None,
            text: String::new(),
            text_lang: None,
            location: None,
        }
    }

    fn states(timeline: &Timeline) -> Vec<StepState> {
        timeline.steps.iter().map(|step| step.state).collect()
    }

    #[test]
    fn in_transit_splits_done_current_upcoming() {
        use StepState::*;
        let timeline = Timeline::of(&shipment(Stage::InTransit));
        assert_eq!(
            states(&timeline),
            [Done, Done, Done, Current, Upcoming, Upcoming, Upcoming]
        );
        assert_eq!(timeline.steps[5].stage, Stage::OutForDelivery);
    }

    #[test]
    fn a_parcel_at_a_pickup_point_takes_the_pickup_branch() {
        let timeline = Timeline::of(&shipment(Stage::ReadyForPickup));
        assert_eq!(timeline.current().unwrap().stage, Stage::ReadyForPickup);
        assert!(!timeline
            .steps
            .iter()
            .any(|s| s.stage == Stage::OutForDelivery));
    }

    #[test]
    fn the_exception_rides_on_the_current_step_only() {
        let mut delayed = shipment(Stage::Arrived);
        delayed.exception = Some(Exception::Delayed);
        let timeline = Timeline::of(&delayed);
        let with_exception: Vec<_> = timeline
            .steps
            .iter()
            .filter(|s| s.exception.is_some())
            .collect();
        assert_eq!(with_exception.len(), 1);
        assert_eq!(with_exception[0].stage, Stage::Arrived);
    }

    #[test]
    fn an_unknown_stage_is_placed_after_the_last_known_event() {
        let mut odd = shipment(Stage::Unknown("at customs warehouse 7".into()));
        odd.events = vec![
            event("2026-11-01T10:00:00Z", Stage::Created),
            event("2026-11-03T10:00:00+03:00", Stage::HandedOver),
        ];
        let timeline = Timeline::of(&odd);
        assert_eq!(timeline.steps.len(), 8);
        assert_eq!(
            timeline.steps[3].stage,
            Stage::Unknown("at customs warehouse 7".into())
        );
        assert_eq!(
            timeline.current().unwrap().stage.as_str(),
            "at customs warehouse 7"
        );
        assert_eq!(timeline.steps[2].state, StepState::Done);
        assert_eq!(
            timeline.steps[2].reached_at.as_deref(),
            Some("2026-11-03T10:00:00+03:00")
        );
    }

    #[test]
    fn events_sort_by_instant_not_by_text() {
        let events = vec![
            event("2026-11-03T01:00:00+03:00", Stage::Packed), // 22:00 Z on the 2nd
            event("2026-11-02T23:00:00Z", Stage::HandedOver),
            event("not a time", Stage::Created),
        ];
        let sorted = events_newest_first(&events);
        assert_eq!(sorted[0].stage, Some(Stage::HandedOver));
        assert_eq!(sorted[2].at, "not a time");
    }

    proptest! {
        #[test]
        fn exactly_one_current_step_and_done_steps_come_first(index in 0usize..9, text in "[a-z]{1,8}") {
            let stage = Stage::KNOWN.get(index).cloned().unwrap_or(Stage::Unknown(text));
            let timeline = Timeline::of(&shipment(stage.clone()));
            prop_assert_eq!(timeline.steps.iter().filter(|s| s.state == StepState::Current).count(), 1);
            prop_assert_eq!(&timeline.current().unwrap().stage, &stage);
            let first_not_done = timeline.steps.iter().position(|s| s.state != StepState::Done).unwrap();
            prop_assert!(timeline.steps[first_not_done..].iter().all(|s| s.state != StepState::Done));
        }
    }
}
