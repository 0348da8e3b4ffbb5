//! The db layer against a real PostgreSQL server, on tables that DataJoint 2.3.5 itself
//! declared and filled (tests/oracles/dj_tables.py): headings, keys and references
//! equal what DataJoint shows, arrays load equal, restrictions, one query for many
//! rows, reconnecting, and the errors of a refused connection and a wrong password.
//!
//! The server comes from the `DJ_*` environment that `scripts/postgres.sh start`
//! prints (scripts/test.sh stage `db`). Without it the tests print why and skip; with
//! `NPYSTORE_DB_REQUIRED=1` they fail instead.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use npystore::config::Config;
use npystore::db::{Database, DatabaseSettings, FetchedRow, Restriction, Table};
use npystore::path::{encode_key_value, KeyPart, KeyValue};
use npystore::{ErrorKind, Order, StoreSet};
use serde_json::Value;

/// Rows of the `Many` table: enough that a query per row would show.
const MANY_ROWS: usize = 2000;

/// What DataJoint declared and what it sees, shared by every test of this run.
struct Fixture {
    dir: PathBuf,
    schema: String,
    tables: serde_json::Map<String, Value>,
}

fn server_configured() -> bool {
    let configured = std::env::var("DJ_BACKEND").as_deref() == Ok("postgresql")
        && std::env::var_os("DJ_HOST").is_some();
    if !configured {
        assert!(
            std::env::var_os("NPYSTORE_DB_REQUIRED").is_none(),
            "no PostgreSQL server configured: run through scripts/test.sh db"
        );
        eprintln!(
            "no PostgreSQL server configured (eval \"$(scripts/postgres.sh start)\"): skipped"
        );
    }
    configured
}

/// DataJoint declares and fills the tables once per run, in a fresh schema.
fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    if !server_configured() {
        return None;
    }
    Some(FIXTURE.get_or_init(|| {
        // One directory, emptied at each run (the fixture lives until the process ends).
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("db_postgres");
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["main", "other", ".git"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let config = serde_json::json!({"stores": {
            "default": "main",
            "main": {"protocol": "file", "location": dir.join("main")},
            "other": {"protocol": "file", "location": dir.join("other"), "partition_pattern": "{subject}"},
        }});
        std::fs::write(dir.join("datajoint.json"), config.to_string()).unwrap();
        let schema = format!("npystore_db_{}", std::process::id());
        let out = dir.join("datajoint-sees.json");
        let run = Command::new(common::python())
            .current_dir(&dir)
            .arg(common::repo().join("tests/oracles/dj_tables.py"))
            .args([&schema, &MANY_ROWS.to_string(), out.to_str().unwrap()])
            .output()
            .expect("start python");
        assert!(
            run.status.success(),
            "dj_tables.py failed:\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let seen: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        Fixture {
            dir,
            schema,
            tables: seen["tables"].as_object().unwrap().clone(),
        }
    }))
}

/// The process environment, with `overrides` (a `None` value hides a variable).
fn env_with(overrides: &[(&str, Option<&str>)]) -> impl Fn(&str) -> Option<String> {
    let overrides: Vec<(String, Option<String>)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.map(String::from)))
        .collect();
    move |name| match overrides.iter().find(|(k, _)| k == name) {
        Some((_, value)) => value.clone(),
        None => std::env::var(name).ok(),
    }
}

fn config_in(dir: &Path, overrides: &[(&str, Option<&str>)]) -> Config {
    Config::discover_in(dir, &env_with(overrides), &dir.join("no-system-secrets")).unwrap()
}

fn connect(f: &Fixture) -> (Database, StoreSet) {
    let config = config_in(&f.dir, &[]);
    (Database::open(&config).unwrap(), StoreSet::new(config))
}

