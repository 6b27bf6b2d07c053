//! The one fold of news into a shipment, whoever brings it: a seller's events, a provider's
//! reading (polled, or sent by 17TRACK's webhook), an Ozon posting looked up for a buyer.
//! Each returns the shipment as it is after the news; a fold that changes nothing returns it
//! as it was, so that a write can be skipped.

use super::Status;
use trackline_core::place::city_level;
use trackline_core::time::parse_rfc3339;
use trackline_core::{Event, Shipment};

/// What a provider says of a parcel: the status its newest operation means, and every
/// operation as an event. Never the sender's or the addressee's names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reading {
    /// The stage and exception of the newest operation that says one; `None` if none does.
    pub status: Option<Status>,
    /// The provider's words for the newest operation.
    pub status_text: Option<String>,
    /// When the newest operation happened (RFC 3339).
    pub updated_at: Option<String>,
    /// Every operation, in the provider's words.
    pub events: Vec<Event>,
    /// The carrier's tracking number, when the provider gives one (Ozon, once a carrier has it).
    pub tracking_number: Option<String>,
}

impl Reading {
    /// The reading of `operations` (each with the status it means, if any): the newest that
    /// says a status gives it, the newest of all gives the words and the moment; places at a
    /// city's level (`place::city_level`: carriers name offices with their postcodes).
    pub fn of(mut operations: Vec<(Event, Option<Status>)>) -> Reading {
        for (event, _) in &mut operations {
            event.location = event.location.as_deref().and_then(city_level);
        }
        operations.sort_by_key(|(event, _)| parse_rfc3339(&event.at).unwrap_or(0));
        let newest = operations.last().map(|(event, _)| event);
        Reading {
            status: operations
                .iter()
                .rev()
                .find_map(|(_, status)| status.clone()),
            status_text: newest.map(|event| event.text.clone()),
            updated_at: newest.map(|event| event.at.clone()),
            events: operations.into_iter().map(|(event, _)| event).collect(),
            tracking_number: None,
        }
    }

    /// What a provider that answers in the contract's shape (Ozon's adapter) says, its places
    /// at a city's level.
    pub fn of_shipment(shipment: Shipment) -> Reading {
        Reading {
            status: Some((shipment.stage, shipment.exception)),
            status_text: shipment.status_text,
            updated_at: shipment.updated_at,
            events: shipment
                .events
                .into_iter()
                .map(|event| Event {
                    location: event.location.as_deref().and_then(city_level),
                    ..event
                })
                .collect(),
            tracking_number: shipment.tracking_number,
        }
    }
}

