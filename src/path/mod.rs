//! Schema-addressed object paths, exactly as DataJoint 2.3.5 builds them
//! (`storage.build_object_path` with `ext=".npy"`):
//!
//! ```text
//! {schema_prefix}/{partition parts}/{schema}/{table}/{pk1=v1}/.../{attribute}_{token}.npy
//! ```

mod encode;
mod name;
mod native;
mod token;

pub use encode::{encode_key_value, KeyValue};
pub(crate) use name::{validate_name, validate_relative_path};
pub(crate) use native::plain_native;
pub use token::{clamp_token_length, random_token, TOKEN_ALPHABET};

use crate::error::Result;

/// The extension of every `<npy@>` object.
pub const NPY_EXTENSION: &str = ".npy";

/// One primary-key attribute and its value, in primary-key order.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPart {
    /// The attribute name.
    pub name: String,
    /// Its value.
    pub value: KeyValue,
}

impl KeyPart {
    /// A key part from a name and a value.
    pub fn new(name: impl Into<String>, value: KeyValue) -> Self {
        KeyPart {
            name: name.into(),
            value,
        }
    }
}

/// The store settings that shape a path (a store spec carries them as its `path`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSettings {
    /// Leading section (default `_schema`); slashes at its ends are dropped, `""` drops it.
    pub schema_prefix: String,
    /// e.g. `{subject}/{session_date}`: these key attributes move in front of the schema.
    pub partition_pattern: Option<String>,
    /// Token length wanted; the token actually used is clamped to 4..=16.
    pub token_length: usize,
}

impl Default for PathSettings {
    /// DataJoint's defaults: `_schema`, no partitioning, 8-character tokens.
    fn default() -> Self {
        PathSettings {
            schema_prefix: "_schema".into(),
            partition_pattern: None,
            token_length: 8,
        }
    }
}

/// The `{attr}` names of a partition pattern, in order, repeats kept
/// (Python `re.findall(r"\{(\w+)\}", pattern)`); the rest of the pattern is ignored.
fn partition_attributes(pattern: &str) -> Vec<&str> {
    let is_word = |c: char| c == '_' || c.is_alphanumeric();
    let mut found = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let word_len: usize = rest
            .chars()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum();
        if word_len > 0 && rest[word_len..].starts_with('}') {
            found.push(&rest[..word_len]);
            rest = &rest[word_len + 1..];
        }
    }
    found
}

