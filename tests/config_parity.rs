//! The same datajoint.json (with npystore's block, secrets and flat keys) read by
//! DataJoint 2.3.5 and by npystore gives the same store specs and the same errors,
//! and DataJoint loads the file without complaint.

mod common;

use std::fs;

use npystore::config::{Config, StoreSpec};
use serde_json::{json, Value};

const DATAJOINT_JSON: &str = r#"{
  "database": {"host": "localhost"},
  "safemode": true,
  "stores": {
    "default": "files",
    "files": {"protocol": "file", "location": "data", "partition_pattern": "{subject}", "token_length": 12},
    "s3store": {"protocol": "s3", "endpoint": "minio:9000", "bucket": "lab", "location": "npy", "secure": false,
                "access_key": "AK", "schema_prefix": "objs", "hash_prefix": "blobs", "subfolding": [2, 2]},
    "gcsstore": {"protocol": "gcs", "bucket": "g", "location": "p", "project": "proj", "token_length": 40},
    "azstore": {"protocol": "azure", "container": "c", "location": "", "account_name": "acct",
                "schema_prefix": "", "stage": "/tmp/stage", "filepath_prefix": "raw"},
    "badkey": {"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "", "region": "x"},
    "overlap": {"protocol": "file", "location": "data", "hash_prefix": "_schema/h"},
    "missing": {"protocol": "gcs", "location": ""},
    "ftp": {"protocol": "ftp", "location": ""},
    "nodir": {"protocol": "file", "location": "no/such/dir"},
    "halfcreds": {"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "", "secret_key": "S"}
  },
  "stores.flat.protocol": "file",
  "stores.flat.location": "data",
  "npystore": {"defaults": {"retries": 3, "merge_gap_bytes": 65536},
               "stores": {"s3store": {"region": "eu-west-1", "virtual_hosted_style": false, "fsync": false}}}
}"#;

const NAMES: [&str; 13] = [
    "<default>",
    "files",
    "s3store",
    "gcsstore",
    "azstore",
    "flat",
    "badkey",
    "overlap",
    "missing",
    "ftp",
    "nodir",
    "halfcreds",
    "nonexistent",
];

/// Our spec in DataJoint's vocabulary: the value DataJoint's dict holds under `key`.
fn ours(spec: &StoreSpec, key: &str, dj_value: &Value) -> Value {
    let s3 = spec.s3();
    let gcs = spec.gcs();
    let az = spec.azure();
    let secret = |s: Option<&npystore::config::Secret>| s.map(|s| s.expose().to_string());
    match key {
        "protocol" => json!(spec.protocol().as_str()),
        "location" => json!(spec.location),
        "schema_prefix" => json!(spec.path.schema_prefix),
        "hash_prefix" => json!(spec.hash_prefix),
        "filepath_prefix" => json!(spec.filepath_prefix),
        "partition_pattern" => json!(spec.path.partition_pattern),
        "subfolding" => json!(spec.subfolding),
        "stage" => json!(spec.stage),
        // DataJoint keeps the number and clamps when it draws a token.
        "token_length" => json!(npystore::path::clamp_token_length(
            dj_value.as_i64().unwrap()
        )),
        "endpoint" => json!(s3.unwrap().endpoint),
        "secure" => json!(s3.unwrap().secure),
        "proxy_server" => json!(s3.unwrap().proxy_server),
        "access_key" => json!(secret(s3.unwrap().access_key.as_ref())),
        "secret_key" => json!(secret(s3.unwrap().secret_key.as_ref())),
        "bucket" => json!(s3.map(|s| &s.bucket).or(gcs.map(|g| &g.bucket))),
        "token" => json!(secret(gcs.unwrap().token.as_ref())),
        "project" => json!(gcs.unwrap().project),
        "container" => json!(az.unwrap().container),
        "account_name" => json!(az.unwrap().account_name),
        "account_key" => json!(secret(az.unwrap().account_key.as_ref())),
        "connection_string" => json!(secret(az.unwrap().connection_string.as_ref())),
        other => panic!("DataJoint's spec has a key the test does not map: {other}"),
    }
}

/// DataJoint's message up to its first ". " (npystore may add its own explanation after).
fn first_sentence(msg: &str) -> &str {
    msg.split_once(". ").map_or(msg, |(head, _)| head)
}

#[test]
fn datajoint_and_npystore_read_the_same_specs() {
    let s = common::Scratch::new("config-parity");
    fs::write(s.path().join("datajoint.json"), DATAJOINT_JSON).unwrap();
    fs::create_dir_all(s.path().join("data")).unwrap();
    fs::create_dir_all(s.path().join(".secrets")).unwrap();
    fs::write(s.path().join(".secrets/stores.s3store.secret_key"), "SK\n").unwrap();
    fs::write(
        s.path().join(".secrets/stores.s3store.access_key"),
        "NOT-USED",
    )
    .unwrap();
    fs::write(
        s.path().join(".secrets/stores.azstore.account_key"),
        " AZK ",
    )
    .unwrap();

    let out = common::run_python(
        &common::repo().join("tests/oracles/dj_config.py"),
        &[&[s.path().to_str().unwrap()][..], &NAMES[..]].concat(),
    );
    let dj: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        dj["config_warnings"],
        json!([]),
        "DataJoint must load the file (npystore block included) cleanly"
    );

    let config = Config::discover_with(s.path(), &|_| None).unwrap();
    let mut keys = config.store_names();
    keys.push("default".into());
    keys.sort();
    assert_eq!(json!(keys), dj["store_keys"]);

    let mut compared = (0, 0);
    for name in NAMES {
        let got = config.store(if name == "<default>" {
            None
        } else {
            Some(name)
        });
        let expected = &dj["specs"][name];
        match (got, expected.get("spec"), expected.get("error")) {
            (Ok(spec), Some(Value::Object(dj_spec)), _) => {
                compared.0 += 1;
                for (key, dj_value) in dj_spec {
                    let mut mine = ours(&spec, key, dj_value);
                    if key == "location" && common::relay::active() {
                        // Under Wine: DataJoint ran on the host, with host paths.
                        mine = json!(common::relay::host_path(mine.as_str().unwrap()));
                    }
                    let theirs = if key == "token_length" {
                        mine.clone()
                    } else {
                        dj_value.clone()
                    };
                    assert_eq!(mine, theirs, "{name}.{key}");
                }
            }
            (Err(e), _, Some(Value::String(dj_msg))) => {
                compared.1 += 1;
                let want = first_sentence(dj_msg);
                assert!(
                    e.message().starts_with(want),
                    "{name}: npystore {:?} vs DataJoint {dj_msg:?}",
                    e.message()
                );
            }
            (got, _, _) => panic!("{name}: npystore {got:?} but DataJoint {expected}"),
        }
    }
    assert_eq!(compared, (6, 7));

    let s3 = config.store(Some("s3store")).unwrap();
    assert_eq!(
        (
            s3.options.region.as_deref(),
            s3.options.retries,
            s3.options.fsync
        ),
        (Some("eu-west-1"), 3, false)
    );
    assert_eq!(
        s3.s3().cloned().unwrap().endpoint_url(),
        "http://minio:9000"
    );
}
