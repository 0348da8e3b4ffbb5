//! Config discovery as DataJoint 2.3.5 does it: walk-up, .git/.hg stop, DJ_STORES,
//! DJ_IGNORE_CONFIG_FILE, secrets, legacy and flat store forms, the default store.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use common::Scratch;
use npystore::config::{Config, Protocol};
use npystore::ErrorKind;

/// Write `text` to `dir/rel`, creating folders.
fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// Discover from `start` with only `vars` in the environment and `sys` as the system secrets dir.
fn discover(start: &Path, vars: &[(&str, &str)], sys: &Path) -> npystore::Result<Config> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::discover_in(start, &|k| vars.get(k).cloned(), sys)
}

const MAIN_S3: &str = r#"{"stores": {"default": "main",
  "main": {"protocol": "s3", "endpoint": "h:9000", "bucket": "b", "location": "l", "access_key": "AK_FILE", "secret_key": "SK_FILE"},
  "other": {"protocol": "memory"}}}"#;

#[test]
fn walks_up_to_the_nearest_datajoint_json() {
    let s = Scratch::new("walkup");
    write(s.path(), "a/datajoint.json", MAIN_S3);
    write(
        s.path(),
        "datajoint.json",
        r#"{"stores": {"outer": {"protocol": "memory"}}}"#,
    );
    fs::create_dir_all(s.path().join("a/b/c")).unwrap();
    let c = discover(&s.path().join("a/b/c"), &[], &s.path().join("no-sys")).unwrap();
    assert_eq!(c.store_names(), ["main", "other"]);
    assert_eq!(
        c.origin().file.as_deref(),
        Some(
            common::canonical(s.path())
                .join("a")
                .join("datajoint.json")
                .as_path()
        )
    );
    // Starting in a directory that holds the file finds that one.
    let c = discover(s.path(), &[], &s.path().join("no-sys")).unwrap();
    assert_eq!(c.store_names(), ["outer"]);
}

#[test]
fn stops_at_git_or_hg_and_then_has_no_stores() {
    let s = Scratch::new("vcsstop");
    write(s.path(), "datajoint.json", MAIN_S3);
    fs::create_dir_all(s.path().join("repo/.git")).unwrap();
    write(s.path(), "hg/.hg", ""); // a file counts too: DataJoint checks exists()
    fs::create_dir_all(s.path().join("repo/sub")).unwrap();
    fs::create_dir_all(s.path().join("hg/sub")).unwrap();
    for start in ["repo/sub", "hg/sub", "repo"] {
        let c = discover(&s.path().join(start), &[], &s.path().join("no-sys")).unwrap();
        assert!(c.store_names().is_empty(), "{start}");
        assert!(c.origin().file.is_none());
        let e = c.store(Some("main")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StoreNotConfigured);
        assert_eq!(
            e.message(),
            "Storage 'main' is requested but not configured in stores (no stores are configured)"
        );
        let e = c.store(None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StoreNotConfigured);
        assert!(
            e.message().starts_with("stores.default is not configured"),
            "{e}"
        );
    }
    // A datajoint.json in the directory holding .git is still found.
    write(
        s.path(),
        "repo/datajoint.json",
        r#"{"stores": {"r": {"protocol": "memory"}}}"#,
    );
    let c = discover(&s.path().join("repo/sub"), &[], &s.path().join("no-sys")).unwrap();
    assert_eq!(c.store_names(), ["r"]);
}

