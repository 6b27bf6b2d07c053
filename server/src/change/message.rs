//! What a notification says, in the language the buyer chose: the status in the widget's own
//! words, the parcel's number, and for a pickup where and until when. Never the pickup code: a
//! notification shows on a locked screen. Nor where, to a subscriber whose lookup did not show
//! it (a tracking number in a shop with a second factor, without the buyer's reply): anyone who
//! has the number may subscribe.

use super::tells::{Occasion, Subscriber};
use serde::{Deserialize, Serialize};
use trackline::format;
use trackline::i18n::{Lang, Msg};
use trackline::labels;
use trackline_core::Shipment;

/// The notification as the service worker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The first line: what happened.
    pub title: String,
    /// The lines under it.
    pub body: String,
    /// The tracking page it opens, a path on the server that sent it.
    pub url: String,
    /// One a parcel: a newer message replaces an older one still shown.
    pub tag: String,
    /// The language it is worded in (BCP 47).
    pub lang: String,
    /// The "stop" action's words, in that language.
    pub stop: String,
    /// Where the "stop" action ends the subscription: this server's push path for the number.
    pub unsubscribe: String,
}

/// The message for `occasion` about `shipment`, in the subscriber's language (an unknown one
/// reads as the default), looked up as its number, opening its page; naming the pickup point
/// only when `shows_pickup`, as the subscriber's lookup did.
pub fn compose(
    occasion: Occasion,
    subscriber: &Subscriber,
    tag: &str,
    shipment: &Shipment,
    shows_pickup: bool,
) -> Message {
    let lang = Lang::from_tag(&subscriber.lang).unwrap_or_default();
    let number = subscriber.number.as_str();
    let title = match occasion {
        Occasion::LastDayTomorrow => lang.t(Msg::PushLastDayTomorrow).to_owned(),
        _ => labels::headline(lang, shipment),
    };
    let mut lines = vec![lang.fill(Msg::PushParcel, &[("number", number)])];
    match occasion {
        Occasion::ReadyForPickup | Occasion::LastDayTomorrow => {
            if let Some(point) = &shipment.pickup_point {
                let place = point.name.as_ref().or(point.address.as_ref());
                if let Some(place) = place.filter(|_| shows_pickup) {
                    lines.push(place.clone());
                }
                if let Some(until) = &point.storage_until {
                    let date = format::day(lang, until);
                    lines.push(lang.fill(Msg::StorageUntil, &[("date", &date)]));
                }
            }
        }
        Occasion::ExceptionRaised => {
            if let Some(next) = shipment
                .exception
                .as_ref()
                .and_then(|e| labels::next_step(lang, e))
            {
                lines.push(next.to_owned());
            }
        }
        Occasion::StageChanged | Occasion::Delivered => {}
    }
    Message {
        title,
        body: lines.join("\n"),
        url: subscriber.page.clone(),
        tag: tag.to_owned(),
        lang: lang.tag().to_owned(),
        stop: lang.t(Msg::PushStop).to_owned(),
        unsubscribe: subscriber.api.clone(),
    }
}

/// A stored subscription that hears of its shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// The subscription's id.
    pub subscription: i64,
    /// What it asked for.
    pub subscriber: Subscriber,
    /// Whether the buyer's lookup showed the pickup point: messages name it only then.
    pub shows_pickup: bool,
}

/// A message to queue for one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The subscription it goes to.
    pub subscription: i64,
    /// The notification, JSON.
    pub body: String,
    /// The parcel's topic: a newer message replaces an older one waiting at the push service.
    pub topic: String,
}

/// A parcel's topic for the push service: its row id, not its number.
pub fn topic_of(shipment: i64) -> String {
    format!("parcel-{shipment:x}")
}

/// The message of `occasion` about the shipment `id`, as it is `after`, for each listener.
///
/// # Errors
/// A message that does not serialise (it always does: plain strings).
pub fn messages(
    occasion: Occasion,
    listeners: &[Listener],
    id: i64,
    after: &Shipment,
) -> Result<Vec<Notice>, serde_json::Error> {
    let topic = topic_of(id);
    listeners
        .iter()
        .map(|listener| {
            let message: Message = compose(
                occasion,
                &listener.subscriber,
                &topic,
                after,
                listener.shows_pickup,
            );
            Ok(Notice {
                subscription: listener.subscription,
                body: serde_json::to_string(&message)?,
                topic: topic.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(json: &str) -> Shipment {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_pickup_says_where_and_until_when_and_never_the_code() {
        let waiting = shipment(
            r#"{"stage":"ready_for_pickup","pickup_point":{"name":"Пункт Ozon, Ленина 1",
                "address":"Ленина 1, Москва","hours":"10–22","map_url":"https://maps.example/p",
                "pickup_code":"4821","storage_until":"2026-11-30"}}"#,
        );
        let subscriber = |lang: Lang| Subscriber {
            lang: lang.tag().into(),
            page: "/?n=RA100000048RU".into(),
            api: "/api/v1/track/RA100000048RU/push".into(),
            number: "RA100000048RU".into(),
        };
        let told = compose(
            Occasion::ReadyForPickup,
            &subscriber(Lang::Ru),
            "t",
            &waiting,
            true,
        );
        assert_eq!(told.title, "Ждёт в пункте выдачи");
        assert!(told.body.contains("RA100000048RU"), "{}", told.body);
        assert!(told.body.contains("Пункт Ozon, Ленина 1"), "{}", told.body);
        assert!(told.body.contains("30 нояб."), "{}", told.body);
        assert!(
            !format!("{told:?}").contains("4821"),
            "the code is never on a lock screen"
        );
        // A subscriber whose lookup withheld the point is not told it either.
        let withheld = compose(
            Occasion::ReadyForPickup,
            &subscriber(Lang::Ru),
            "t",
            &waiting,
            false,
        );
        assert!(withheld.body.contains("30 нояб."), "{}", withheld.body);
        for secret in ["Ленина", "10–22", "maps.example", "4821"] {
            assert!(!format!("{withheld:?}").contains(secret), "{withheld:?}");
        }
        let tomorrow = compose(
            Occasion::LastDayTomorrow,
            &subscriber(Lang::En),
            "t",
            &waiting,
            true,
        );
        assert_eq!(tomorrow.title, "Tomorrow is the last day to collect it");
    }
}
