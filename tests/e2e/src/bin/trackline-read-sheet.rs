//! The server's workbook reader (`trackline-server read-sheet --memory N`) as a binary of the
//! browser tests: the server they embed starts it for each XLSX a seller picks, since their own
//! binary is a test harness that knows no `read-sheet`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let memory = args
        .iter()
        .position(|arg| arg == "--memory")
        .and_then(|at| args.get(at + 1))
        .and_then(|memory| memory.parse().ok())
        .unwrap_or(trackline_server::sheet_reader::DEFAULT_MEMORY);
    let limited = args.iter().any(|arg| arg == "--limited");
    trackline_server::sheet_reader::serve(memory, limited)
}
