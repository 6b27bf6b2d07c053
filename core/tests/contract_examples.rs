//! Every documented example and the demo data match the JSON Schema and round-trip through the types.

use std::path::{Path, PathBuf};
use trackline_core::contract::parse_track_response;
use trackline_core::{ErrorBody, TrackResponse};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&read_json(&docs().join("contract.schema.json")))
        .expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn every_example_matches_the_schema_and_round_trips() {
    let validator = validator();
    let mut checked = 0;
    for entry in std::fs::read_dir(docs().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("error-") {
            let body: ErrorBody = serde_json::from_value(read_json(&path)).unwrap();
            assert!(!body.error.is_empty());
            continue;
        }
        let value = read_json(&path);
        assert_valid(&validator, &value, &name);
        let parsed =
            parse_track_response(&value.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!parsed.shipments.is_empty(), "{name}");
        let written = serde_json::to_value(&parsed).unwrap();
        assert_valid(&validator, &written, &format!("{name}, as written back"));
        let reparsed: TrackResponse = serde_json::from_value(written).unwrap();
        assert_eq!(reparsed, parsed, "{name} does not round-trip");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} examples were found");
}

#[test]
fn the_demo_data_matches_the_schema() {
    let demo =
        read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/demo/shipments.json"));
    let response = serde_json::json!({ "version": 1, "shipments": demo["shipments"] });
    assert_valid(&validator(), &response, "server/demo/shipments.json");
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    let validator = validator();
    for bad in [
        serde_json::json!({}),
        serde_json::json!({ "shipments": [{}] }),
        serde_json::json!({ "shipments": [{ "stage": "in_transit", "events": [{ "at": "yesterday" }] }] }),
        serde_json::json!({ "shipments": [{ "stage": "in_transit", "estimated_delivery": { "from": "25.11.2026" } }] }),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}
