//! What the benchmarks share: numpy's python, best-of timing and running a numpy
//! script of `benches/py/` that prints its timings as JSON.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The python with numpy: `NPYSTORE_PYTHON`, else the project's `.venv`.
pub fn python() -> PathBuf {
    std::env::var_os("NPYSTORE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
}

/// The shortest of `rounds` timed runs of `f`.
#[allow(dead_code)] // not every benchmark times this way
pub fn best(rounds: usize, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("at least one round")
}

/// Run `benches/py/<script>` with `args` and parse the JSON it prints.
#[allow(dead_code)] // header_parse reads a plain number instead
pub fn numpy_json(script: &str, args: &[String]) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/py")
        .join(script);
    let out = Command::new(python())
        .arg(path)
        .args(args)
        .output()
        .expect("run numpy benchmark (set NPYSTORE_PYTHON)");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("numpy benchmark prints JSON")
}
