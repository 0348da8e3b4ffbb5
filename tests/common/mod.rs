//! Helpers shared by the integration tests: the reference Python (numpy, datajoint)
//! and scratch directories.
#![allow(dead_code)]

pub mod crash;
pub mod f64s;
pub mod fake_gcs;
pub mod relay;
pub mod remote;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python with numpy (and datajoint) installed by `scripts/python-env.sh`:
/// `$NPYSTORE_PYTHON`, else `<repo>/.venv/bin/python`. Panics with the fix when absent,
/// because a test that silently skips its oracle proves nothing.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("NPYSTORE_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "no reference Python: run scripts/python-env.sh (or set NPYSTORE_PYTHON)"
    );
    venv
}

/// Run `python script args...`, panic with its stderr when it fails, return stdout.
pub fn run_python(script: &Path, args: &[&str]) -> String {
    let out = if relay::active() {
        relay::run(relay::Python::Numpy, script, args)
    } else {
        let out = Command::new(python())
            .arg(script)
            .args(args)
            .output()
            .expect("start python");
        relay::Output::from(out)
    };
    assert!(
        out.success,
        "{} failed: {}\n{}",
        script.display(),
        out.status,
        out.stderr
    );
    out.stdout
}

/// A fresh scratch directory under the target directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after `tag`, unique per call.
    pub fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("npystore-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run the numpy case script `tests/oracles/<script>` writing into `dir`, and return the
/// entries of the `manifest.json` it leaves there.
pub fn numpy_manifest(script: &str, dir: &Path) -> Vec<serde_json::Value> {
    run_python(
        &repo().join("tests/oracles").join(script),
        &[dir.to_str().unwrap()],
    );
    let manifest = std::fs::read(dir.join("manifest.json")).expect("manifest.json");
    match serde_json::from_slice(&manifest).expect("manifest is JSON") {
        serde_json::Value::Array(cases) => cases,
        other => panic!("manifest is not a list: {other}"),
    }
}

/// The configuration JSON of one file store named `name` at `dir`, the default store.
/// The location goes through a JSON encoder, so Windows paths (backslashes) stay intact.
pub fn file_store_json(name: &str, dir: &Path) -> String {
    serde_json::json!({
        "stores": {
            "default": name,
            name: {"protocol": "file", "location": dir.to_str().expect("a UTF-8 path")},
        }
    })
    .to_string()
}

/// `path` canonicalized as npystore shows it: on Windows without the `\\?\` prefix
/// of a drive path (src/path/native.rs), elsewhere as `canonicalize` gives it.
pub fn canonical(path: &Path) -> PathBuf {
    let full = path.canonicalize().expect("canonicalize");
    match full.to_str().and_then(|t| t.strip_prefix(r"\\?\")) {
        Some(rest) if cfg!(windows) && rest.as_bytes().get(1) == Some(&b':') => PathBuf::from(rest),
        _ => full,
    }
}
