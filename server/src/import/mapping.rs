//! Which column is which field: the names sellers' exports give their columns, in Russian,
//! English and Chinese, and a `Mapping` a manual step may override.

use serde::{Deserialize, Serialize};

/// A field of the seller API's shipment input that a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The seller's own key for the shipment.
    Reference,
    /// `order_number`.
    OrderNumber,
    /// `shipment_number`: Ozon's posting number.
    ShipmentNumber,
    /// `tracking_number`.
    TrackingNumber,
    /// A status word (Ozon's, or a common one), or a stage's wire name: the stage and exception.
    Status,
    /// An exception's wire name or word.
    Exception,
    /// `status_text`: the status in the seller's own words.
    StatusText,
    /// `carrier.name`.
    Carrier,
    /// `estimated_delivery.from`.
    EstimatedDelivery,
    /// `pickup_point.name`.
    PickupPointName,
    /// `pickup_point.address`.
    PickupPointAddress,
    /// `pickup_point.pickup_code`.
    PickupCode,
    /// `pickup_point.storage_until`.
    StorageUntil,
    /// `buyer_check.phone`: only its last four digits are kept, hashed.
    Phone,
    /// `buyer_check.postcode`.
    Postcode,
}

/// Each field's usual column names, written as `normal` leaves them (lower case, `ё` as `е`,
/// anything but letters and digits as one space).
const NAMES: &[(Field, &[&str])] = &[
    (
        Field::Reference,
        &["reference", "ref", "референс", "ссылка", "参考号"],
    ),
    (
        Field::ShipmentNumber,
        &[
            "номер отправления",
            "отправление",
            "posting number",
            "posting",
            "shipment number",
            "货件号",
            "货件编号",
            "发货单号",
        ],
    ),
    (
        Field::OrderNumber,
        &[
            "номер заказа",
            "заказ",
            "заказ покупателя",
            "номер заказа покупателя",
            "order number",
            "order",
            "order id",
            "order no",
            "订单号",
            "订单编号",
        ],
    ),
    (
        Field::TrackingNumber,
        &[
            "трек номер",
            "трекномер",
            "трек",
            "номер отслеживания",
            "номер для отслеживания",
            "шпи",
            "почтовый идентификатор",
            "tracking number",
            "tracking",
            "tracking no",
            "track number",
            "运单号",
            "物流单号",
            "快递单号",
            "跟踪号",
            "追踪号",
        ],
    ),
    (
        Field::Status,
        &[
            "статус",
            "статус отправления",
            "статус заказа",
            "статус доставки",
            "status",
            "stage",
            "state",
            "delivery status",
            "状态",
            "订单状态",
            "物流状态",
            "货件状态",
        ],
    ),
    (
        Field::Exception,
        &["exception", "проблема", "исключение", "异常"],
    ),
    (
        Field::StatusText,
        &[
            "комментарий",
            "описание статуса",
            "status text",
            "comment",
            "note",
            "备注",
            "状态说明",
        ],
    ),
    (
        Field::Carrier,
        &[
            "служба доставки",
            "перевозчик",
            "курьерская служба",
            "транспортная компания",
            "carrier",
            "courier",
            "delivery service",
            "物流公司",
            "快递公司",
            "承运商",
        ],
    ),
    (
        Field::EstimatedDelivery,
        &[
            "дата доставки",
            "ожидаемая дата доставки",
            "плановая дата доставки",
            "estimated delivery",
            "delivery date",
            "eta",
            "预计送达",
            "预计送达日期",
            "送达日期",
        ],
    ),
    (
        Field::PickupPointName,
        &["пункт выдачи", "пвз", "pickup point", "自提点"],
    ),
    (
        Field::PickupPointAddress,
        &[
            "адрес пвз",
            "адрес пункта выдачи",
            "pickup point address",
            "pickup address",
            "自提点地址",
        ],
    ),
    (
        Field::PickupCode,
        &["код получения", "код выдачи", "pickup code", "取件码"],
    ),
    (
        Field::StorageUntil,
        &[
            "срок хранения",
            "хранится до",
            "storage until",
            "保管期限",
            "存放至",
        ],
    ),
    (
        Field::Phone,
        &[
            "телефон",
            "телефон покупателя",
            "телефон получателя",
            "phone",
            "buyer phone",
            "电话",
            "手机",
            "手机号",
            "收件人电话",
        ],
    ),
    (
        Field::Postcode,
        &[
            "индекс",
            "почтовый индекс",
            "postcode",
            "postal code",
            "zip",
            "zip code",
            "邮编",
        ],
    ),
];

