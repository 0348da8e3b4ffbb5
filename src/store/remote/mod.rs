//! Remote stores (S3, GCS, Azure) built from DataJoint's store spec plus npystore's
//! options. Each protocol's module maps its spec onto the `object_store` builder; this
//! module adds what they share: timeouts, retries, tuning, and the secrets to scrub.

/// In a protocol module's tests: `builder(spec)`, the module's `object_store` builder
/// for a test spec that must be of that protocol.
#[cfg(test)]
macro_rules! test_builder {
    ($settings:ident -> $builder:ty) => {
        fn builder(spec: &StoreSpec) -> Result<$builder> {
            super::builder(spec, spec.$settings().expect("a spec of this protocol"))
        }
    };
}

mod azure;
mod gcs;
mod s3;

use super::object::{ObjectBackend, Tuning};
use crate::config::{redact, AzureSpec, GcsSpec, S3Spec, Secret, StoreOptions, StoreSpec};
use crate::error::{Error, ErrorKind, Result};
use object_store::{BackoffConfig, ClientOptions, RetryConfig};
use std::time::Duration;

/// Open the S3 store `spec` describes with its settings `s3`. No request is made: a
/// wrong endpoint or bad credentials show on first use (so for all three).
pub(crate) fn open_s3(spec: &StoreSpec, s3: &S3Spec) -> Result<ObjectBackend> {
    Ok(open(spec, s3::build(spec, s3)?))
}

/// Open the GCS store `spec` describes with its settings `gcs`.
pub(crate) fn open_gcs(spec: &StoreSpec, gcs: &GcsSpec) -> Result<ObjectBackend> {
    Ok(open(spec, gcs::build(spec, gcs)?))
}

/// Open the Azure store `spec` describes with its settings `azure`.
pub(crate) fn open_azure(spec: &StoreSpec, azure: &AzureSpec) -> Result<ObjectBackend> {
    Ok(open(spec, azure::build(spec, azure)?))
}

/// The backend over a protocol's `built` client, with what remote stores share.
fn open(spec: &StoreSpec, built: Built) -> ObjectBackend {
    let tuning = Tuning {
        concurrency: spec.options.concurrency,
        part_size: spec.options.part_size_bytes,
    };
    let backend = ObjectBackend::new(built.store, &spec.location, &built.display_root)
        .with_multipart(built.multipart);
    backend.remote(built.identity, tuning, built.secrets)
}

/// What a protocol module hands back.
pub(super) struct Built {
    store: std::sync::Arc<dyn object_store::ObjectStore>,
    /// The same store's part-by-part upload API, for streaming writers.
    multipart: std::sync::Arc<dyn object_store::multipart::MultipartStore>,
    /// `s3://bucket`, `gs://bucket`, `az://container`: names the store in messages.
    display_root: String,
    /// Endpoint plus bucket: distinguishes stores in the remote cache.
    identity: String,
    /// Credential values to scrub from messages.
    secrets: Vec<String>,
}

impl Built {
    /// Build `builder`'s store for `spec`, naming build errors without `secrets`.
    fn from_builder<B>(
        spec: &StoreSpec,
        built: std::result::Result<B, object_store::Error>,
        display_root: String,
        identity: String,
        secrets: Vec<String>,
    ) -> Result<Built>
    where
        B: object_store::ObjectStore + object_store::multipart::MultipartStore,
    {
        let store = std::sync::Arc::new(built.map_err(|e| build_error(spec, e, &secrets))?);
        Ok(Built {
            multipart: store.clone(),
            store,
            display_root,
            identity,
            secrets,
        })
    }
}

/// Timeouts of every request.
fn client_options(options: &StoreOptions) -> ClientOptions {
    ClientOptions::new()
        .with_connect_timeout(Duration::from_millis(options.connect_timeout_ms))
        .with_timeout(Duration::from_millis(options.request_timeout_ms))
}

/// Retries with exponential backoff (throttling, 5xx, dropped connections), never
/// starting a retry later than one request timeout after the first attempt.
fn retry_config(options: &StoreOptions) -> RetryConfig {
    RetryConfig {
        max_retries: options.retries as usize,
        retry_timeout: Duration::from_millis(options.request_timeout_ms),
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            base: 2.0,
        },
    }
}

/// The exposed values of `secrets` that are set.
fn exposed<'a>(secrets: impl IntoIterator<Item = &'a Option<Secret>>) -> Vec<String> {
    secrets
        .into_iter()
        .flatten()
        .map(|s| s.expose().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The password written into `url` (`scheme://user:password@host`), if any: a
/// value to scrub like any other secret, on top of the URL redaction.
fn url_password(url: &str) -> Option<String> {
    let userinfo = crate::config::endpoint::split(url).userinfo?;
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then(|| password.to_string())
}

/// A builder error as a Config error, with `secrets` (and URL passwords) scrubbed.
fn build_error(spec: &StoreSpec, err: object_store::Error, secrets: &[String]) -> Error {
    let message = format!("cannot open store '{}': {err}", spec.name);
    Error::new(ErrorKind::Config, redact::scrub(&message, secrets))
}

/// The spec of store `name` in the JSON `config` (unit tests of the builders).
#[cfg(test)]
fn test_spec(config: &str, name: &str) -> StoreSpec {
    crate::config::Config::from_arg(Some(config))
        .and_then(|c| c.store(Some(name)))
        .expect("valid test config")
}
