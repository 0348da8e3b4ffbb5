//! Azure Blob Storage from DataJoint's `azure` store spec.

use super::{client_options, exposed, retry_config, url_password, Built};
use crate::config::{endpoint, AzureSpec, StoreSpec};
use crate::error::{bail, Result};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};

/// The builder for `spec`: container, then credentials from `connection_string`
/// (`AccountName`, `AccountKey`, `BlobEndpoint`, `SharedAccessSignature`,
/// `DefaultEndpointsProtocol`, `EndpointSuffix`, `UseDevelopmentStorage=true` for
/// Azurite at `AZURITE_BLOB_STORAGE_URL`), overridden by `account_name` and
/// `account_key`; anything unset comes from the environment's chain (`AZURE_*`
/// variables, workload or managed identity, the Azure CLI).
pub(super) fn builder(spec: &StoreSpec, az: &AzureSpec) -> Result<MicrosoftAzureBuilder> {
    let mut b = MicrosoftAzureBuilder::from_env()
        .with_container_name(&az.container)
        .with_client_options(client_options(&spec.options))
        .with_retry(retry_config(&spec.options));
    if let Some(cs) = &az.connection_string {
        b = apply_connection_string(b, cs.expose(), &spec.name)?;
    }
    if let Some(account) = &az.account_name {
        check_account(
            &format!("config.stores[\"{}\"].account_name", spec.name),
            account,
        )?;
        b = b.with_account(account);
    }
    if let Some(key) = &az.account_key {
        b = b.with_access_key(key.expose());
    }
    Ok(b)
}

fn apply_connection_string(
    mut b: MicrosoftAzureBuilder,
    text: &str,
    store: &str,
) -> Result<MicrosoftAzureBuilder> {
    let mut protocol = "https".to_string();
    let (mut account, mut suffix, mut endpoint) = (None, None, None);
    for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = pair.split_once('=') else {
            // Never echo the pair: it may hold the key.
            bail!(
                Config,
                "config.stores[\"{store}\"].connection_string is malformed: expected Name=value pairs separated by ';'"
            );
        };
        match name.trim() {
            "AccountName" => account = Some(value.to_string()),
            "AccountKey" => b = b.with_access_key(value),
            "BlobEndpoint" => endpoint = Some(value.trim_end_matches('/').to_string()),
            "SharedAccessSignature" => b = b.with_config(AzureConfigKey::SasKey, value),
            "DefaultEndpointsProtocol" => protocol = value.to_string(),
            "EndpointSuffix" => suffix = Some(value.to_string()),
            "UseDevelopmentStorage" if value.eq_ignore_ascii_case("true") => {
                b = b.with_use_emulator(true)
            }
            _ => {}
        }
    }
    let what = format!("config.stores[\"{store}\"].connection_string");
    match &endpoint {
        Some(url) => endpoint::check(url, &format!("{what}: BlobEndpoint"), true)?,
        None => {
            if let (Some(account), Some(suffix)) = (&account, &suffix) {
                let url = format!("{protocol}://{account}.blob.{suffix}");
                let parts = "DefaultEndpointsProtocol, AccountName and EndpointSuffix";
                endpoint::check(&url, &format!("{what}: the URL {parts} make"), true)?;
                endpoint = Some(url);
            }
        }
    }
    if let Some(account) = account {
        check_account(&format!("{what}: AccountName"), &account)?;
        b = b.with_account(account);
    }
    if let Some(url) = endpoint {
        let url = endpoint::lowercase_scheme(&url);
        b = b
            .with_allow_http(endpoint::has_scheme(&url, "http"))
            .with_endpoint(url);
    }
    Ok(b)
}

/// A Config error unless `account` can be the first label of a host name
/// (`<account>.blob.core.windows.net`), as object_store makes it.
fn check_account(what: &str, account: &str) -> Result<()> {
    match account.chars().find(|c| !c.is_ascii_alphanumeric()) {
        None if !account.is_empty() => Ok(()),
        None => bail!(Config, "{what} is empty"),
        Some(c) => bail!(
            Config,
            "{what} holds '{}': a storage account name has only letters and digits",
            c.escape_debug()
        ),
    }
}

pub(super) fn build(spec: &StoreSpec, az: &AzureSpec) -> Result<Built> {
    let mut secrets = exposed([&az.account_key, &az.connection_string]);
    // The key inside a connection string is a secret on its own too.
    if let Some(cs) = &az.connection_string {
        secrets.extend(
            cs.expose()
                .split(';')
                .filter_map(|p| p.trim().strip_prefix("AccountKey="))
                .map(str::to_string),
        );
        secrets.extend(
            cs.expose()
                .split(';')
                .filter_map(|p| p.trim().strip_prefix("BlobEndpoint="))
                .filter_map(url_password),
        );
    }
    let builder = builder(spec, az)?;
    let endpoint = builder
        .get_config_value(&AzureConfigKey::Endpoint)
        .or_else(|| builder.get_config_value(&AzureConfigKey::AccountName))
        .unwrap_or_default();
    Built::from_builder(
        spec,
        builder.build(),
        format!("az://{}", az.container),
        format!("azure|{endpoint}|{}", az.container),
        secrets,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use AzureConfigKey as K;

    test_builder!(azure -> MicrosoftAzureBuilder);

    fn spec(extra: &str) -> StoreSpec {
        let text = format!(
            r#"{{"stores": {{"a": {{"protocol": "azure", "container": "c1", "location": "npy"{extra}}}}}}}"#
        );
        super::super::test_spec(&text, "a")
    }

    #[test]
    fn maps_names_keys_and_connection_strings() {
        let b = builder(&spec(r#", "account_name": "acct", "account_key": "a2V5""#)).unwrap();
        assert_eq!(b.get_config_value(&K::ContainerName).as_deref(), Some("c1"));
        assert_eq!(b.get_config_value(&K::AccountName).as_deref(), Some("acct"));
        assert_eq!(b.get_config_value(&K::AccessKey).as_deref(), Some("a2V5"));
        let cs = r#", "connection_string": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;""#;
        let b = builder(&spec(cs)).unwrap();
        assert_eq!(
            b.get_config_value(&K::AccountName).as_deref(),
            Some("devstoreaccount1")
        );
        assert_eq!(
            b.get_config_value(&K::Endpoint).as_deref(),
            Some("http://127.0.0.1:10000/devstoreaccount1")
        );
        let suffix = r#", "connection_string": "AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net""#;
        let b = builder(&spec(suffix)).unwrap();
        assert_eq!(
            b.get_config_value(&K::Endpoint).as_deref(),
            Some("https://acct.blob.core.windows.net")
        );
        let dev = builder(&spec(
            r#", "connection_string": "UseDevelopmentStorage=true""#,
        ))
        .unwrap();
        assert_eq!(
            dev.get_config_value(&K::UseEmulator).as_deref(),
            Some("true")
        );
        let bad = builder(&spec(r#", "connection_string": "AccountKey""#)).unwrap_err();
        assert_eq!(bad.kind(), ErrorKind::Config);
        assert!(!bad.message().contains("AccountKey="));
    }
}
