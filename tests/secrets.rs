//! No secret value appears in an error message, `Debug` output, JSON or the C
//! last-error text: every store kind (file, s3, gcs, azure, memory) is configured with
//! credentials, valid and broken in many ways, through JSON text, a file with a
//! `.secrets/` directory, and `DJ_STORES`, and with passwords inside URLs (an S3
//! endpoint with and without a scheme, a proxy, an Azure `BlobEndpoint`); every
//! outcome on the way (parse, validate, open, and the failing operations of an opened
//! store, whose request errors print URLs) is collected and searched for the secret
//! strings, and the redacted forms (`user:***@host`) must show up.

mod common;

use common::Scratch;
use npystore::config::Config;
use npystore::{ArrayData, Dtype, Order, PutOptions, Store, Target};
use std::ffi::{c_char, c_void, CStr, CString};

// The C calls this test makes, declared as include/npystore.h declares them (the store
// handle opaque, statuses as int); the library linked into this test defines them.
extern "C" {
    fn npy_store_open(config: *const c_char, name: *const c_char, out: *mut *mut c_void) -> i32;
    fn npy_store_free(store: *mut c_void);
    fn npy_last_error() -> *const c_char;
    fn npy_status_name(status: i32) -> *const c_char;
}

const SECRETS: [&str; 12] = [
    "AKIAS3ACCESSKEYSECRET1",
    "s3-secret-key-SECRET-2",
    "gcs-token-SECRET-3",
    "azure-account-key-SECRET-4",
    "AccountKey=azure-conn-SECRET-5",
    "sa-private-key-SECRET-6",
    // Passwords inside URLs: an S3 endpoint, a proxy, an Azure BlobEndpoint.
    "endpoint-pass-SECRET-7",
    "proxy-pass-SECRET-8",
    "blob-pass-SECRET-9",
    // The tail of a password holding RFC 3986 sub-delimiters, one behind an upper-case
    // scheme, and one in endpoints that are malformed (refused at open).
    "delims-SECRET-10",
    "upper-pass-SECRET-11",
    "malformed-SECRET-12",
];

/// Every outcome collected so far, as text.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn add<T: std::fmt::Debug>(&mut self, what: &str, r: &npystore::Result<T>) {
        match r {
            Ok(v) => self.0.push(format!("{what}: {v:?}")),
            Err(e) => self.0.push(format!("{what}: {e} / {e:?}")),
        }
    }

    /// Open `config` (JSON text or a file path) every way and run failing operations.
    fn walk(&mut self, label: &str, config: npystore::Result<Config>, text: Option<&str>) {
        self.add(&format!("{label} config"), &config);
        if let Some(text) = text {
            for name in [
                None,
                Some("main"),
                Some("archive"),
                Some("g"),
                Some("gj"),
                Some("az"),
                Some("m"),
                Some("nope"),
            ] {
                self.c_open(text, name);
            }
        }
        let Ok(config) = config else { return };
        let mut names: Vec<Option<String>> = config.store_names().into_iter().map(Some).collect();
        names.extend([None, Some("nope".into())]);
        for name in names {
            let spec = config.store(name.as_deref());
            self.add(&format!("{label} spec {name:?}"), &spec);
            let Ok(spec) = spec else { continue };
            let store = Store::from_spec(spec);
            self.add(&format!("{label} store {name:?}"), &store);
            if let Ok(store) = store {
                self.operations(&store);
            }
        }
    }

    /// The C entry point: the status name and npy_last_error() text.
    fn c_open(&mut self, config: &str, name: Option<&str>) {
        let config = CString::new(config).unwrap();
        let name = name.map(|n| CString::new(n).unwrap());
        let mut store = std::ptr::null_mut();
        // SAFETY: valid C strings and out-pointer; the handle is freed below.
        unsafe {
            let status = npy_store_open(
                config.as_ptr(),
                name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
                &mut store,
            );
            let status = CStr::from_ptr(npy_status_name(status)).to_string_lossy();
            let message = CStr::from_ptr(npy_last_error()).to_string_lossy();
            self.0.push(format!("C open: {status} {message}"));
            npy_store_free(store);
        }
    }

    fn operations(&mut self, store: &Store) {
        let data = [0u8; 16];
        let array = |dtype: &str| ArrayData {
            data: &data,
            dtype: Dtype::parse(dtype).unwrap(),
            shape: vec![2],
            fortran_order: false,
        };
        let path = |p: &str| Target::Path(p.into());
        let put = store.put(&array("<f8"), &path("a.npy"), PutOptions::default());
        self.add("put", &put);
        self.add(
            "put again",
            &store.put(&array("<f8"), &path("a.npy"), PutOptions::default()),
        );
        self.add(
            "put short",
            &store.put(&array("<f4"), &path("b.npy"), PutOptions::default()),
        );
        self.add("open missing", &store.open_ref("missing.npy"));
        self.add("delete missing", &store.delete("missing.npy"));
        self.add("exists", &store.exists("x/../y"));
        let json = r#"{"path": "a.npy", "store": "other", "dtype": "float64", "shape": [2]}"#;
        self.add("json other store", &store.ref_from_json(json));
        let json = r#"{"path": "a.npy", "dtype": "int8", "shape": [2]}"#;
        if let Ok(r) = store.ref_from_json(json) {
            self.add("mismatch", &r.load(Order::C));
            self.add("mmap", &r.mmap(npystore::MapMode::ReadOnly).map(|_| ()));
            self.0.push(r.json().to_string());
        }
        self.add(
            "writer",
            &store
                .writer(
                    &path("a.npy"),
                    Dtype::parse("<f8").unwrap(),
                    vec![2],
                    false,
                    PutOptions::default(),
                )
                .map(|_| ()),
        );
        self.0.push(format!("{store:?}"));
    }
}