/// News about a shipment.
#[derive(Debug, Clone, Copy)]
pub enum News<'a> {
    /// Events the seller appended: each moves the status, in the order they happened, unless
    /// it is older than what the shipment already says.
    SellerEvents(&'a [Event]),
    /// What a provider said: its status wins; its words and moment only when newer; its events
    /// join the history once each.
    Reading(&'a Reading),
    /// Ozon's posting as its adapter reads it: Ozon's numbers, status, carrier and history
    /// replace the stored ones when the status, the moment or the tracking number moved; what
    /// the seller added and Ozon does not know (pickup point, support, estimate) stays.
    OzonPosting(&'a Shipment),
}

/// The shipment `current` after `news`.
pub fn fold(current: Shipment, news: News<'_>) -> Shipment {
    match news {
        News::SellerEvents(events) => with_events(current, events),
        News::Reading(reading) => with_reading(current, reading),
        News::OzonPosting(posting) => with_posting(current, posting),
    }
}

fn with_events(mut shipment: Shipment, events: &[Event]) -> Shipment {
    let mut newest: Vec<&Event> = events.iter().collect();
    newest.sort_by_key(|event| parse_rfc3339(&event.at));
    for event in newest {
        let later = match shipment.updated_at.as_deref().and_then(parse_rfc3339) {
            Some(current) => parse_rfc3339(&event.at).is_some_and(|at| at >= current),
            None => true,
        };
        if !later {
            continue;
        }
        if let Some(stage) = &event.stage {
            shipment.stage = stage.clone();
            // A new stage without an exception means the problem is over.
            shipment.exception = event.exception.clone();
        } else if let Some(exception) = &event.exception {
            shipment.exception = Some(exception.clone());
        }
        shipment.status_text = Some(event.text.clone());
        shipment.updated_at = Some(event.at.clone());
    }
    shipment.events.extend(events.iter().cloned());
    shipment
}

fn with_reading(mut current: Shipment, reading: &Reading) -> Shipment {
    let (read, stored) = (
        reading.updated_at.as_deref().and_then(parse_rfc3339),
        current.updated_at.as_deref().and_then(parse_rfc3339),
    );
    // A reading older than what the shipment already says (17TRACK's webhook replayed, a poll
    // answered late) moves nothing back; its events still join the history. One without a
    // moment cannot be told older, and its status is taken as before.
    let older = matches!((read, stored), (Some(read), Some(stored)) if read < stored);
    if let (false, Some((stage, exception))) = (older, &reading.status) {
        current.stage = stage.clone();
        current.exception = exception.clone();
    }
    let newer = match (read, stored) {
        (Some(read), Some(stored)) => read >= stored,
        (Some(_), None) => true,
        _ => false,
    };
    if newer {
        current.updated_at = reading.updated_at.clone();
        current.status_text = reading.status_text.clone();
    }
    if let Some(number) = &reading.tracking_number {
        current.tracking_number = Some(number.clone());
    }
    for event in &reading.events {
        let known = current
            .events
            .iter()
            .any(|stored| stored.at == event.at && stored.text == event.text);
        if !known {
            current.events.push(event.clone());
        }
    }
    current
}

fn with_posting(current: Shipment, posting: &Shipment) -> Shipment {
    let moved = posting.stage != current.stage
        || posting.exception != current.exception
        || posting.updated_at != current.updated_at
        || posting.tracking_number != current.tracking_number;
    if !moved {
        return current;
    }
    Shipment {
        support: current.support,
        pickup_point: current.pickup_point,
        estimated_delivery: current.estimated_delivery,
        ..posting.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::{Exception, Stage};

    fn shipment(stage: Stage, updated_at: &str) -> Shipment {
        serde_json::from_value(serde_json::json!({
            "stage": stage.as_str(), "updated_at": updated_at,
            "events": [{"at": "2026-11-18T10:00:00+03:00", "stage": "packed", "text": "Packed by the shop"}]
        }))
        .unwrap()
    }

    fn event(at: &str, stage: Option<Stage>, exception: Option<Exception>, text: &str) -> Event {
        Event {
            at: at.into(),
            stage,
            exception,
            text: text.into(),
            text_lang: Some("ru".into()),
            location: None,
        }
    }

    #[test]
    fn a_reading_moves_the_status_and_adds_only_new_events() {
        let current = shipment(Stage::HandedOver, "2026-11-20T10:00:00+03:00");
        let reading = Reading {
            status: Some((Stage::InTransit, Some(Exception::Delayed))),
            status_text: Some("Обработка: Покинуло сортировочный центр".into()),
            updated_at: Some("2026-11-21T10:00:00+03:00".into()),
            events: vec![event(
                "2026-11-21T10:00:00+03:00",
                Some(Stage::InTransit),
                None,
                "Обработка",
            )],
            tracking_number: None,
        };
        let fresh = fold(current.clone(), News::Reading(&reading));
        assert_eq!(
            (fresh.stage.clone(), fresh.exception.clone()),
            (Stage::InTransit, Some(Exception::Delayed))
        );
        assert_eq!(fresh.events.len(), 2, "the shop's own event stays");
        assert_eq!(
            fold(fresh.clone(), News::Reading(&reading)),
            fresh,
            "a second reading adds nothing"
        );
        let stale = Reading {
            updated_at: Some("2026-11-19T10:00:00+03:00".into()),
            ..reading
        };
        assert_eq!(
            fold(current.clone(), News::Reading(&stale)).updated_at,
            current.updated_at
        );
    }

    #[test]
    fn a_reading_older_than_the_newest_applied_moves_nothing_back() {
        let read = |at: &str, stage: Stage| Reading {
            status: Some((stage.clone(), None)),
            status_text: Some(format!("{} at {at}", stage.as_str())),
            updated_at: Some(at.into()),
            events: vec![event(at, Some(stage), None, "op")],
            tracking_number: None,
        };
        let arrived = read("2026-11-22T10:00:00+03:00", Stage::Arrived);
        let in_transit = read("2026-11-21T10:00:00+03:00", Stage::InTransit);
        let current = shipment(Stage::HandedOver, "2026-11-20T10:00:00+03:00");
        let after = fold(current, News::Reading(&arrived));
        // The older one posted again (a replay) after the newer.
        let replayed = fold(after.clone(), News::Reading(&in_transit));
        assert_eq!(replayed.stage, Stage::Arrived);
        assert_eq!(replayed.updated_at, after.updated_at);
        assert_eq!(replayed.status_text, after.status_text);
        assert_eq!(
            replayed.events.len(),
            after.events.len() + 1,
            "its event is kept"
        );
        // The same moment again is no older: it still says its status.
        let again = fold(replayed.clone(), News::Reading(&arrived));
        assert_eq!(again.stage, Stage::Arrived);
    }

    #[test]
    fn seller_events_move_the_status_to_the_newest_and_never_back() {
        let current = shipment(Stage::InTransit, "2026-11-20T10:00:00+03:00");
        // (events appended, expected stage, exception, status text, updated_at)
        type Row<'a> = (Vec<Event>, Stage, Option<Exception>, &'a str, &'a str);
        let table: Vec<Row> = vec![
            (
                vec![event(
                    "2026-11-21T10:00:00+03:00",
                    Some(Stage::Arrived),
                    None,
                    "В городе",
                )],
                Stage::Arrived,
                None,
                "В городе",
                "2026-11-21T10:00:00+03:00",
            ),
            (
                // Out of order: the newest wins whatever its place in the batch.
                vec![
                    event(
                        "2026-11-22T10:00:00+03:00",
                        Some(Stage::ReadyForPickup),
                        None,
                        "Ждёт",
                    ),
                    event(
                        "2026-11-21T10:00:00+03:00",
                        Some(Stage::Arrived),
                        None,
                        "В городе",
                    ),
                ],
                Stage::ReadyForPickup,
                None,
                "Ждёт",
                "2026-11-22T10:00:00+03:00",
            ),
            (
                // An older event joins the history and moves nothing.
                vec![event(
                    "2026-11-19T10:00:00+03:00",
                    Some(Stage::Packed),
                    None,
                    "Собран",
                )],
                Stage::InTransit,
                None,
                "",
                "2026-11-20T10:00:00+03:00",
            ),
            (
                // An exception alone rides on the stage it finds.
                vec![event(
                    "2026-11-21T10:00:00+03:00",
                    None,
                    Some(Exception::Delayed),
                    "Задержка",
                )],
                Stage::InTransit,
                Some(Exception::Delayed),
                "Задержка",
                "2026-11-21T10:00:00+03:00",
            ),
        ];
        for (events, stage, exception, text, at) in table {
            let after = fold(current.clone(), News::SellerEvents(&events));
            assert_eq!(after.stage, stage, "{events:?}");
            assert_eq!(after.exception, exception, "{events:?}");
            assert_eq!(
                after.status_text.as_deref().unwrap_or(""),
                text,
                "{events:?}"
            );
            assert_eq!(after.updated_at.as_deref(), Some(at), "{events:?}");
            assert_eq!(after.events.len(), 1 + events.len(), "every event is kept");
        }
        let cleared = fold(
            Shipment {
                exception: Some(Exception::Delayed),
                ..current.clone()
            },
            News::SellerEvents(&[event(
                "2026-11-21T10:00:00+03:00",
                Some(Stage::Arrived),
                None,
                "В городе",
            )]),
        );
        assert_eq!(cleared.exception, None, "a new stage ends the problem");
    }

    #[test]
    fn an_ozon_posting_replaces_what_ozon_knows_and_keeps_what_the_seller_added() {
        let mut current = shipment(Stage::InTransit, "2026-11-20T10:00:00+03:00");
        current.support = serde_json::from_value(serde_json::json!({"phone": "+74950000000"})).ok();
        let unchanged = fold(current.clone(), News::OzonPosting(&current.clone()));
        assert_eq!(unchanged, current, "the same status writes nothing");
        let mut posting = shipment(Stage::Arrived, "2026-11-21T10:00:00+03:00");
        posting.events.clear();
        let after = fold(current.clone(), News::OzonPosting(&posting));
        assert_eq!(after.stage, Stage::Arrived);
        assert_eq!(
            after.events, posting.events,
            "Ozon's history replaces the stored one"
        );
        assert_eq!(after.support, current.support, "the seller's support stays");
    }
    fn arbitrary_events() -> impl proptest::strategy::Strategy<Value = Vec<Event>> {
        use proptest::prelude::*;
        let stage = prop_oneof![
            Just(None),
            Just(Some(Stage::InTransit)),
            Just(Some(Stage::Arrived)),
            Just(Some(Stage::ReadyForPickup)),
            Just(Some(Stage::Delivered)),
        ];
        let exception = prop_oneof![Just(None), Just(Some(Exception::Delayed))];
        proptest::collection::vec((0u32..240, stage, exception), 0..6).prop_map(|rows| {
            rows.into_iter()
                .map(|(hours, stage, exception)| {
                    let at = format!(
                        "2026-11-{:02}T{:02}:00:00+03:00",
                        10 + hours / 24,
                        hours % 24
                    );
                    event(&at, stage, exception, &format!("event {hours}"))
                })
                .collect()
        })
    }

    proptest::proptest! {
        /// Whatever the seller appends, in whatever order, the status moment never goes back,
        /// every event joins the history, and a provider's reading folded twice adds nothing.
        #[test]
        fn news_never_moves_a_shipment_back_nor_counts_twice(
            events in arbitrary_events(),
            read in arbitrary_events(),
        ) {
            let current = shipment(Stage::HandedOver, "2026-11-15T10:00:00+03:00");
            let after = fold(current.clone(), News::SellerEvents(&events));
            let moment = |s: &Shipment| s.updated_at.as_deref().and_then(parse_rfc3339);
            proptest::prop_assert!(moment(&after) >= moment(&current));
            proptest::prop_assert_eq!(after.events.len(), current.events.len() + events.len());
            let reading = Reading::of(read.into_iter().map(|event| (event, None)).collect());
            let once = fold(after.clone(), News::Reading(&reading));
            proptest::prop_assert_eq!(fold(once.clone(), News::Reading(&reading)), once.clone());
            proptest::prop_assert!(moment(&once) >= moment(&after));
        }
    }
}
