//! The C ABI: the only `unsafe extern "C"` code in npystore.
//!
//! Every exported function checks its arguments, runs the safe core inside a panic
//! boundary, and reports failure as an [`npy_status`](status::npy_status) plus a
//! thread-local message (`npy_last_error`). Handles are opaque boxes; each has one
//! `*_free` that accepts NULL.
//!
//! The rule that keeps a panic from ever reaching C: the body of every exported
//! function is exactly one call to a guard (`guard`, `guard_void`, `guard_or` in
//! [`boundary`]), and the raw C arguments are first touched inside it. The test below
//! checks that for every export here; the lints deny the usual panicking
//! calls (checked in CI by `cargo clippy`, scripts/test.sh).
#![allow(non_camel_case_types)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// cbindgen writes the header's functions in the order it parses these modules, so
// they are declared in the order the header reads: library-wide calls, then one
// module per C object. (Constants and types all come before the functions; the blank
// lines keep rustfmt from sorting the declarations.)

// `npy_status`, the result of every fallible call.
pub mod status;

// Library-wide calls: version, last error, status names.
pub mod info;

// `npy_store`: open a configured store.
pub mod store;

// `npy_target`: where a put or a writer writes.
pub mod target;

// `npy_order`: the memory order values.
pub mod order;

// `npy_put`: write one array.
pub mod put;

// `npy_ref`: lazy references and their metadata.
pub mod reference;

// Loads through a reference: `npy_array`, caller buffers, rows.
pub mod load;

// `npy_mapping`: memory maps of stored arrays.
pub mod mapping;

// Bulk loads of many references.
pub mod bulk;

// `npy_writer`: stream rows into one array.
pub mod writer;

// Shared by the modules above: argument checks and the panic boundary.
mod boundary;

// The per-item messages of the last bulk load on each thread.
mod item_errors;

// The progress callback type of the `*_progress` calls.
pub mod progress;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    /// Every exported function's body is one guard call: `guard(`, `guard_void(` or
    /// `guard_or(` as its first and only statement.
    #[test]
    fn every_export_body_is_one_guard_call() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
        let mut exports = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("extern \"C\" fn ") {
                let name: String = text[at + "extern \"C\" fn ".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // The body starts at the first `{` after the parameter list.
                let rest = &text[at..];
                let body = &rest[matching_paren(rest)..];
                let mut body = body[body.find('{').unwrap() + 1..].trim_start();
                while body.starts_with("//") {
                    body = body[body.find('\n').unwrap()..].trim_start();
                }
                let first = body.split(['(', ' ']).next().unwrap();
                assert!(
                    ["guard", "guard_void", "guard_or"].contains(&first),
                    "{}: {name} starts with `{first}`, not a guard",
                    path.display()
                );
                let after = body[matching_paren(body)..].trim_start();
                let after = after.strip_prefix(';').unwrap_or(after).trim_start();
                assert!(
                    after.starts_with('}'),
                    "{}: {name} does more after its guard call",
                    path.display()
                );
                exports += 1;
            }
        }
        assert!(exports > 50, "only {exports} exports found");
    }

    /// The index just past the parenthesis that closes the first `(` in `text`.
    fn matching_paren(text: &str) -> usize {
        let mut depth = 0;
        for (i, c) in text.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        }
        panic!("unbalanced parentheses");
    }
}
