//! Domain words to the buyer's words: stages, exceptions, contact kinds, weekdays.

use crate::format;
use crate::i18n::{Lang, Msg};
use trackline_core::contract::LearntScope;
use trackline_core::delivery::{EstimateSource, EtaPhrase};
use trackline_core::link::Prefill;
use trackline_core::number::{normalise, recognise, NumberIssuer, Recognised};
use trackline_core::summary::{summarise, Progress};
use trackline_core::{ContactKind, Event, Exception, Shipment, Stage};

/// The buyer's name for a stage; an unknown stage keeps the endpoint's text.
pub fn stage(lang: Lang, stage: &Stage) -> String {
    let msg = match stage {
        Stage::Created => Msg::StageCreated,
        Stage::Packed => Msg::StagePacked,
        Stage::HandedOver => Msg::StageHandedOver,
        Stage::InTransit => Msg::StageInTransit,
        Stage::Arrived => Msg::StageArrived,
        Stage::OutForDelivery => Msg::StageOutForDelivery,
        Stage::ReadyForPickup => Msg::StageReadyForPickup,
        Stage::Delivered => Msg::StageDelivered,
        Stage::Unknown(text) => return text.clone(),
    };
    lang.t(msg).to_owned()
}

/// The buyer's name for an exception; an unknown exception keeps the endpoint's text.
pub fn exception(lang: Lang, exception: &Exception) -> String {
    let msg = match exception {
        Exception::Delayed => Msg::ExceptionDelayed,
        Exception::AttemptFailed => Msg::ExceptionAttemptFailed,
        Exception::AddressProblem => Msg::ExceptionAddressProblem,
        Exception::CustomsHold => Msg::ExceptionCustomsHold,
        Exception::Damaged => Msg::ExceptionDamaged,
        Exception::Lost => Msg::ExceptionLost,
        Exception::Returning => Msg::ExceptionReturning,
        Exception::Returned => Msg::ExceptionReturned,
        Exception::Cancelled => Msg::ExceptionCancelled,
        Exception::Unknown(text) => return text.clone(),
    };
    lang.t(msg).to_owned()
}

/// The one phrase that says where a shipment stands: its exception, else its stage.
pub fn headline(lang: Lang, shipment: &Shipment) -> String {
    match &shipment.exception {
        Some(exception) => self::exception(lang, exception),
        None => match (&shipment.stage, &shipment.status_text) {
            (Stage::Unknown(_), Some(text)) => text.clone(),
            (stage, _) => self::stage(lang, stage),
        },
    }
}

/// What an event did, in the buyer's words: the exception it raised, else the stage it moved the
/// parcel to; `None` when it says neither in words we know (its own text then says it).
pub fn event_headline(lang: Lang, event: &Event) -> Option<String> {
    match (&event.exception, &event.stage) {
        (Some(raised), _) if !matches!(raised, Exception::Unknown(_)) => {
            Some(exception(lang, raised))
        }
        (_, Some(moved)) if !matches!(moved, Stage::Unknown(_)) => Some(stage(lang, moved)),
        _ => None,
    }
}

/// What the typed text was recognised as, for the hint under the input; `None` says nothing.
pub fn recognised(lang: Lang, typed: &str) -> Option<String> {
    let number = normalise(typed);
    if number.len() < 6 {
        return None;
    }
    Some(match recognise(&number) {
        Recognised::OzonOrder => lang.t(Msg::HintOzonOrder).to_owned(),
        Recognised::OzonPosting => lang.t(Msg::HintOzonPosting).to_owned(),
        Recognised::S10 {
            country_known: false,
            ..
        } => lang.t(Msg::HintS10UnknownCountry).to_owned(),
        Recognised::S10 {
            check_digit_ok: false,
            ..
        } => lang.t(Msg::HintS10Mistyped).to_owned(),
        Recognised::S10 {
            issuer: Some(issuer),
            ..
        } => lang.fill(
            Msg::HintS10Carrier,
            &[("carrier", issuer_name(lang, &issuer))],
        ),
        Recognised::S10 { country, .. } => lang.fill(Msg::HintS10Country, &[("country", &country)]),
        Recognised::RussianPostDomestic {
            check_digit_ok: true,
        } => lang.t(Msg::HintRussianPost).to_owned(),
        Recognised::RussianPostDomestic {
            check_digit_ok: false,
        } => lang.t(Msg::HintRussianPostCheck).to_owned(),
        Recognised::OwnFormat(issuer) => {
            lang.fill(Msg::HintCarrier, &[("carrier", issuer_name(lang, &issuer))])
        }
        Recognised::CdekOrSellerOrder => lang.t(Msg::HintCdekOrOrder).to_owned(),
        Recognised::Unknown => return None,
    })
}