fn s3(extra: &str) -> String {
    s3_at("127.0.0.1:9", extra)
}

/// The S3 store `archive` at `endpoint`, with both keys and `extra` fields.
fn s3_at(endpoint: &str, extra: &str) -> String {
    format!(
        r#""archive": {{"protocol": "s3", "endpoint": "{endpoint}", "bucket": "lab", "location": "npy",
            "access_key": "{}", "secret_key": "{}", "secure": false{extra}}}"#,
        SECRETS[0], SECRETS[1]
    )
}

/// A config of the one store `archive` (the default), without retries: its
/// requests go to a closed port and fail at once.
fn alone(archive: &str) -> String {
    format!(
        r#"{{"stores": {{"default": "archive", {archive}}}, "npystore": {{"defaults": {{"retries": 0}}}}}}"#
    )
}

fn stores(dir: &str, archive: &str) -> String {
    format!(
        r#"{{"stores": {{"default": "main",
        "main": {{"protocol": "file", "location": {dir}}},
        {archive},
        "g": {{"protocol": "gcs", "bucket": "b", "location": "x", "token": "{}"}},
        "gj": {{"protocol": "gcs", "bucket": "b", "location": "x", "token": {{"type": "service_account", "private_key": "{}"}}}},
        "az": {{"protocol": "azure", "container": "c", "location": "x", "account_name": "acct",
               "account_key": "{}", "connection_string": "{}"}},
        "m": {{"protocol": "memory"}}}}}}"#,
        SECRETS[2], SECRETS[5], SECRETS[3], SECRETS[4]
    )
}

