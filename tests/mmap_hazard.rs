//! What the README's "Memory maps" section promises, shown:
//! - npystore's own API never truncates or rewrites a published object: overwriting
//!   puts, writers and deletes replace or unlink the directory entry, so a map made
//!   before keeps reading the old bytes;
//! - a map made after another process truncated the file is refused (`Format`, the
//!   size no longer matches the header), never handed out;
//! - the inherent hazard: when another process truncates a file while it is mapped,
//!   touching the lost pages raises SIGBUS in the mapping process (shown in a child);
//! - a map's path names the file that was checked and mapped (resolved, so repointing
//!   the location's link later changes nothing), and can be verified to still lead
//!   to it (a replaced file or a swapped directory is a `Mismatch`).

mod common;

use common::crash::{child, child_job, file_config};
use common::Scratch;
use npystore::{ArrayData, Dtype, ErrorKind, MapMode, PutOptions, Store, Target};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::{Duration, Instant};

const N: u64 = 1 << 16; // 512 KiB of float64: many pages

fn values(v: f64) -> Vec<u8> {
    (0..N).flat_map(|_| v.to_le_bytes()).collect()
}

fn put(store: &Store, path: &str, v: f64) {
    let data = values(v);
    let array = ArrayData {
        data: &data,
        dtype: Dtype::parse("<f8").unwrap(),
        shape: vec![N],
        fortran_order: false,
    };
    let options = PutOptions {
        overwrite: true,
        ..PutOptions::default()
    };
    store
        .put(&array, &Target::Path(path.into()), options)
        .unwrap();
}

#[test]
fn npystore_replaces_objects_but_never_truncates_a_mapped_one() {
    let dir = Scratch::new("mmap-replace");
    let store = Store::open(Some(&file_config(dir.path()).unwrap()), None).unwrap();
    put(&store, "a.npy", 1.0);
    let map = store
        .open_ref("a.npy")
        .unwrap()
        .mmap(MapMode::ReadOnly)
        .unwrap();
    put(&store, "a.npy", 2.0); // overwriting put
    let mut w = store
        .writer(
            &Target::Path("a.npy".into()),
            Dtype::parse("<f8").unwrap(),
            vec![],
            false,
            PutOptions {
                overwrite: true,
                ..PutOptions::default()
            },
        )
        .unwrap();
    w.append(&3.0f64.to_le_bytes()).unwrap();
    w.finish().unwrap(); // overwriting writer
    assert!(
        map.as_slice() == values(1.0).as_slice(),
        "the map still holds the old object"
    );
    store.delete("a.npy").unwrap();
    assert!(
        map.as_slice() == values(1.0).as_slice(),
        "and keeps it after a delete"
    );
}

#[test]
fn a_file_truncated_before_mapping_is_refused() {
    let dir = Scratch::new("mmap-truncated");
    let store = Store::open(Some(&file_config(dir.path()).unwrap()), None).unwrap();
    put(&store, "a.npy", 1.0);
    let r = store.open_ref("a.npy").unwrap();
    truncate_from_another_process(&dir.path().join("a.npy"), 4096);
    let err = r.mmap(MapMode::ReadOnly).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format, "{err}");
    assert!(err.message().contains("truncated"), "{err}");
    let err = store.open_ref("a.npy").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format, "{err}");
}

fn truncate_from_another_process(file: &Path, size: u64) {
    let status = std::process::Command::new("truncate")
        .args(["-s", &size.to_string()])
        .arg(file)
        .status()
        .unwrap();
    assert!(status.success());
}

/// The child: map the object, say so, wait for the go-ahead, then read every byte.
#[test]
fn mapping_child() {
    let Some(job) = child_job() else {
        return;
    };
    let store = Store::open(Some(&job[0]), None).unwrap();
    let map = store
        .open_ref("a.npy")
        .unwrap()
        .mmap(MapMode::ReadOnly)
        .unwrap();
    std::fs::write(&job[1], b"mapped").unwrap();
    while !Path::new(&job[2]).exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let sum: u64 = map.as_slice().iter().map(|&b| b as u64).sum();
    println!("read {sum}");
}

