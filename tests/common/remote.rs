//! The remote stores the suite runs against, from the variables that
//! scripts/s3-server.sh, scripts/azurite.sh and scripts/gcs-server.sh export. Every
//! remote test runs once per store kind found in [`all`] (the stores that take
//! npystore's puts); GCS (fake-gcs-server, which cannot) has its own read suite,
//! tests/remote_gcs.rs. With `NPYSTORE_REMOTE_REQUIRED=1` (scripts/test.sh) a
//! missing server fails the test instead of skipping it.
#![allow(dead_code)]

use npystore::Store;
use serde_json::{json, Value};

/// One configured remote store kind.
#[derive(Debug, Clone)]
pub struct Remote {
    /// `s3`, `azure` or `gcs`.
    pub kind: &'static str,
    /// The DataJoint store block, with a fresh location prefix.
    pub block: Value,
    /// Credential values that must never show in a message.
    pub secrets: Vec<String>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn fresh_location() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "t{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        npystore::path::random_token(6)
    )
}

/// The S3 store, if a server is configured: endpoint given without scheme, with
/// `secure: false`, as DataJoint users write it.
pub fn s3() -> Option<Remote> {
    let endpoint = var("NPYSTORE_S3_ENDPOINT")?;
    let (access, secret) = (
        var("NPYSTORE_S3_ACCESS_KEY")?,
        var("NPYSTORE_S3_SECRET_KEY")?,
    );
    Some(Remote {
        kind: "s3",
        block: json!({
            "protocol": "s3",
            "endpoint": endpoint.trim_start_matches("http://"),
            "secure": false,
            "bucket": var("NPYSTORE_S3_BUCKET")?,
            "location": fresh_location(),
            "access_key": access,
            "secret_key": secret,
        }),
        secrets: vec![secret],
    })
}

/// The Azure store (Azurite), if configured.
pub fn azure() -> Option<Remote> {
    let cs = var("NPYSTORE_AZURE_CONNECTION_STRING")?;
    let key = cs
        .split(';')
        .find_map(|p| p.strip_prefix("AccountKey="))
        .unwrap_or_default()
        .to_string();
    Some(Remote {
        kind: "azure",
        block: json!({
            "protocol": "azure",
            "container": var("NPYSTORE_AZURE_CONTAINER")?,
            "location": fresh_location(),
            "connection_string": cs,
        }),
        secrets: vec![key, cs],
    })
}

/// The GCS store (fake-gcs-server), if configured, as a DataJoint gcs block whose
/// `token` is a service-account JSON object pointing object_store at the emulator
/// (`gcs_base_url`) without OAuth: the same public config path users take.
pub fn gcs() -> Option<Remote> {
    let url = var("NPYSTORE_GCS_URL")?;
    let key = "npystore-emulator-key";
    Some(Remote {
        kind: "gcs",
        block: json!({
            "protocol": "gcs",
            "bucket": var("NPYSTORE_GCS_BUCKET")?,
            "location": fresh_location(),
            "project": "npystore",
            "token": {
                "type": "service_account",
                "gcs_base_url": url,
                "disable_oauth": true,
                "client_email": "npystore@emulator",
                "private_key_id": "emulator",
                "private_key": key,
            },
        }),
        secrets: vec![key.to_string()],
    })
}

/// `found` (the store of `kind`, started by `script`); with
/// `NPYSTORE_REMOTE_REQUIRED=1` its absence fails the test instead of skipping it.
fn required(found: Option<Remote>, kind: &str, script: &str) -> Option<Remote> {
    if found.is_none() {
        assert!(
            var("NPYSTORE_REMOTE_REQUIRED").is_none(),
            "no {kind} server configured: run through scripts/test.sh remote"
        );
        eprintln!("no {kind} server configured (scripts/{script}): {kind} skipped");
    }
    found
}

/// The S3 store if configured (see [`required`]).
pub fn s3_required() -> Option<Remote> {
    required(s3(), "S3", "s3-server.sh")
}

/// The GCS store if configured (see [`required`]).
pub fn gcs_required() -> Option<Remote> {
    required(gcs(), "GCS", "gcs-server.sh")
}

/// Every configured remote store (fresh prefixes each call).
pub fn all() -> Vec<Remote> {
    let found: Vec<Remote> = [s3(), azure()].into_iter().flatten().collect();
    if found.is_empty() {
        assert!(
            var("NPYSTORE_REMOTE_REQUIRED").is_none(),
            "no remote store configured: run through scripts/test.sh remote"
        );
        eprintln!("no remote store configured (scripts/s3-server.sh, scripts/azurite.sh): skipped");
    }
    found
}

impl Remote {
    /// The store, with npystore `options` (e.g. `{"retries": 0}`).
    pub fn open_with(&self, options: Value) -> Store {
        self.try_open(self.block.clone(), options)
            .expect("open remote store")
    }

