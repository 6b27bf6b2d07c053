//! `<trackline-widget>` as its users' tools read it, made from its one description
//! (`embed/element.json`): the loader's attributes, the Custom Elements Manifest (schema 2.1.0)
//! and the TypeScript declarations, the element's and React's.

use crate::cmd::{Done, Failed};
use serde_json::{json, Map, Value};
use std::path::Path;

/// The loader's module, as the manifest and the package name it.
pub const LOADER: &str = "trackline-widget.js";

/// The element's description, read from `embed/element.json` under `source`.
///
/// # Errors
/// When the file is missing or is not the description's shape.
pub fn read(source: &Path) -> Done<Value> {
    let path = source.join("embed/element.json");
    let element: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
        .map_err(|error| Failed(format!("{}: {error}", path.display())))?;
    for key in [
        "tag",
        "class",
        "attributes",
        "methods",
        "events",
        "parts",
        "cssProperties",
    ] {
        if element.get(key).is_none() {
            return Err(Failed(format!("{}: no {key}", path.display())));
        }
    }
    Ok(element)
}

fn list<'a>(element: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    element[key].as_array().into_iter().flatten()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// Whether the attribute's property is one `HTMLElement` already has (`lang`), which the
/// element keeps: the description says so (`"inherited": true`).
fn inherited(attribute: &Value) -> bool {
    attribute["inherited"] == true
}

/// The property's type: a boolean attribute is a boolean, any other is its text or null.
fn property_type(attribute: &Value) -> String {
    match text(attribute, "type") {
        "boolean" => "boolean".into(),
        _ if inherited(attribute) => "string".into(),
        other => format!("{other} | null"),
    }
}

/// The loader's attributes and their kinds (`{"number":"string",…,"compact":"boolean"}`): it
/// observes them and defines a reflecting property for each but the inherited ones.
pub fn loader_attributes(element: &Value) -> String {
    let kinds: Map<String, Value> = list(element, "attributes")
        .map(|attribute| {
            let kind = if inherited(attribute) {
                "inherited"
            } else if text(attribute, "type") == "boolean" {
                "boolean"
            } else {
                "string"
            };
            (text(attribute, "name").to_owned(), kind.into())
        })
        .collect();
    Value::Object(kinds).to_string()
}

/// The Custom Elements Manifest (schema 2.1.0) of the loader module.
pub fn manifest(element: &Value) -> Value {
    let class = text(element, "class");
    let attributes: Vec<Value> = list(element, "attributes")
        .map(|attribute| {
            let mut entry = json!({
                "name": attribute["name"],
                "type": { "text": attribute["type"] },
                "description": attribute["description"],
                "fieldName": attribute["name"],
            });
            if let Some(default) = attribute.get("default") {
                entry["default"] = default.clone();
            }
            entry
        })
        .collect();
    let fields = list(element, "attributes").map(|attribute| {
        let mut field = json!({
            "kind": "field",
            "name": attribute["name"],
            "type": { "text": property_type(attribute) },
            "description": attribute["description"],
            "attribute": attribute["name"],
            "reflects": true,
        });
        if inherited(attribute) {
            field["inheritedFrom"] = json!({ "name": "HTMLElement", "package": "global:" });
        }
        field
    });
    let methods = list(element, "methods").map(|method| {
        let parameters: Vec<Value> = list(method, "parameters")
            .map(|parameter| {
                json!({
                    "name": parameter["name"],
                    "type": { "text": parameter["type"] },
                    "description": parameter["description"],
                })
            })
            .collect();
        json!({
            "kind": "method",
            "name": method["name"],
            "description": method["description"],
            "parameters": parameters,
            "return": { "type": { "text": "void" } },
        })
    });
    let events: Vec<Value> = list(element, "events")
        .map(|event| {
            json!({
                "name": event["name"],
                "type": { "text": format!("CustomEvent<{}>", text(event, "detailType")) },
                "description": format!("{} detail: {}", text(event, "description"), text(event, "detail")),
            })
        })
        .collect();
    let parts: Vec<Value> = list(element, "parts")
        .map(|part| json!({ "name": part["name"], "description": part["description"] }))
        .collect();
    let properties: Vec<Value> = list(element, "cssProperties")
        .map(|property| {
            json!({
                "name": property["name"],
                "syntax": property["syntax"],
                "default": property["default"],
                "description": property["description"],
            })
        })
        .collect();
    let declaration = json!({ "name": class, "module": LOADER });
    json!({
        "schemaVersion": "2.1.0",
        "readme": "README.md",
        "modules": [{
            "kind": "javascript-module",
            "path": LOADER,
            "declarations": [{
                "kind": "class",
                "name": class,
                "customElement": true,
                "tagName": element["tag"],
                "summary": element["summary"],
                "description": element["description"],
                "superclass": { "name": "HTMLElement", "package": "global:" },
                "attributes": attributes,
                "members": fields.chain(methods).collect::<Vec<_>>(),
                "events": events,
                "cssParts": parts,
                "cssProperties": properties,
            }],
            "exports": [
                { "kind": "js", "name": class, "declaration": declaration },
                { "kind": "custom-element-definition", "name": element["tag"], "declaration": declaration },
            ],
        }],
    })
}

/// The class's name without `Element` (`TracklineWidget`), for the types around it.
fn base_name(class: &str) -> &str {
    class.strip_suffix("Element").unwrap_or(class)
}

/// A doc comment, one line.
fn doc(indent: &str, text: &str) -> String {
    format!("{indent}/** {} */\n", text.replace("*/", "* /"))
}