/// A header cell in the form the names are written in: lower case, `ё` as `е`, `№` as
/// `номер`, `_`, `-` and other marks as one space.
pub fn normal(text: &str) -> String {
    text.to_lowercase()
        .replace('ё', "е")
        .replace('№', " номер ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field a header names, if it is one of the usual names.
pub fn field_named(header: &str) -> Option<Field> {
    let header = normal(header);
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&header.as_str()))
        .map(|(field, _)| *field)
}

/// One column of the file and the field it fills, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Its place, from 0.
    pub index: usize,
    /// Its header, as the file has it.
    pub header: String,
    /// The field it fills; `None` for a column that is not imported.
    pub field: Option<Field>,
}

/// Which column fills which field. The first column naming a field fills it; a later one
/// naming the same field is left unmapped (and reported), never merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Every column of the header row.
    pub columns: Vec<Column>,
}

impl Mapping {
    /// The mapping the header's names suggest.
    pub fn detect(header: &[String]) -> Mapping {
        let mut taken = Vec::new();
        let columns = header
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let field = field_named(name).filter(|f| !taken.contains(f));
                taken.extend(field);
                Column {
                    index,
                    header: name.clone(),
                    field,
                }
            })
            .collect();
        Mapping { columns }
    }

    /// The column that fills `field`.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|c| c.field == Some(field))
            .map(|c| c.index)
    }

    /// Columns with a header that fill no field: shown to the seller, never dropped silently.
    pub fn unmapped(&self) -> impl Iterator<Item = &Column> {
        self.columns
            .iter()
            .filter(|c| c.field.is_none() && !c.header.trim().is_empty())
    }

    /// The field whose column is the shipments' reference: an explicit reference, else the
    /// posting number, else the order number, else the tracking number.
    pub fn reference_field(&self) -> Option<Field> {
        [
            Field::Reference,
            Field::ShipmentNumber,
            Field::OrderNumber,
            Field::TrackingNumber,
        ]
        .into_iter()
        .find(|f| self.column(*f).is_some())
    }

    /// Whether the row could be a header: a column for the reference and one more known column.
    pub fn is_recognisable(&self) -> bool {
        self.reference_field().is_some()
            && self.columns.iter().filter(|c| c.field.is_some()).count() >= 2
    }

    /// Sets the field a column fills (a manual mapping step), taking it from any other column.
    pub fn set(&mut self, index: usize, field: Option<Field>) {
        for column in &mut self.columns {
            if field.is_some() && column.field == field {
                column.field = None;
            }
            if column.index == index {
                column.field = field;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_names_in_three_languages_are_known() {
        for (name, field) in [
            ("Номер отправления", Field::ShipmentNumber),
            ("№ заказа", Field::OrderNumber),
            ("Трек-номер", Field::TrackingNumber),
            ("СТАТУС", Field::Status),
            ("Дата доставки", Field::EstimatedDelivery),
            ("Служба доставки", Field::Carrier),
            ("Order number", Field::OrderNumber),
            ("tracking_number", Field::TrackingNumber),
            ("Status", Field::Status),
            ("订单号", Field::OrderNumber),
            ("运单号", Field::TrackingNumber),
            ("物流单号", Field::TrackingNumber),
            ("状态", Field::Status),
        ] {
            assert_eq!(field_named(name), Some(field), "{name}");
        }
        assert_eq!(field_named("Наименование товара"), None);
    }

    #[test]
    fn a_later_column_of_the_same_field_is_reported_and_a_manual_step_can_move_it() {
        let header: Vec<String> = ["Статус", "Status", "Цена"].map(String::from).to_vec();
        let mut mapping = Mapping::detect(&header);
        assert_eq!(mapping.column(Field::Status), Some(0));
        let unmapped: Vec<_> = mapping.unmapped().map(|c| c.index).collect();
        assert_eq!(unmapped, [1, 2]);
        mapping.set(1, Some(Field::Status));
        assert_eq!(mapping.column(Field::Status), Some(1));
        assert_eq!(mapping.columns[0].field, None);
    }
}
