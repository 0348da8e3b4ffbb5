//! The fuzz targets' properties under `cargo test`: every committed seed
//! (fuzz/seeds/<target>/, numpy-written) and every past finding goes through the same
//! checks the libFuzzer targets run (fuzz/checks.rs), so a regression fails here
//! without a fuzzing build.
//!
//! A finding of scripts/fuzz.sh is added to `FINDINGS` (the input and what the fixed
//! code must return), not only to a corpus. None so far: the long runs recorded in
//! docs/hardening.md found no crash, hang or out-of-memory.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// (target, input) of every past finding; each must now pass its target's checks.
const FINDINGS: &[(&str, &[u8])] = &[];

fn run(target: &str, input: &[u8]) {
    match target {
        "header" => checks::header(input),
        "dtype" => checks::dtype(input),
        "json" => checks::json(input),
        "config" => checks::config(input),
        other => panic!("unknown fuzz target {other}"),
    }
}

#[test]
fn seeds_and_findings_pass_the_fuzz_checks() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut count = 0;
    for target in ["header", "dtype", "json", "config"] {
        let mut n = 0;
        for entry in std::fs::read_dir(seeds.join(target)).unwrap() {
            run(target, &std::fs::read(entry.unwrap().path()).unwrap());
            n += 1;
        }
        assert!(n > 0, "no seeds for {target}");
        count += n;
    }
    for (target, input) in FINDINGS {
        run(target, input);
    }
    eprintln!("{count} seeds and {} findings checked", FINDINGS.len());
}
