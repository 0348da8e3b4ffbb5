//! The committed C header must be exactly what cbindgen generates from src/ffi now.

use std::process::Command;

#[test]
#[cfg_attr(
    windows,
    ignore = "runs the host's cbindgen; the header is the same on every platform (rust stage)"
)]
fn committed_header_matches_cbindgen_output() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let fresh = std::env::temp_dir().join(format!("npystore-header-{}.h", std::process::id()));
    let status = Command::new(std::env::var("CBINDGEN").unwrap_or_else(|_| "cbindgen".into()))
        .current_dir(repo)
        .args([
            "--config",
            "cbindgen.toml",
            "--crate",
            "npystore",
            "--quiet",
            "--output",
        ])
        .arg(&fresh)
        .status()
        .expect("cbindgen not found: run scripts/install-tools.sh (or set CBINDGEN)");
    assert!(status.success(), "cbindgen failed: {status}");
    let generated = std::fs::read_to_string(&fresh).unwrap();
    let _ = std::fs::remove_file(&fresh);
    let committed = std::fs::read_to_string(format!("{repo}/include/npystore.h")).unwrap();
    assert!(
        generated == committed,
        "include/npystore.h is stale: regenerate it with\n  cbindgen --config cbindgen.toml --crate npystore --output include/npystore.h"
    );
}
