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

use common::crash::file_config;
#[cfg(unix)]
use common::crash::{child, child_job};
use common::Scratch;
use npystore::{ArrayData, Dtype, ErrorKind, MapMode, PutOptions, Store, Target};
#[cfg(unix)]
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
#[cfg(unix)]
use std::time::{Duration, Instant};

const N: u64 = 1 << 16; // 512 KiB of float64: many pages

fn values(v: f64) -> Vec<u8> {
    (0..N).flat_map(|_| v.to_le_bytes()).collect()
}

/// An overwriting put of `N` copies of `v` at `path`, and what the store answered.
fn try_put(store: &Store, path: &str, v: f64) -> npystore::Result<npystore::ArrayRef> {
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
    store.put(&array, &Target::Path(path.into()), options)
}

fn put(store: &Store, path: &str, v: f64) {
    try_put(store, path, v).unwrap();
}

#[cfg(unix)]
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

/// An overwrite of a file that another handle maps keeps docs/hardening.md's
/// promise ("Windows file stores"): either it is replaced and the map keeps the old
/// bytes, or it is refused (`PermissionDenied`, naming the object) with the object
/// and the map unchanged, and once the map is gone the put goes through. Wine
/// refuses; NTFS may take either branch, and both are checked here.
#[cfg(windows)]
#[test]
fn an_overwrite_of_a_mapped_object_is_replaced_or_refused_and_loses_nothing() {
    let dir = Scratch::new("mmap-replace");
    let store = Store::open(Some(&file_config(dir.path()).unwrap()), None).unwrap();
    put(&store, "a.npy", 1.0);
    let map = store
        .open_ref("a.npy")
        .unwrap()
        .mmap(MapMode::ReadOnly)
        .unwrap();
    let load = || {
        store
            .open_ref("a.npy")
            .unwrap()
            .load(npystore::Order::C)
            .unwrap()
    };
    match try_put(&store, "a.npy", 2.0) {
        Ok(_) => assert!(
            load() == values(2.0),
            "replaced, the object has the new bytes"
        ),
        Err(err) => {
            assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
            assert!(err.message().contains("a.npy"), "{err}");
            assert!(load() == values(1.0), "refused, the object is unchanged");
        }
    }
    assert!(
        map.as_slice() == values(1.0).as_slice(),
        "the map keeps the old bytes"
    );
    drop(map);
    put(&store, "a.npy", 3.0);
    assert!(load() == values(3.0), "unmapped, it is replaced");
}

#[test]
fn a_file_truncated_before_mapping_is_refused() {
    let dir = Scratch::new("mmap-truncated");
    let store = Store::open(Some(&file_config(dir.path()).unwrap()), None).unwrap();
    put(&store, "a.npy", 1.0);
    let r = store.open_ref("a.npy").unwrap();
    truncate(&dir.path().join("a.npy"), 4096);
    let err = r.mmap(MapMode::ReadOnly).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format, "{err}");
    assert!(err.message().contains("truncated"), "{err}");
    let err = store.open_ref("a.npy").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Format, "{err}");
}

/// Cut `file` to `size` bytes through a handle of its own, as another program would.
fn truncate(file: &Path, size: u64) {
    let handle = std::fs::OpenOptions::new().write(true).open(file).unwrap();
    handle.set_len(size).unwrap();
}

/// The child: map the object, say so, wait for the go-ahead, then read every byte.
// Unix only, as its parent below.
#[cfg(unix)]
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

// Unix only: Windows refuses to cut a mapped file (ERROR_USER_MAPPED_FILE), so the
// hazard and its signal do not exist there.
#[cfg(unix)]
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
    truncate(&dir.path().join("a.npy"), 4096);
    std::fs::write(&go, b"go").unwrap();
    let status = running.wait().unwrap();
    assert_eq!(status.signal(), Some(libc_sigbus()), "{status:?}");
}

/// SIGBUS on Linux (x86, ARM).
#[cfg(unix)]
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
    link_dir("a", &loc);
    let store = Store::open(Some(&file_config(&loc).unwrap()), None).unwrap();
    (store, loc)
}

/// A symbolic link at `at` to the directory `to` (relative to the link's folder).
fn link_dir(to: &str, at: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(to, at).unwrap();
    #[cfg(windows)]
    std::os::windows::fs::symlink_dir(to, at).unwrap();
}

fn repoint(loc: &Path, to: &str) {
    let next = loc.with_extension("next");
    link_dir(to, &next);
    std::fs::rename(&next, loc).unwrap(); // atomic, as an attacker would do it
}

/// The path a map reports names the file that was checked and mapped, not
/// `<location>/<rel>`: after the location's link is repointed it still names the
/// mapped file, and that name is fully resolved (no link left to repoint).
#[cfg_attr(
    windows,
    ignore = "repoints directory symlinks: Wine does not show NTFS reparse points"
)]
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
#[cfg_attr(
    windows,
    ignore = "repoints directory symlinks: Wine does not show NTFS reparse points"
)]
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
    link_dir("b", &a);
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
