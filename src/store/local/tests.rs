//! File-store publishing on every platform (the Unix `*at` calls, the Windows
//! renames, and the portable POSIX path with `--features portable-posix`): the
//! temporary-file cleanup rule, overwriting a memory-mapped file, and keys that differ
//! only in case.

use super::*;
use crate::mapping::{MapMode, Mapping};
use crate::store::backend::{UploadOptions, WriteOptions};

/// A fresh, empty store in the temporary directory, and its location.
fn store(name: &str) -> (LocalBackend, PathBuf) {
    let base = std::env::temp_dir().join(format!("npystore-local-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    (LocalBackend::open(&base).unwrap(), base)
}

fn write(overwrite: bool) -> WriteOptions {
    WriteOptions {
        fsync: true,
        overwrite,
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A no-replace put over an existing object fails with `AlreadyExists`, keeps the
/// object's bytes and leaves no temporary file; an overwrite replaces it.
#[test]
fn a_refused_put_leaves_the_object_and_no_temporary_file() {
    let (backend, base) = store("refused");
    backend
        .write_atomic("d/a.npy", &[b"one"], write(false))
        .unwrap();
    let err = backend
        .write_atomic("d/a.npy", &[b"two"], write(false))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    assert!(err.message().contains("a.npy already exists"), "{err}");
    assert_eq!(std::fs::read(base.join("d").join("a.npy")).unwrap(), b"one");
    assert_eq!(names(&base.join("d")), ["a.npy"]);
    backend
        .write_atomic("d/a.npy", &[b"three"], write(true))
        .unwrap();
    assert_eq!(
        std::fs::read(base.join("d").join("a.npy")).unwrap(),
        b"three"
    );
    assert_eq!(names(&base.join("d")), ["a.npy"]);
    std::fs::remove_dir_all(&base).unwrap();
}

/// The same rule for a streaming upload: its publish is refused at `finish`, and the
/// temporary file it wrote is removed.
#[test]
fn a_refused_upload_leaves_the_object_and_no_temporary_file() {
    let (backend, base) = store("upload");
    backend
        .write_atomic("a.npy", &[b"one"], write(false))
        .unwrap();
    let options = UploadOptions {
        write: write(false),
        part_size: 5 << 20,
        concurrency: 1,
    };
    let mut upload = backend.begin_upload("a.npy", b"HEAD", options).unwrap();
    upload.write(b"body").unwrap();
    assert_eq!(
        names(&base).len(),
        2,
        "the temporary file is beside the target"
    );
    let err = upload.finish(b"head").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    drop(upload);
    assert_eq!(names(&base), ["a.npy"]);
    assert_eq!(std::fs::read(base.join("a.npy")).unwrap(), b"one");
    std::fs::remove_dir_all(&base).unwrap();
}

/// Overwriting a file that a map of npystore's holds: the promise on every platform
/// is that nothing is lost. Either the put succeeds, the map keeps the old bytes and
/// `verified_file_path` reports that the name now leads elsewhere (Unix always;
/// Windows where the file system replaces files that are open with share-delete), or
/// the put fails naming the reason and the old object stays, with no temporary file.
#[test]
fn overwriting_a_mapped_file_loses_nothing() {
    let (backend, base) = store("mapped");
    for (i, mode) in [MapMode::ReadOnly, MapMode::ReadWrite, MapMode::CopyOnWrite]
        .into_iter()
        .enumerate()
    {
        let key = format!("m{i}.npy");
        backend
            .write_atomic(&key, &[b"old bytes"], write(false))
            .unwrap();
        let file = backend
            .root
            .open_file(&key, mode == MapMode::ReadWrite)
            .unwrap();
        // Named as npystore names it: the full path under the location.
        let map = Mapping::map_whole(&file, &backend.describe(&key), mode).unwrap();
        drop(file); // the map alone holds the file, as npystore's mappings do
        assert!(map.verified_file_path().is_ok());
        let put = backend.write_atomic(&key, &[b"new bytes!"], write(true));
        assert_eq!(map.file_bytes(), b"old bytes", "{mode:?}: the map changed");
        match put {
            Ok(_) => {
                assert_eq!(std::fs::read(base.join(&key)).unwrap(), b"new bytes!");
                let err = map.verified_file_path().unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Mismatch, "{err}");
                eprintln!("{mode:?}: the overwrite replaced the mapped file");
            }
            Err(err) if !cfg!(windows) => panic!("{mode:?}: only Windows may refuse: {err}"),
            Err(err) => {
                assert!(
                    err.message().contains("the stored object is unchanged"),
                    "{err}"
                );
                assert_eq!(std::fs::read(base.join(&key)).unwrap(), b"old bytes");
                eprintln!("{mode:?}: the overwrite was refused: {err}");
            }
        }
        drop(map);
    }
    let left: Vec<String> = names(&base)
        .into_iter()
        .filter(|n| n.ends_with(TEMP_SUFFIX))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    std::fs::remove_dir_all(&base).unwrap();
}

/// Keys are compared as the file system compares names. Where names differ only in
/// case are one name (Windows, macOS by default), `A.npy` is the object `a.npy`: a
/// no-replace put of it fails as "exists" and an overwrite replaces `a.npy`'s bytes,
/// never a second object. Where case matters (Linux), they are two objects.
#[test]
fn keys_differing_only_in_case() {
    let (backend, base) = store("case");
    backend
        .write_atomic("a.npy", &[b"lower"], write(false))
        .unwrap();
    let folds = base.join("A.NPY").exists();
    assert!(
        folds || !cfg!(windows),
        "Windows names are not case-insensitive here"
    );
    let put = backend.write_atomic("A.npy", &[b"upper"], write(false));
    if folds {
        let err = put.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
        assert!(backend.exists("A.npy").unwrap());
        assert_eq!(std::fs::read(base.join("a.npy")).unwrap(), b"lower");
        backend
            .write_atomic("A.npy", &[b"upper"], write(true))
            .unwrap();
        assert_eq!(std::fs::read(base.join("a.npy")).unwrap(), b"upper");
        assert_eq!(names(&base).len(), 1, "one object: {:?}", names(&base));
    } else {
        put.unwrap();
        assert_eq!(names(&base), ["A.npy", "a.npy"]);
        assert_eq!(std::fs::read(base.join("a.npy")).unwrap(), b"lower");
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// Keys whose full name is longer than Windows' `MAX_PATH` (260) publish both ways:
/// the no-replace rename gets the `\\?\` prefix std gives its own calls. Wine does
/// not enforce `MAX_PATH` (this passed there without the prefix too), so under Wine
/// it shows that long keys publish, not that the prefix is needed.
#[test]
fn keys_longer_than_max_path_publish() {
    let (backend, base) = store("long");
    let key = format!("{}/a.npy", vec!["d".repeat(60); 5].join("/"));
    assert!(base.join(&key).as_os_str().len() > 300);
    backend.write_atomic(&key, &[b"one"], write(false)).unwrap();
    let err = backend
        .write_atomic(&key, &[b"two"], write(false))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    backend
        .write_atomic(&key, &[b"three"], write(true))
        .unwrap();
    assert_eq!(std::fs::read(base.join(&key)).unwrap(), b"three");
    std::fs::remove_dir_all(&base).unwrap();
}
