//! Secret values, and the secrets directory (`.secrets/`, `/run/secrets/datajoint/`).

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A credential. `Debug` prints `Secret(***)`; there is no `Display`; read it with
/// [`Secret::expose`] only where it is handed to the store client.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The secrets directory DataJoint uses in containers when no project `.secrets/` exists.
pub const SYSTEM_SECRETS_DIR: &str = "/run/secrets/datajoint";

/// DataJoint's `find_secrets_dir`: `.secrets/` beside the config file, else `system_dir`.
pub(crate) fn find_secrets_dir(config_file: Option<&Path>, system_dir: &Path) -> Option<PathBuf> {
    let project = config_file
        .and_then(Path::parent)
        .map(|d| d.join(".secrets"));
    project
        .into_iter()
        .chain([system_dir.to_path_buf()])
        .find(|d| d.is_dir())
}

/// DataJoint's `_load_secrets` for stores: each file `stores.<store>.<key>` (stripped
/// content) fills `<key>` of `<store>` when that key is absent, creating the store block
/// if needed. Other files, and names starting with `.`, are ignored.
pub(crate) fn fill_store_secrets(stores: &mut Map<String, Value>, dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(&e, "read secrets directory", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&e, "read secrets directory", dir.display()))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let parts: Vec<&str> = name.split('.').collect();
        let path = entry.path();
        // `is_file` follows symlinks, as Kubernetes secret mounts need.
        if name.starts_with('.') || parts.len() != 3 || parts[0] != "stores" || !path.is_file() {
            continue;
        }
        let Value::Object(store) = stores
            .entry(parts[1])
            .or_insert_with(|| Value::Object(Map::new()))
        else {
            continue;
        };
        if !store.contains_key(parts[2]) {
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::io(&e, "read secret file", path.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::new(
                    crate::error::ErrorKind::Config,
                    format!("secret file {} is not UTF-8 text", path.display()),
                )
            })?;
            store.insert(
                parts[2].to_string(),
                Value::String(python_strip(&text).to_string()),
            );
        }
    }
    Ok(())
}

/// Python's `str.strip()`: Unicode whitespace plus the separators U+001C..U+001F.
pub(crate) fn python_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(python_strip("\u{1f} k\n\t"), "k");
    }
}