/// The row's key as DataJoint's `encode_pk_value` writes each value.
fn encoded_key(row: &FetchedRow) -> BTreeMap<String, String> {
    row.key
        .iter()
        .map(|p| (p.name.clone(), encode_key_value(&p.value).unwrap()))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Heading, keys, refs and array bytes of one table equal what DataJoint sees.
fn check_table(table: &Table, seen: &Value) {
    let heading = table.heading();
    assert_eq!(heading.table, seen["sql"].as_str().unwrap());
    assert_eq!(heading.primary_key, strings(&seen["primary_key"]));
    let npy: BTreeMap<String, Option<String>> = heading
        .npy_attributes()
        .map(|a| (a.name.clone(), a.npy_store().unwrap().map(String::from)))
        .collect();
    let seen_npy: BTreeMap<String, Option<String>> =
        serde_json::from_value(seen["npy"].clone()).unwrap();
    assert_eq!(npy, seen_npy, "{} <npy@> attributes", heading.table);

    let rows = table.fetch_refs(&Restriction::All).unwrap();
    let seen_rows = seen["rows"].as_array().unwrap();
    assert_eq!(rows.len(), seen_rows.len(), "{} rows", heading.table);
    let by_key: BTreeMap<BTreeMap<String, String>, &Value> = seen_rows
        .iter()
        .map(|r| (serde_json::from_value(r["key"].clone()).unwrap(), r))
        .collect();
    for row in &rows {
        let seen_row = by_key
            .get(&encoded_key(row))
            .unwrap_or_else(|| panic!("{}: DataJoint has no row {:?}", heading.table, row.key));
        for (name, reference) in &row.arrays {
            let meta = &seen_row["arrays"][name];
            let Some(reference) = reference else {
                assert!(
                    meta.is_null(),
                    "{name}: npystore sees NULL, DataJoint {meta}"
                );
                continue;
            };
            assert_eq!(reference.path(), meta["path"].as_str().unwrap());
            assert_eq!(reference.store_name(), meta["store"].as_str().unwrap());
            assert_eq!(reference.dtype_str(), meta["dtype"].as_str().unwrap());
            let shape: Vec<u64> = serde_json::from_value(meta["shape"].clone()).unwrap();
            assert_eq!(reference.shape(), &shape[..]);
            let bytes = reference.load(Order::AsStored).unwrap();
            assert_eq!(
                hex(&bytes),
                seen_row["bytes"][name].as_str().unwrap(),
                "{name}"
            );
            // The path rebuilt from the fetched key (given in reverse order) and the
            // heading equals the one DataJoint wrote, token aside.
            let file = reference.path().rsplit('/').next().unwrap();
            let token = file
                .strip_prefix(&format!("{name}_"))
                .and_then(|t| t.strip_suffix(".npy"))
                .unwrap();
            let reversed: Vec<KeyPart> = row.key.iter().rev().cloned().collect();
            assert_eq!(
                table.object_path(&reversed, name, token).unwrap(),
                reference.path()
            );
        }
    }
}

#[test]
fn tables_of_every_tier_fetch_the_refs_and_arrays_datajoint_sees() {
    let Some(f) = fixture() else { return };
    let (db, stores) = connect(f);
    for (class, seen) in &f.tables {
        let table = Table::open(&db, &stores, &f.schema, class).unwrap();
        check_table(&table, seen);
        let by_sql = Table::open(&db, &stores, &f.schema, seen["sql"].as_str().unwrap()).unwrap();
        assert_eq!(by_sql.heading(), table.heading(), "{class} by its SQL name");
    }
    let epoch = Table::open(&db, &stores, &f.schema, "Epoch").unwrap();
    let types: Vec<Option<&str>> = epoch
        .heading()
        .key_attributes()
        .map(|a| a.datajoint_type.as_deref())
        .collect();
    // Inherited key attributes carry no type comment on PostgreSQL; their kind comes
    // from the SQL type.
    assert_eq!(
        types,
        [
            None,
            None,
            Some("date"),
            Some("datetime"),
            Some("float64"),
            Some("bool")
        ]
    );
}

fn key(parts: &[(&str, KeyValue)]) -> Vec<KeyPart> {
    parts
        .iter()
        .map(|(n, v)| KeyPart::new(*n, v.clone()))
        .collect()
}

fn subject_m01() -> (&'static str, KeyValue) {
    ("subject", KeyValue::Str("m/01".into()))
}

fn keys_of(rows: &[FetchedRow]) -> Vec<BTreeMap<String, String>> {
    rows.iter().map(encoded_key).collect()
}

#[test]
fn restrictions_by_part_of_a_key_and_by_several_keys() {
    let Some(f) = fixture() else { return };
    let (db, stores) = connect(f);
    let recording = Table::open(&db, &stores, &f.schema, "Recording").unwrap();
    let subject = |s: &str| ("subject", KeyValue::Str(s.into()));
    let part = recording
        .fetch_refs(&Restriction::Keys(vec![key(&[subject("m/01")])]))
        .unwrap();
    assert_eq!(part.len(), 2);
    assert!(part
        .iter()
        .all(|r| r.key[0].value == KeyValue::Str("m/01".into())));

    let two = recording
        .fetch_refs(&Restriction::Keys(vec![
            key(&[subject("mouse two"), ("rec_id", KeyValue::Int(1))]),
            key(&[subject("m/01"), ("rec_id", KeyValue::Int(2))]),
        ]))
        .unwrap();
    let expected: Vec<BTreeMap<String, String>> = [("m%2F01", "2"), ("mouse two", "1")]
        .iter()
        .map(|(s, r)| {
            BTreeMap::from([
                ("subject".into(), s.to_string()),
                ("rec_id".into(), r.to_string()),
            ])
        })
        .collect();
    assert_eq!(keys_of(&two), expected, "in primary-key order");
    assert!(two[0].array("spikes").is_none(), "rec 2's spikes are NULL");
    assert!(two[1].array("waveform").is_some());

    assert!(recording
        .fetch_refs(&Restriction::Keys(vec![]))
        .unwrap()
        .is_empty());
    assert_eq!(
        recording
            .fetch_refs(&Restriction::Keys(vec![vec![]]))
            .unwrap()
            .len(),
        4
    );
    // Keys and counts take the same restrictions, without the arrays.
    let by_subject = Restriction::Keys(vec![key(&[subject("m/01")])]);
    let listed = recording.keys(&by_subject).unwrap();
    let fetched: Vec<Vec<KeyPart>> = part.iter().map(|r| r.key.clone()).collect();
    assert_eq!(listed, fetched);
    assert_eq!(recording.count(&by_subject).unwrap(), 2);
    assert_eq!(recording.count(&Restriction::All).unwrap(), 4);
    assert_eq!(recording.count(&Restriction::Keys(vec![])).unwrap(), 0);

    let epoch = Table::open(&db, &stores, &f.schema, "Epoch").unwrap();
    let typed = epoch
        .fetch_refs(&Restriction::Keys(vec![key(&[
            ("gain", KeyValue::Float(1e16)),
            (
                "day",
                KeyValue::Date {
                    year: 2024,
                    month: 2,
                    day: 29,
                },
            ),
            ("flag", KeyValue::Bool(false)),
        ])]))
        .unwrap();
    assert_eq!(typed.len(), 1);
    assert_eq!(encoded_key(&typed[0])["gain"], "1e+16");
    assert_eq!(encoded_key(&typed[0])["t0"], "2024-02-29T13-05-09");
    // The same key as JSON text, as C and MATLAB callers will give it.
    let from_json = Restriction::from_json(
        epoch.heading(),
        r#"{"gain": 1e16, "day": "2024-02-29", "flag": false, "t0": "2024-02-29T13:05:09"}"#,
    )
    .unwrap();
    let again = epoch.fetch_refs(&from_json).unwrap();
    assert_eq!(keys_of(&again), keys_of(&typed));
}

#[test]
fn keys_that_do_not_match_the_heading_are_refused_before_any_query() {
    let Some(f) = fixture() else { return };
    let (db, stores) = connect(f);
    let recording = Table::open(&db, &stores, &f.schema, "Recording").unwrap();
    let sent = db.queries_sent();
    for bad in [
        key(&[("label", KeyValue::Str("m/01-1".into()))]),
        key(&[("rec_id", KeyValue::Str("1".into()))]),
        key(&[("subject", KeyValue::Int(1))]),
        key(&[("nope", KeyValue::Int(1))]),
    ] {
        let err = recording
            .fetch_refs(&Restriction::Keys(vec![bad.clone()]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
    }
    assert_eq!(db.queries_sent(), sent, "nothing reached the server");
    let full = key(&[subject_m01(), ("rec_id", KeyValue::Int(1))]);
    for (bad, attribute) in [
        (key(&[subject_m01()]), "waveform"),
        (
            key(&[subject_m01(), ("rec_id", KeyValue::Str("1".into()))]),
            "waveform",
        ),
        (
            [full.clone(), key(&[("rec_id", KeyValue::Int(2))])].concat(),
            "waveform",
        ),
        (full.clone(), "label"),
    ] {
        let err = recording
            .object_path(&bad, attribute, "AbCd1234")
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidArgument,
            "{bad:?} {attribute}: {err}"
        );
    }
    let missing = Table::open(&db, &stores, &f.schema, "NoSuchTable").unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");
    assert!(missing.message().contains("__no_such_table"), "{missing}");
}

#[test]
fn many_rows_come_back_in_one_query() {
    let Some(f) = fixture() else { return };
    let (db, stores) = connect(f);
    let many = Table::open(&db, &stores, &f.schema, "Many").unwrap();
    let sent = db.queries_sent();
    let rows = many.fetch_refs(&Restriction::All).unwrap();
    assert_eq!(db.queries_sent() - sent, 1);
    assert_eq!(rows.len(), MANY_ROWS);
    assert_eq!(many.count(&Restriction::All).unwrap(), MANY_ROWS as u64);
    let keys = many.keys(&Restriction::All).unwrap();
    assert_eq!(
        db.queries_sent() - sent,
        3,
        "one query each for count and keys"
    );
    assert_eq!(keys.len(), MANY_ROWS);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.key, key(&[("idx", KeyValue::Int(i as i64))]));
        let a = row.array("a").unwrap();
        assert_eq!((a.shape(), a.dtype_str()), (&[1u64][..], "int64"));
        assert!(!a.is_loaded());
    }
}

