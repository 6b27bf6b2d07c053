//! What the server holds while it reads the largest sheet it takes: `MAX_CELLS` cells of 19
//! bytes, as a CSV it reads itself and as a workbook reader's answer (the largest it may give).
//! The peak is the process's high-water mark (`VmHWM`, reset through `/proc/self/clear_refs`)
//! over its resident size before: a test binary of its own, with one test, so that nothing else
//! runs meanwhile. Prints `name value unit` lines.

use std::path::PathBuf;
use trackline_server::import::{MAX_CELLS, MAX_FILE_BYTES};
use trackline_server::sheet_reader::{SheetReader, MAX_ANSWER};

const COLUMNS: usize = 20;
const CELL: &str = "abcdefghijklmnopqrs";

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// The resident size the process reached while `read` ran, over what it had before, in MiB.
async fn peak_mib<F: std::future::Future<Output = usize>>(read: F) -> (f64, usize) {
    std::fs::write("/proc/self/clear_refs", "5").expect("the high-water mark is reset");
    let before = status_kib("VmRSS:");
    let rows = read.await;
    let peak = status_kib("VmHWM:");
    (peak.saturating_sub(before) as f64 / 1024.0, rows)
}

fn header() -> Vec<String> {
    let mut header = vec!["Номер заказа".to_owned(), "Статус".to_owned()];
    header.extend((2..COLUMNS).map(|i| format!("c{i}")));
    header
}

#[tokio::test]
async fn the_largest_sheet_taken_is_held_in_a_bounded_peak() {
    let rows = MAX_CELLS / COLUMNS - 1;
    // The CSV, read in the server's own threads.
    let mut csv = header().join(";");
    csv.push('\n');
    let row = vec![CELL; COLUMNS].join(";");
    for _ in 0..rows {
        csv.push_str(&row);
        csv.push('\n');
    }
    let csv = csv.into_bytes();
    assert!(csv.len() <= MAX_FILE_BYTES, "{}", csv.len());
    let reader = SheetReader::default();
    let (csv_peak, read) = peak_mib(async {
        let sheet = reader.read(csv.clone()).await.expect("the CSV is read");
        sheet.rows.len()
    })
    .await;
    assert_eq!(read, rows);

    // A workbook reader's answer as large as it may be: the sheet as JSON, given by a script.
    let mut answer = String::from("{\"Ok\":{\"format\":\"xlsx\",\"header_line\":1,\"header\":");
    answer.push_str(&serde_json::to_string(&header()).unwrap());
    answer.push_str(",\"rows\":[");
    let cells = serde_json::to_string(&vec![CELL; COLUMNS]).unwrap();
    for i in 0..rows {
        if i > 0 {
            answer.push(',');
        }
        answer.push_str(&format!("{{\"line\":{},\"cells\":{cells}}}", i + 2));
    }
    answer.push_str("]}}");
    assert!(answer.len() <= MAX_ANSWER, "{}", answer.len());
    let dir = std::env::temp_dir().join(format!(
        "trackline-answer-{}-{}",
        std::process::id(),
        trackline_server::store::new_id().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let answer_file = dir.join("answer.json");
    std::fs::write(&answer_file, &answer).unwrap();
    let answer_len = answer.len();
    drop(answer);
    let script: PathBuf = dir.join("reader");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nexec cat '{}'\n", answer_file.display()),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&script, permissions).unwrap();
    let workbooks = SheetReader {
        program: Some(script),
        ..SheetReader::default()
    };
    let (xlsx_peak, read) = peak_mib(async {
        let sheet = workbooks
            .read(b"PK\x03\x04".to_vec())
            .await
            .expect("the answer is read");
        sheet.rows.len()
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(read, rows);
    println!("import_largest_csv_bytes {} B", csv.len());
    println!("import_largest_csv_peak {csv_peak:.0} MiB");
    println!("import_largest_answer_bytes {answer_len} B");
    println!("import_largest_answer_peak {xlsx_peak:.0} MiB");
    // Some 90 bytes a cell kept (its `String`, its text, the allocator's share), and the bytes
    // read beside them.
    for peak in [csv_peak, xlsx_peak] {
        assert!(peak < 300.0, "{peak:.0} MiB");
    }
}
