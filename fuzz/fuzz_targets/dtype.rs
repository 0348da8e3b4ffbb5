//! Any text: Dtype::parse returns a dtype or an error, never panics; what parses
//! prints to a descr and a str(dtype) that both parse back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npystore::format::Dtype;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(d) = Dtype::parse(s) {
            assert_eq!(Dtype::parse(&d.descr()).as_ref(), Ok(&d));
            assert_eq!(Dtype::parse(&d.numpy_str()).as_ref(), Ok(&d));
        }
    }
});
