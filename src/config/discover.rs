//! Where DataJoint looks: `datajoint.json` up the directory tree, and the environment.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::Result;

/// The file name DataJoint searches for.
pub const CONFIG_FILENAME: &str = "datajoint.json";

/// DataJoint's `find_config_file`: `datajoint.json` in `start`, then each parent,
/// stopping after a directory that holds `.git` or `.hg`, or at the root.
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(CONFIG_FILENAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() || d.join(".hg").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// `DJ_IGNORE_CONFIG_FILE` read like pydantic reads a bool: (any case) `1 true t yes y on`
/// or `0 false f no n off`; anything else, even empty, is an error. Unset: false.
pub(crate) fn ignore_config_file(value: Option<String>) -> Result<bool> {
    let Some(v) = value else { return Ok(false) };
    match v.to_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Ok(true),
        "0" | "false" | "f" | "no" | "n" | "off" => Ok(false),
        _ => crate::error::bail!(
            Config,
            "DJ_IGNORE_CONFIG_FILE must be a boolean (1/0, true/false, t/f, yes/no, y/n, on/off), got {v:?}"
        ),
    }
}

/// `DJ_STORES`: a JSON object that replaces the whole `stores` block. Unset or empty: `None`.
pub(crate) fn stores_from_env(value: Option<String>) -> Result<Option<Map<String, Value>>> {
    let Some(raw) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let parsed: Value = serde_json::from_str(&raw).map_err(|e| {
        crate::error::Error::new(
            crate::error::ErrorKind::Config,
            format!("DJ_STORES contains invalid JSON: {e}"),
        )
    })?;
    match parsed {
        Value::Object(map) => Ok(Some(map)),
        other => crate::error::bail!(
            Config,
            "DJ_STORES must be a JSON object, got {}",
            python_type_name(&other)
        ),
    }
}

/// The Python type name `json.loads` would give the value.
fn python_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}
