//! Validates JSON bodies against the Genesys Cloud OpenAPI subset, strictly:
//! every object definition gets `additionalProperties: false`, so an invented field fails.

use std::sync::OnceLock;

use serde_json::{Value, json};

/// A copy of `../shared/genesys-api/openapi-subset.json`, kept in the repo so tests run anywhere.
const SUBSET: &str = include_str!("openapi-subset.json");
/// Operations and models the shared subset lacks, transcribed from the official SDK docs
/// (provenance in tests/fixtures/openapi-extra/README.md and each file's `x-provenance`); a
/// name defined twice is a test failure.
const EXTRAS: &[&str] = &[
    include_str!("../fixtures/openapi-extra/outbound-telephony.json"),
    include_str!("../fixtures/openapi-extra/users-members.json"),
    include_str!("../fixtures/openapi-extra/dataretention.json"),
    include_str!("../fixtures/openapi-extra/schedules-list.json"),
];

/// The subset with every extra's paths and definitions merged in.
fn merged() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(SUBSET).expect("openapi subset parses");
        for text in EXTRAS {
            let extra: Value = serde_json::from_str(text).expect("openapi extra parses");
            for key in ["paths", "definitions"] {
                let into = doc[key].as_object_mut().expect("subset section");
                let Some(more) = extra[key].as_object() else {
                    continue;
                };
                for (name, v) in more {
                    assert!(
                        into.insert(name.clone(), v.clone()).is_none(),
                        "{name} is defined twice (subset or another openapi-extra file)"
                    );
                }
            }
        }
        doc
    })
}

fn strict_definitions() -> &'static Value {
    static DEFS: OnceLock<Value> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut defs = merged()["definitions"].clone();
        for (_, def) in defs.as_object_mut().expect("definitions object").iter_mut() {
            close_objects(def);
        }
        defs
    })
}

fn close_objects(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.contains_key("properties") && !obj.contains_key("additionalProperties") {
        obj.insert("additionalProperties".into(), Value::Bool(false));
    }
    // Walk only schema positions: a property may itself be named "properties".
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(close_objects);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = obj.get_mut(key) {
            close_objects(v);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            list.iter_mut().for_each(close_objects);
        }
    }
}

/// Errors of `instance` against definition `name` (empty = valid).
pub fn errors(name: &str, instance: &Value) -> Vec<String> {
    let defs = strict_definitions();
    assert!(
        defs.get(name).is_some(),
        "no definition {name} in the OpenAPI subset"
    );
    let schema = json!({ "$ref": format!("#/definitions/{name}"), "definitions": defs });
    let validator = jsonschema::draft4::options()
        .should_validate_formats(false)
        .build(&schema)
        .expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Panics with every schema error if `instance` is not a valid `name`.
pub fn assert_valid(name: &str, instance: &Value) {
    let errs = errors(name, instance);
    assert!(
        errs.is_empty(),
        "{name} body does not match the OpenAPI subset:\n{}\n{instance:#}",
        errs.join("\n")
    );
}

/// The response schema name for an operation, looked up from the subset's paths.
pub fn response_definition(method: &str, path: &str, status: &str) -> Option<String> {
    let doc = merged();
    let r = doc["paths"][path][method]["responses"][status]["schema"]["$ref"].as_str()?;
    Some(r.trim_start_matches("#/definitions/").to_string())
}

/// The item schema name of an operation whose response is a plain JSON array.
pub fn response_items_definition(method: &str, path: &str, status: &str) -> Option<String> {
    let doc = merged();
    let schema = &doc["paths"][path][method]["responses"][status]["schema"];
    (schema["type"] == "array").then_some(())?;
    let r = schema["items"]["$ref"].as_str()?;
    Some(r.trim_start_matches("#/definitions/").to_string())
}
