//! Any byte prefix: parse_header returns Complete, NeedMore or an error, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npystore::format::{parse_header, HeaderParse};

fuzz_target!(|data: &[u8]| {
    if let Ok(HeaderParse::Complete(p)) = parse_header(data) {
        // A header that parses re-encodes and parses back to the same header.
        let again = parse_header(&p.header.encode()).expect("re-encoded header parses");
        assert!(matches!(again, HeaderParse::Complete(q) if q.header == p.header));
    }
});
