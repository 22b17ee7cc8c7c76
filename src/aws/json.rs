//! Reading KMS and CloudHSM replies. Every reply is parsed once into a `serde_json::Value` (the
//! error parser and the credentials parser need that parser anyway), then read member by
//! member: a derived deserialiser per reply type cost about 30 KB of wasm for the same result.
//!
//! The rules are the ones a derived `#[serde(default)]` deserialiser follows: an absent or
//! `null` member is `None` (or empty), a member of the wrong JSON type makes the reply
//! malformed, unknown members are ignored.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A type read from a JSON value.
pub trait FromJson: Sized {
    fn from_json(v: &Value) -> Result<Self, String>;
}

/// Parses `body` as JSON and reads a `T` from it; an empty body reads as `{}`.
pub fn parse<T: FromJson>(body: &str) -> Result<T, String> {
    let body = if body.trim().is_empty() { "{}" } else { body };
    let v: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    T::from_json(&v)
}

/// A JSON object being read.
pub struct Obj<'a>(&'a Map<String, Value>);

fn wrong(key: &str, expected: &str) -> String {
    format!("`{key}` is not {expected}")
}

impl<'a> Obj<'a> {
    /// `v` as an object; `what` names it in the error.
    pub fn of(v: &'a Value, what: &str) -> Result<Self, String> {
        v.as_object()
            .map(Obj)
            .ok_or_else(|| format!("{what} is not a JSON object"))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> Result<Option<String>, String> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| wrong(key, "a string"))
            })
            .transpose()
    }

    /// A number (JSON integers included), as KMS's epoch-second timestamps are.
    pub fn num(&self, key: &str) -> Result<Option<f64>, String> {
        self.get(key)
            .map(|v| v.as_f64().ok_or_else(|| wrong(key, "a number")))
            .transpose()
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        self.get(key)
            .map(|v| v.as_bool().ok_or_else(|| wrong(key, "true or false")))
            .transpose()
    }

    /// A string enum: values this version does not know are kept by `E`.
    pub fn enumeration<E: From<String>>(&self, key: &str) -> Result<Option<E>, String> {
        Ok(self.str(key)?.map(E::from))
    }

    pub fn object<T: FromJson>(&self, key: &str) -> Result<Option<T>, String> {
        self.get(key).map(T::from_json).transpose()
    }

    pub fn list<T: FromJson>(&self, key: &str) -> Result<Option<Vec<T>>, String> {
        self.get(key)
            .map(|v| {
                v.as_array()
                    .ok_or_else(|| wrong(key, "a list"))?
                    .iter()
                    .map(T::from_json)
                    .collect()
            })
            .transpose()
    }

    /// An object of strings (CloudHSM's `SubnetMapping`).
    pub fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, String> {
        let Some(v) = self.get(key) else {
            return Ok(BTreeMap::new());
        };
        // One insert per member (the keys come sorted and distinct): collecting into the map
        // would compile a stable sort for this one map (about 1 KB of brotli wasm).
        let mut map = BTreeMap::new();
        for (k, v) in Obj::of(v, key)?.0.iter() {
            let v = v.as_str().ok_or_else(|| wrong(k, "a string"))?;
            map.insert(k.clone(), v.to_string());
        }
        Ok(map)
    }
}

/// A member the reply must have.
pub fn required<T>(value: Option<T>, key: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("`{key}` is missing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Probe {
        s: Option<String>,
        n: Option<f64>,
        b: Option<bool>,
        m: BTreeMap<String, String>,
    }

    impl FromJson for Probe {
        fn from_json(v: &Value) -> Result<Self, String> {
            let o = Obj::of(v, "the probe")?;
            Ok(Probe {
                s: o.str("S")?,
                n: o.num("N")?,
                b: o.bool("B")?,
                m: o.string_map("M")?,
            })
        }
    }

    #[test]
    fn absent_and_null_are_none_wrong_types_are_refused() {
        let p: Probe = parse(r#"{"S":null,"N":3,"B":true,"M":{"a":"x"},"Extra":[1]}"#).unwrap();
        assert_eq!((p.s, p.n, p.b), (None, Some(3.0), Some(true)));
        assert_eq!(p.m.get("a").map(String::as_str), Some("x"));
        let p: Probe = parse("  ").unwrap();
        assert!(p.s.is_none() && p.m.is_empty());
        for bad in [
            r#"{"S":1}"#,
            r#"{"N":"1"}"#,
            r#"{"B":0}"#,
            r#"{"M":{"a":1}}"#,
            "[]",
            "{",
            "<html>",
        ] {
            assert!(parse::<Probe>(bad).is_err(), "{bad}");
        }
        assert_eq!(required(None::<u8>, "X"), Err("`X` is missing".to_string()));
    }
}
