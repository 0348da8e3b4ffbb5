//! DataJoint 2.3.5's own store checks (`Config.get_store_spec` and
//! `StorageBackend._validate_spec`), with its wording.

use serde_json::{Map, Value};

use super::fields::Block;
use super::protocol::Protocol;
use crate::error::Result;

/// Keys every protocol allows besides its own.
const COMMON_KEYS: [&str; 7] = [
    "subfolding",
    "partition_pattern",
    "token_length",
    "hash_prefix",
    "schema_prefix",
    "filepath_prefix",
    "stage",
];

/// The keys a protocol requires, then the other keys it allows (besides [`COMMON_KEYS`]).
fn protocol_keys(p: Protocol) -> (&'static [&'static str], &'static [&'static str]) {
    match p {
        Protocol::File => (&["protocol", "location"], &[]),
        Protocol::S3 => (
            &["protocol", "endpoint", "bucket", "location"],
            &["access_key", "secret_key", "secure", "proxy_server"],
        ),
        Protocol::Gcs => (&["protocol", "bucket", "location"], &["token", "project"]),
        Protocol::Azure => (
            &["protocol", "container", "location"],
            &["account_name", "account_key", "connection_string"],
        ),
        Protocol::Memory => (&["protocol"], &["location"]),
    }
}

/// DataJoint's `_apply_common_store_defaults` plus `secure: true` for S3: fill absent keys
/// (an explicit `null` stays).
pub(crate) fn with_defaults(raw: &Map<String, Value>, protocol: Protocol) -> Map<String, Value> {
    let mut spec = raw.clone();
    let mut default = |k: &str, v: Value| {
        spec.entry(k).or_insert(v);
    };
    default("subfolding", Value::Null);
    default("partition_pattern", Value::Null);
    default("token_length", 8.into());
    default("hash_prefix", "_hash".into());
    default("schema_prefix", "_schema".into());
    default("filepath_prefix", Value::Null);
    if protocol == Protocol::S3 {
        default("secure", true.into());
    }
    spec
}

/// The protocol of a store block, as DataJoint reads it (absent means `""`).
pub(crate) fn protocol_of(store: &str, block: &Block) -> Result<Protocol> {
    let written = block.str_or("protocol", "")?;
    let lower = written.to_lowercase();
    let Some(protocol) = Protocol::parse(&lower) else {
        crate::error::bail!(
            Config,
            "Unknown protocol \"{lower}\" in config.stores[\"{store}\"]. Supported by npystore: {}.",
            Protocol::ALL.map(Protocol::as_str).join(", ")
        );
    };
    if written != lower {
        // DataJoint accepts the spec, then its backend fails on the non-lowercase name.
        crate::error::bail!(Config, "Unsupported storage protocol: {written} (in config.stores[\"{store}\"]; write it lowercase)");
    }
    Ok(protocol)
}

/// Required keys present, no unknown keys, prefixes mutually exclusive; in DataJoint's order.
pub(crate) fn check_keys_and_prefixes(
    store: &str,
    protocol: Protocol,
    block: &Block,
) -> Result<()> {
    let (required, own) = protocol_keys(protocol);
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|k| !block.map.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        crate::error::bail!(
            Config,
            "config.stores[\"{store}\"] is missing: {}",
            missing.join(", ")
        );
    }
    let allowed: Vec<&str> = required
        .iter()
        .chain(own)
        .chain(&COMMON_KEYS)
        .copied()
        .collect();
    block.deny_unknown(&allowed)?;
    check_prefix_separation(store, block)
}

/// `hash_prefix`, `schema_prefix`, `filepath_prefix`: none may be a parent of another
/// (compared with slashes at the ends stripped; empty or null prefixes are skipped).
fn check_prefix_separation(store: &str, block: &Block) -> Result<()> {
    let mut prefixes = Vec::new();
    for name in ["hash_prefix", "schema_prefix", "filepath_prefix"] {
        if let Some(p) = block.opt_str(name)?.filter(|p| !p.is_empty()) {
            let normalized = format!("{}/", p.trim_matches('/'));
            prefixes.push((name, p, normalized));
        }
    }
    for (i, (name1, p1, n1)) in prefixes.iter().enumerate() {
        for (name2, p2, n2) in &prefixes[i + 1..] {
            if n1.starts_with(n2.as_str()) || n2.starts_with(n1.as_str()) {
                crate::error::bail!(
                    Config,
                    "config.stores[\"{store}\"]: {name1}=\"{p1}\" and {name2}=\"{p2}\" overlap. \
                     Storage section prefixes must be mutually exclusive."
                );
            }
        }
    }
    Ok(())
}

/// `StorageBackend._validate_spec` for S3: endpoint and bucket non-empty, and both or
/// neither of the two credentials.
pub(crate) fn check_s3_backend(block: &Block) -> Result<()> {
    let mut missing = Vec::new();
    for key in ["endpoint", "bucket"] {
        if block.opt_str(key)?.is_none_or(|s| s.is_empty()) {
            missing.push(key);
        }
    }
    if !missing.is_empty() {
        crate::error::bail!(Config, "Missing S3 configuration: {}", missing.join(", "));
    }
    if block.opt_secret("access_key")?.is_some() != block.opt_secret("secret_key")?.is_some() {
        crate::error::bail!(
            Config,
            "Incomplete S3 credentials: set both access_key and secret_key, or neither to use ambient AWS credentials."
        );
    }
    Ok(())
}