#[test]
fn dj_stores_replaces_the_whole_stores_block() {
    let s = Scratch::new("djstores");
    write(s.path(), "datajoint.json", MAIN_S3);
    let sys = s.path().join("no-sys");
    let c = discover(
        s.path(),
        &[(
            "DJ_STORES",
            r#"{"x": {"protocol": "memory", "location": "m"}}"#,
        )],
        &sys,
    )
    .unwrap();
    assert_eq!(c.store_names(), ["x"]);
    assert!(c.origin().stores_from_env && c.origin().file.is_some());
    assert_eq!(
        c.store(None).unwrap_err().kind(),
        ErrorKind::StoreNotConfigured,
        "default went with the block"
    );
    assert_eq!(c.store(Some("x")).unwrap().location, "m");
    // Empty means unset.
    let c = discover(s.path(), &[("DJ_STORES", "")], &sys).unwrap();
    assert_eq!(c.store_names(), ["main", "other"]);
    for (value, message) in [
        ("{nope", "DJ_STORES contains invalid JSON: "),
        ("[1]", "DJ_STORES must be a JSON object, got list"),
        ("\"s\"", "DJ_STORES must be a JSON object, got str"),
        ("3", "DJ_STORES must be a JSON object, got int"),
        ("null", "DJ_STORES must be a JSON object, got NoneType"),
    ] {
        let e = discover(s.path(), &[("DJ_STORES", value)], &sys).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().starts_with(message), "{value}: {e}");
    }
}

#[test]
fn dj_ignore_config_file_skips_the_file_and_the_secrets_but_not_dj_stores() {
    let s = Scratch::new("ignore");
    write(s.path(), "datajoint.json", MAIN_S3);
    write(s.path(), ".secrets/stores.x.secret_key", "SK");
    let sys = s.path().join("sys");
    write(&sys, "stores.x.access_key", "AK");
    let env_stores = r#"{"x": {"protocol": "memory"}}"#;
    for truthy in ["1", "true", "TRUE", "t", "yes", "Y", "on"] {
        let c = discover(s.path(), &[("DJ_IGNORE_CONFIG_FILE", truthy)], &sys).unwrap();
        assert!(
            c.store_names().is_empty() && c.origin().file.is_none(),
            "{truthy}"
        );
        let c = discover(
            s.path(),
            &[("DJ_IGNORE_CONFIG_FILE", truthy), ("DJ_STORES", env_stores)],
            &sys,
        )
        .unwrap();
        assert_eq!(c.store_names(), ["x"]);
        assert!(c.origin().secrets_dir.is_none());
        // No secret was merged: the memory store would reject the s3 keys.
        c.store(Some("x")).unwrap();
    }
    for falsy in ["0", "false", "F", "no", "n", "Off"] {
        let c = discover(s.path(), &[("DJ_IGNORE_CONFIG_FILE", falsy)], &sys).unwrap();
        assert_eq!(c.store_names(), ["main", "other", "x"], "{falsy}");
    }
    for bad in ["", "maybe", "2"] {
        let e = discover(s.path(), &[("DJ_IGNORE_CONFIG_FILE", bad)], &sys).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.message()
                .starts_with("DJ_IGNORE_CONFIG_FILE must be a boolean"),
            "{e}"
        );
    }
}

#[test]
fn secrets_fill_only_keys_left_unset() {
    let s = Scratch::new("secrets");
    write(
        s.path(),
        "datajoint.json",
        r#"{"stores": {"main": {"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "",
            "access_key": "AK_FILE", "proxy_server": null},
            "az": {"protocol": "azure", "container": "c", "location": ""}}}"#,
    );
    for (name, text) in [
        ("stores.main.access_key", "AK_SECRET"),
        ("stores.main.secret_key", "  SK_SECRET\n\t"),
        ("stores.main.proxy_server", "http://never"),
        ("stores.az.account_key", "AZK\n"),
        ("stores.ghost.secret_key", "x"),
        (".stores.main.bucket", "hidden files are ignored"),
        ("stores.main", "two parts are ignored"),
        ("database.password", "not a store"),
    ] {
        write(&s.path().join(".secrets"), name, text);
    }
    let sys = s.path().join("sys");
    write(&sys, "stores.az.account_name", "from-system");
    let c = discover(s.path(), &[], &sys).unwrap();
    assert_eq!(
        c.origin().secrets_dir.as_deref(),
        Some(common::canonical(s.path()).join(".secrets").as_path())
    );
    let main = c.store(Some("main")).unwrap();
    let s3 = main.s3().cloned().unwrap();
    assert_eq!(s3.access_key.unwrap().expose(), "AK_FILE", "the file wins");
    assert_eq!(s3.secret_key.unwrap().expose(), "SK_SECRET", "stripped");
    assert_eq!(
        s3.proxy_server, None,
        "an explicit null is set, so no secret fills it"
    );
    assert_eq!(s3.bucket, "b");
    let az = c.store(Some("az")).unwrap().azure().cloned().unwrap();
    assert_eq!(az.account_key.unwrap().expose(), "AZK");
    assert_eq!(
        az.account_name, None,
        "project .secrets/ wins over the system directory"
    );
    // A secret for an unknown store creates it, as in DataJoint; using it then fails.
    assert!(c.store_names().contains(&"ghost".to_string()));
    let e = c.store(Some("ghost")).unwrap_err();
    assert!(
        e.message()
            .starts_with("Unknown protocol \"\" in config.stores[\"ghost\"]."),
        "{e}"
    );

    // No project .secrets/: the system directory is used, and it fills DJ_STORES stores too.
    fs::remove_dir_all(s.path().join(".secrets")).unwrap();
    let env = [(
        "DJ_STORES",
        r#"{"az": {"protocol": "azure", "container": "c", "location": ""}}"#,
    )];
    let c = discover(s.path(), &env, &sys).unwrap();
    assert_eq!(c.origin().secrets_dir.as_deref(), Some(sys.as_path()));
    assert_eq!(
        c.store(Some("az"))
            .unwrap()
            .azure()
            .cloned()
            .unwrap()
            .account_name
            .as_deref(),
        Some("from-system")
    );
}

