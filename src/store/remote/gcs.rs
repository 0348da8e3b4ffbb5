//! Google Cloud Storage from DataJoint's `gcs` store spec.
//!
//! No emulator installable here speaks the XML API object_store's GCS client uses, so
//! only this mapping is tested; the I/O itself is the generic object-store path.

use super::{client_options, exposed, retry_config, settings, Built};
use crate::config::StoreSpec;
use crate::{bail, Result};
use object_store::gcp::GoogleCloudStorageBuilder;

/// The builder for `spec`. DataJoint (gcsfs) takes `token` as a service-account file
/// path, the service-account JSON itself, or a method name: `anon` (unsigned
/// requests), `google_default`/`cloud` (the default chain: `GOOGLE_SERVICE_ACCOUNT*`,
/// `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's application default credentials, the
/// metadata server), which is also what no token means. `project` is not needed for
/// object access and is ignored.
pub(super) fn builder(spec: &StoreSpec) -> Result<GoogleCloudStorageBuilder> {
    let gcs = settings(spec.gcs.as_ref(), "gcs")?;
    let mut b = GoogleCloudStorageBuilder::from_env()
        .with_bucket_name(&gcs.bucket)
        .with_client_options(client_options(&spec.options))
        .with_retry(retry_config(&spec.options));
    match gcs.token.as_ref().map(|t| t.expose().trim()) {
        None | Some("" | "google_default" | "cloud") => {}
        Some("anon") => b = b.with_skip_signature(true),
        Some("browser") => bail!(
            Config,
            "config.stores[\"{}\"].token: \"browser\" (interactive login) is not supported; \
             use a service-account file or google_default",
            spec.name
        ),
        Some(json) if json.starts_with('{') => b = b.with_service_account_key(json),
        Some(path) => b = b.with_service_account_path(path),
    }
    Ok(b)
}

pub(super) fn build(spec: &StoreSpec) -> Result<Built> {
    let gcs = settings(spec.gcs.as_ref(), "gcs")?;
    Built::from_builder(
        spec,
        builder(spec)?.build(),
        format!("gs://{}", gcs.bucket),
        format!("gcs|{}", gcs.bucket),
        exposed([&gcs.token]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use object_store::gcp::GoogleConfigKey as K;

    fn spec(token: &str) -> StoreSpec {
        let text = format!(
            r#"{{"stores": {{"g": {{"protocol": "gcs", "bucket": "lab-data", "location": "npy",
                 "project": "p"{token}}}}}}}"#
        );
        super::super::test_spec(&text, "g")
    }

    #[test]
    fn maps_each_token_form() {
        let b = builder(&spec("")).unwrap();
        assert_eq!(b.get_config_value(&K::Bucket).as_deref(), Some("lab-data"));
        assert_eq!(
            b.get_config_value(&K::SkipSignature).as_deref(),
            Some("false")
        );
        let anon = builder(&spec(r#", "token": "anon""#)).unwrap();
        assert_eq!(
            anon.get_config_value(&K::SkipSignature).as_deref(),
            Some("true")
        );
        let path = builder(&spec(r#", "token": "/keys/sa.json""#)).unwrap();
        assert_eq!(
            path.get_config_value(&K::ServiceAccount).as_deref(),
            Some("/keys/sa.json")
        );
        let json = builder(&spec(r#", "token": {"type": "service_account"}"#)).unwrap();
        assert_eq!(
            json.get_config_value(&K::ServiceAccountKey).as_deref(),
            Some(r#"{"type":"service_account"}"#)
        );
        let err = builder(&spec(r#", "token": "browser""#)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
    }

    #[test]
    fn builds_the_generic_object_backend_with_bucket_and_prefix() {
        let b = super::super::open(&spec(r#", "token": "anon""#)).unwrap();
        use crate::store::Backend;
        assert_eq!(b.describe("a/b.npy"), "gs://lab-data/npy/a/b.npy");
        assert!(b.cache_identity().unwrap().contains("lab-data"));
    }
}
