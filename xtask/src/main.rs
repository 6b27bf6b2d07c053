//! trackline's tasks, in Rust as rust-analyzer keeps its own: `cargo xtask <task>`.
//!
//! The README's two commands are `cargo xtask run` and `cargo xtask test`; both set up the
//! machine first (idempotently), so a fresh clone needs nothing else.

mod bench;
mod cmd;
mod codegen;
mod dist;
mod element;
mod load;
mod package;
mod postgres;
mod reference;
mod run;
mod setup;
mod snippet;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
cargo xtask <task>

  setup                  install what building, running and testing need (idempotent)
  build                  the release widget into dist/, the snippet configurator into dist/configure/,
                         the seller's console into dist/console/, the npm package into
                         target/npm/trackline-widget
  run                    build the widget and serve it with demo shipments at http://127.0.0.1:8080
  release                the one binary to deploy: the release server with the widget inside
  test                   run every test: lints, domain and server (SQLite and PostgreSQL), OpenAPI
                         tools, fuzzing, components in Chromium, end to end
  bench size|speed|load  print one figure a line, `name value unit`
  screenshots [DIR]      every demo state at 360 and 1280 px, light and dark, ru/en/zh (./screenshots)
  snippet [ORIGIN [SHOP]] the seller's two-line snippet for the built widget, pinned by its hash
  package                the npm package (target/npm/trackline-widget) from the built widget
  codegen [--check]      write the generated files (docs/openapi.json), or check they are current
  post-build             trunk's post-build hook (run by trunk, not by hand)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cmd::enter_project();
    let done = match args.as_slice() {
        ["setup"] => setup::run(),
        ["build"] => dist::build().and_then(|()| package::make()),
        ["run"] => run::run(),
        ["release"] => run::release(),
        ["test"] => test::run(),
        ["bench", "size"] => bench::size(),
        ["bench", "speed"] => bench::speed(),
        ["bench", "load"] => load::run(),
        ["screenshots"] => bench::screenshots(None),
        ["screenshots", dir] => bench::screenshots(Some(dir)),
        ["snippet"] => snippet::print(None, None),
        ["snippet", origin] => snippet::print(Some(origin), None),
        ["snippet", origin, shop] => snippet::print(Some(origin), Some(shop)),
        ["package"] => package::make(),
        ["codegen"] => codegen::write(),
        ["codegen", "--check"] => codegen::check(),
        ["post-build"] => dist::post_build(),
        ["help"] | ["--help"] | ["-h"] | [] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("unknown task\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}