#[test]
fn explicit_file_gets_its_secrets_but_not_the_environment() {
    let s = Scratch::new("fromfile");
    write(
        s.path(),
        "cfg/my.json",
        r#"{"stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "p"}}}"#,
    );
    write(
        s.path(),
        "cfg/.secrets/stores.g.token",
        "/path/to/sa.json\n",
    );
    let path = s.path().join("cfg/my.json");
    let c = Config::from_file_in(&path, &s.path().join("no-sys")).unwrap();
    assert_eq!(
        c.store(Some("g"))
            .unwrap()
            .gcs()
            .cloned()
            .unwrap()
            .token
            .unwrap()
            .expose(),
        "/path/to/sa.json"
    );
    let c = Config::from_arg(Some(path.to_str().unwrap())).unwrap();
    assert_eq!(c.origin().file.as_deref(), Some(path.as_path()));
    let e = Config::from_arg(Some(s.path().join("missing.json").to_str().unwrap())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let c = Config::from_arg(Some("  {\"stores\": {\"m\": {\"protocol\": \"memory\"}}}")).unwrap();
    assert!(c.origin().inline);
    assert_eq!(c.store(Some("m")).unwrap().protocol(), Protocol::Memory);
}

#[test]
fn legacy_object_storage_and_flat_keys() {
    let legacy =
        r#"{"object_storage": {"stores": {"default": "old", "old": {"protocol": "memory"}}}}"#;
    let c = Config::from_json_str(legacy, None).unwrap();
    assert_eq!(c.store(None).unwrap().name, "old");
    // When both forms exist, the top-level `stores` wins entirely.
    let both = r#"{"stores": {"new": {"protocol": "memory"}},
                   "object_storage": {"stores": {"old": {"protocol": "memory"}}}}"#;
    assert_eq!(
        Config::from_json_str(both, None).unwrap().store_names(),
        ["new"]
    );
    // DataJoint's flat dot-notation keys, applied on top of the block.
    let flat = r#"{"stores": {"m": {"protocol": "s3", "endpoint": "h", "bucket": "b"}},
                   "stores.m.location": "deep", "stores.n.protocol": "memory"}"#;
    let c = Config::from_json_str(flat, None).unwrap();
    assert_eq!(c.store(Some("m")).unwrap().location, "deep");
    assert_eq!(c.store_names(), ["m", "n"]);
}

