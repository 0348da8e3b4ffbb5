//! One validated store: the typed form of a `stores.<name>` block.

use std::path::Path;

use serde_json::{Map, Value};

use super::endpoint;
use super::fields::Block;
use super::options::StoreOptions;
use super::protocol::Protocol;
use super::rules;
use super::secret::Secret;
use crate::error::Result;
use crate::path::PathSettings;

/// S3 settings of a store. `Debug` shows no credential: the keys are [`Secret`]s,
/// and a password inside the endpoint or proxy URL is shown as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Spec {
    /// Host (`s3.amazonaws.com`, `minio:9000`) or full URL (`http://127.0.0.1:9000`).
    pub endpoint: String,
    /// Bucket name.
    pub bucket: String,
    /// Access key id; `None` (with no secret key) means ambient credentials.
    pub access_key: Option<Secret>,
    /// Secret access key.
    pub secret_key: Option<Secret>,
    /// HTTPS for an endpoint given without a scheme (default true).
    pub secure: bool,
    /// HTTP proxy URL, if any.
    pub proxy_server: Option<String>,
}

impl std::fmt::Debug for S3Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::redact::redact_url;
        f.debug_struct("S3Spec")
            .field("endpoint", &redact_url(&self.endpoint))
            .field("bucket", &self.bucket)
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("secure", &self.secure)
            .field(
                "proxy_server",
                &self.proxy_server.as_deref().map(redact_url),
            )
            .finish()
    }
}

impl S3Spec {
    /// The endpoint as a URL: as written when it has `http://`/`https://` (in any
    /// letter case; the scheme is given in lower case), else with the scheme `secure`
    /// chooses (as DataJoint does).
    pub fn endpoint_url(&self) -> String {
        if endpoint::split(&self.endpoint).scheme.is_some() {
            endpoint::lowercase_scheme(&self.endpoint)
        } else {
            format!(
                "{}://{}",
                if self.secure { "https" } else { "http" },
                self.endpoint
            )
        }
    }
}

/// Google Cloud Storage settings of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcsSpec {
    /// Bucket name.
    pub bucket: String,
    /// Credentials as DataJoint (gcsfs) takes them: a path to a service-account file,
    /// a method name (`anon`, `google_default`, `cloud`), or the service-account JSON
    /// object (kept here as its JSON text). `None`: the default credential chain.
    pub token: Option<Secret>,
    /// Project id.
    pub project: Option<String>,
}

/// Azure Blob Storage settings of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureSpec {
    /// Container name.
    pub container: String,
    /// Storage account name.
    pub account_name: Option<String>,
    /// Storage account key.
    pub account_key: Option<Secret>,
    /// Full connection string (alternative to name + key).
    pub connection_string: Option<Secret>,
}

/// What kind of store, with the settings only that kind has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// A local directory: [`StoreSpec::location`] is its root.
    File,
    /// Amazon S3 or an S3-compatible service.
    S3(S3Spec),
    /// Google Cloud Storage.
    Gcs(GcsSpec),
    /// Azure Blob Storage.
    Azure(AzureSpec),
    /// An in-memory store, empty when opened (tests, examples).
    Memory,
}

impl StoreKind {
    /// The `protocol` value this kind is configured by.
    pub fn protocol(&self) -> Protocol {
        match self {
            StoreKind::File => Protocol::File,
            StoreKind::S3(_) => Protocol::S3,
            StoreKind::Gcs(_) => Protocol::Gcs,
            StoreKind::Azure(_) => Protocol::Azure,
            StoreKind::Memory => Protocol::Memory,
        }
    }
}

/// One store, validated as DataJoint validates it, plus npystore's options.
///
/// `Debug` shows no secret: credentials are [`Secret`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSpec {
    /// The store's name (the key under `stores`).
    pub name: String,
    /// Which kind of store, with its protocol's settings.
    pub kind: StoreKind,
    /// File stores: the root directory, made absolute (a relative location is taken
    /// from the directory discovery started in, else the current directory). Object
    /// stores: the prefix inside the bucket/container, as written (may be empty).
    pub location: String,
    /// How schema-addressed paths are built: `schema_prefix`, the section for
    /// schema-addressed objects (default `_schema`; `""` drops it); `partition_pattern`,
    /// key attributes that go in front of the schema folder, e.g.
    /// `{subject}/{session_date}`; `token_length`, the token length in file names: the
    /// configured value clamped to 4..=16 (default 8).
    pub path: PathSettings,
    /// Section for hash-addressed objects (default `_hash`); npystore does not write there.
    pub hash_prefix: String,
    /// Section `<filepath@>` paths must stay in; `None`: unrestricted.
    pub filepath_prefix: Option<String>,
    /// Hash-addressed subfolder widths (DataJoint `<blob@>`), e.g. `[2, 2]`.
    pub subfolding: Option<Vec<u32>>,
    /// DataJoint's `stage` setting, carried through unchanged.
    pub stage: Option<String>,
    /// npystore-only settings from the `npystore` block (defaults when absent).
    pub options: StoreOptions,
}

impl StoreSpec {
    /// Which kind of store, by its `protocol` value.
    pub fn protocol(&self) -> Protocol {
        self.kind.protocol()
    }

    /// The S3 settings, when this is an S3 store.
    pub fn s3(&self) -> Option<&S3Spec> {
        match &self.kind {
            StoreKind::S3(s3) => Some(s3),
            _ => None,
        }
    }

    /// The GCS settings, when this is a GCS store.
    pub fn gcs(&self) -> Option<&GcsSpec> {
        match &self.kind {
            StoreKind::Gcs(gcs) => Some(gcs),
            _ => None,
        }
    }

