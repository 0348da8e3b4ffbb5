//! DataJoint 2.3.5's store validation, case by case, with its wording; and no secret
//! ever shows in an error or in Debug output.

mod common;

use common::Scratch;
use npystore::config::{Config, Protocol, StoreOptions};
use npystore::ErrorKind;

/// Store `name` of a config whose `stores` block is `stores` (JSON), anchored at /.
fn store(stores: &str, name: &str) -> npystore::Result<npystore::config::StoreSpec> {
    Config::from_json_str(
        &format!(r#"{{"stores": {stores}}}"#,),
        Some(std::path::Path::new("/")),
    )?
    .store(Some(name))
}

/// Opening store `x`, whose block is `block`, fails with a Config error saying `message`.
fn config_error(block: &str, message: &str) {
    assert_eq!(
        fails(&format!(r#"{{"x": {block}}}"#)),
        (ErrorKind::Config, message.to_string()),
        "{block}"
    );
}

/// The error kind and message of opening store `x` in `stores`.
fn fails(stores: &str) -> (ErrorKind, String) {
    let e = store(stores, "x").expect_err(stores);
    (e.kind(), e.message().to_string())
}

#[test]
fn missing_required_keys_in_datajoint_order() {
    for (block, missing) in [
        (r#"{"protocol": "file"}"#, "location"),
        (r#"{"protocol": "s3", "location": ""}"#, "endpoint, bucket"),
        (r#"{"protocol": "s3"}"#, "endpoint, bucket, location"),
        (r#"{"protocol": "gcs", "bucket": "b"}"#, "location"),
        (r#"{"protocol": "azure", "location": "l"}"#, "container"),
    ] {
        config_error(
            block,
            &format!(r#"config.stores["x"] is missing: {missing}"#),
        );
    }
}

#[test]
fn keys_of_other_protocols_and_unknown_keys_are_invalid() {
    for (block, invalid) in [
        (
            r#"{"protocol": "file", "location": "/", "bucket": "b"}"#,
            "bucket",
        ),
        (
            r#"{"protocol": "gcs", "bucket": "b", "location": "", "secure": true}"#,
            "secure",
        ),
        (
            r#"{"protocol": "azure", "container": "c", "location": "", "region": "r", "token": "t"}"#,
            "region, token",
        ),
        (
            r#"{"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "", "retries": 3}"#,
            "retries",
        ),
        (r#"{"protocol": "memory", "endpoint": "h"}"#, "endpoint"),
    ] {
        config_error(
            block,
            &format!(r#"Invalid key(s) in config.stores["x"]: {invalid}"#),
        );
    }
    // Every key DataJoint allows is accepted.
    let all = r#"{"x": {"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "l", "access_key": "a",
        "secret_key": "s", "secure": false, "proxy_server": "http://p", "subfolding": [2, 2],
        "partition_pattern": "{a}", "token_length": 10, "hash_prefix": "h", "schema_prefix": "s",
        "filepath_prefix": "f", "stage": "/stage"}}"#;
    let spec = store(all, "x").unwrap();
    assert_eq!(spec.subfolding, Some(vec![2, 2]));
    assert_eq!(
        (spec.path.token_length, spec.stage.as_deref()),
        (10, Some("/stage"))
    );
    assert_eq!(spec.s3().cloned().unwrap().endpoint_url(), "http://h");
}

#[test]
fn unknown_and_non_lowercase_protocols() {
    let list = "Supported by npystore: file, s3, gcs, azure, memory.";
    assert_eq!(
        fails(r#"{"x": {"protocol": "ftp", "location": "/"}}"#),
        (
            ErrorKind::Config,
            format!(r#"Unknown protocol "ftp" in config.stores["x"]. {list}"#)
        )
    );
    assert_eq!(
        fails(r#"{"x": {"location": "/"}}"#).1,
        format!(r#"Unknown protocol "" in config.stores["x"]. {list}"#)
    );
    assert_eq!(
        fails(r#"{"x": {"protocol": 3}}"#).1,
        r#"config.stores["x"].protocol must be a string"#
    );
    let (kind, msg) =
        fails(r#"{"x": {"protocol": "S3", "endpoint": "h", "bucket": "b", "location": ""}}"#);
    assert_eq!(kind, ErrorKind::Config);
    assert!(msg.starts_with("Unsupported storage protocol: S3"), "{msg}");
}

#[test]
fn overlapping_prefixes() {
    let f = |extra: &str| fails(&format!(r#"{{"x": {{"protocol": "memory"{extra}}}}}"#));
    let tail = "overlap. Storage section prefixes must be mutually exclusive.";
    for (extra, pair) in [
        (
            r#", "hash_prefix": "_schema/h""#,
            r#"hash_prefix="_schema/h" and schema_prefix="_schema""#,
        ),
        (
            r#", "schema_prefix": "/_hash/""#,
            r#"hash_prefix="_hash" and schema_prefix="/_hash/""#,
        ),
        (
            r#", "filepath_prefix": "_schema/raw""#,
            r#"schema_prefix="_schema" and filepath_prefix="_schema/raw""#,
        ),
        (
            r#", "schema_prefix": "a", "hash_prefix": "a/b/""#,
            r#"hash_prefix="a/b/" and schema_prefix="a""#,
        ),
        (
            r#", "schema_prefix": "/", "hash_prefix": "//""#,
            r#"hash_prefix="//" and schema_prefix="/""#,
        ),
    ] {
        assert_eq!(
            f(extra),
            (
                ErrorKind::Config,
                format!(r#"config.stores["x"]: {pair} {tail}"#)
            ),
            "{extra}"
        );
    }
    // Siblings that share a leading string are fine, and "" drops the schema section.
    let ok =
        |extra: &str| store(&format!(r#"{{"x": {{"protocol": "memory"{extra}}}}}"#), "x").unwrap();
    assert_eq!(
        ok(r#", "schema_prefix": "_hash2", "filepath_prefix": "_h""#)
            .path
            .schema_prefix,
        "_hash2"
    );
    assert_eq!(
        ok(r#", "schema_prefix": "", "hash_prefix": """#)
            .path
            .schema_prefix,
        ""
    );
}

#[test]
fn s3_backend_checks() {
    let s3 = |extra: &str| {
        fails(&format!(
            r#"{{"x": {{"protocol": "s3", "location": ""{extra}}}}}"#
        ))
    };
    assert_eq!(
        s3(r#", "endpoint": "", "bucket": null"#),
        (
            ErrorKind::Config,
            "Missing S3 configuration: endpoint, bucket".into()
        )
    );
    let incomplete = "Incomplete S3 credentials: set both access_key and secret_key, or neither to use ambient AWS credentials.";
    assert_eq!(
        s3(r#", "endpoint": "h", "bucket": "b", "access_key": "a""#).1,
        incomplete
    );
    assert_eq!(
        s3(r#", "endpoint": "h", "bucket": "b", "secret_key": "s", "access_key": """#).1,
        incomplete
    );
    let spec = store(
        r#"{"x": {"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "", "access_key": ""}}"#,
        "x",
    );
    let s3 = spec.unwrap().s3().cloned().unwrap();
    assert!(
        s3.access_key.is_none() && s3.secure,
        "empty credential means none; secure defaults to true"
    );
    assert_eq!(s3.endpoint_url(), "https://h");
}

#[test]
fn file_store_location_must_exist() {
    let s = Scratch::new("fileloc");
    let json = r#"{"stores": {"f": {"protocol": "file", "location": "gone"}, "g": {"protocol": "file", "location": "here"}}}"#;
    std::fs::create_dir(s.path().join("here")).unwrap();
    let c = Config::from_json_str(json, Some(s.path())).unwrap();
    let e = c.store(Some("f")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(
        e.message().starts_with(
            "Inaccessible local directory gone (config.stores[\"f\"].location, resolved to "
        ),
        "{e}"
    );
    assert!(e
        .message()
        .contains(&s.path().join("gone").display().to_string()));
    let g = c.store(Some("g")).unwrap();
    assert_eq!(
        (g.protocol(), g.location.clone()),
        (Protocol::File, s.path().join("here").display().to_string())
    );
    assert_eq!(
        (
            g.path.schema_prefix.as_str(),
            g.hash_prefix.as_str(),
            g.path.token_length
        ),
        ("_schema", "_hash", 8)
    );
    assert_eq!(g.options, StoreOptions::default());
    // A file is not a directory.
    std::fs::write(s.path().join("gone"), "").unwrap();
    assert_eq!(c.store(Some("f")).unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn token_length_is_clamped_and_typed() {
    for (given, used) in [
        ("1", 4),
        ("4", 4),
        ("8", 8),
        ("16", 16),
        ("40", 16),
        ("-2", 4),
    ] {
        let spec = store(
            &format!(r#"{{"x": {{"protocol": "memory", "token_length": {given}}}}}"#),
            "x",
        )
        .unwrap();
        assert_eq!(spec.path.token_length, used, "{given}");
    }
    assert_eq!(
        fails(r#"{"x": {"protocol": "memory", "token_length": "8"}}"#),
        (
            ErrorKind::Config,
            r#"config.stores["x"].token_length must be an integer"#.into()
        )
    );
}

#[test]
fn wrong_value_types_are_config_errors() {
    for (extra, message) in [
        (
            r#", "schema_prefix": null"#,
            "schema_prefix must be a string",
        ),
        (
            r#", "subfolding": "2,2""#,
            "subfolding must be a list of integers",
        ),
        (
            r#", "subfolding": [2, -1]"#,
            "subfolding must be a list of integers",
        ),
        (r#", "location": 5"#, "location must be a string"),
    ] {
        let block = format!(r#"{{"protocol": "memory"{extra}}}"#);
        config_error(&block, &format!(r#"config.stores["x"].{message}"#));
    }
    config_error(r#""main""#, r#"config.stores["x"] must be a JSON object"#);
    let secure =
        r#"{"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "", "secure": "false"}"#;
    config_error(secure, r#"config.stores["x"].secure must be true or false"#);
}

#[test]
fn gcs_and_azure_specs() {
    let gcs = r#"{"x": {"protocol": "gcs", "bucket": "b", "location": "p", "project": "proj",
                  "token": {"type": "service_account", "private_key": "PK"}}}"#;
    let g = store(gcs, "x").unwrap().gcs().cloned().unwrap();
    assert_eq!(
        (g.bucket.as_str(), g.project.as_deref()),
        ("b", Some("proj"))
    );
    let token: serde_json::Value = serde_json::from_str(g.token.unwrap().expose()).unwrap();
    assert_eq!(token["private_key"], "PK");
    let az = r#"{"x": {"protocol": "azure", "container": "c", "location": "", "connection_string": "CS"}}"#;
    let a = store(az, "x").unwrap().azure().cloned().unwrap();
    assert_eq!(
        (a.container.as_str(), a.connection_string.unwrap().expose()),
        ("c", "CS")
    );
}

/// Every secret value used below; none may appear in any message or Debug output.
const SECRETS: [&str; 6] = [
    "AKSECRET1",
    "SKSECRET2",
    "GCSTOKEN3",
    "AZKEY4",
    "AZCONN5",
    "SECRETFILE6",
];

#[test]
fn secrets_never_show_in_errors_or_debug() {
    let s = Scratch::new("leak");
    std::fs::create_dir(s.path().join(".secrets")).unwrap();
    std::fs::write(
        s.path().join(".secrets/stores.s3ok.secret_key"),
        "SECRETFILE6",
    )
    .unwrap();
    let creds = r#""access_key": "AKSECRET1", "secret_key": "SKSECRET2""#;
    let s3 = |extra: &str| {
        format!(r#"{{"protocol": "s3", "endpoint": "h", "bucket": "b", "location": "", {extra}}}"#)
    };
    let stores = [
        ("s3ok", s3(r#""access_key": "AKSECRET1""#)),
        ("badkey", s3(&format!(r#"{creds}, "sekret": 1"#))),
        ("half", s3(r#""access_key": "AKSECRET1", "secret_key": """#)),
        ("badtype", s3(&format!(r#"{creds}, "secure": "SKSECRET2""#))),
        ("overlap", s3(&format!(r#"{creds}, "hash_prefix": "_schema""#))),
        ("noproto", format!(r#"{{{creds}}}"#)),
        ("upper", format!(r#"{{"protocol": "S3", {creds}}}"#)),
        ("gcs", r#"{"protocol": "gcs", "bucket": "b", "location": "", "token": "GCSTOKEN3"}"#.into()),
        ("gcsbad", r#"{"protocol": "gcs", "location": "", "token": "GCSTOKEN3"}"#.into()),
        ("az", r#"{"protocol": "azure", "container": "c", "location": "", "account_key": "AZKEY4", "connection_string": "AZCONN5"}"#.into()),
        ("azbad", r#"{"protocol": "azure", "container": 1, "location": "", "account_key": "AZKEY4", "connection_string": "AZCONN5"}"#.into()),
        ("file", format!(r#"{{"protocol": "file", "location": "nowhere", {creds}}}"#)),
    ];
    let body: Vec<String> = stores
        .iter()
        .map(|(n, b)| format!("\"{n}\": {b}"))
        .collect();
    let json = format!(
        r#"{{"stores": {{"default": "nope", {}}}}}"#,
        body.join(", ")
    );
    std::fs::write(s.path().join("datajoint.json"), &json).unwrap();
    let c = Config::discover_in(s.path(), &|_| None, &s.path().join("no-sys")).unwrap();

    let mut shown = vec![format!("{c:?}"), format!("{:?}", c.store(None))];
    let (mut ok, mut failed) = (0, 0);
    for (name, _) in &stores {
        match c.store(Some(name)) {
            Ok(spec) => {
                ok += 1;
                shown.push(format!("{spec:?}"));
                shown.push(format!("{spec:#?}"));
            }
            Err(e) => {
                failed += 1;
                shown.push(format!("{e} {e:?}"));
            }
        }
    }
    assert_eq!((ok, failed), (3, 9), "{shown:#?}");
    let text = shown.join("\n");
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked in:\n{text}");
    }
    // The secrets are there, just not shown.
    let s3 = c.store(Some("s3ok")).unwrap().s3().cloned().unwrap();
    assert_eq!(s3.secret_key.unwrap().expose(), "SECRETFILE6");
    assert!(text.contains("Secret(***)"));
}

/// A password in the endpoints below; no message may show it.
const URL_SECRET: &str = "PWSECRET7";

/// The error kind and message of opening (`Store::open`) store `x` of `stores`.
fn open_fails(stores: &str) -> (ErrorKind, String) {
    let text = format!(r#"{{"stores": {stores}}}"#);
    let e = npystore::Store::open(Some(&text), Some("x")).expect_err(&text);
    (e.kind(), e.message().to_string())
}

/// An S3 store `x` with endpoint `endpoint` and `extra` fields.
fn s3_with(endpoint: &str, extra: &str) -> String {
    format!(
        r#"{{"x": {{"protocol": "s3", "endpoint": "{endpoint}", "bucket": "b", "location": ""{extra}}}}}"#
    )
}

/// Malformed URLs, each with the reason npystore gives (after `is not a valid URL: `).
fn malformed_urls() -> Vec<(String, &'static str)> {
    let p = URL_SECRET;
    [
        (
            format!("http://lab:{p}/x@127.0.0.1:9"),
            "'@' after '/': write '/' in a user name or password as %2F",
        ),
        (
            format!("lab:{p}/x@127.0.0.1:9"),
            "'@' after '/': write '/' in a user name or password as %2F",
        ),
        (
            format!("http://lab:{p}#x@127.0.0.1:9"),
            "it holds '#' (in a user name or password, write it as %23)",
        ),
        (
            format!("http://lab:{p}?x@127.0.0.1:9"),
            "it holds '?' (in a user name or password, write it as %3F)",
        ),
        (
            format!("http://lab:{p} x@127.0.0.1:9"),
            "the user name or password holds a character that must be percent-encoded",
        ),
        (
            format!("http://lab:{p}<x@127.0.0.1:9"),
            "the user name or password holds a character that must be percent-encoded",
        ),
        (
            format!("http://lab:{p}%zz@127.0.0.1:9"),
            "the user name or password holds a character that must be percent-encoded",
        ),
        (
            format!("http://lab:{p}@[::1"),
            "'[' opens an IPv6 address that no ']' closes",
        ),
        (format!("http://lab:{p}@"), "it names no host"),
        ("http://127.0.0.1 :9".into(), "the host holds ' '"),
        ("http://<h>:9".into(), "the host holds '<'"),
        ("http://h:9/a b".into(), "the path holds ' '"),
        ("http://h:9/<x>".into(), "the path holds '<'"),
        (
            "http://h:port".into(),
            "the port is not a number from 1 to 65535",
        ),
        (
            "http://h:99999".into(),
            "the port is not a number from 1 to 65535",
        ),
        ("ftp://h".into(), "the scheme must be http or https"),
        (" http://h".into(), "the scheme must be http or https"),
    ]
    .into_iter()
    .collect()
}

#[test]
fn malformed_endpoints_are_refused_at_open_without_the_password() {
    for (url, why) in malformed_urls() {
        let (kind, msg) = open_fails(&s3_with(&url, ""));
        assert_eq!(
            (kind, msg.as_str()),
            (
                ErrorKind::Config,
                format!(r#"config.stores["x"].endpoint is not a valid URL: {why}"#).as_str()
            ),
            "{url}"
        );
        let (kind, msg) = open_fails(&s3_with("h", &format!(r#", "proxy_server": "{url}""#)));
        assert_eq!(
            (kind, msg.as_str()),
            (
                ErrorKind::Config,
                format!(r#"config.stores["x"].proxy_server is not a valid URL: {why}"#).as_str()
            ),
            "{url}"
        );
        // Azure and GCS URLs need a scheme: that is what a scheme-less one is told.
        let why = if url.contains("://") {
            why
        } else {
            "it has no scheme (http:// or https://)"
        };
        let azure = format!(
            r#"{{"x": {{"protocol": "azure", "container": "c", "location": "",
                "connection_string": "AccountName=a;AccountKey=a2V5;BlobEndpoint={url}"}}}}"#
        );
        assert_eq!(
            open_fails(&azure),
            (
                ErrorKind::Config,
                format!(
                    r#"config.stores["x"].connection_string: BlobEndpoint is not a valid URL: {why}"#
                )
            ),
            "{url}"
        );
        let gcs = format!(
            r#"{{"x": {{"protocol": "gcs", "bucket": "b", "location": "",
                "token": {{"gcs_base_url": "{url}", "disable_oauth": true}}}}}}"#
        );
        assert_eq!(
            open_fails(&gcs),
            (
                ErrorKind::Config,
                format!(r#"config.stores["x"].token: gcs_base_url is not a valid URL: {why}"#)
            ),
            "{url}"
        );
    }
}

#[test]
fn unusual_but_valid_endpoints_open_and_fail_as_network_errors() {
    let p = URL_SECRET;
    for url in [
        format!("HTTP://lab:{p};'(),!$&*+=~@127.0.0.1:9"),
        format!("Http://lab:{p}%2F%23%3F@127.0.0.1:9/"),
        format!("lab:{p}@127.0.0.1:9"),
        "http://[::1]:9".into(),
        "127.0.0.1:9".into(),
        "http://127.0.0.1:9/prefix".into(),
    ] {
        let text = format!(
            r#"{{"stores": {}, "npystore": {{"defaults": {{"retries": 0}}}}}}"#,
            s3_with(&url, r#", "secure": false"#)
        );
        let spec = Config::from_json_str(&text, None)
            .and_then(|c| c.store(Some("x")))
            .expect(&url);
        let endpoint = spec.s3().cloned().unwrap().endpoint_url();
        assert!(
            endpoint.starts_with("http://") && endpoint[7..].find("://").is_none(),
            "{url}: {endpoint}"
        );
        let store = npystore::Store::open(Some(&text), Some("x")).expect(&url);
        let e = store.exists("a.npy").expect_err(&url);
        assert_ne!(e.kind(), ErrorKind::Internal, "{url}: {e}");
        assert!(!e.message().contains(p), "{url}: {e}");
        assert!(!format!("{store:?}").contains(p), "{url}: {store:?}");
    }
}

#[test]
fn bucket_container_and_account_names_that_break_urls_are_refused_at_open() {
    let names = "a bucket or container name has only letters, digits, '-', '.' and '_'";
    for (stores, message) in [
        (
            r#"{"x": {"protocol": "s3", "endpoint": "h", "bucket": "a b", "location": ""}}"#.to_string(),
            format!(r#"config.stores["x"].bucket holds ' ': {names}"#),
        ),
        (
            r#"{"x": {"protocol": "gcs", "bucket": "a/b", "location": ""}}"#.into(),
            format!(r#"config.stores["x"].bucket holds '/': {names}"#),
        ),
        (
            r#"{"x": {"protocol": "azure", "container": "c<", "location": ""}}"#.into(),
            format!(r#"config.stores["x"].container holds '<': {names}"#),
        ),
        (
            r#"{"x": {"protocol": "azure", "container": "c", "location": "", "account_name": "a b"}}"#.into(),
            r#"config.stores["x"].account_name holds ' ': a storage account name has only letters and digits"#.into(),
        ),
        (
            r#"{"x": {"protocol": "azure", "container": "c", "location": "",
                "connection_string": "AccountName=a/b;AccountKey=a2V5"}}"#
                .into(),
            r#"config.stores["x"].connection_string: AccountName holds '/': a storage account name has only letters and digits"#.into(),
        ),
    ] {
        assert_eq!(open_fails(&stores), (ErrorKind::Config, message), "{stores}");
    }
}
