//! Gives the C shared library its SONAME (`libnpystore.so.<soversion>`, the ABI
//! version from `[package.metadata.npystore]` in Cargo.toml), so programs linked
//! against it record the versioned name and the usual symlinks work.

fn main() {
    println!("cargo:rerun-if-changed=Cargo.toml");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // ELF platforms whose linkers take -soname; macOS/Windows name libraries otherwise.
    if !matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos"
    ) {
        return;
    }
    let manifest = std::fs::read_to_string("Cargo.toml").expect("read Cargo.toml");
    let soversion = manifest
        .lines()
        .filter_map(|line| line.trim().strip_prefix("soversion"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"').to_string())
        .next()
        .expect("Cargo.toml lacks [package.metadata.npystore] soversion");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnpystore.so.{soversion}");
}
