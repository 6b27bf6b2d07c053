//! The contract's JSON Schemas for the reference server's OpenAPI document (feature `openapi`).
//!
//! The structs derive theirs; the words below are read leniently (any text is kept and
//! shown), so their schema is a string with the known values as examples, not an enum.

use crate::contract::ContactKind;
use crate::status::{Exception, Stage};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A string schema that names the known values and keeps any other.
fn open_word<'a>(description: &str, known: impl Iterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some(description))
        .examples(known.map(serde_json::Value::from))
        .into()
}

impl PartialSchema for Stage {
    fn schema() -> RefOr<Schema> {
        open_word(
            "One of the known stages, or any other text, which readers show as it is.",
            Stage::KNOWN.iter().map(Stage::as_str),
        )
    }
}

impl ToSchema for Stage {}

impl PartialSchema for Exception {
    fn schema() -> RefOr<Schema> {
        open_word(
            "One of the known exceptions, or any other text, which readers show as it is.",
            Exception::KNOWN.iter().map(Exception::as_str),
        )
    }
}

impl ToSchema for Exception {}

impl PartialSchema for ContactKind {
    fn schema() -> RefOr<Schema> {
        open_word(
            "One of the known channels, or any other text, which readers show as a generic link.",
            ContactKind::KNOWN.iter().map(ContactKind::as_str),
        )
    }
}

impl ToSchema for ContactKind {}
