//! npystore's own store settings, kept in a top-level `"npystore"` block of
//! `datajoint.json` (DataJoint ignores unknown top-level keys but rejects unknown keys
//! inside a store block).

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::fields::Block;
use super::limits::{MAX_PART_SIZE, MIN_PART_SIZE};
use crate::error::Result;

/// Settings DataJoint's store spec cannot express. Every field has a default; see
/// docs/config.md for where each applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// S3 region (e.g. `eu-central-1`); `None`: the client's default (`us-east-1`).
    pub region: Option<String>,
    /// S3 addressing: `true` virtual-hosted (`bucket.host`), `false` path style (`host/bucket`, default).
    pub virtual_hosted_style: bool,
    /// Remote stores: time allowed to open a connection, in milliseconds (default 10 000).
    pub connect_timeout_ms: u64,
    /// Remote stores: time allowed for one request, in milliseconds (default 300 000).
    pub request_timeout_ms: u64,
    /// Remote stores: retries of a failed request, with backoff (default 5).
    pub retries: u32,
    /// Remote stores: ranged reads / multipart parts in flight at once (default 4; see
    /// docs/remote.md for the measurements behind it).
    pub concurrency: usize,
    /// Remote stores: size of one multipart part and read range (default 32 MiB; 5 MiB..=5 GiB).
    pub part_size_bytes: u64,
    /// Remote stores: where memory-mapped copies are cached (a private directory, checked
    /// before use); `None`: `$XDG_CACHE_HOME/npystore`, else `~/.cache/npystore`, else
    /// `<temp dir>/npystore-cache-<uid>` (Unix).
    pub cache_dir: Option<PathBuf>,
    /// Remote stores: size cap of that cache, least recently used evicted first (default 10 GiB).
    pub cache_max_bytes: u64,
    /// File stores: fsync each written object and its folder before publishing (default
    /// false, as numpy and DataJoint: publishing is atomic against crashes of the
    /// process either way; fsync adds durability against power loss).
    pub fsync: bool,
    /// Partial reads: byte runs of one read at most this far apart are fetched by one
    /// read (docs/slices.md); `None`: the store kind's measured default (8 KiB for
    /// file stores, 256 KiB for object stores).
    pub merge_gap_bytes: Option<u64>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            region: None,
            virtual_hosted_style: false,
            connect_timeout_ms: 10_000,
            request_timeout_ms: 300_000,
            retries: 5,
            concurrency: 4,
            part_size_bytes: 32 << 20,
            cache_dir: None,
            cache_max_bytes: 10 << 30,
            fsync: false,
            merge_gap_bytes: None,
        }
    }
}

/// The keys an options block may hold.
const OPTION_KEYS: [&str; 11] = [
    "region",
    "virtual_hosted_style",
    "connect_timeout_ms",
    "request_timeout_ms",
    "retries",
    "concurrency",
    "part_size_bytes",
    "cache_dir",
    "cache_max_bytes",
    "fsync",
    "merge_gap_bytes",
];

impl StoreOptions {
    /// Override the fields `block` sets; unknown keys and wrong types are errors.
    fn apply(&mut self, block: &Block) -> Result<()> {
        block.deny_unknown(&OPTION_KEYS)?;
        const DAY_MS: u64 = 86_400_000;
        if let Some(v) = block.opt_str("region")? {
            self.region = Some(v);
        }
        if let Some(v) = block.opt_bool("virtual_hosted_style")? {
            self.virtual_hosted_style = v;
        }
        if let Some(v) = block.opt_u64_in("connect_timeout_ms", 1..=DAY_MS)? {
            self.connect_timeout_ms = v;
        }
        if let Some(v) = block.opt_u64_in("request_timeout_ms", 1..=DAY_MS)? {
            self.request_timeout_ms = v;
        }
        if let Some(v) = block.opt_u64_in("retries", 0..=100)? {
            self.retries = v as u32;
        }
        if let Some(v) = block.opt_u64_in("concurrency", 1..=1024)? {
            self.concurrency = v as usize;
        }
        if let Some(v) = block.opt_u64_in("part_size_bytes", MIN_PART_SIZE..=MAX_PART_SIZE)? {
            self.part_size_bytes = v;
        }
        if let Some(v) = block.opt_str("cache_dir")? {
            self.cache_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = block.opt_u64_in("cache_max_bytes", 0..=u64::MAX)? {
            self.cache_max_bytes = v;
        }
        if let Some(v) = block.opt_bool("fsync")? {
            self.fsync = v;
        }
        if let Some(v) = block.opt_u64_in("merge_gap_bytes", 0..=u64::MAX)? {
            self.merge_gap_bytes = Some(v);
        }
        Ok(())
    }
}

/// The validated `"npystore"` block: `{"defaults": {...}, "stores": {"<name>": {...}}}`.
#[derive(Clone, Default)]
pub(crate) struct NpystoreBlock {
    defaults: Map<String, Value>,
    stores: Map<String, Value>,
}

impl NpystoreBlock {
    /// Check the whole block now (keys and types), so a typo fails at load, not at use.
    pub fn parse(value: &Value) -> Result<Self> {
        let top = as_object("npystore", value)?;
        let top_block = Block {
            what: "npystore",
            map: top,
        };
        top_block.deny_unknown(&["defaults", "stores"])?;
        let defaults = match top.get("defaults") {
            Some(v) => as_object("npystore.defaults", v)?.clone(),
            None => Map::new(),
        };
        let stores = match top.get("stores") {
            Some(v) => as_object("npystore.stores", v)?.clone(),
            None => Map::new(),
        };
        let block = NpystoreBlock { defaults, stores };
        for name in block.stores.keys() {
            block.options_for(name)?;
        }
        block.options_for("")?;
        Ok(block)
    }

    /// The options of store `name`: defaults, then `npystore.defaults`, then its own block.
    pub fn options_for(&self, name: &str) -> Result<StoreOptions> {
        let mut options = StoreOptions::default();
        options.apply(&Block {
            what: "npystore.defaults",
            map: &self.defaults,
        })?;
        if let Some(v) = self.stores.get(name) {
            let what = format!("npystore.stores[\"{name}\"]");
            options.apply(&Block {
                what: &what,
                map: as_object(&what, v)?,
            })?;
        }
        Ok(options)
    }
}

/// `value` as a JSON object, or a Config error naming `what`.
pub(crate) fn as_object<'a>(what: &str, value: &'a Value) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| {
        crate::error::Error::new(
            crate::error::ErrorKind::Config,
            format!("{what} must be a JSON object"),
        )
    })
}
