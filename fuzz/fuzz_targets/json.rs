//! Any text as DataJoint's row JSON, on a memory store (checks::json).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::json(data));