/// A union of string literals.
fn union(values: &Value) -> String {
    values
        .as_array()
        .into_iter()
        .flatten()
        .map(|value| value.to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An event map's entries, one an event: `"trackline:status": CustomEvent<…>;`.
fn event_entries(element: &Value, indent: &str) -> String {
    list(element, "events")
        .map(|event| {
            format!(
                "{indent}{:?}: CustomEvent<{}>;\n",
                text(event, "name"),
                text(event, "detailType")
            )
        })
        .collect()
}

/// The element's TypeScript declarations (`trackline-widget.d.ts`): its class, the types of
/// its events' details, its event map, the tag in `HTMLElementTagNameMap`, and its events on
/// `document`, where they bubble to.
pub fn declarations(element: &Value) -> String {
    let class = text(element, "class");
    let tag = text(element, "tag");
    let mut out = String::from(
        "// Made by the build from embed/element.json (xtask/src/element.rs): edit that, not this.\n\n",
    );
    if let Some(types) = element["types"].as_object() {
        for (name, values) in types {
            // The endpoint may name stages and exceptions newer than this build; codes are closed.
            let open = if name == "TracklineErrorCode" {
                ""
            } else {
                " | (string & {})"
            };
            out += &format!("export type {name} = {}{open};\n", union(values));
        }
    }
    for event in list(element, "events") {
        out += &doc("", text(event, "description"));
        out += &format!(
            "export type {} = {};\n",
            text(event, "detailType"),
            text(event, "detail")
        );
    }
    let name = base_name(class);
    out += "\n/** The element's events, by name. */\n";
    out += &format!("export interface {name}EventMap extends HTMLElementEventMap {{\n");
    out += &event_entries(element, "  ");
    out += "}\n\n/** The attributes, as a framework passes them. */\n";
    out += &format!("export interface {name}Attributes {{\n");
    for attribute in list(element, "attributes") {
        out += &doc("  ", text(attribute, "description"));
        out += &format!(
            "  {}?: {};\n",
            text(attribute, "name"),
            text(attribute, "type")
        );
    }
    out += "}\n\n";
    out += &doc("", text(element, "summary"));
    out += &format!("export declare class {class} extends HTMLElement {{\n");
    for attribute in list(element, "attributes") {
        if inherited(attribute) {
            continue;
        }
        out += &doc("  ", text(attribute, "description"));
        out += &format!(
            "  {}: {};\n",
            text(attribute, "name"),
            property_type(attribute)
        );
    }
    for method in list(element, "methods") {
        out += &doc("  ", text(method, "description"));
        let parameters: Vec<String> = list(method, "parameters")
            .map(|parameter| format!("{}: {}", text(parameter, "name"), text(parameter, "type")))
            .collect();
        out += &format!(
            "  {}({}): void;\n",
            text(method, "name"),
            parameters.join(", ")
        );
    }
    out += &format!(
        "  addEventListener<K extends keyof {name}EventMap>(type: K, listener: (this: {class}, event: {name}EventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 removeEventListener<K extends keyof {name}EventMap>(type: K, listener: (this: {class}, event: {name}EventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;\n\
         \x20 removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;\n}}\n\n"
    );
    out += "declare global {\n  interface HTMLElementTagNameMap {\n";
    out += &format!("    {tag:?}: {class};\n  }}\n");
    out += "  // The events bubble and cross the shadow root: `document` hears them too.\n";
    out += "  interface DocumentEventMap {\n";
    out += &event_entries(element, "    ");
    out += "  }\n}\n";
    out
}

/// React 19's JSX for the element (`react.d.ts`): its attributes as props, and its events as
/// `on` + the event's name, which React 19 adds as listeners on a custom element.
pub fn react_declarations(element: &Value) -> String {
    let class = text(element, "class");
    let name = base_name(class);
    let tag = text(element, "tag");
    let mut out = String::from(
        "// Made by the build from embed/element.json (xtask/src/element.rs): edit that, not this.\n\
         // React 19's JSX for the element: `import type {} from \"trackline-widget/react\";` once.\n\n",
    );
    out += &format!(
        "import type {{ {class}, {name}Attributes, {name}EventMap }} from \"./trackline-widget.js\";\n\
         import type {{ DetailedHTMLProps, HTMLAttributes }} from \"react\";\n\n"
    );
    out += &format!("/** The element's props in JSX. */\nexport type {name}Props = DetailedHTMLProps<HTMLAttributes<{class}>, {class}> &\n  {name}Attributes & {{\n");
    for event in list(element, "events") {
        out += &doc("    ", text(event, "description"));
        out += &format!(
            "    {:?}?: (event: {name}EventMap[{:?}]) => void;\n",
            format!("on{}", text(event, "name")),
            text(event, "name")
        );
    }
    out += "  };\n\ndeclare module \"react\" {\n  namespace JSX {\n    interface IntrinsicElements {\n";
    out += &format!("      {tag:?}: {name}Props;\n    }}\n  }}\n}}\n");
    out
}

/// Writes the manifest and the declarations into `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write(element: &Value, dir: &Path) -> Done {
    let manifest = serde_json::to_string_pretty(&manifest(element))
        .map_err(|error| Failed(error.to_string()))?;
    std::fs::write(dir.join("custom-elements.json"), manifest + "\n")?;
    std::fs::write(dir.join("trackline-widget.d.ts"), declarations(element))?;
    std::fs::write(dir.join("react.d.ts"), react_declarations(element))?;
    Ok(())
}
