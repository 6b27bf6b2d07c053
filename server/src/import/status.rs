//! Status words to the status model. Ozon's words (as its seller cabinet exports them) are
//! turned into Ozon's own status codes and mapped by `ozon::mapping`, the one table for Ozon;
//! the common words of other exports have their own small table here.

use super::mapping::normal;
use crate::ozon::mapping;
use trackline_core::{Exception, Stage};

/// Ozon's cabinet words for its statuses (and the substatuses its cabinet shows), as Ozon's
/// status and substatus codes.
const OZON_WORDS: &[(&str, &str, &str)] = &[
    ("ожидает регистрации", "awaiting_registration", ""),
    ("идет приемка", "acceptance_in_progress", ""),
    ("ожидает подтверждения", "awaiting_approve", ""),
    ("ожидает упаковки", "awaiting_packaging", ""),
    ("ожидает сборки", "awaiting_packaging", ""),
    ("ожидает отгрузки", "awaiting_deliver", ""),
    ("у водителя", "driver_pickup", ""),
    ("отправлен продавцом", "sent_by_seller", ""),
    ("не принят", "not_accepted", ""),
    ("не принят на сортировочном центре", "not_accepted", ""),
    ("доставляется", "delivering", ""),
    ("в доставке", "delivering", ""),
    ("арбитраж", "arbitration", ""),
    ("клиентский арбитраж", "client_arbitration", ""),
    ("клиентский арбитраж доставки", "client_arbitration", ""),
    ("доставлен", "delivered", ""),
    ("доставлено", "delivered", ""),
    ("отменен", "cancelled", ""),
    ("отменено", "cancelled", ""),
    ("ожидает в пвз", "delivering", "posting_in_pickup_point"),
    ("в пункте выдачи", "delivering", "posting_in_pickup_point"),
    (
        "передан курьеру",
        "delivering",
        "posting_transferred_to_courier_service",
    ),
    (
        "возвращается",
        "delivering",
        "posting_returned_to_warehouse",
    ),
];

/// Common words of other exports (1C, Excel sheets kept by hand), in Russian, English and
/// Chinese, that Ozon's words do not already cover.
const COMMON_WORDS: &[(&str, Stage, Option<Exception>)] = &[
    ("создан", Stage::Created, None),
    ("новый", Stage::Created, None),
    ("оформлен", Stage::Created, None),
    ("new", Stage::Created, None),
    ("pending", Stage::Created, None),
    ("processing", Stage::Created, None),
    ("待处理", Stage::Created, None),
    ("已创建", Stage::Created, None),
    ("собран", Stage::Packed, None),
    ("упакован", Stage::Packed, None),
    ("ready to ship", Stage::Packed, None),
    ("已打包", Stage::Packed, None),
    ("待发货", Stage::Packed, None),
    ("отгружен", Stage::HandedOver, None),
    ("отправлен", Stage::HandedOver, None),
    ("передан в доставку", Stage::HandedOver, None),
    ("передан перевозчику", Stage::HandedOver, None),
    ("shipped", Stage::HandedOver, None),
    ("dispatched", Stage::HandedOver, None),
    ("已发货", Stage::HandedOver, None),
    ("в пути", Stage::InTransit, None),
    ("in transit", Stage::InTransit, None),
    ("运输中", Stage::InTransit, None),
    ("在途", Stage::InTransit, None),
    ("прибыл", Stage::Arrived, None),
    ("прибыл в город получателя", Stage::Arrived, None),
    ("arrived", Stage::Arrived, None),
    ("已到达", Stage::Arrived, None),
    ("у курьера", Stage::OutForDelivery, None),
    ("out for delivery", Stage::OutForDelivery, None),
    ("派送中", Stage::OutForDelivery, None),
    ("готов к выдаче", Stage::ReadyForPickup, None),
    ("ожидает получения", Stage::ReadyForPickup, None),
    ("ready for pickup", Stage::ReadyForPickup, None),
    ("待取件", Stage::ReadyForPickup, None),
    ("待自提", Stage::ReadyForPickup, None),
    ("вручен", Stage::Delivered, None),
    ("получен", Stage::Delivered, None),
    ("выдан", Stage::Delivered, None),
    ("已签收", Stage::Delivered, None),
    ("已送达", Stage::Delivered, None),
    ("canceled", Stage::Created, Some(Exception::Cancelled)),
    ("已取消", Stage::Created, Some(Exception::Cancelled)),
    ("задерживается", Stage::InTransit, Some(Exception::Delayed)),
    ("delayed", Stage::InTransit, Some(Exception::Delayed)),
    ("延误", Stage::InTransit, Some(Exception::Delayed)),
    ("на таможне", Stage::InTransit, Some(Exception::CustomsHold)),
    ("清关中", Stage::InTransit, Some(Exception::CustomsHold)),
    ("утерян", Stage::InTransit, Some(Exception::Lost)),
    ("lost", Stage::InTransit, Some(Exception::Lost)),
    ("丢失", Stage::InTransit, Some(Exception::Lost)),
    ("поврежден", Stage::InTransit, Some(Exception::Damaged)),
    ("damaged", Stage::InTransit, Some(Exception::Damaged)),
    ("возврат", Stage::InTransit, Some(Exception::Returning)),
    ("returning", Stage::InTransit, Some(Exception::Returning)),
    (
        "return to sender",
        Stage::InTransit,
        Some(Exception::Returning),
    ),
    ("退回中", Stage::InTransit, Some(Exception::Returning)),
    ("возвращен", Stage::InTransit, Some(Exception::Returned)),
    ("returned", Stage::InTransit, Some(Exception::Returned)),
    ("已退回", Stage::InTransit, Some(Exception::Returned)),
    (
        "неудачная попытка доставки",
        Stage::OutForDelivery,
        Some(Exception::AttemptFailed),
    ),
    (
        "delivery failed",
        Stage::OutForDelivery,
        Some(Exception::AttemptFailed),
    ),
    (
        "投递失败",
        Stage::OutForDelivery,
        Some(Exception::AttemptFailed),
    ),
];