/// A number issuer's name as buyers of this language know it.
pub fn issuer_name(lang: Lang, issuer: &NumberIssuer) -> &'static str {
    let msg = match issuer.id {
        "russian_post" => Msg::CarrierRussianPost,
        "china_post" => Msg::CarrierChinaPost,
        "cainiao" => Msg::CarrierCainiao,
        "yunexpress" => Msg::CarrierYunexpress,
        "cdek" => Msg::CarrierCdek,
        _ => return issuer.name,
    };
    lang.t(msg)
}

/// The label of a support channel's button.
pub fn contact(lang: Lang, kind: &ContactKind) -> &'static str {
    lang.t(match kind {
        ContactKind::Phone => Msg::ContactPhone,
        ContactKind::Email => Msg::ContactEmail,
        ContactKind::Telegram => Msg::ContactTelegram,
        ContactKind::Vk => Msg::ContactVk,
        ContactKind::HelpCenter => Msg::ContactHelpCenter,
        ContactKind::Ticket => Msg::ContactTicket,
        ContactKind::Unknown(_) => Msg::ContactOther,
    })
}

/// A weekday from the contract's three-letter names; anything else as it came.
pub fn weekday(lang: Lang, day: &str) -> String {
    let msg = match day.to_ascii_lowercase().as_str() {
        "mon" => Msg::DayMon,
        "tue" => Msg::DayTue,
        "wed" => Msg::DayWed,
        "thu" => Msg::DayThu,
        "fri" => Msg::DayFri,
        "sat" => Msg::DaySat,
        "sun" => Msg::DaySun,
        _ => return day.to_owned(),
    };
    lang.t(msg).to_owned()
}

/// The estimated delivery in the buyer's words: "Tomorrow", "25–27 Nov", "By 27 Nov".
pub fn eta(lang: Lang, phrase: &EtaPhrase) -> String {
    match phrase {
        EtaPhrase::Today => lang.t(Msg::EtaToday).to_owned(),
        EtaPhrase::Tomorrow => lang.t(Msg::EtaTomorrow).to_owned(),
        EtaPhrase::On(day) => format::day(lang, day),
        EtaPhrase::Between(from, to) => format::day_range(lang, from, Some(to)),
        EtaPhrase::By(day) => lang.fill(Msg::EtaBy, &[("date", &format::day(lang, day))]),
        EtaPhrase::Behind(day) => lang.fill(Msg::EtaBehind, &[("date", &format::day(lang, day))]),
        EtaPhrase::Overdue { expected, .. } => {
            lang.fill(Msg::EtaOverdue, &[("date", &format::day(lang, expected))])
        }
    }
}

/// Where the estimate comes from, under it: "Usually 5–7 days on this route, from 214 parcels".
pub fn estimate_source(lang: Lang, source: &EstimateSource) -> String {
    let EstimateSource::Learnt {
        parcels,
        days_from,
        days_to,
        scope,
        since_arrival,
    } = source
    else {
        return lang
            .t(match source {
                EstimateSource::Seller => Msg::EstimateSeller,
                EstimateSource::Carrier => Msg::EstimateCarrier,
                _ => Msg::EstimateHistory,
            })
            .to_owned();
    };
    let days = if *days_to == 0 {
        lang.t(Msg::LearntSameDay).to_owned()
    } else {
        let range = if days_from == days_to {
            days_to.to_string()
        } else {
            format!("{days_from}–{days_to}")
        };
        // A range takes its last number's form (2–4 дня, 5–7 дней), but in English always the plural.
        let category = if days_from != days_to && lang == Lang::En {
            "other".to_owned()
        } else {
            format::plural_category(lang, i64::from(*days_to))
        };
        lang.counted(Msg::LearntDays, &category)
            .replace("{range}", &range)
    };
    let parcels = format::count(lang, Msg::LearntParcels, i64::from(*parcels), &[]);
    let msg = match (since_arrival, scope) {
        (true, _) => Msg::LearntArrived,
        (false, LearntScope::Route) => Msg::LearntRoute,
        (false, LearntScope::Carrier) => Msg::LearntCarrier,
        (false, LearntScope::Unknown) => Msg::LearntAny,
    };
    lang.fill(msg, &[("days", &days), ("parcels", &parcels)])
}

/// What happens next after an exception, and what the buyer can do; `None` for one this build does not know.
pub fn next_step(lang: Lang, exception: &Exception) -> Option<&'static str> {
    let msg = match exception {
        Exception::Delayed => Msg::NextDelayed,
        Exception::AttemptFailed => Msg::NextAttemptFailed,
        Exception::AddressProblem => Msg::NextAddressProblem,
        Exception::CustomsHold => Msg::NextCustomsHold,
        Exception::Damaged => Msg::NextDamaged,
        Exception::Lost => Msg::NextLost,
        Exception::Returning => Msg::NextReturning,
        Exception::Returned => Msg::NextReturned,
        Exception::Cancelled => Msg::NextCancelled,
        Exception::Unknown(_) => return None,
    };
    Some(lang.t(msg))
}