#[test]
fn default_store_resolution() {
    let c = Config::from_json_str(MAIN_S3, None).unwrap();
    assert_eq!(c.store(None).unwrap().name, "main");
    assert_eq!(c.store(Some("")).unwrap().name, "main");
    assert_eq!(c.default_store_name().unwrap(), "main");
    let c = Config::from_json_str(
        r#"{"stores": {"default": "nope", "a": {"protocol": "memory"}}}"#,
        None,
    )
    .unwrap();
    let e = c.store(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreNotConfigured);
    assert_eq!(
        e.message(),
        "Storage 'nope' is requested but not configured in stores (configured: a)"
    );
    let c = Config::from_json_str(r#"{"stores": {"default": 3}}"#, None).unwrap();
    let e = c.store(None).unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::Config, "stores.default must be a string")
    );
    // "default" is a setting, not a store.
    let e = Config::from_json_str(MAIN_S3, None)
        .unwrap()
        .store(Some("default"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StoreNotConfigured);
}

#[test]
fn relative_file_locations_follow_the_start_directory() {
    let s = Scratch::new("relative");
    write(
        s.path(),
        "proj/datajoint.json",
        r#"{"stores": {"f": {"protocol": "file", "location": "data"}}}"#,
    );
    fs::create_dir_all(s.path().join("proj/sub/data")).unwrap();
    let start = s.path().join("proj/sub");
    let spec = discover(&start, &[], &s.path().join("no-sys"))
        .unwrap()
        .store(Some("f"))
        .unwrap();
    assert_eq!(
        Path::new(&spec.location),
        common::canonical(&start).join("data")
    );
    // Not relative to the config file's directory: there is no proj/data.
    let spec = Config::from_json_str(
        r#"{"stores": {"f": {"protocol": "file", "location": "sub/data"}}}"#,
        Some(&s.path().join("proj")),
    );
    assert_eq!(
        Path::new(&spec.unwrap().store(Some("f")).unwrap().location),
        s.path().join("proj/sub/data")
    );
}

