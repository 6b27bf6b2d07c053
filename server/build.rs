//! With `embed-widget`, the widget's build in `../dist` is compiled into the binary: compile
//! again whenever it changes (new files included), so that a binary never carries a stale one.
//! The same for `migrations/`, which `sqlx::migrate!` reads at compile time: a new migration
//! would otherwise be left out of an incremental build.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=migrations");
    if std::env::var_os("CARGO_FEATURE_EMBED_WIDGET").is_some() {
        println!("cargo:rerun-if-changed=../dist");
    }
}
