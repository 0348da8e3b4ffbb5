//! Key values between PostgreSQL text and [`KeyValue`]: what kind of value an attribute
//! holds (from its DataJoint type, else its SQL type), reading a fetched value, and
//! writing a restriction's value as the text bound to a query parameter.

use crate::error::{bail, Result};
use crate::path::KeyValue;

/// The kind of value an attribute holds, as DataJoint's path encoder tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Integers (`int8`..`uint64`, SQL `smallint`, `integer`, `bigint`).
    Integer,
    /// Floats (`float32`, `float64`, SQL `real`, `double precision`).
    Float,
    /// `bool`, SQL `boolean`.
    Bool,
    /// `date`.
    Date,
    /// `datetime`, SQL `timestamp without time zone`.
    DateTime,
    /// Everything else travels as its text: strings, decimals, UUIDs, enums, JSON.
    Text,
}

impl ValueKind {
    /// The kind of an attribute of DataJoint type `datajoint_type` (from the column
    /// comment, if any) and SQL type `sql_type` (`format_type`), the DataJoint type first.
    pub fn of(datajoint_type: Option<&str>, sql_type: &str) -> ValueKind {
        datajoint_type
            .and_then(ValueKind::of_datajoint_type)
            .unwrap_or_else(|| ValueKind::of_sql_type(sql_type))
    }

    fn of_datajoint_type(t: &str) -> Option<ValueKind> {
        let t = t.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64" => {
                ValueKind::Integer
            }
            "float32" | "float64" => ValueKind::Float,
            "bool" => ValueKind::Bool,
            "date" => ValueKind::Date,
            _ if t.starts_with("datetime") => ValueKind::DateTime,
            _ => return None,
        })
    }

    fn of_sql_type(t: &str) -> ValueKind {
        match t {
            "smallint" | "integer" | "bigint" => ValueKind::Integer,
            "real" | "double precision" => ValueKind::Float,
            "boolean" => ValueKind::Bool,
            "date" => ValueKind::Date,
            _ if t.starts_with("timestamp") && t.ends_with("without time zone") => {
                ValueKind::DateTime
            }
            _ => ValueKind::Text,
        }
    }

    /// Whether a restriction may compare an attribute of this kind with `value`.
    pub fn accepts(self, value: &KeyValue) -> bool {
        matches!(
            (self, value),
            (ValueKind::Integer, KeyValue::Int(_) | KeyValue::UInt(_))
                | (
                    ValueKind::Float,
                    KeyValue::Float(_) | KeyValue::Int(_) | KeyValue::UInt(_)
                )
                | (ValueKind::Bool, KeyValue::Bool(_))
                | (ValueKind::Date, KeyValue::Date { .. })
                | (ValueKind::DateTime, KeyValue::DateTime { .. })
                | (ValueKind::Text, KeyValue::Str(_))
        )
    }

    /// The value PostgreSQL printed as `text` (DateStyle ISO), read as this kind.
    pub fn parse(self, text: &str) -> Result<KeyValue> {
        let parsed = match self {
            ValueKind::Integer => text
                .parse::<i64>()
                .map(KeyValue::Int)
                .ok()
                .or_else(|| text.parse::<u64>().map(KeyValue::UInt).ok()),
            ValueKind::Float => text.parse::<f64>().map(KeyValue::Float).ok(),
            ValueKind::Bool => match text {
                "t" | "true" => Some(KeyValue::Bool(true)),
                "f" | "false" => Some(KeyValue::Bool(false)),
                _ => None,
            },
            ValueKind::Date => parse_date(text),
            ValueKind::DateTime => parse_datetime(text),
            ValueKind::Text => Some(KeyValue::Str(text.to_string())),
        };
        match parsed {
            Some(value) => Ok(value),
            None => bail!(Format, "cannot read {text:?} from the database as {self:?}"),
        }
    }
}

/// `value` as the text a query binds and casts to the column's type.
pub fn sql_text(value: &KeyValue) -> String {
    match value {
        KeyValue::Int(i) => i.to_string(),
        KeyValue::UInt(u) => u.to_string(),
        // Rust prints the shortest text that reads back the same f64; PostgreSQL reads
        // `inf`, `-inf` and `NaN` too.
        KeyValue::Float(x) => x.to_string(),
        KeyValue::Bool(b) => b.to_string(),
        KeyValue::Str(s) => s.clone(),
        KeyValue::Date { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
        KeyValue::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
        } => format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{microsecond:06}"
        ),
    }
}

/// `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<KeyValue> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Some(KeyValue::Date { year, month, day })
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]`.
fn parse_datetime(text: &str) -> Option<KeyValue> {
    let (date, time) = text.split_once(' ')?;
    let KeyValue::Date { year, month, day } = parse_date(date)? else {
        return None;
    };
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.splitn(3, ':');
    let hour = parts.next()?.parse().ok()?;
    let minute = parts.next()?.parse().ok()?;
    let second = parts.next()?.parse().ok()?;
    let microsecond = if fraction.is_empty() {
        0
    } else if fraction.len() <= 6 && fraction.bytes().all(|b| b.is_ascii_digit()) {
        format!("{fraction:0<6}").parse().ok()?
    } else {
        return None;
    };
    Some(KeyValue::DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        microsecond,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_datajoint_then_sql_types() {
        assert_eq!(ValueKind::of(Some("uint8"), "smallint"), ValueKind::Integer);
        assert_eq!(ValueKind::of(Some("float32"), "real"), ValueKind::Float);
        assert_eq!(
            ValueKind::of(Some("varchar(16)"), "character varying(16)"),
            ValueKind::Text
        );
        assert_eq!(
            ValueKind::of(None, "timestamp(6) without time zone"),
            ValueKind::DateTime
        );
        assert_eq!(
            ValueKind::of(None, "timestamp with time zone"),
            ValueKind::Text
        );
        assert_eq!(ValueKind::of(None, "date"), ValueKind::Date);
    }

    #[test]
    fn text_both_ways() {
        let dt = ValueKind::DateTime.parse("2024-02-29 23:59:58.25").unwrap();
        assert_eq!(
            dt,
            KeyValue::DateTime {
                year: 2024,
                month: 2,
                day: 29,
                hour: 23,
                minute: 59,
                second: 58,
                microsecond: 250000
            }
        );
        assert_eq!(sql_text(&dt), "2024-02-29 23:59:58.250000");
        assert_eq!(
            ValueKind::Float.parse("1e+16").unwrap(),
            KeyValue::Float(1e16)
        );
        assert_eq!(
            ValueKind::Float.parse("-Infinity").unwrap(),
            KeyValue::Float(f64::NEG_INFINITY)
        );
        assert_eq!(
            ValueKind::Integer.parse("18446744073709551615").unwrap(),
            KeyValue::UInt(u64::MAX)
        );
        assert_eq!(ValueKind::Bool.parse("true").unwrap(), KeyValue::Bool(true));
        assert!(ValueKind::Date.parse("2024/01/01").is_err());
        assert_eq!(sql_text(&KeyValue::Float(0.1)), "0.1");
        assert!(ValueKind::Integer.accepts(&KeyValue::Int(3)));
        assert!(!ValueKind::Integer.accepts(&KeyValue::Str("3".into())));
    }
}
