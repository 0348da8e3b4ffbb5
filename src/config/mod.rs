//! Store configuration read the way DataJoint 2.3.5 reads it: `datajoint.json` found up
//! the directory tree, `DJ_STORES`, `DJ_IGNORE_CONFIG_FILE`, the secrets directory, and
//! DataJoint's validation and wording. npystore's own settings live in a top-level
//! `"npystore"` block that DataJoint ignores. User documentation: docs/config.md.

mod discover;
mod document;
pub(crate) mod endpoint;
mod fields;
pub(crate) mod limits;
#[cfg(test)]
mod location_tests;
mod options;
mod protocol;
pub(crate) mod redact;
mod rules;
pub(crate) mod secret;
mod spec;

pub use discover::{find_config_file, CONFIG_FILENAME};
pub use options::StoreOptions;
pub use protocol::Protocol;
pub use secret::{Secret, SYSTEM_SECRETS_DIR};
pub use spec::{AzureSpec, GcsSpec, S3Spec, StoreKind, StoreSpec};

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use document::Document;
use options::NpystoreBlock;

/// The UTF-8 byte order mark some editors put at the start of a file.
const BOM: char = '\u{feff}';

/// Whether `text` could be meant as a path: one line of at most 4096 bytes with no
/// `{`, `}` or `"` (characters of JSON text, which may hold secrets).
fn looks_like_a_path(text: &str) -> bool {
    text.len() <= 4096 && !text.chars().any(|c| c.is_control() || "{}\"".contains(c))
}

/// Keys of the `stores` block that are settings, not stores.
const RESERVED_STORE_KEYS: [&str; 2] = ["default", "filepath_default"];

/// Where a [`Config`]'s settings came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The `datajoint.json` read, if any.
    pub file: Option<PathBuf>,
    /// True when `DJ_STORES` replaced the file's `stores` block.
    pub stores_from_env: bool,
    /// The secrets directory that filled unset store keys, if any.
    pub secrets_dir: Option<PathBuf>,
    /// True when the configuration was given as JSON text.
    pub inline: bool,
}

/// A loaded configuration: the raw store blocks (validated per store on use, as DataJoint
/// does) and npystore's validated options. `Debug` shows store names, never values.
#[derive(Clone)]
pub struct Config {
    stores: Map<String, Value>,
    npystore: NpystoreBlock,
    origin: Origin,
    /// Anchor of relative file locations; `None`: the current directory at [`Config::store`].
    base_dir: Option<PathBuf>,
    /// The file's `database` block, unvalidated (the db layer reads it).
    database: Map<String, Value>,
    /// The non-empty `DJ_*` database variables ([`DATABASE_ENV_VARS`]) seen at discovery.
    database_env: Vec<(&'static str, Secret)>,
}

/// The environment variables DataJoint 2.3.5 reads for the `database` block, each with
/// the key it sets (`settings.py`, `ENV_VAR_MAPPING` and the `DatabaseSettings` aliases).
pub const DATABASE_ENV_VARS: [(&str, &str); 8] = [
    ("DJ_HOST", "host"),
    ("DJ_USER", "user"),
    ("DJ_PASS", "password"),
    ("DJ_BACKEND", "backend"),
    ("DJ_PORT", "port"),
    ("DJ_DATABASE_NAME", "name"),
    ("DJ_DATABASE_PREFIX", "database_prefix"),
    ("DJ_USE_TLS", "use_tls"),
];

impl Config {
    /// The configuration an application argument names: `None` discovers it
    /// ([`Config::discover`]); text whose first character after an optional UTF-8 byte
    /// order mark and spaces is `{` is JSON text ([`Config::from_json_str`], the mark
    /// skipped); anything else is the path of a JSON file ([`Config::from_file`]).
    ///
    /// A path that cannot be read is named in the error only when it looks like one
    /// (one line, no `{`, `}` or `"`); otherwise the text may be settings, secrets and
    /// all, and is not shown.
    pub fn from_arg(arg: Option<&str>) -> Result<Config> {
        let Some(text) = arg else {
            return Config::discover();
        };
        let json = text.strip_prefix(BOM).unwrap_or(text);
        if json.trim_start().starts_with('{') {
            return Config::from_json_str(json, None);
        }
        if !looks_like_a_path(text) && !Path::new(text).is_file() {
            crate::error::bail!(
                Config,
                "the config argument is neither JSON text (which starts with '{{') nor the \
                 path of a readable file; it is not shown, as it may hold secrets ({} bytes)",
                text.len()
            );
        }
        Config::from_file(Path::new(text))
    }

