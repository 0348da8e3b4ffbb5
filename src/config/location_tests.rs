//! Store locations and discovery with the platform's own file names: on Windows
//! (Wine here) `C:\...`, `C:/...`, `\\?\C:\...` and UNC locations, and
//! `datajoint.json` with `.secrets/` found up a Windows directory tree.

use super::*;
use crate::error::ErrorKind;

/// A fresh directory of this test's in the temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("npystore-cfg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(windows)]
/// The spec of a file store at `location` (JSON-escaped here), from inline JSON.
fn file_store(location: &str, base: &Path) -> Result<StoreSpec> {
    let location = serde_json::to_string(location).unwrap();
    let text =
        format!(r#"{{"stores": {{"main": {{"protocol": "file", "location": {location}}}}}}}"#);
    Config::from_json_str(&text, Some(base))?.store(Some("main"))
}

/// `.secrets/` beside the `datajoint.json` found up the tree fills the store's unset
/// keys, and a relative file location is taken from the start directory, whatever
/// the platform's separators.
#[test]
fn discovery_and_secrets_beside_the_file() {
    let base = scratch("discover");
    let start = base.join("proj").join("sub");
    std::fs::create_dir_all(start.join("data")).unwrap();
    std::fs::create_dir_all(base.join("proj").join(".secrets")).unwrap();
    std::fs::write(
        base.join("proj").join("datajoint.json"),
        r#"{"stores": {"default": "files",
            "files": {"protocol": "file", "location": "data"},
            "s3": {"protocol": "s3", "endpoint": "h:9000", "bucket": "b", "location": "l"}}}"#,
    )
    .unwrap();
    for (key, value) in [("access_key", "AK\r\n"), ("secret_key", "SK")] {
        let file = base
            .join("proj")
            .join(".secrets")
            .join(format!("stores.s3.{key}"));
        std::fs::write(file, value).unwrap();
    }
    let none = |_: &str| None;
    let config = Config::discover_in(&start, &none, &base.join("no-system-secrets")).unwrap();
    let origin = config.origin();
    let found = origin.file.as_ref().unwrap();
    assert!(
        found.ends_with(Path::new("proj").join("datajoint.json")),
        "{}",
        found.display()
    );
    let secrets = origin.secrets_dir.as_ref().unwrap();
    assert!(
        secrets.ends_with(Path::new("proj").join(".secrets")),
        "{}",
        secrets.display()
    );
    let s3 = config.store(Some("s3")).unwrap();
    let s3 = s3.s3().unwrap();
    assert_eq!(s3.access_key.as_ref().unwrap().expose(), "AK");
    assert_eq!(s3.secret_key.as_ref().unwrap().expose(), "SK");
    let files = config.store(None).unwrap();
    let location = Path::new(&files.location);
    assert!(location.is_dir(), "{}", files.location);
    assert!(
        location.ends_with(Path::new("sub").join("data")),
        "{}",
        files.location
    );
    assert!(!files.location.starts_with(r"\\?\"), "{}", files.location);
    std::fs::remove_dir_all(&base).unwrap();
}

/// Windows locations are used as given: a drive path with `\` or `/`, a `\\?\` long
/// path, a UNC share (not joined to the base directory: its error names it as given).
#[cfg(windows)]
#[test]
fn windows_locations_are_accepted() {
    let base = scratch("winloc");
    let data = base.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let text = data.to_str().unwrap().to_string();
    assert!(text.as_bytes()[1] == b':', "a drive path: {text}");
    let elsewhere = scratch("winloc-base");
    for location in [
        text.clone(),
        text.replace('\\', "/"),
        format!(r"\\?\{text}"),
    ] {
        let spec = file_store(&location, &elsewhere).unwrap();
        assert_eq!(spec.location, location);
        crate::store::Store::from_spec(spec).unwrap();
    }
    let err = file_store(r"\\nosuchserver\share\data", &elsewhere).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(
        err.message()
            .contains(r"resolved to \\nosuchserver\share\data"),
        "{err}"
    );
    std::fs::remove_dir_all(&base).unwrap();
    std::fs::remove_dir_all(&elsewhere).unwrap();
}

/// Keys inside a store never carry a Windows location: a drive letter, `C:relative`,
/// a UNC or `\\?\` prefix is refused with a `Path` error before the disk is touched.
#[test]
fn keys_refuse_windows_locations() {
    for key in [
        r"\\server\share\a.npy",
        r"\\?\C:\a.npy",
        r"C:\a.npy",
        r"a\b.npy",
    ] {
        let err = crate::path::validate_relative_path(key).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Path, "{key}: {err}");
    }
    #[cfg(windows)]
    {
        let base = scratch("winkeys");
        let store =
            crate::store::Store::from_spec(file_store(base.to_str().unwrap(), &base).unwrap())
                .unwrap();
        for key in ["C:/a.npy", "C:a.npy", "d/C:a.npy", "d/a:stream.npy"] {
            let err = store.exists(key).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Path, "{key}: {err}");
        }
        std::fs::remove_dir_all(&base).unwrap();
    }
}