/// "2 parcels: 1 delivered, 1 in transit".
pub fn order_summary(lang: Lang, shipments: &[Shipment]) -> String {
    let parts = summarise(shipments)
        .into_iter()
        .map(|(progress, count)| {
            let msg = match progress {
                Progress::NeedsAttention => Msg::SummaryNeedsAttention,
                Progress::ReadyForPickup => Msg::SummaryReadyForPickup,
                Progress::OutForDelivery => Msg::SummaryOutForDelivery,
                Progress::OnTheWay => Msg::SummaryOnTheWay,
                Progress::Preparing => Msg::SummaryPreparing,
                Progress::Delivered => Msg::SummaryDelivered,
                Progress::Returned => Msg::SummaryReturned,
                Progress::Cancelled => Msg::SummaryCancelled,
            };
            format::count(lang, msg, count as i64, &[])
        })
        .collect::<Vec<_>>()
        .join(lang.t(Msg::ListSeparator));
    let parcels = format::count(lang, Msg::SummaryParcels, shipments.len() as i64, &[]);
    lang.fill(
        Msg::SummaryLine,
        &[("parcels", &parcels), ("parts", &parts)],
    )
}

/// The message a buyer sends support: the order and tracking numbers, and the status seen.
pub fn support_message(lang: Lang, shipment: &Shipment) -> Prefill {
    let order = shipment
        .order_number
        .as_deref()
        .or(shipment.shipment_number.as_deref());
    let mut lines = vec![lang.t(Msg::MessageGreeting).to_owned()];
    if let Some(order) = order {
        lines.push(lang.fill(Msg::MessageOrder, &[("order", order)]));
    }
    if let Some(tracking) = shipment.tracking_number.as_deref() {
        lines.push(lang.fill(Msg::MessageTracking, &[("tracking", tracking)]));
    }
    lines.push(lang.fill(Msg::MessageStatus, &[("status", &headline(lang, shipment))]));
    let reference = order
        .or(shipment.tracking_number.as_deref())
        .unwrap_or_default();
    Prefill {
        subject: lang.fill(Msg::MessageSubject, &[("order", reference)]),
        body: lines.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learnt(parcels: u32, days: (u32, u32), scope: LearntScope, arrival: bool) -> EstimateSource {
        EstimateSource::Learnt {
            parcels,
            days_from: days.0,
            days_to: days.1,
            scope,
            since_arrival: arrival,
        }
    }

    #[test]
    fn where_an_estimate_comes_from_in_each_language_with_its_plurals() {
        use LearntScope::{Carrier, Route, Unknown};
        let table = [
            (
                Lang::En,
                learnt(214, (5, 7), Route, false),
                "Usually 5–7 days on this route, from 214 parcels",
            ),
            (
                Lang::En,
                learnt(12, (0, 1), Carrier, false),
                "Usually 0–1 days with this carrier, from 12 parcels",
            ),
            (
                Lang::En,
                learnt(1, (1, 1), Unknown, false),
                "Usually 1 day, from 1 parcel",
            ),
            (
                Lang::En,
                learnt(30, (1, 2), Route, true),
                "Usually 1–2 days after it reaches your city, from 30 parcels",
            ),
            (
                Lang::En,
                learnt(30, (0, 0), Route, true),
                "Usually the same day after it reaches your city, from 30 parcels",
            ),
            (
                Lang::Ru,
                learnt(214, (5, 7), Route, false),
                "Обычно 5–7 дней на этом маршруте, судя по 214 посылкам",
            ),
            (
                Lang::Ru,
                learnt(21, (1, 2), Carrier, false),
                "Обычно 1–2 дня у этой службы доставки, судя по 21 посылке",
            ),
            (
                Lang::Ru,
                learnt(12, (1, 1), Route, true),
                "Обычно 1 день после прибытия в ваш город, судя по 12 посылкам",
            ),
            (
                Lang::Ru,
                learnt(22, (19, 21), Route, false),
                "Обычно 19–21 день на этом маршруте, судя по 22 посылкам",
            ),
            (
                Lang::Zh,
                learnt(214, (5, 7), Route, false),
                "此线路通常 5–7 天送达（依据 214 件包裹）",
            ),
            (
                Lang::Zh,
                learnt(10, (1, 2), Route, true),
                "到达您所在城市后通常 1–2 天送达（依据 10 件包裹）",
            ),
            (Lang::En, EstimateSource::Seller, "Estimate from the seller"),
            (
                Lang::Ru,
                EstimateSource::Carrier,
                "Срок назвала служба доставки",
            ),
            (Lang::Zh, EstimateSource::History, "根据以往送达记录预计"),
        ];
        for (lang, source, words) in table {
            assert_eq!(estimate_source(lang, &source), words);
        }
    }
}