#[test]
fn truncating_a_mapped_file_from_another_process_raises_sigbus_on_access() {
    let dir = Scratch::new("mmap-sigbus");
    let config = file_config(dir.path()).unwrap();
    let store = Store::open(Some(&config), None).unwrap();
    put(&store, "a.npy", 1.0);
    let (ready, go) = (dir.path().join("ready"), dir.path().join("go"));
    let job = [
        config,
        ready.display().to_string(),
        go.display().to_string(),
    ];
    let mut running = child("mapping_child", &job).spawn().unwrap();
    let started = Instant::now();
    while !ready.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the child never mapped"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    truncate_from_another_process(&dir.path().join("a.npy"), 4096);
    std::fs::write(&go, b"go").unwrap();
    let status = running.wait().unwrap();
    assert_eq!(status.signal(), Some(libc_sigbus()), "{status:?}");
}

/// SIGBUS on Linux (x86, ARM).
fn libc_sigbus() -> i32 {
    7
}

/// A store whose location is a symbolic link `loc` to `a/`, which holds `x.npy`
/// (1.0s); `b/x.npy` (2.0s) lies beside, outside the store once `loc` is repointed.
fn linked_location(dir: &Path) -> (Store, std::path::PathBuf) {
    for (sub, v) in [("a", 1.0), ("b", 2.0)] {
        std::fs::create_dir(dir.join(sub)).unwrap();
        let store = Store::open(Some(&file_config(&dir.join(sub)).unwrap()), None).unwrap();
        put(&store, "x.npy", v);
    }
    let loc = dir.join("loc");
    std::os::unix::fs::symlink("a", &loc).unwrap();
    let store = Store::open(Some(&file_config(&loc).unwrap()), None).unwrap();
    (store, loc)
}

fn repoint(loc: &Path, to: &str) {
    let next = loc.with_extension("next");
    std::os::unix::fs::symlink(to, &next).unwrap();
    std::fs::rename(&next, loc).unwrap(); // atomic, as an attacker would do it
}

/// The path a map reports names the file that was checked and mapped, not
/// `<location>/<rel>`: after the location's link is repointed it still names the
/// mapped file, and that name is fully resolved (no link left to repoint).
#[test]
fn a_maps_path_names_the_mapped_file_after_the_location_is_repointed() {
    let dir = Scratch::new("mmap-repoint");
    let (store, loc) = linked_location(dir.path());
    for mode in [MapMode::ReadOnly, MapMode::ReadWrite, MapMode::CopyOnWrite] {
        repoint(&loc, "a");
        let map = store.open_ref("x.npy").unwrap().mmap(mode).unwrap();
        assert!(map.as_slice() == values(1.0).as_slice());
        repoint(&loc, "b");
        let named = map.file_path().to_path_buf();
        let mapped = dir.path().canonicalize().unwrap().join("a/x.npy");
        assert_eq!(named, mapped, "{mode:?}: the path names the mapped file");
        let bytes = std::fs::read(&named).unwrap();
        assert!(
            bytes.ends_with(&values(1.0)),
            "{mode:?}: read by name: mapped bytes"
        );
    }
}

/// Whoever reopens a map's file by name (MATLAB's memmapfile) can verify that the name
/// still leads to the mapped file: a replaced file or a repointed link is a `Mismatch`.
#[test]
fn a_maps_path_is_verified_against_the_mapped_file() {
    let dir = Scratch::new("mmap-verify");
    let (store, loc) = linked_location(dir.path());
    let map = store
        .open_ref("x.npy")
        .unwrap()
        .mmap(MapMode::ReadOnly)
        .unwrap();
    assert_eq!(map.verified_file_path().unwrap(), map.file_path());
    repoint(&loc, "b"); // the resolved name does not go through the link
    assert_eq!(map.verified_file_path().unwrap(), map.file_path());
    // The mapped file replaced at its name (as an overwriting put does), or its
    // directory swapped for a link to another one: the name leads elsewhere.
    let a = dir.path().join("a");
    std::fs::rename(&a, dir.path().join("a.old")).unwrap();
    std::os::unix::fs::symlink("b", &a).unwrap();
    let err = map.verified_file_path().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Mismatch, "{err}");
    assert!(
        err.message().contains("no longer names the mapped file"),
        "{err}"
    );
    std::fs::remove_file(&a).unwrap();
    std::fs::rename(dir.path().join("a.old"), &a).unwrap();
    assert!(map.verified_file_path().is_ok(), "the same file again");
    put(
        &Store::open(Some(&file_config(&a).unwrap()), None).unwrap(),
        "x.npy",
        3.0,
    );
    let err = map.verified_file_path().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Mismatch, "{err}");
}
