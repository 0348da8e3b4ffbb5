//! Typed reads from one JSON block, with errors that name the key but never its value.

use serde_json::{Map, Value};

use super::secret::Secret;
use crate::error::Result;

/// One JSON object and the name it goes by in messages (e.g. `config.stores["main"]`).
pub(crate) struct Block<'a> {
    pub what: &'a str,
    pub map: &'a Map<String, Value>,
}

impl<'a> Block<'a> {
    /// The value of `key`, treating JSON `null` like an absent key.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, key: &str, expected: &str) -> crate::error::Error {
        crate::error::Error::new(
            crate::error::ErrorKind::Config,
            format!("{}.{key} must be {expected}", self.what),
        )
    }

    /// An optional string.
    pub fn opt_str(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    /// A string with a default for absent or null.
    pub fn str_or(&self, key: &str, default: &str) -> Result<String> {
        Ok(self.opt_str(key)?.unwrap_or_else(|| default.to_string()))
    }

    /// An optional secret string; an empty string counts as unset.
    pub fn opt_secret(&self, key: &str) -> Result<Option<Secret>> {
        Ok(self
            .opt_str(key)?
            .filter(|s| !s.is_empty())
            .map(Secret::new))
    }

    /// An optional boolean (`true`/`false` only).
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(key, "true or false")),
        }
    }

    /// An optional integer (any `i64`).
    pub fn opt_i64(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "an integer")),
        }
    }

    /// An optional integer within `range`.
    pub fn opt_u64_in(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Option<u64>> {
        let expected = || format!("an integer in {}..={}", range.start(), range.end());
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if range.contains(&n) => Ok(Some(n)),
                _ => Err(self.wrong_type(key, &expected())),
            },
        }
    }

    /// The keys of the block that are not in `allowed`, in block order.
    pub fn unknown_keys(&self, allowed: &[&str]) -> Vec<&'a str> {
        self.map
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect()
    }

    /// DataJoint's `Invalid key(s) in <what>: a, b` when any key is not allowed.
    pub fn deny_unknown(&self, allowed: &[&str]) -> Result<()> {
        let unknown = self.unknown_keys(allowed);
        if !unknown.is_empty() {
            crate::error::bail!(
                Config,
                "Invalid key(s) in {}: {}",
                self.what,
                unknown.join(", ")
            );
        }
        Ok(())
    }
}
