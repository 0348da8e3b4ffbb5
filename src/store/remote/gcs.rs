//! Google Cloud Storage from DataJoint's `gcs` store spec.
//!
//! The reads are tested against fake-gcs-server (tests/remote_gcs.rs); its writes
//! are not, since that emulator does not take the XML API uploads object_store sends
//! (docs/remote.md).

use super::{client_options, exposed, retry_config, Built};
use crate::config::{endpoint, GcsSpec, StoreSpec};
use crate::error::{bail, Result};
use object_store::gcp::GoogleCloudStorageBuilder;

/// The builder for `spec`. DataJoint (gcsfs) takes `token` as a service-account file
/// path, the service-account JSON itself, or a method name: `anon` (unsigned
/// requests), `google_default`/`cloud` (the default chain: `GOOGLE_SERVICE_ACCOUNT*`,
/// `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's application default credentials, the
/// metadata server), which is also what no token means. `project` is not needed for
/// object access and is ignored. A service account whose `gcs_base_url` is plain
/// `http://` (an emulator) is reached over plain HTTP.
pub(super) fn builder(spec: &StoreSpec, gcs: &GcsSpec) -> Result<GoogleCloudStorageBuilder> {
    let token = gcs.token.as_ref().map(|t| t.expose().trim());
    let key = match token {
        Some(json) if json.starts_with('{') => json.to_string(),
        None | Some("" | "google_default" | "cloud" | "anon" | "browser") => String::new(),
        Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
    };
    let base_url = base_url(&key);
    if let Some(url) = &base_url {
        let what = format!("config.stores[\"{}\"].token: gcs_base_url", spec.name);
        endpoint::check(url, &what, true)?;
    }
    let http = base_url.is_some_and(|url| endpoint::has_scheme(&url, "http"));
    let mut b = GoogleCloudStorageBuilder::from_env()
        .with_bucket_name(&gcs.bucket)
        .with_client_options(client_options(&spec.options).with_allow_http(http))
        .with_retry(retry_config(&spec.options));
    match token {
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

/// The `gcs_base_url` of the service-account JSON `key`, if any: checked at open, and
/// a plain `http://` one (what fake-gcs-server and other emulators serve) lets the
/// client use plain HTTP, which object_store's refuses unless told otherwise, so
/// without this such a key could never be used. A key that is not JSON is left to
/// object_store to reject.
fn base_url(key: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(key)
        .ok()
        .and_then(|v| v.get("gcs_base_url")?.as_str().map(str::to_owned))
}

pub(super) fn build(spec: &StoreSpec, gcs: &GcsSpec) -> Result<Built> {
    Built::from_builder(
        spec,
        builder(spec, gcs)?.build(),
        format!("gs://{}", gcs.bucket),
        format!("gcs|{}", gcs.bucket),
        exposed([&gcs.token]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use object_store::gcp::GoogleConfigKey as K;

    test_builder!(gcs -> GoogleCloudStorageBuilder);

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
    fn plain_http_only_for_a_service_account_with_an_http_base_url() {
        let allow = |token: &str| {
            builder(&spec(token))
                .unwrap()
                .get_config_value(&K::Client(object_store::ClientConfigKey::AllowHttp))
        };
        let emulator =
            r#", "token": {"gcs_base_url": "http://127.0.0.1:4443", "disable_oauth": true}"#;
        assert_eq!(allow(emulator).as_deref(), Some("true"));
        let https = r#", "token": {"gcs_base_url": "https://gcs.example", "disable_oauth": true}"#;
        assert_eq!(allow(https).as_deref(), Some("false"));
        assert_eq!(
            allow(r#", "token": {"type": "service_account"}"#).as_deref(),
            Some("false")
        );

        let dir = std::env::temp_dir().join(format!("npystore-gcs-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("sa.json");
        std::fs::write(&file, r#"{"gcs_base_url": "http://127.0.0.1:4443"}"#).unwrap();
        // JSON-quoted: a Windows path has backslashes.
        let quoted = serde_json::Value::from(file.display().to_string());
        let from_file = allow(&format!(r#", "token": {quoted}"#));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(from_file.as_deref(), Some("true"));
        assert_eq!(
            allow(r#", "token": "/no/such/sa.json""#).as_deref(),
            Some("false")
        );
    }

    #[test]
    fn builds_the_generic_object_backend_with_bucket_and_prefix() {
        let spec = spec(r#", "token": "anon""#);
        let b = super::super::open_gcs(&spec, spec.gcs().unwrap()).unwrap();
        use crate::store::{Backend, Maps};
        assert_eq!(b.describe("a/b.npy"), "gs://lab-data/npy/a/b.npy");
        let maps = b.maps();
        assert!(
            matches!(&maps, Maps::Copies { identity } if identity.contains("lab-data")),
            "{maps:?}"
        );
    }
}
