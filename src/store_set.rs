//! Stores by name from one configuration, each opened on first use: refs from JSON
//! route to the store their metadata names.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::array_ref::ArrayRef;
use crate::config::Config;
use crate::error::Result;
use crate::metadata::Metadata;
use crate::store::Store;

/// The stores of one [`Config`], opened by name on first use and then reused.
/// Shareable across threads (clones share the opened stores).
#[derive(Clone, Debug)]
pub struct StoreSet {
    config: Arc<Config>,
    opened: Arc<Mutex<HashMap<String, Store>>>,
}

impl StoreSet {
    /// The stores `config` configures; none is opened yet.
    pub fn new(config: Config) -> StoreSet {
        StoreSet {
            config: Arc::new(config),
            opened: Arc::default(),
        }
    }

    /// The configuration stores are opened from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Store `name` (`None` or `""`: `stores.default`), opened on first use.
    pub fn store(&self, name: Option<&str>) -> Result<Store> {
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) => n.to_string(),
            None => self.config.default_store_name()?.to_string(),
        };
        if let Some(store) = self.lock().get(&name) {
            return Ok(store.clone());
        }
        // Opened outside the lock: a remote store's client may take a while to build.
        let store = Store::from_spec(self.config.store(Some(&name))?)?;
        Ok(self.lock().entry(name).or_insert(store).clone())
    }

    /// A reference from DataJoint's metadata JSON, on the store the JSON names (no
    /// object I/O; opening a store on first use may check that its location exists).
    pub fn ref_from_json(&self, json: &str) -> Result<ArrayRef> {
        let meta = Metadata::from_json(json)?;
        self.store(meta.store.as_deref())?.ref_from_json(json)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Store>> {
        // A panic elsewhere cannot leave the map half-updated: inserts are single calls.
        self.opened.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_each_ref_to_the_store_it_names() {
        let config = Config::from_json_str(
            r#"{"stores": {"default": "a", "a": {"protocol": "memory", "location": ""},
                           "b": {"protocol": "memory", "location": ""}}}"#,
            None,
        )
        .unwrap();
        check_routing(StoreSet::new(config));
    }

    fn check_routing(set: StoreSet) {
        let named = set
            .ref_from_json(r#"{"path": "x/y.npy", "store": "b", "dtype": "int16", "shape": [2]}"#)
            .unwrap();
        assert_eq!((named.store_name(), named.shape()), ("b", &[2u64][..]));
        let default = set
            .ref_from_json(r#"{"path": "x/z.npy", "store": null, "dtype": "float64", "shape": []}"#)
            .unwrap();
        assert_eq!(default.store_name(), "a");
        let again = set.store(Some("b")).unwrap();
        assert_eq!(again.name(), "b");
        assert_eq!(set.lock().len(), 2, "each store is opened once");
        let err = set
            .ref_from_json(r#"{"path": "p.npy", "store": "c", "dtype": "int8", "shape": [1]}"#)
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::StoreNotConfigured);
    }
}