    /// The Azure settings, when this is an Azure store.
    pub fn azure(&self) -> Option<&AzureSpec> {
        match &self.kind {
            StoreKind::Azure(azure) => Some(azure),
            _ => None,
        }
    }
}

/// Validate store `name`'s raw block and build its spec. `base_dir` anchors relative
/// file locations and cache directories.
pub(crate) fn build(
    name: &str,
    raw: &Map<String, Value>,
    mut options: StoreOptions,
    base_dir: &Path,
) -> Result<StoreSpec> {
    let what = format!("config.stores[\"{name}\"]");
    let protocol = rules::protocol_of(
        name,
        &Block {
            what: &what,
            map: raw,
        },
    )?;
    let spec = rules::with_defaults(raw, protocol);
    let b = Block {
        what: &what,
        map: &spec,
    };
    rules::check_keys_and_prefixes(name, protocol, &b)?;
    if protocol == Protocol::S3 {
        rules::check_s3_backend(&b)?;
    }
    let location = b.str_or("location", "")?;
    let location = match protocol {
        Protocol::File => file_root(name, &location, base_dir)?,
        _ => location,
    };
    if let Some(dir) = &options.cache_dir {
        options.cache_dir = Some(base_dir.join(dir));
    }
    // Checked in this order, so the first error reported stays the same.
    let path = PathSettings {
        schema_prefix: required_str(&b, "schema_prefix")?,
        partition_pattern: b.opt_str("partition_pattern")?,
        token_length: crate::path::clamp_token_length(b.opt_i64("token_length")?.unwrap_or(8)),
    };
    let hash_prefix = required_str(&b, "hash_prefix")?;
    let filepath_prefix = b.opt_str("filepath_prefix")?;
    let subfolding = subfolding(&b)?;
    let stage = b.opt_str("stage")?;
    let kind = match protocol {
        Protocol::File => StoreKind::File,
        Protocol::S3 => StoreKind::S3(s3(&b)?),
        Protocol::Gcs => StoreKind::Gcs(gcs(&b)?),
        Protocol::Azure => StoreKind::Azure(azure(&b)?),
        Protocol::Memory => StoreKind::Memory,
    };
    Ok(StoreSpec {
        name: name.to_string(),
        kind,
        location,
        path,
        hash_prefix,
        filepath_prefix,
        subfolding,
        stage,
        options,
    })
}

/// A key the defaults always fill, so only an explicit `null` or a non-string fails.
fn required_str(b: &Block, key: &str) -> Result<String> {
    b.opt_str(key)?.ok_or_else(|| {
        crate::error::Error::new(
            crate::error::ErrorKind::Config,
            format!("{}.{key} must be a string", b.what),
        )
    })
}

/// The absolute root of a file store, which must be an existing directory.
fn file_root(name: &str, location: &str, base_dir: &Path) -> Result<String> {
    let root = base_dir.join(location);
    if !root.is_dir() {
        crate::error::bail!(
            NotFound,
            "Inaccessible local directory {location} (config.stores[\"{name}\"].location, resolved to {}): \
             no such directory",
            root.display()
        );
    }
    match root.to_str() {
        Some(s) => Ok(s.to_string()),
        None => crate::error::bail!(
            Config,
            "config.stores[\"{name}\"].location {} is not valid UTF-8",
            root.display()
        ),
    }
}

fn subfolding(b: &Block) -> Result<Option<Vec<u32>>> {
    let bad = || {
        crate::error::Error::new(
            crate::error::ErrorKind::Config,
            format!("{}.subfolding must be a list of integers", b.what),
        )
    };
    match b.map.get("subfolding") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(bad)
            })
            .collect::<Result<Vec<u32>>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

/// A Config error unless `name` (a bucket or container) holds only characters a URL
/// path takes as they are: object_store puts it into every request's URL unescaped.
pub(crate) fn check_bucket_name(what: &str, name: &str) -> Result<()> {
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._".contains(*c)))
    {
        None => Ok(()),
        Some(c) => crate::error::bail!(
            Config,
            "{what} holds '{}': a bucket or container name has only letters, digits, '-', '.' and '_'",
            c.escape_debug()
        ),
    }
}

fn s3(b: &Block) -> Result<S3Spec> {
    let spec = S3Spec {
        endpoint: b.str_or("endpoint", "")?,
        bucket: b.str_or("bucket", "")?,
        access_key: b.opt_secret("access_key")?,
        secret_key: b.opt_secret("secret_key")?,
        secure: b.opt_bool("secure")?.unwrap_or(true),
        proxy_server: b.opt_str("proxy_server")?,
    };
    endpoint::check(&spec.endpoint, &format!("{}.endpoint", b.what), false)?;
    if let Some(proxy) = &spec.proxy_server {
        endpoint::check(proxy, &format!("{}.proxy_server", b.what), false)?;
    }
    check_bucket_name(&format!("{}.bucket", b.what), &spec.bucket)?;
    Ok(spec)
}

fn gcs(b: &Block) -> Result<GcsSpec> {
    let token = match b.map.get("token") {
        Some(Value::Object(o)) => Some(Secret::new(Value::Object(o.clone()).to_string())),
        _ => b.opt_secret("token")?,
    };
    let bucket = required_str(b, "bucket")?;
    check_bucket_name(&format!("{}.bucket", b.what), &bucket)?;
    Ok(GcsSpec {
        bucket,
        token,
        project: b.opt_str("project")?,
    })
}

fn azure(b: &Block) -> Result<AzureSpec> {
    let container = required_str(b, "container")?;
    check_bucket_name(&format!("{}.container", b.what), &container)?;
    Ok(AzureSpec {
        container,
        account_name: b.opt_str("account_name")?,
        account_key: b.opt_secret("account_key")?,
        connection_string: b.opt_secret("connection_string")?,
    })
}
