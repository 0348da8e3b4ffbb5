//! Any byte prefix through the .npy header parser (checks::header).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::header(data));
