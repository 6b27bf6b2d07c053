//! The import's parsing half: sample files as Ozon's cabinet, Excel and 1C write them, and what
//! each row becomes; the limits; arbitrary bytes never panic; and the parsing time of 10 000 rows.

use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::time::Instant;
use trackline_core::query::InputError;
use trackline_server::import::{
    self, Encoding, Field, FileError, Line, Mapping, Outcome, Refusal, MAX_FILE_BYTES, MAX_ROWS,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Each line as a short text: `reference stage[/exception] numbers…`, `repeat of N`, or the refusal.
fn summary(lines: &[Line]) -> Vec<(usize, String)> {
    lines
        .iter()
        .map(|line| {
            let text = match &line.outcome {
                Outcome::Shipment(imported) => {
                    let s = &imported.shipment;
                    let mut text = format!("{} {}", imported.reference, s.stage);
                    if let Some(exception) = &s.exception {
                        text += &format!("/{exception}");
                    }
                    for (name, value) in [
                        ("order", &s.order_number),
                        ("posting", &s.shipment_number),
                        ("track", &s.tracking_number),
                    ] {
                        if let Some(value) = value {
                            text += &format!(" {name}={value}");
                        }
                    }
                    text
                }
                Outcome::Repeat { first_line } => format!("repeat of {first_line}"),
                Outcome::Refused(refusal) => format!("refused {refusal:?}"),
            };
            (line.line, text)
        })
        .collect()
}

fn shipment(lines: &[Line], line: usize) -> &import::Imported {
    match lines.iter().find(|l| l.line == line).map(|l| &l.outcome) {
        Some(Outcome::Shipment(imported)) => imported,
        other => panic!("line {line}: {other:?}"),
    }
}

#[test]
fn ozon_cabinet_postings_report_in_windows_1251() {
    let import = import::parse(&fixture("ozon-postings-1251.csv")).unwrap();
    assert_eq!(
        import.sheet.format,
        import::Format::Csv {
            encoding: Encoding::Windows1251,
            separator: ';'
        }
    );
    assert_eq!(
        import.mapping.reference_field(),
        Some(Field::ShipmentNumber)
    );
    let unmapped: Vec<&str> = import
        .mapping
        .unmapped()
        .map(|c| c.header.as_str())
        .collect();
    assert_eq!(
        unmapped,
        [
            "Принят в обработку",
            "Дата отгрузки",
            "Фактическая дата передачи в доставку",
            "Сумма отправления",
            "Код валюты отправления",
            "Наименование товара",
            "OZON id",
            "Артикул",
            "Количество"
        ]
    );
    let expected = [
        (2, "0123456789-0001-1 in_transit order=0123456789-0001 posting=0123456789-0001-1 track=RA644000014RU"),
        (3, "repeat of 2"),
        (4, "0123456790-0002-1 delivered order=0123456790-0002 posting=0123456790-0002-1 track=RA644000028RU"),
        (5, "0123456791-0003-1 packed order=0123456791-0003 posting=0123456791-0003-1"),
        (6, "0123456792-0004-1 created/cancelled order=0123456792-0004 posting=0123456792-0004-1"),
        (7, "0123456793-0005-2 in_transit/delayed order=0123456793-0005 posting=0123456793-0005-2 track=RB111222332RU"),
        (8, "refused UnknownStatus { field: Status, text: \"Потерян курьером\" }"),
        (9, "refused BadNumber { field: TrackingNumber, problem: Mistyped }"),
        (10, "refused NoReference"),
        (11, "refused Conflict { first_line: 4 }"),
    ];
    let got = summary(&import.lines);
    let got: Vec<(usize, &str)> = got.iter().map(|(l, t)| (*l, t.as_str())).collect();
    assert_eq!(got, expected);
    let first = shipment(&import.lines, 2);
    assert_eq!(
        first
            .shipment
            .estimated_delivery
            .as_ref()
            .map(|w| w.from.as_str()),
        Some("2026-11-25")
    );
}

#[test]
fn excel_csv_utf8_with_bom_and_commas() {
    let import = import::parse(&fixture("excel-utf8-bom.csv")).unwrap();
    assert_eq!(
        import.sheet.format,
        import::Format::Csv {
            encoding: Encoding::Utf8Bom,
            separator: ','
        }
    );
    assert_eq!(import.mapping.reference_field(), Some(Field::OrderNumber));
    let got = summary(&import.lines);
    let got: Vec<(usize, &str)> = got.iter().map(|(l, t)| (*l, t.as_str())).collect();
    assert_eq!(
        got,
        [
            (2, "A1001 in_transit order=A1001 track=LP00123456789012"),
            (3, "A1002 out_for_delivery order=A1002 track=RA644000014RU"),
            (4, "A1003 delivered order=A1003"),
            (
                5,
                "refused BadDate { field: EstimatedDelivery, text: \"2026-11-31\" }"
            ),
            (6, "refused BadPhone"),
        ]
    );
    let first = shipment(&import.lines, 2);
    assert_eq!(
        first.shipment.carrier.as_ref().map(|c| c.name.as_str()),
        Some("Cainiao, Global")
    );
    assert_eq!(first.factors.phone.as_deref(), Some("+7 (912) 345-67-89"));
    assert_eq!(first.factors.postcode.as_deref(), Some("101000"));
}

#[test]
fn a_1c_export_tab_separated_under_a_title_line() {
    let import = import::parse(&fixture("1c-orders.tsv")).unwrap();
    assert_eq!(
        import.sheet.format,
        import::Format::Csv {
            encoding: Encoding::Utf8,
            separator: '\t'
        }
    );
    assert_eq!(import.sheet.header_line, 2);
    let got = summary(&import.lines);
    let got: Vec<(usize, &str)> = got.iter().map(|(l, t)| (*l, t.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                3,
                "000000123 ready_for_pickup order=000000123 track=1234567890"
            ),
            (
                4,
                "000000124 in_transit order=000000124 track=80102030405063"
            ),
            (
                5,
                "refused BadNumber { field: OrderNumber, problem: BadCharacters }"
            ),
            (
                6,
                "000000126 delivered order=000000126 track=80102030405064"
            ),
        ]
    );
    let point = shipment(&import.lines, 3)
        .shipment
        .pickup_point
        .clone()
        .unwrap();
    assert_eq!(point.name.as_deref(), Some("ПВЗ на Ленина, 5"));
    assert_eq!(point.pickup_code.as_deref(), Some("4321"));
    assert_eq!(point.storage_until.as_deref(), Some("2026-12-01"));
}

