//! S3 and S3-compatible servers from DataJoint's `s3` store spec.

use super::{client_options, exposed, retry_config, url_password, Built};
use crate::config::{endpoint, S3Spec, StoreSpec};
use crate::error::Result;
use object_store::aws::AmazonS3Builder;

/// Whether `url` is AWS itself: then object_store derives the regional endpoint.
fn is_aws(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    host == "s3.amazonaws.com" || (host.starts_with("s3.") && host.ends_with(".amazonaws.com"))
}

/// The builder for `spec`: endpoint (scheme from `secure` when absent), bucket,
/// credentials from the spec or else the environment's chain (`AWS_*` variables,
/// profile-less web identity, instance metadata), region and addressing style.
pub(super) fn builder(spec: &StoreSpec, s3: &S3Spec) -> Result<AmazonS3Builder> {
    let url = s3.endpoint_url();
    let mut b = AmazonS3Builder::from_env()
        .with_bucket_name(&s3.bucket)
        .with_virtual_hosted_style_request(spec.options.virtual_hosted_style)
        .with_client_options(client_options(&spec.options))
        .with_retry(retry_config(&spec.options));
    if !is_aws(&url) {
        b = b.with_endpoint(url.trim_end_matches('/'));
    }
    if endpoint::has_scheme(&url, "http") {
        b = b.with_allow_http(true);
    }
    if let Some(region) = &spec.options.region {
        b = b.with_region(region);
    }
    if let (Some(access), Some(secret)) = (&s3.access_key, &s3.secret_key) {
        b = b
            .with_access_key_id(access.expose())
            .with_secret_access_key(secret.expose());
    }
    if let Some(proxy) = &s3.proxy_server {
        b = b.with_proxy_url(proxy);
    }
    Ok(b)
}

pub(super) fn build(spec: &StoreSpec, s3: &S3Spec) -> Result<Built> {
    let url = s3.endpoint_url();
    let mut secrets = exposed([&s3.access_key, &s3.secret_key]);
    let urls = [Some(&s3.endpoint), s3.proxy_server.as_ref()];
    secrets.extend(urls.into_iter().flatten().filter_map(|u| url_password(u)));
    Built::from_builder(
        spec,
        builder(spec, s3)?.build(),
        format!("s3://{}", s3.bucket),
        format!("s3|{url}|{}", s3.bucket),
        secrets,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::aws::AmazonS3ConfigKey as K;

    test_builder!(s3 -> AmazonS3Builder);

    fn spec(store: &str, npystore: &str) -> StoreSpec {
        let text = format!(
            r#"{{"stores": {{"x": {store}}}, "npystore": {{"stores": {{"x": {npystore}}}}}}}"#
        );
        super::super::test_spec(&text, "x")
    }

    #[test]
    fn maps_datajoint_s3_spec_and_options() {
        let s = spec(
            r#"{"protocol": "s3", "endpoint": "127.0.0.1:9000", "bucket": "lab", "location": "npy",
                "access_key": "AK", "secret_key": "SK", "secure": false}"#,
            r#"{"region": "eu-central-1", "virtual_hosted_style": true}"#,
        );
        let b = builder(&s).unwrap();
        assert_eq!(
            b.get_config_value(&K::Endpoint).as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(b.get_config_value(&K::Bucket).as_deref(), Some("lab"));
        assert_eq!(b.get_config_value(&K::AccessKeyId).as_deref(), Some("AK"));
        assert_eq!(
            b.get_config_value(&K::SecretAccessKey).as_deref(),
            Some("SK")
        );
        assert_eq!(
            b.get_config_value(&K::Region).as_deref(),
            Some("eu-central-1")
        );
        assert_eq!(
            b.get_config_value(&K::VirtualHostedStyleRequest).as_deref(),
            Some("true")
        );
        let secure = spec(
            r#"{"protocol": "s3", "endpoint": "minio.lab:9000", "bucket": "b", "location": ""}"#,
            "{}",
        );
        let b = builder(&secure).unwrap();
        assert_eq!(
            b.get_config_value(&K::Endpoint).as_deref(),
            Some("https://minio.lab:9000")
        );
        let aws = spec(
            r#"{"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "b", "location": ""}"#,
            "{}",
        );
        assert!(builder(&aws)
            .unwrap()
            .get_config_value(&K::Endpoint)
            .is_none());
    }
}