/// The stage and exception a status word means: a stage's wire name (`in_transit`), Ozon's
/// status code or cabinet word, or a common word; `None` for a word none of them knows.
pub fn status_word(word: &str) -> Option<(Stage, Option<Exception>)> {
    let word = normal(word);
    if word.is_empty() {
        return None;
    }
    let wire = word.replace(' ', "_");
    let stage = Stage::from_wire(&wire);
    if stage.is_known() {
        return Some((stage, None));
    }
    let from_ozon = |status: &str, substatus: &str| {
        let (stage, exception) = mapping::map(status, substatus);
        stage.is_known().then_some((stage, exception))
    };
    if let Some(known) = from_ozon(&wire, "") {
        return Some(known);
    }
    if let Some((_, status, substatus)) = OZON_WORDS.iter().find(|(w, _, _)| *w == word) {
        return from_ozon(status, substatus);
    }
    COMMON_WORDS
        .iter()
        .find(|(w, _, _)| *w == word)
        .map(|(_, stage, exception)| (stage.clone(), exception.clone()))
}

/// The exception an exception column's word means: its wire name, or a status word that
/// carries one.
pub fn exception_word(word: &str) -> Option<Exception> {
    let wire = normal(word).replace(' ', "_");
    let exception = Exception::from_wire(&wire);
    if exception.is_known() {
        return Some(exception);
    }
    status_word(word).and_then(|(_, exception)| exception)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ozon_cabinet_words_mean_what_ozon_codes_mean() {
        for (word, stage, exception) in [
            ("Доставляется", Stage::InTransit, None),
            ("Доставлен", Stage::Delivered, None),
            ("Ожидает отгрузки", Stage::Packed, None),
            ("Отменён", Stage::Created, Some(Exception::Cancelled)),
            ("Арбитраж", Stage::InTransit, Some(Exception::Delayed)),
            ("awaiting_packaging", Stage::Created, None),
            ("in_transit", Stage::InTransit, None),
            ("Ready for pickup", Stage::ReadyForPickup, None),
            ("已签收", Stage::Delivered, None),
            ("Delivered", Stage::Delivered, None),
            ("Cancelled", Stage::Created, Some(Exception::Cancelled)),
        ] {
            assert_eq!(status_word(word), Some((stage, exception)), "{word}");
        }
        assert_eq!(status_word("Потерялся где-то"), None);
        assert_eq!(status_word("  "), None);
    }

    #[test]
    fn every_ozon_word_is_a_status_the_ozon_table_knows() {
        for (word, _, _) in OZON_WORDS {
            assert!(status_word(word).is_some(), "{word}");
        }
    }
}