#[test]
fn a_chinese_sellers_sheet() {
    let import = import::parse(&fixture("cn-orders.csv")).unwrap();
    let got = summary(&import.lines);
    let got: Vec<(usize, &str)> = got.iter().map(|(l, t)| (*l, t.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                2,
                "CN2026112001 in_transit order=CN2026112001 track=LP00123456789012"
            ),
            (
                3,
                "CN2026112002 delivered order=CN2026112002 track=YT1234567890123456"
            ),
            (
                4,
                "CN2026112003 created/cancelled order=CN2026112003 track=LP00123456789013"
            ),
        ]
    );
    let first = shipment(&import.lines, 2);
    assert_eq!(
        first
            .shipment
            .estimated_delivery
            .as_ref()
            .map(|w| w.from.as_str()),
        Some("2026-11-30")
    );
}

#[test]
fn a_wrong_header_row_and_an_unknown_encoding_are_told_as_such() {
    assert_eq!(
        import::parse(&fixture("wrong-header.csv")).unwrap_err(),
        FileError::NoHeaderRow
    );
    assert_eq!(
        import::parse(&fixture("unknown-encoding.csv")).unwrap_err(),
        FileError::UnknownEncoding
    );
    assert_eq!(import::parse(b"").unwrap_err(), FileError::Empty);
    assert_eq!(
        import::parse(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old excel").unwrap_err(),
        FileError::UnsupportedFormat
    );
    assert_eq!(
        import::parse(b"PK\x03\x04 not a workbook").unwrap_err(),
        FileError::BadWorkbook
    );
}

#[test]
fn a_manual_mapping_changes_what_rows_become() {
    // A sheet whose status column has a name nobody uses: mapped by hand, the rows import.
    let csv = "Номер отправления;Трек;Где посылка\n0123456789-0001-1;RA644000014RU;Доставляется\n";
    let sheet = import::read(csv.as_bytes()).unwrap();
    let mut mapping = Mapping::detect(&sheet.header);
    assert_eq!(summary(&sheet.lines(&mapping))[0].1, "refused NoStatus");
    mapping.set(2, Some(Field::Status));
    assert_eq!(
        summary(&sheet.lines(&mapping))[0].1,
        "0123456789-0001-1 in_transit posting=0123456789-0001-1 track=RA644000014RU"
    );
    // The mapping goes to the console and back as JSON.
    let json = serde_json::to_string(&mapping).unwrap();
    assert_eq!(serde_json::from_str::<Mapping>(&json).unwrap(), mapping);
}

#[test]
fn refusals_are_typed_for_translation() {
    let refusal = Refusal::BadNumber {
        field: Field::TrackingNumber,
        problem: InputError::Mistyped,
    };
    assert_eq!(
        serde_json::to_value(&refusal).unwrap(),
        serde_json::json!({"reason": "bad_number", "field": "tracking_number", "problem": "mistyped"})
    );
}

/// An Ozon report saved as XLSX: a summary sheet first, the postings on the second under a
/// title row, the tracking number kept as a number and the dates as date cells.
fn ozon_workbook(rows: usize) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let summary = workbook.add_worksheet();
    summary.set_name("Сводка").unwrap();
    summary.write(0, 0, "Отчёт об отправлениях").unwrap();
    summary.write(1, 0, "Всего").unwrap();
    summary.write(1, 1, rows as f64).unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Отправления").unwrap();
    sheet
        .write(0, 0, "Отчёт об отправлениях за ноябрь 2026")
        .unwrap();
    for (column, name) in [
        "Номер заказа",
        "Номер отправления",
        "Статус",
        "Дата доставки",
        "Трек-номер",
        "Сумма отправления",
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write(1, column as u16, name).unwrap();
    }
    let delivery = ExcelDateTime::from_ymd(2026, 11, 25).unwrap();
    for i in 0..rows {
        let r = (i + 2) as u32;
        let order = format!("{:010}-0001", 1_000_000_000 + i);
        sheet.write(r, 0, &order).unwrap();
        sheet.write(r, 1, format!("{order}-1")).unwrap();
        sheet
            .write(
                r,
                2,
                if i % 2 == 0 {
                    "Доставляется"
                } else {
                    "Доставлен"
                },
            )
            .unwrap();
        sheet
            .write_datetime_with_format(r, 3, &delivery, &date)
            .unwrap();
        // Russian Post's 14 digits, stored as a number as Excel does when one is pasted.
        sheet.write(r, 4, 12_345_678_901_231_f64).unwrap();
        sheet.write(r, 5, 1299.5).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn xlsx_from_the_second_sheet_with_numbers_and_dates_as_the_seller_sees_them() {
    let import = import::parse(&ozon_workbook(3)).unwrap();
    assert_eq!(import.sheet.format, import::Format::Xlsx);
    assert_eq!(import.sheet.header_line, 2);
    let got = summary(&import.lines);
    assert_eq!(
        got[0],
        (3, "1000000000-0001-1 in_transit order=1000000000-0001 posting=1000000000-0001-1 track=12345678901231".to_owned())
    );
    assert_eq!(got[1].1.split(' ').nth(1), Some("delivered"));
    assert_eq!(got.len(), 3);
    let first = shipment(&import.lines, 3);
    assert_eq!(
        first
            .shipment
            .estimated_delivery
            .as_ref()
            .map(|w| w.from.as_str()),
        Some("2026-11-25")
    );
    assert_eq!(import.sheet.rows[0].cells[5], "1299.5");
}

#[test]
fn the_size_limit_holds() {
    let mut big = "Номер заказа;Статус\n".as_bytes().to_vec();
    big.resize(MAX_FILE_BYTES + 1, b' ');
    assert_eq!(
        import::read(&big).unwrap_err(),
        FileError::TooLarge {
            limit: MAX_FILE_BYTES
        }
    );
}

#[test]
fn the_row_limit_holds() {
    let mut csv = String::from("Номер заказа;Статус\n");
    for i in 0..=MAX_ROWS {
        csv += &format!("{i};Доставлен\n");
    }
    assert_eq!(
        import::read(csv.as_bytes()).unwrap_err(),
        FileError::TooManyRows { limit: MAX_ROWS }
    );
    // One row fewer is read.
    let last = csv.trim_end().rfind('\n').unwrap();
    assert_eq!(
        import::read(&csv.as_bytes()[..=last]).unwrap().rows.len(),
        MAX_ROWS
    );
}

#[test]
fn the_width_limits_hold() {
    // Too many cells.
    let wide = format!("Номер заказа;Статус\n1;Доставлен{}\n", ";x".repeat(300));
    assert_eq!(
        import::read(wide.as_bytes()).unwrap_err(),
        FileError::RowTooWide { line: 2 }
    );
    // A quote left open swallows the rest of the file into one cell.
    let open = format!(
        "Номер заказа;Статус\n1;\"Доставлен\n{}",
        "2;Доставлен\n".repeat(10_000)
    );
    assert_eq!(
        import::read(open.as_bytes()).unwrap_err(),
        FileError::RowTooWide { line: 2 }
    );
    // An XLSX cell far to the right.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write(0, 0, "Номер заказа").unwrap();
    sheet.write(0, 1, "Статус").unwrap();
    sheet.write(1, 0, "1").unwrap();
    sheet.write(1, 16_000, "far").unwrap();
    assert_eq!(
        import::read(&workbook.save_to_buffer().unwrap()).unwrap_err(),
        FileError::RowTooWide { line: 2 }
    );
}

#[test]
fn a_sheet_of_many_wide_rows_is_refused_by_its_cells_and_trailing_empty_cells_cost_none() {
    // 8 000 rows of 256 cells, most of them empty: 2 MB of file, 2 048 000 cells (each a
    // `String` kept in the server).
    let mut wide = String::from("Номер заказа;Статус\n");
    let row = format!("1;Доставлен{};x\n", ";".repeat(253));
    for _ in 0..8_000 {
        wide.push_str(&row);
    }
    assert_eq!(
        import::read(wide.as_bytes()).unwrap_err(),
        FileError::TooManyCells {
            limit: import::MAX_CELLS
        }
    );
    // The same rows without the far cell: two cells each, however many separators follow.
    let trailing = wide.replace(";x\n", ";\n");
    let sheet = import::read(trailing.as_bytes()).unwrap();
    assert_eq!(sheet.rows.len(), 8_000);
    assert!(sheet.rows.iter().all(|row| row.cells.len() == 2));
    // An XLSX of as many cells: refused as it is read.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write(0, 0, "Номер заказа").unwrap();
    sheet.write(0, 1, "Статус").unwrap();
    for row in 1..=8_000 {
        sheet.write(row, 0, "1").unwrap();
        sheet.write(row, 255, "x").unwrap();
    }
    assert_eq!(
        import::read(&workbook.save_to_buffer().unwrap()).unwrap_err(),
        FileError::TooManyCells {
            limit: import::MAX_CELLS
        }
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = import::parse(&bytes);
        let zipped: Vec<u8> = b"PK\x03\x04".iter().copied().chain(bytes).collect();
        let _ = import::parse(&zipped);
    }

    #[test]
    fn csv_like_text_never_panics(
        text in "(Номер заказа|Статус|Трек-номер|订单号|状态|[;,\t\"\r\n ]|[a-zA-Z0-9а-яА-Я.\\-=']{1,12}){0,80}"
    ) {
        if let Ok(import) = import::parse(text.as_bytes()) {
            // Every line is one of the rows, in order.
            let lines: Vec<usize> = import.lines.iter().map(|l| l.line).collect();
            prop_assert!(lines.windows(2).all(|w| w[0] < w[1]));
        }
    }
}

/// Measured on the 2-core machine, release build: 55 ms for the Windows-1251 CSV (1.1 MB),
/// 66 ms for the XLSX (0.3 MB, unpacked twice: once to bound it, once to read it); the issue's
/// budget for an import end to end is 10 s.
#[test]
#[ignore = "benchmark: cargo test -p trackline-server --release --test import -- --ignored"]
fn bench_parse_10000_rows() {
    let rows = 10_000;
    let mut csv = String::from(
        "Номер заказа;Номер отправления;Принят в обработку;Статус;Дата доставки;Трек-номер;Наименование товара\n",
    );
    for i in 0..rows {
        let order = format!("{:010}-0001", 1_000_000_000 + i);
        csv += &format!(
            "{order};{order}-1;20.11.2026 10:15:00;{};25.11.2026;RA644000014RU;Чехол силиконовый\n",
            ["Доставляется", "Доставлен", "Ожидает отгрузки"][i % 3]
        );
    }
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&csv);
    let xlsx = ozon_workbook(rows);
    for (name, bytes) in [("csv_1251", cp1251.to_vec()), ("xlsx", xlsx)] {
        let start = Instant::now();
        let import = import::parse(&bytes).unwrap();
        let elapsed = start.elapsed();
        assert_eq!(import.lines.len(), rows);
        assert!(import
            .lines
            .iter()
            .all(|l| matches!(l.outcome, Outcome::Shipment(_))));
        println!("import_parse_{name}_10000_rows {} ms", elapsed.as_millis());
        println!("import_parse_{name}_10000_rows_bytes {} bytes", bytes.len());
    }
}