#[test]
fn a_dropped_connection_is_opened_again() {
    let Some(f) = fixture() else { return };
    let (db, stores) = connect(f);
    let probe = Table::open(&db, &stores, &f.schema, "Probe").unwrap();
    let pid = db.query_text("SELECT pg_backend_pid()::text", &[]).unwrap()[0][0]
        .clone()
        .unwrap();
    let (admin, _) = connect(f);
    let killed = admin
        .query_text(
            "SELECT pg_terminate_backend($1::text::integer)::text",
            std::slice::from_ref(&pid),
        )
        .unwrap();
    assert_eq!(killed[0][0].as_deref(), Some("true"));
    assert_eq!(db.connections_opened(), 1);
    assert_eq!(probe.fetch_refs(&Restriction::All).unwrap().len(), 3);
    assert_eq!(db.connections_opened(), 2);
    let new_pid = db.query_text("SELECT pg_backend_pid()::text", &[]).unwrap()[0][0]
        .clone()
        .unwrap();
    assert_ne!(new_pid, pid);
}

#[test]
fn refused_connections_and_wrong_passwords_have_their_own_kinds_and_no_secret() {
    let Some(f) = fixture() else { return };
    let real = std::env::var("DJ_PASS").unwrap();
    let wrong = "not-the-password-SECRET";
    let db = Database::open(&config_in(&f.dir, &[("DJ_PASS", Some(wrong))])).unwrap();
    let err = db.query_text("SELECT 1::text", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert!(err.message().contains("28P01"), "{err}");
    assert!(
        !err.message().contains(wrong) && !err.message().contains(&real),
        "{err}"
    );

    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port().to_string()
    };
    let db = Database::open(&config_in(
        &f.dir,
        &[
            ("DJ_HOST", Some("127.0.0.1")),
            ("DJ_PORT", Some(&closed_port)),
        ],
    ))
    .unwrap();
    let err = db.query_text("SELECT 1::text", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert!(
        err.message().contains(&closed_port) && !err.message().contains(&real),
        "{err}"
    );
}

#[test]
fn the_password_may_come_from_the_secrets_directory() {
    let Some(f) = fixture() else { return };
    let project = common::Scratch::new("db-secrets");
    std::fs::create_dir_all(project.path().join(".secrets")).unwrap();
    std::fs::create_dir_all(project.path().join(".git")).unwrap();
    std::fs::write(
        project.path().join("datajoint.json"),
        r#"{"database": {"backend": "postgresql"}}"#,
    )
    .unwrap();
    let password = std::env::var("DJ_PASS").unwrap();
    std::fs::write(
        project.path().join(".secrets/database.password"),
        format!("{password}\n"),
    )
    .unwrap();
    let config = config_in(project.path(), &[("DJ_PASS", None), ("DJ_BACKEND", None)]);
    let settings = DatabaseSettings::from_config(&config).unwrap();
    assert!(!format!("{settings:?}").contains(&password));
    let db = Database::from_settings(settings).unwrap();
    let rows = db
        .query_text(
            "SELECT count(*)::text FROM information_schema.schemata WHERE schema_name = $1",
            std::slice::from_ref(&f.schema),
        )
        .unwrap();
    assert_eq!(rows, vec![vec![Some("1".to_string())]]);
}