    /// Discover from the current directory and the process environment.
    pub fn discover() -> Result<Config> {
        let cwd =
            std::env::current_dir().map_err(|e| Error::io(&e, "read", "the current directory"))?;
        Config::discover_with(&cwd, &|name| std::env::var(name).ok())
    }

    /// Discover as DataJoint does, starting at `start_dir` with `env` as the environment:
    /// `datajoint.json` up the tree (unless `DJ_IGNORE_CONFIG_FILE`), then `DJ_STORES`,
    /// then secrets from `.secrets/` beside the file, else [`SYSTEM_SECRETS_DIR`].
    /// Relative file locations are taken from `start_dir`.
    pub fn discover_with(start_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        Config::discover_in(start_dir, env, Path::new(SYSTEM_SECRETS_DIR))
    }

    /// [`Config::discover_with`] with another system secrets directory (for tests).
    pub fn discover_in(
        start_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        system_secrets_dir: &Path,
    ) -> Result<Config> {
        // Windows: `C:\proj`, not `\\?\C:\proj`, so relative locations joined to it
        // with `/` still name their directory.
        let start = start_dir
            .canonicalize()
            .map(crate::path::plain_native)
            .map_err(|e| Error::io(&e, "open start directory", start_dir.display()))?;
        let ignore_file = discover::ignore_config_file(env("DJ_IGNORE_CONFIG_FILE"))?;
        let file = if ignore_file {
            None
        } else {
            find_config_file(&start)
        };
        let mut config = match &file {
            Some(path) => Config::read_file(path)?,
            None => Config::empty(),
        };
        config.base_dir = Some(start);
        config.database_env = DATABASE_ENV_VARS
            .iter()
            .filter_map(|(var, _)| {
                env(var)
                    .filter(|v| !v.is_empty())
                    .map(|v| (*var, Secret::new(v)))
            })
            .collect();
        if let Some(stores) = discover::stores_from_env(env("DJ_STORES"))? {
            config.stores = stores;
            config.origin.stores_from_env = true;
        }
        if !ignore_file {
            config.fill_secrets(secret::find_secrets_dir(
                file.as_deref(),
                system_secrets_dir,
            ))?;
        }
        Ok(config)
    }

    /// Load one JSON file (like DataJoint's `dj.config.load(path)`), with secrets from
    /// `.secrets/` beside it, else [`SYSTEM_SECRETS_DIR`]. The environment is not read.
    /// Relative file locations are taken from the current directory, as DataJoint does.
    pub fn from_file(path: &Path) -> Result<Config> {
        Config::from_file_in(path, Path::new(SYSTEM_SECRETS_DIR))
    }

    /// [`Config::from_file`] with another system secrets directory (for tests).
    pub fn from_file_in(path: &Path, system_secrets_dir: &Path) -> Result<Config> {
        let mut config = Config::read_file(path)?;
        config.fill_secrets(secret::find_secrets_dir(Some(path), system_secrets_dir))?;
        Ok(config)
    }

    /// A configuration from `datajoint.json` text alone (no environment, no secrets).
    /// Relative file locations are taken from `base_dir`, else the current directory.
    pub fn from_json_str(text: &str, base_dir: Option<&Path>) -> Result<Config> {
        let doc = document::parse(text, "inline JSON")?;
        let mut config = Config::from_document(doc);
        config.origin.inline = true;
        config.base_dir = base_dir.map(Path::to_path_buf);
        Ok(config)
    }

