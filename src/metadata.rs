//! DataJoint's `<npy@>` row metadata: `{"path", "store", "dtype", "shape"}`.
//!
//! Written byte-for-byte as Python's `json.dumps` writes DataJoint's dict (key order,
//! `", "`/`": "` separators, ASCII-only escapes); read leniently (any key order,
//! unknown keys ignored) but strictly typed.

use crate::error::{Error, ErrorKind, Result};
use serde_json::Value;
use std::fmt::Write;

/// The metadata DataJoint keeps in its table for one `<npy@store>` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// Store-relative path of the object.
    pub path: String,
    /// Store name; `None` (JSON null) means the default store.
    pub store: Option<String>,
    /// numpy's `str(dtype)` (a descr is accepted when reading).
    pub dtype: String,
    /// The shape; empty for a 0-d array.
    pub shape: Vec<u64>,
}

fn json_err(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Json, message)
}

impl Metadata {
    /// Parse DataJoint's JSON text.
    pub fn from_json(text: &str) -> Result<Metadata> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| json_err(format!("metadata is not valid JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| json_err("metadata must be a JSON object"))?;
        let string = |key: &str| -> Result<String> {
            match object.get(key) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(json_err(format!(
                    "metadata field \"{key}\" must be a string"
                ))),
                None => Err(json_err(format!("metadata lacks the field \"{key}\""))),
            }
        };
        let store = match object.get("store") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(json_err(
                    "metadata field \"store\" must be a string or null",
                ))
            }
        };
        let shape = match object.get("shape") {
            Some(Value::Array(dims)) => dims
                .iter()
                .map(|d| {
                    d.as_u64().ok_or_else(|| {
                        json_err(format!("shape entry {d} is not a non-negative integer"))
                    })
                })
                .collect::<Result<Vec<u64>>>()?,
            Some(_) => {
                return Err(json_err(
                    "metadata field \"shape\" must be a list of integers",
                ))
            }
            None => return Err(json_err("metadata lacks the field \"shape\"")),
        };
        Ok(Metadata {
            path: string("path")?,
            store,
            dtype: string("dtype")?,
            shape,
        })
    }

    /// The JSON text exactly as DataJoint writes it.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.path.len());
        out.push_str("{\"path\": ");
        push_py_json_string(&mut out, &self.path);
        out.push_str(", \"store\": ");
        match &self.store {
            Some(store) => push_py_json_string(&mut out, store),
            None => out.push_str("null"),
        }
        out.push_str(", \"dtype\": ");
        push_py_json_string(&mut out, &self.dtype);
        out.push_str(", \"shape\": [");
        for (i, dim) in self.shape.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{dim}");
        }
        out.push_str("]}");
        out
    }
}

/// Append `s` as a JSON string the way Python's `json.dumps` (ensure_ascii) does.
fn push_py_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_python_json_dumps_form() {
        let meta = Metadata {
            path: "_schema/lab/rec/subject=m%2F01/w_ab-_CD12.npy".into(),
            store: Some("main".into()),
            dtype: "[('x', '<f8')]".into(),
            shape: vec![2, 3],
        };
        assert_eq!(
            meta.to_json(),
            r#"{"path": "_schema/lab/rec/subject=m%2F01/w_ab-_CD12.npy", "store": "main", "dtype": "[('x', '<f8')]", "shape": [2, 3]}"#
        );
        let zero_d = Metadata {
            path: "é\"\\\u{1}😀".into(),
            store: None,
            dtype: "bool".into(),
            shape: vec![],
        };
        assert_eq!(
            zero_d.to_json(),
            r#"{"path": "\u00e9\"\\\u0001\ud83d\ude00", "store": null, "dtype": "bool", "shape": []}"#
        );
        assert_eq!(Metadata::from_json(&zero_d.to_json()).unwrap(), zero_d);
    }

    #[test]
    fn reads_any_key_order_and_names_missing_fields() {
        let meta =
            Metadata::from_json(r#"{"shape":[4],"dtype":"int32","path":"a/b.npy","extra":1}"#)
                .unwrap();
        assert_eq!(
            (meta.path.as_str(), meta.store, meta.shape),
            ("a/b.npy", None, vec![4])
        );
        for (text, needle) in [
            (r#"{"dtype":"int32","shape":[1]}"#, "\"path\""),
            (r#"{"path":"a","shape":[1]}"#, "\"dtype\""),
            (r#"{"path":"a","dtype":"int32"}"#, "\"shape\""),
            (r#"{"path":"a","dtype":"int32","shape":[-1]}"#, "-1"),
            (r#"{"path":"a","dtype":"int32","shape":3}"#, "list"),
            (r#"{"path":1,"dtype":"int32","shape":[]}"#, "string"),
            (r#"[1]"#, "object"),
            (r#"{"path": "a""#, "valid JSON"),
        ] {
            let err = Metadata::from_json(text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Json, "{text}");
            assert!(err.message().contains(needle), "{text}: {}", err.message());
        }
    }
}