#[test]
fn npystore_block_sets_options_per_store_and_rejects_unknown_keys() {
    let s = Scratch::new("options");
    let json = r#"{"stores": {"a": {"protocol": "memory"}, "b": {"protocol": "memory"}},
      "npystore": {"defaults": {"retries": 2, "fsync": true},
                   "stores": {"b": {"retries": 7, "region": "eu-central-1", "virtual_hosted_style": true,
                              "connect_timeout_ms": 1500, "request_timeout_ms": 9000, "concurrency": 3,
                              "part_size_bytes": 5242880, "cache_dir": "cache", "cache_max_bytes": 0,
                              "merge_gap_bytes": 0}}}}"#;
    let c = Config::from_json_str(json, Some(s.path())).unwrap();
    let a = c.store(Some("a")).unwrap().options;
    assert_eq!(
        (
            a.retries,
            a.fsync,
            a.concurrency,
            a.region,
            a.merge_gap_bytes
        ),
        (2, true, 4, None, None)
    );
    let b = c.store(Some("b")).unwrap().options;
    assert_eq!(
        (b.retries, b.fsync, b.concurrency, b.merge_gap_bytes),
        (7, true, 3, Some(0))
    );
    assert_eq!(b.region.as_deref(), Some("eu-central-1"));
    assert!(b.virtual_hosted_style);
    assert_eq!(
        (
            b.connect_timeout_ms,
            b.request_timeout_ms,
            b.part_size_bytes,
            b.cache_max_bytes
        ),
        (1500, 9000, 5 << 20, 0)
    );
    assert_eq!(
        b.cache_dir.as_deref(),
        Some(s.path().join("cache").as_path())
    );
    for (block, message) in [
        (
            r#"{"stores": {"b": {"retry": 1}}}"#,
            r#"Invalid key(s) in npystore.stores["b"]: retry"#,
        ),
        (r#"{"default": {}}"#, "Invalid key(s) in npystore: default"),
        (
            r#"{"defaults": {"fsync": "yes"}}"#,
            "npystore.defaults.fsync must be true or false",
        ),
        (
            r#"{"defaults": {"concurrency": 0}}"#,
            "npystore.defaults.concurrency must be an integer in 1..=1024",
        ),
        (
            r#"{"stores": {"b": {"part_size_bytes": 1024}}}"#,
            r#"npystore.stores["b"].part_size_bytes must be an integer in 5242880..=5368709120"#,
        ),
        (
            r#"{"defaults": {"merge_gap_bytes": -1}}"#,
            "npystore.defaults.merge_gap_bytes must be an integer in 0..=18446744073709551615",
        ),
        (r#"{"stores": []}"#, "npystore.stores must be a JSON object"),
        ("[]", "npystore must be a JSON object"),
    ] {
        let json = format!(r#"{{"stores": {{}}, "npystore": {block}}}"#);
        let e = Config::from_json_str(&json, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.message(), format!("in inline JSON: {message}"), "{block}");
    }
}

#[test]
fn malformed_files_are_errors_not_silently_ignored() {
    for (text, why) in [
        ("{", "EOF while parsing"),
        ("[]", "the top level must be a JSON object"),
        (r#"{"stores": []}"#, "\"stores\" must be a JSON object"),
        (
            r#"{"stores": {"m": 1}, "stores.m.location": "x"}"#,
            "stores.m is not a JSON object",
        ),
    ] {
        let e = Config::from_json_str(text, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(
            e.message()
                .starts_with("Failed to load config from inline JSON: ")
                && e.message().contains(why),
            "{e}"
        );
    }
}

/// A config text holding a secret, for the tests below.
const WITH_KEY: &str = r#"{"stores": {"m": {"protocol": "memory"}}, "k": "SK_NEVER_SHOWN"}"#;

#[test]
fn text_with_a_bom_or_whitespace_before_the_brace_is_json_text() {
    for prefix in ["", " ", "\n\t\r ", "\u{feff}", "\u{feff} \n"] {
        let text = format!("{prefix}{WITH_KEY}");
        let c = Config::from_arg(Some(&text)).unwrap_or_else(|e| panic!("{prefix:?}: {e}"));
        assert!(c.origin().inline, "{prefix:?}");
        assert_eq!(c.store(Some("m")).unwrap().protocol(), Protocol::Memory);
    }
    // Whitespace JSON does not know is still JSON text, refused by the JSON parser.
    let e = Config::from_arg(Some(&format!("\u{a0}{WITH_KEY}"))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.message()
            .starts_with("Failed to load config from inline JSON: "),
        "{e}"
    );
    assert!(!e.message().contains("SK_NEVER_SHOWN"), "{e}");
}

#[test]
fn a_file_with_a_bom_is_refused_as_datajoint_refuses_it() {
    let s = Scratch::new("bom");
    write(s.path(), "p/datajoint.json", &format!("\u{feff}{WITH_KEY}"));
    let file = s.path().join("p").join("datajoint.json");
    let sys = s.path().join("no-sys");
    for e in [
        Config::from_file_in(&file, &sys).unwrap_err(),
        discover(&s.path().join("p"), &[], &sys).unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(
            e.message(),
            format!(
                "Failed to load config from {}: it starts with a UTF-8 byte order mark, \
                 which DataJoint (json.load) refuses; save it as UTF-8 without one",
                file.display()
            )
        );
    }
}

#[test]
fn text_that_is_neither_json_nor_a_file_is_never_echoed() {
    for text in [
        format!("[{WITH_KEY}]"),
        format!("x{WITH_KEY}"),
        format!("\u{200b}{WITH_KEY}"),
        "stores: {m: SK_NEVER_SHOWN}".to_string(),
        "line one\nSK_NEVER_SHOWN".to_string(),
    ] {
        let e = Config::from_arg(Some(&text)).unwrap_err();
        assert_eq!(
            (e.kind(), e.message()),
            (
                ErrorKind::Config,
                format!(
                    "the config argument is neither JSON text (which starts with '{{') nor the path \
                     of a readable file; it is not shown, as it may hold secrets ({} bytes)",
                    text.len()
                )
                .as_str()
            ),
            "{text:?}"
        );
    }
    // A plain path that does not exist is named.
    let e = Config::from_arg(Some("/no/such/datajoint.json")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(
        e.message()
            .starts_with("read config file /no/such/datajoint.json: "),
        "{e}"
    );
}
