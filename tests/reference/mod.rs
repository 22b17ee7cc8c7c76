//! What the native model tests share: reading a file of `data/` (verbatim copies of
//! `../shared/reference/`, botocore's models), checking it is still verbatim, and the sets of
//! names those tests compare with ours.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// `data/<file>`, parsed.
pub fn read(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// `data/<file>` is byte for byte the shared reference file, where that is here.
pub fn assert_verbatim(file: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/reference").join(file);
    match std::fs::read(&shared) {
        Ok(bytes) => assert_eq!(
            bytes,
            std::fs::read(root.join("data").join(file)).unwrap(),
            "{file}"
        ),
        Err(_) => eprintln!("note: {} is not here", shared.display()),
    }
}

/// The keys of a JSON object.
pub fn object_keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// The members a value serialises to (a request as it goes on the wire).
pub fn serialised_keys(v: &impl serde::Serialize) -> BTreeSet<String> {
    object_keys(&serde_json::to_value(v).unwrap())
}

/// The values of the model's enum shape `name`.
pub fn enum_values(model: &Value, name: &str) -> BTreeSet<String> {
    model["shapes"][name]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The member names of the model's structure shape `name`.
pub fn members(model: &Value, shape: &str) -> BTreeSet<String> {
    object_keys(&model["shapes"][shape]["members"])
}

/// The error shapes of the model's operation `name`.
pub fn op_errors(model: &Value, name: &str) -> Vec<String> {
    model["operations"][name]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["shape"].as_str().unwrap().to_string())
        .collect()
}

/// Our list of known values, as a set to compare with the model's.
pub fn ours(known: &[&str]) -> BTreeSet<String> {
    known.iter().map(|s| s.to_string()).collect()
}