    /// The store with default options plus a scratch cache directory.
    pub fn open(&self, cache_dir: &std::path::Path) -> Store {
        self.open_with(json!({"cache_dir": cache_dir.to_str().unwrap()}))
    }

    /// Open `block` (a changed copy of [`Remote::block`]) with `options`.
    pub fn try_open(&self, block: Value, options: Value) -> npystore::Result<Store> {
        let config = json!({"stores": {"r": block}, "npystore": {"stores": {"r": options}}});
        Store::open(Some(&config.to_string()), Some("r"))
    }

    /// A config JSON naming this store (`r`) the default, with npystore `options`:
    /// what `Store::open(Some(&config), None)` opens, e.g. in a child process.
    pub fn config(&self, options: Value) -> String {
        json!({"stores": {"default": "r", "r": self.block}, "npystore": {"stores": {"r": options}}})
            .to_string()
    }

    /// S3 only: the keys of the multipart uploads pending under this store's
    /// location (object_store cannot list them: tests/oracles/s3_uploads.py asks boto3
    /// through `$NPYSTORE_S3_ADMIN_PYTHON`, exported by scripts/s3-server.sh for moto).
    pub fn pending_uploads(&self) -> Vec<String> {
        self.s3_uploads("list")
    }

    /// S3 only: abort the pending multipart uploads under this store's location and
    /// return their keys.
    pub fn abort_pending_uploads(&self) -> Vec<String> {
        self.s3_uploads("abort")
    }

    fn s3_uploads(&self, action: &str) -> Vec<String> {
        assert_eq!(self.kind, "s3", "only S3 can list its pending uploads");
        let script = super::repo().join("tests/oracles/s3_uploads.py");
        let endpoint = format!("http://{}", self.block["endpoint"].as_str().unwrap());
        let prefix = format!("{}/", self.block["location"].as_str().unwrap());
        let args = [
            action,
            &endpoint,
            self.block["bucket"].as_str().unwrap(),
            &prefix,
        ];
        let out = if var(super::relay::ENV).is_some() {
            super::relay::run(super::relay::Python::S3Admin, &script, &args)
        } else {
            let python = var("NPYSTORE_S3_ADMIN_PYTHON").expect(
                "NPYSTORE_S3_ADMIN_PYTHON (a python with boto3) is not set: start moto with \
                 scripts/s3-server.sh or run through scripts/test.sh remote",
            );
            let out = std::process::Command::new(python)
                .arg(script)
                .args(args)
                .output()
                .expect("start the S3 admin python");
            super::relay::Output::from(out)
        };
        assert!(
            out.success,
            "s3_uploads.py {action} failed: {}\n{}",
            out.status, out.stderr
        );
        out.stdout
            .lines()
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect()
    }

    /// A copy of the block with `key` set to `value`.
    pub fn block_with(&self, key: &str, value: Value) -> Value {
        let mut block = self.block.clone();
        block[key] = value;
        block
    }

    /// Panic if `message` shows any credential.
    pub fn assert_no_secret(&self, message: &str) {
        for s in &self.secrets {
            assert!(
                !message.contains(s.as_str()),
                "{}: secret in message: {message}",
                self.kind
            );
        }
    }
}

impl Remote {
    /// The block pointed at another endpoint (`http://host:port`), e.g. a proxy.
    pub fn block_at(&self, url: &str) -> Value {
        match self.kind {
            "s3" => self.block_with("endpoint", json!(url.trim_start_matches("http://"))),
            "gcs" => {
                let mut block = self.block.clone();
                block["token"]["gcs_base_url"] = json!(url);
                block
            }
            _ => {
                let cs = self.block["connection_string"].as_str().unwrap();
                let changed: Vec<String> = cs
                    .split(';')
                    .map(|p| match p.strip_prefix("BlobEndpoint=") {
                        Some(old) => {
                            let account = old.rsplit('/').next().unwrap_or("");
                            format!("BlobEndpoint={url}/{account}")
                        }
                        None => p.to_string(),
                    })
                    .collect();
                self.block_with("connection_string", json!(changed.join(";")))
            }
        }
    }

    /// The server's address (host:port of the configured endpoint).
    pub fn server_addr(&self) -> std::net::SocketAddr {
        let url = match self.kind {
            "s3" => self.block["endpoint"].as_str().unwrap().to_string(),
            "gcs" => {
                self.block["token"]["gcs_base_url"].as_str().unwrap()["http://".len()..].to_string()
            }
            _ => self.block["connection_string"]
                .as_str()
                .unwrap()
                .split(';')
                .find_map(|p| p.strip_prefix("BlobEndpoint=http://"))
                .unwrap()
                .to_string(),
        };
        let hostport = url.split('/').next().unwrap();
        hostport.parse().expect("endpoint host:port")
    }

    /// The name of the bucket/container key in the block.
    pub fn bucket_key(&self) -> &'static str {
        if self.kind == "azure" {
            "container"
        } else {
            "bucket"
        }
    }
}
