//! Reading one `datajoint.json` document: the store blocks and npystore's block.

use serde_json::{Map, Value};

use super::options::{as_object, NpystoreBlock};
use crate::error::Result;

/// What npystore takes from a `datajoint.json`; everything else in it is DataJoint's.
#[derive(Default)]
pub(crate) struct Document {
    /// The `stores` block: `default`, `filepath_default` and one object per store.
    pub stores: Map<String, Value>,
    /// The validated top-level `npystore` block.
    pub npystore: NpystoreBlock,
    /// The `database` block plus any flat `"database.<key>"` keys (applied after it),
    /// unvalidated: the db layer reads it.
    pub database: Map<String, Value>,
}

/// Parse `text`; `origin` (a path, or "inline JSON") names it in errors.
///
/// Stores come from the top-level `stores` object plus any flat `"stores.<name>.<key>"`
/// keys (applied after it), as DataJoint loads them. Only when neither exists is the
/// legacy `object_storage.stores` block used (DataJoint 2.3.5 itself ignores it).
pub(crate) fn parse(text: &str, origin: &str) -> Result<Document> {
    let fail = |why: String| {
        crate::error::Error::new(
            crate::error::ErrorKind::Config,
            format!("Failed to load config from {origin}: {why}"),
        )
    };
    let value: Value = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
    let top = value
        .as_object()
        .ok_or_else(|| fail("the top level must be a JSON object".into()))?;

    let mut stores = match top.get("stores") {
        Some(v) => as_object("\"stores\"", v)
            .map_err(|e| fail(e.message().into()))?
            .clone(),
        None => Map::new(),
    };
    let mut database = match top.get("database") {
        Some(v) => as_object("\"database\"", v)
            .map_err(|e| fail(e.message().into()))?
            .clone(),
        None => Map::new(),
    };
    let mut flat_keys = false;
    for (key, value) in top {
        let parts: Vec<&str> = key.split('.').collect();
        if let ["database", attr] = parts[..] {
            database.insert(attr.to_string(), value.clone());
        }
        if let ["stores", store, attr] = parts[..] {
            flat_keys = true;
            let entry = stores
                .entry(store)
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(block) = entry else {
                return Err(fail(format!(
                    "\"{key}\": stores.{store} is not a JSON object"
                )));
            };
            block.insert(attr.to_string(), value.clone());
        }
    }
    if !top.contains_key("stores") && !flat_keys {
        if let Some(legacy) = top.get("object_storage").and_then(|o| o.get("stores")) {
            stores = as_object("object_storage.stores", legacy)
                .map_err(|e| fail(e.message().into()))?
                .clone();
        }
    }
    let npystore = match top.get("npystore") {
        Some(v) => NpystoreBlock::parse(v).map_err(|e| e.context(format!("in {origin}")))?,
        None => NpystoreBlock::default(),
    };
    Ok(Document {
        stores,
        npystore,
        database,
    })
}
