//! Russian Post's operations (`OperType`, and `OperAttr` where it says more) to trackline's
//! stages and exceptions.
//!
//! The table is in `docs/russian-post.md`; `server/tests/sources.rs` reads it back and checks
//! every row against `map`, so the document and the code cannot disagree.

use trackline_core::{Exception, Stage};

/// The stage and exception an operation means; `None` for one that does not move the parcel's
/// status (its text still shows in the history).
pub fn map(oper_type: u32, oper_attr: u32) -> Option<(Stage, Option<Exception>)> {
    let moved = |stage| Some((stage, None));
    match (oper_type, oper_attr) {
        // Приём: accepted from the sender.
        (1, _) => moved(Stage::HandedOver),
        // Вручение: to the addressee, or back to the sender.
        (2, 2) => Some((Stage::InTransit, Some(Exception::Returned))),
        (2, _) => moved(Stage::Delivered),
        // Возврат: on its way back.
        (3, _) => Some((Stage::InTransit, Some(Exception::Returning))),
        // Досыл: sent on to another address.
        (4, _) => moved(Stage::InTransit),
        // Хранение: kept at the office for the addressee.
        (6, _) => moved(Stage::ReadyForPickup),
        // Обработка: прибыло в место вручения (at the office that hands it over).
        (8, 2) => moved(Stage::ReadyForPickup),
        // Обработка: sorting, and arriving at or leaving sorting, exchange and transit points.
        (8, 0 | 3..=7) => moved(Stage::InTransit),
        // Импорт, Экспорт.
        (9 | 10, _) => moved(Stage::InTransit),
        // Передано таможне: held by customs.
        (11, _) => Some((Stage::InTransit, Some(Exception::CustomsHold))),
        // Неудачная попытка вручения.
        (12, _) => Some((Stage::Arrived, Some(Exception::AttemptFailed))),
        // Таможенное оформление завершено: released.
        (14, _) => moved(Stage::InTransit),
        _ => None,
    }
}