/// The store-relative path of a new `<npy@>` object, as DataJoint builds it.
///
/// Key attributes named in `settings.partition_pattern` come first (in pattern order,
/// as `name=value`, before `{schema}`); the remaining key attributes follow `{table}` in
/// the given order. `{attr}` placeholders that are not key attributes are skipped.
/// `token` is used as given (a [`random_token`]) and must be drawn from [`TOKEN_ALPHABET`].
///
/// Errors: [`Path`](crate::error::ErrorKind::Path) for an invalid name, schema prefix, or a key
/// value whose encoding holds NUL; [`InvalidArgument`](crate::error::ErrorKind::InvalidArgument)
/// for a bad token, a repeated key attribute, or an out-of-range date.
pub fn schema_object_path(
    schema: &str,
    table: &str,
    key: &[KeyPart],
    attribute: &str,
    settings: &PathSettings,
    token: &str,
) -> Result<String> {
    validate_name("schema", schema)?;
    validate_name("table", table)?;
    validate_name("attribute", attribute)?;
    if !token::is_token(token) {
        crate::error::bail!(
            InvalidArgument,
            "invalid token {token:?}: use characters A-Z a-z 0-9 - _"
        );
    }
    let mut folders = Vec::with_capacity(key.len());
    for (i, part) in key.iter().enumerate() {
        validate_name("key attribute", &part.name)?;
        if key[..i].iter().any(|p| p.name == part.name) {
            crate::error::bail!(
                InvalidArgument,
                "key attribute {:?} is given twice",
                part.name
            );
        }
        let value = encode_key_value(&part.value)?;
        if value.contains('\0') {
            crate::error::bail!(
                Path,
                "the value of key attribute {:?} contains a NUL character",
                part.name
            );
        }
        folders.push((part.name.as_str(), format!("{}={value}", part.name)));
    }

    let mut parts: Vec<&str> = Vec::new();
    let prefix = settings.schema_prefix.trim_matches('/');
    if !prefix.is_empty() {
        validate_relative_path(prefix).map_err(|e| e.context("schema_prefix"))?;
        parts.push(prefix);
    }
    let partition = settings
        .partition_pattern
        .as_deref()
        .map(partition_attributes)
        .unwrap_or_default();
    for attr in &partition {
        parts.extend(
            folders
                .iter()
                .filter(|(n, _)| n == attr)
                .map(|(_, f)| f.as_str()),
        );
    }
    parts.push(schema);
    parts.push(table);
    parts.extend(
        folders
            .iter()
            .filter(|(n, _)| !partition.contains(n))
            .map(|(_, f)| f.as_str()),
    );
    let file = format!("{attribute}_{token}{NPY_EXTENSION}");
    parts.push(&file);
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_pattern_parsing_matches_python_findall() {
        assert_eq!(
            partition_attributes("{subject}/{session_date}"),
            ["subject", "session_date"]
        );
        assert_eq!(
            partition_attributes("x-{a}{b}/{{c}}/{d e}/{}/{f"),
            ["a", "b", "c"]
        );
        assert_eq!(partition_attributes("{a}/{a}"), ["a", "a"]);
        assert_eq!(partition_attributes("{sübject}"), ["sübject"]);
    }

    #[test]
    fn builds_the_documented_layout() {
        let key = [
            KeyPart::new("subject", KeyValue::Str("m/01".into())),
            KeyPart::new("rec_id", KeyValue::Int(3)),
        ];
        let p = schema_object_path(
            "lab",
            "recording",
            &key,
            "waveform",
            &PathSettings::default(),
            "lxidQL_E",
        )
        .unwrap();
        assert_eq!(
            p,
            "_schema/lab/recording/subject=m%2F01/rec_id=3/waveform_lxidQL_E.npy"
        );
        let s = PathSettings {
            schema_prefix: "/".into(),
            partition_pattern: Some("{rec_id}/{nope}".into()),
            token_length: 8,
        };
        let p = schema_object_path("lab", "#t", &key, "w", &s, "abcd").unwrap();
        assert_eq!(p, "rec_id=3/lab/#t/subject=m%2F01/w_abcd.npy");
    }

    #[test]
    fn refuses_what_would_escape_or_collide() {
        let s = PathSettings::default();
        let k = |n: &str, v: &str| KeyPart::new(n, KeyValue::Str(v.into()));
        let err = |r: Result<String>| r.unwrap_err().kind();
        use crate::error::ErrorKind::*;
        assert_eq!(
            err(schema_object_path("..", "t", &[], "a", &s, "tok1")),
            Path
        );
        assert_eq!(
            err(schema_object_path("s", "t", &[], "a/b", &s, "tok1")),
            Path
        );
        assert_eq!(
            err(schema_object_path("s", "t", &[], "a", &s, "to/k")),
            InvalidArgument
        );
        assert_eq!(
            err(schema_object_path(
                "s",
                "t",
                &[k("a", "1"), k("a", "2")],
                "a",
                &s,
                "tok1"
            )),
            InvalidArgument
        );
        assert_eq!(
            err(schema_object_path(
                "s",
                "t",
                &[k("a", "x\0")],
                "a",
                &s,
                "tok1"
            )),
            Path
        );
        let bad_prefix = PathSettings {
            schema_prefix: "a/../b".into(),
            ..PathSettings::default()
        };
        assert_eq!(
            err(schema_object_path("s", "t", &[], "a", &bad_prefix, "tok1")),
            Path
        );
        // A value of ".." is harmless: the folder is "a=..".
        assert_eq!(
            schema_object_path("s", "t", &[k("a", "..")], "x", &s, "tok1").unwrap(),
            "_schema/s/t/a=../x_tok1.npy"
        );
    }
}
