//! Every example in docs/numbers.md is recognised as the table says.

use trackline_core::number::{normalise, recognise};

#[test]
fn the_documented_examples_are_recognised_as_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/numbers.md"))
        .expect("docs/numbers.md reads");
    let mut checked = 0;
    for line in doc.lines().filter(|line| line.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | kind | shape | `example` | `recognised as` | issuer's page |
        let (Some(example), Some(kind)) = (cells.get(3), cells.get(4)) else {
            continue;
        };
        let (Some(example), Some(kind)) = (
            example.strip_prefix('`').and_then(|e| e.strip_suffix('`')),
            kind.strip_prefix('`').and_then(|k| k.strip_suffix('`')),
        ) else {
            continue;
        };
        assert_eq!(
            normalise(example),
            example,
            "the example {example} is not in normal form"
        );
        assert_eq!(recognise(example).kind(), kind, "{example}");
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} rows were read from docs/numbers.md"
    );
}
