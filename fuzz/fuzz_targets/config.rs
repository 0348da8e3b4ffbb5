//! Any text as `datajoint.json`: `Config::from_json_str` and `Config::store` for every
//! configured name (and the default) return a value or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npystore::config::Config;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Relative file locations resolve against a directory that exists everywhere.
    let Ok(config) = Config::from_json_str(text, Some(Path::new("/tmp"))) else {
        return;
    };
    let _ = format!("{config:?}");
    let _ = config.store(None);
    for name in config.store_names().iter().take(16) {
        if let Ok(spec) = config.store(Some(name)) {
            let _ = format!("{spec:?}");
        }
    }
});