    /// The validated spec of store `name`; `None` or `""` means `stores.default`.
    ///
    /// Only this store is validated, as DataJoint validates a store when it is used.
    /// Errors: [`StoreNotConfigured`](crate::error::ErrorKind::StoreNotConfigured) when the
    /// store (or `stores.default`) is not configured; [`Config`](crate::error::ErrorKind::Config)
    /// when its block is invalid; [`NotFound`](crate::error::ErrorKind::NotFound) when a file
    /// store's directory does not exist.
    pub fn store(&self, name: Option<&str>) -> Result<StoreSpec> {
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => self.default_store_name()?,
        };
        let Some(raw) = self
            .stores
            .get(name)
            .filter(|_| !RESERVED_STORE_KEYS.contains(&name))
        else {
            crate::error::bail!(
                StoreNotConfigured,
                "Storage '{name}' is requested but not configured in stores ({})",
                self.configured_list()
            );
        };
        let raw = options::as_object(&format!("config.stores[\"{name}\"]"), raw)?;
        let base_dir = match &self.base_dir {
            Some(d) => d.clone(),
            None => std::env::current_dir()
                .map_err(|e| Error::io(&e, "read", "the current directory"))?,
        };
        spec::build(name, raw, self.npystore.options_for(name)?, &base_dir)
    }

    /// The names of the configured stores, sorted (`default` and `filepath_default` are
    /// settings, not stores).
    pub fn store_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .stores
            .keys()
            .filter(|k| !RESERVED_STORE_KEYS.contains(&k.as_str()))
            .cloned()
            .collect();
        // serde_json keeps file order when another crate turns on `preserve_order`.
        names.sort();
        names
    }

    /// The name `stores.default` gives. Errors as DataJoint: `stores.default is not
    /// configured` ([`StoreNotConfigured`](crate::error::ErrorKind::StoreNotConfigured)) or
    /// `stores.default must be a string` ([`Config`](crate::error::ErrorKind::Config)).
    pub fn default_store_name(&self) -> Result<&str> {
        match self.stores.get("default") {
            None => crate::error::bail!(
                StoreNotConfigured,
                "stores.default is not configured ({}); name a store or set stores.default",
                self.configured_list()
            ),
            Some(Value::String(s)) => Ok(s),
            Some(_) => crate::error::bail!(Config, "stores.default must be a string"),
        }
    }

    /// The `database` block of the file (with flat `"database.<key>"` keys applied),
    /// unvalidated; `db::DatabaseSettings` reads and checks it.
    pub fn database_block(&self) -> &Map<String, Value> {
        &self.database
    }

    /// The non-empty `DJ_*` database variables read at discovery, by variable name
    /// (empty for configurations read from a file or text, which do not read the
    /// environment). Values are [`Secret`]s: `DJ_PASS` is among them.
    pub fn database_env(&self, var: &str) -> Option<&Secret> {
        self.database_env
            .iter()
            .find(|(name, _)| *name == var)
            .map(|(_, value)| value)
    }

    /// Where the settings came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    fn empty() -> Config {
        Config::from_document(Document::default())
    }

    fn from_document(doc: Document) -> Config {
        Config {
            stores: doc.stores,
            npystore: doc.npystore,
            origin: Origin::default(),
            base_dir: None,
            database: doc.database,
            database_env: Vec::new(),
        }
    }

    fn read_file(path: &Path) -> Result<Config> {
        let shown = redact::redact_urls(&path.display().to_string());
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(&e, "read config file", &shown))?;
        if text.starts_with(BOM) {
            // DataJoint's json.load raises "Unexpected UTF-8 BOM", and DataJoint then
            // ignores the file: say so rather than read settings DataJoint never sees.
            crate::error::bail!(
                Config,
                "Failed to load config from {shown}: it starts with a UTF-8 byte order mark, \
                 which DataJoint (json.load) refuses; save it as UTF-8 without one"
            );
        }
        let mut config = Config::from_document(document::parse(&text, &shown)?);
        config.origin.file = Some(path.to_path_buf());
        Ok(config)
    }

    fn fill_secrets(&mut self, dir: Option<PathBuf>) -> Result<()> {
        if let Some(dir) = dir {
            secret::fill_store_secrets(&mut self.stores, &dir)?;
            self.origin.secrets_dir = Some(dir);
        }
        Ok(())
    }

    /// "configured: a, b" or "no stores are configured", for not-configured errors.
    fn configured_list(&self) -> String {
        let names = self.store_names();
        if names.is_empty() {
            "no stores are configured".into()
        } else {
            format!("configured: {}", names.join(", "))
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("stores", &self.store_names())
            .field(
                "default",
                &self.stores.get("default").and_then(Value::as_str),
            )
            .field("origin", &self.origin)
            .field("base_dir", &self.base_dir)
            .finish()
    }
}
