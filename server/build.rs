//! With `embed-widget`, the widget's build in `../dist` is compiled into the binary: compile
//! again whenever it changes (new files included), so that a binary never carries a stale one.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_EMBED_WIDGET").is_some() {
        println!("cargo:rerun-if-changed=../dist");
    }
}