#[test]
fn no_secret_in_any_error_debug_or_json() {
    let scratch = Scratch::new("secrets");
    // A JSON string literal: a Windows path has backslashes to escape.
    let dir = serde_json::to_string(scratch.path().to_str().unwrap()).unwrap();
    let mut seen = Seen::default();

    // Valid, and broken one way at a time around the same credentials.
    let broken = [
        stores(&dir, &s3("")),
        // Passwords in URLs: endpoint with and without a scheme, proxy, BlobEndpoint.
        alone(&s3_at(
            &format!("http://lab:{}@127.0.0.1:9", SECRETS[6]),
            "",
        )),
        alone(&s3_at(&format!("lab:{}@127.0.0.1:9", SECRETS[6]), "")),
        alone(&s3(&format!(
            r#", "proxy_server": "http://px:{}@127.0.0.1:9""#,
            SECRETS[7]
        ))),
        alone(&s3_at(
            &format!("lab:{}@127.0.0.1:9", SECRETS[6]),
            r#", "foo": 1"#,
        )),
        alone(&format!(
            r#""archive": {{"protocol": "azure", "container": "c", "location": "x",
            "connection_string": "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5a2V5;BlobEndpoint=http://u:{}@127.0.0.1:9/acct"}}"#,
            SECRETS[8]
        )),
        stores(&dir, &s3(r#", "foo": 1"#)),
        stores(&dir, &s3(r#", "secure": "yes""#)),
        stores(
            &dir,
            &s3(r#", "hash_prefix": "npy", "schema_prefix": "npy/x""#),
        ),
        stores(&dir, &s3(r#", "token_length": "long""#)),
        stores(
            &dir,
            &format!(
                r#""archive": {{"protocol": "s3", "endpoint": "e", "bucket": "lab", "location": "", "secret_key": "{}"}}"#,
                SECRETS[1]
            ),
        ),
        stores(
            &dir,
            &format!(
                r#""archive": {{"protocol": "s3", "endpoint": "e", "bucket": "lab", "location": "", "access_key": ["{}"], "secret_key": "{}"}}"#,
                SECRETS[0], SECRETS[1]
            ),
        ),
        stores(
            &dir,
            &format!(
                r#""archive": {{"protocol": "S3", "endpoint": "e", "bucket": "b", "location": "", "access_key": "{}", "secret_key": "{}"}}"#,
                SECRETS[0], SECRETS[1]
            ),
        ),
        stores(
            &dir,
            &format!(r#""archive": {{"protocol": "{}", "location": ""}}"#, "ftp"),
        ),
        stores(
            &dir,
            &format!(
                r#""archive": {{"protocol": "azure", "container": "c", "account_key": {{"k": "{}"}}}}"#,
                SECRETS[3]
            ),
        ),
        stores(&dir, &s3("")).replace(
            r#""main": {"protocol": "file", "location": ""#,
            r#""main": {"protocol": "file", "location": "/no/such/"#,
        ),
        format!(r#"{{"stores": {{"default": 1, {}}}}}"#, s3("")),
        format!(
            r#"{{"stores": {{{}}}, "npystore": {{"stores": {{"archive": {{"concurrency": "x"}}}}}}}}"#,
            s3("")
        ),
        format!(r#"{{"stores": {{{}}} "#, s3("")), // not JSON
        // Passwords with `; ' ( ) ,` (legal in RFC 3986), behind an upper-case scheme.
        alone(&s3_at(
            &format!("http://delims:a;b'c(d)e,{}@127.0.0.1:9", SECRETS[9]),
            "",
        )),
        alone(&s3_at(
            &format!("delims:a;b'c(d)e,{}@127.0.0.1:9", SECRETS[9]),
            "",
        )),
        alone(&s3_at(
            &format!("HTTP://upper:{}@127.0.0.1:9", SECRETS[10]),
            "",
        )),
        alone(&s3(&format!(
            r#", "proxy_server": "HTTP://px:a,b(c);{}@127.0.0.1:9""#,
            SECRETS[9]
        ))),
    ];
    // Malformed endpoints, proxies and BlobEndpoints: refused at open.
    let mut malformed = Vec::new();
    for bad in ["/x@", "#x@", "?x@", " x@", "<x@", "@[::1", "'x/@"] {
        let url = format!("http://lab:{}{bad}127.0.0.1:9", SECRETS[11]);
        malformed.push(alone(&s3_at(&url, "")));
        malformed.push(alone(&s3(&format!(r#", "proxy_server": "{url}""#))));
        malformed.push(alone(&format!(
            r#""archive": {{"protocol": "azure", "container": "c", "location": "x",
            "connection_string": "AccountName=acct;AccountKey=a2V5a2V5;BlobEndpoint={url}"}}"#
        )));
        malformed.push(alone(&format!(
            r#""archive": {{"protocol": "gcs", "bucket": "b", "location": "x",
            "token": {{"gcs_base_url": "{url}", "disable_oauth": true}}}}"#
        )));
    }
    for (i, text) in broken.iter().chain(&malformed).enumerate() {
        let config = Config::from_json_str(text, None);
        seen.walk(&format!("inline {i}"), config, Some(text));
    }
    // Text that is not recognised as JSON is taken for a path: never echoed. A BOM
    // or whitespace before `{` is JSON text.
    for (i, text) in [
        format!("[{}]", stores(&dir, &s3(""))),
        format!("x{}", stores(&dir, &s3(""))),
        format!("\u{feff}{}", stores(&dir, &s3(""))),
        format!("\u{feff}\n {}", stores(&dir, &s3(""))),
    ]
    .iter()
    .enumerate()
    {
        seen.walk(
            &format!("arg {i}"),
            Config::from_arg(Some(text)),
            Some(text),
        );
    }

    // A file beside a .secrets/ folder that fills the credentials, and DJ_STORES.
    let project = scratch.path().join("project");
    std::fs::create_dir_all(project.join(".secrets")).unwrap();
    let file_text = format!(
        r#"{{"stores": {{"default": "archive", "archive": {{"protocol": "s3", "endpoint": "127.0.0.1:9",
            "bucket": "lab", "location": "npy"}}, "main": {{"protocol": "file", "location": {dir}}}}}}}"#
    );
    std::fs::write(project.join("datajoint.json"), &file_text).unwrap();
    std::fs::write(
        project.join(".secrets/stores.archive.access_key"),
        SECRETS[0],
    )
    .unwrap();
    std::fs::write(
        project.join(".secrets/stores.archive.secret_key"),
        SECRETS[1],
    )
    .unwrap();
    std::fs::write(project.join(".secrets/stores.archive.bogus"), SECRETS[2]).unwrap();
    let file = project.join("datajoint.json");
    let none = scratch.path().join("no-system-secrets");
    // The same file with a UTF-8 BOM, which DataJoint refuses: so does npystore.
    let bom_dir = scratch.path().join("bom");
    std::fs::create_dir_all(&bom_dir).unwrap();
    let bom = bom_dir.join("datajoint.json");
    std::fs::write(&bom, format!("\u{feff}{}", stores(&dir, &s3("")))).unwrap();
    seen.walk(
        "BOM file",
        Config::from_file_in(&bom, &none),
        Some(bom.to_str().unwrap()),
    );
    seen.walk(
        "file",
        Config::from_file_in(&file, &none),
        Some(file.to_str().unwrap()),
    );
    std::fs::write(project.join(".secrets/stores.archive.region"), [0xff, 0xfe]).unwrap();
    seen.walk(
        "file, binary secret",
        Config::from_file_in(&file, &none),
        None,
    );
    std::fs::remove_file(project.join(".secrets/stores.archive.region")).unwrap();
    let dj_stores = format!(r#"{{"default": "archive", {}}}"#, s3(""));
    for env_text in [dj_stores.clone(), dj_stores.replace('}', "")] {
        let env = |name: &str| (name == "DJ_STORES").then(|| env_text.clone());
        seen.walk(
            "DJ_STORES",
            Config::discover_in(&project, &env, &none),
            None,
        );
    }

    let all = seen.0.join("\n");
    // Every secret that shows, with where: all of them at once.
    let leaks: Vec<String> = SECRETS
        .iter()
        .flat_map(|secret| {
            seen.0
                .iter()
                .filter(move |t| t.contains(secret))
                .map(move |t| format!("{secret:?} in: {t}"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // The walk reached validation errors, open errors and failing operations.
    for expected in [
        "Invalid key",
        "is missing",
        "Incomplete S3 credentials",
        "cannot open",
        "not configured",
        "already exists",
        "Secret(***)",
        // URL passwords were there to hide: in Debug, and in request errors.
        "endpoint: \"lab:***@127.0.0.1:9\"",
        "proxy_server: Some(\"http://px:***@127.0.0.1:9\")",
        "http://lab:***@127.0.0.1:9/lab/npy/",
        "http://u:***@127.0.0.1:9/acct/",
        // Passwords with sub-delimiters and behind an upper-case scheme, in Debug and
        // in request errors; the malformed ones refused; unrecognised text not shown.
        "endpoint: \"delims:***@127.0.0.1:9\"",
        "endpoint: \"http://delims:***@127.0.0.1:9\"",
        "endpoint: \"HTTP://upper:***@127.0.0.1:9\"",
        "proxy_server: Some(\"HTTP://px:***@127.0.0.1:9\")",
        "delims:***@127.0.0.1:9/lab/npy/",
        "upper:***@127.0.0.1:9/lab/npy/",
        "endpoint is not a valid URL",
        "proxy_server is not a valid URL",
        "BlobEndpoint is not a valid URL",
        "gcs_base_url is not a valid URL",
        "it is not shown, as it may hold secrets",
        "byte order mark",
    ] {
        assert!(
            all.contains(expected),
            "the walk never produced {expected:?}"
        );
    }
    eprintln!(
        "{} outcomes checked for {} secrets",
        seen.0.len(),
        SECRETS.len()
    );
}
