//! Which rows a fetch reads, given as Rust values or as JSON text (the form C, MATLAB
//! and Julia callers will pass), each value read as its attribute's kind.

use serde_json::Value;

use super::heading::Heading;
use super::value::ValueKind;
use crate::error::{bail, Result};
use crate::path::{KeyPart, KeyValue};

/// Which rows a fetch reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Restriction {
    /// Every row.
    All,
    /// The rows matching any of these keys; a key is all or part of the primary key
    /// (an empty key matches every row, an empty list none, as in DataJoint).
    Keys(Vec<Vec<KeyPart>>),
}

impl Restriction {
    /// A restriction from JSON text: `null` (every row), one key object
    /// (`{"subject": "m01", "rec_id": 3}`), or a list of them. Each value is read as
    /// its attribute's kind in `heading`: integers and floats as JSON numbers, bools as
    /// `true`/`false`, dates as `"YYYY-MM-DD"`, datetimes as `"YYYY-MM-DD HH:MM:SS[.ffffff]"`
    /// (or with `T`), text as strings. Errors (`InvalidArgument`): malformed JSON, an
    /// attribute outside the primary key, a value of another kind.
    pub fn from_json(heading: &Heading, text: &str) -> Result<Restriction> {
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => bail!(InvalidArgument, "the restriction is not JSON: {e}"),
        };
        match value {
            Value::Null => Ok(Restriction::All),
            Value::Object(_) => Ok(Restriction::Keys(vec![key_from_json(heading, &value)?])),
            Value::Array(keys) => keys
                .iter()
                .map(|k| key_from_json(heading, k))
                .collect::<Result<_>>()
                .map(Restriction::Keys),
            _ => bail!(
                InvalidArgument,
                "a restriction is null, a key object or a list of key objects"
            ),
        }
    }
}

fn key_from_json(heading: &Heading, key: &Value) -> Result<Vec<KeyPart>> {
    let Value::Object(parts) = key else {
        bail!(InvalidArgument, "a key is a JSON object, got {key}");
    };
    let mut key = parts
        .iter()
        .map(|(name, value)| {
            let attribute = heading.key_attribute(name)?;
            let kind = attribute.value_kind();
            match value_as(kind, value) {
                Some(v) => Ok(KeyPart::new(name.clone(), v)),
                None => bail!(
                    InvalidArgument,
                    "key attribute {name} is {kind:?}; {value} is not one"
                ),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    // In key order, whatever the order of the JSON object.
    key.sort_by_key(|part| heading.primary_key.iter().position(|k| *k == part.name));
    Ok(key)
}

/// `value` as a key value of `kind`, if it is one.
fn value_as(kind: ValueKind, value: &Value) -> Option<KeyValue> {
    match (kind, value) {
        (ValueKind::Integer, Value::Number(n)) => n
            .as_i64()
            .map(KeyValue::Int)
            .or_else(|| n.as_u64().map(KeyValue::UInt)),
        (ValueKind::Float, Value::Number(n)) => n.as_f64().map(KeyValue::Float),
        (ValueKind::Bool, Value::Bool(b)) => Some(KeyValue::Bool(*b)),
        (ValueKind::DateTime, Value::String(s)) => kind.parse(&s.replacen('T', " ", 1)).ok(),
        (ValueKind::Date | ValueKind::Text, Value::String(s)) => kind.parse(s).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Attribute;

    fn heading() -> Heading {
        let attribute = |name: &str, sql_type: &str, dj: Option<&str>, in_key: bool| Attribute {
            name: name.into(),
            sql_type: sql_type.into(),
            datajoint_type: dj.map(String::from),
            comment: String::new(),
            nullable: false,
            in_key,
        };
        Heading {
            schema: "lab".into(),
            table: "_epoch".into(),
            attributes: vec![
                attribute("subject", "character varying(16)", None, true),
                attribute("rec_id", "integer", None, true),
                attribute("day", "date", Some("date"), true),
                attribute("t0", "timestamp without time zone", Some("datetime"), true),
                attribute("gain", "double precision", Some("float64"), true),
                attribute("flag", "boolean", Some("bool"), true),
                attribute("trace", "jsonb", Some("<npy@main>"), false),
            ],
            primary_key: ["subject", "rec_id", "day", "t0", "gain", "flag"]
                .map(String::from)
                .to_vec(),
        }
    }

    #[test]
    fn values_are_read_as_their_attributes_kinds() {
        let r = Restriction::from_json(
            &heading(),
            r#"[{"subject": "m/01", "rec_id": 3, "gain": 2, "flag": true},
                {"day": "2024-02-29", "t0": "2024-02-29T13:05:09.5"}]"#,
        )
        .unwrap();
        let Restriction::Keys(keys) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            keys[0],
            vec![
                KeyPart::new("subject", KeyValue::Str("m/01".into())),
                KeyPart::new("rec_id", KeyValue::Int(3)),
                KeyPart::new("gain", KeyValue::Float(2.0)),
                KeyPart::new("flag", KeyValue::Bool(true)),
            ]
        );
        assert_eq!(
            keys[1][0].value,
            KeyValue::Date {
                year: 2024,
                month: 2,
                day: 29
            }
        );
        assert_eq!(
            keys[1][1].value,
            KeyValue::DateTime {
                year: 2024,
                month: 2,
                day: 29,
                hour: 13,
                minute: 5,
                second: 9,
                microsecond: 500000
            }
        );
        assert_eq!(
            Restriction::from_json(&heading(), "null").unwrap(),
            Restriction::All
        );
        assert_eq!(
            Restriction::from_json(&heading(), "[]").unwrap(),
            Restriction::Keys(vec![])
        );
    }

    #[test]
    fn wrong_kinds_and_unknown_attributes_are_refused() {
        for bad in [
            r#"{"rec_id": "3"}"#,
            r#"{"rec_id": 3.5}"#,
            r#"{"subject": 1}"#,
            r#"{"day": "29.02.2024"}"#,
            r#"{"flag": 1}"#,
            r#"{"trace": "x"}"#,
            r#"{"nope": 1}"#,
            r#"[1]"#,
            r#""subject""#,
            r#"{"#,
        ] {
            let err = Restriction::from_json(&heading(), bad).unwrap_err();
            assert_eq!(
                err.kind(),
                crate::ErrorKind::InvalidArgument,
                "{bad}: {err}"
            );
        }
    }
}
