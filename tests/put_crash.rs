//! Crash safety of `Store::put` (what `npy_put` runs): a child process puts one array
//! and is killed with SIGKILL at a random moment after the child says the put starts
//! (steered to fall around the publish: `KillClock`), half the trials to a new path and
//! half overwriting an existing object. Afterwards the path holds the old state (no
//! object, or the old array) or the complete new array, checked byte for byte, never
//! a partial one; what a kill leaves behind is only `*.npystore-tmp` files, which are
//! reported and removed. On S3 (moto, 5 MiB parts) the larger puts are multipart
//! uploads, and what a kill leaves is pending uploads, reported and aborted.
//!
//! The child is this test binary re-executed (tests/common/crash.rs).

mod common;

use common::crash::{
    child, child_job, clean_leftovers, kill_after_mark, mark, time_from_mark, KillClock, Rng,
    STORES,
};
use common::Scratch;
use npystore::{ArrayData, Dtype, ErrorKind, Order, PutOptions, Store, Target};

const COLS: u64 = 64;

/// The array of generation `generation`: `rows` x COLS float64, every value telling
/// its generation and position, so a mix of two generations cannot pass for either.
fn array(generation: u64, rows: u64) -> Vec<u8> {
    (0..rows * COLS)
        .flat_map(|i| ((generation << 32 | i) as f64).to_le_bytes())
        .collect()
}

fn put(store: &Store, path: &str, generation: u64, rows: u64, overwrite: bool) {
    put_data(store, path, &array(generation, rows), rows, overwrite);
}

fn put_data(store: &Store, path: &str, data: &[u8], rows: u64, overwrite: bool) {
    let array = ArrayData {
        data,
        dtype: Dtype::parse("<f8").unwrap(),
        shape: vec![rows, COLS],
        fortran_order: false,
    };
    let options = PutOptions {
        overwrite,
        ..PutOptions::default()
    };
    store
        .put(&array, &Target::Path(path.into()), options)
        .unwrap();
}

/// The child: one put of generation `generation` with `rows` rows, marked when the
/// array is ready and the put starts. Does nothing when run as an ordinary test.
#[test]
fn put_child() {
    let Some(job) = child_job() else {
        return;
    };
    let store = Store::open(Some(&job[0]), None).unwrap();
    let (generation, rows) = (job[2].parse().unwrap(), job[3].parse().unwrap());
    let data = array(generation, rows);
    mark();
    put_data(&store, &job[1], &data, rows, job[4] == "overwrite");
}

fn job(config: &str, path: &str, generation: u64, rows: u64, overwrite: bool) -> Vec<String> {
    let mode = if overwrite { "overwrite" } else { "new" };
    [
        config,
        path,
        &generation.to_string(),
        &rows.to_string(),
        mode,
    ]
    .map(String::from)
    .to_vec()
}

/// What is at `path` now: `None`, or the generation and rows of a complete array.
///
/// On S3 a put the child sent just before it was killed may still be published by
/// the server while we look: a reference opened on the old object then refuses the
/// new one at load (`Mismatch`: its data is read pinned to the version whose header
/// it read), and we look again.
fn state(store: &Store, path: &str) -> Option<(u64, u64)> {
    const LOOKS: usize = 3;
    for _ in 1..LOOKS {
        match look(store, path) {
            Err(e) if e.kind() == ErrorKind::Mismatch => eprintln!("{path} changed: {e}"),
            seen => return seen.unwrap_or_else(|e| panic!("{path}: {e}")),
        }
    }
    look(store, path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One look at `path` for [`state`]: any failure but a `Mismatch` fails the test.
fn look(store: &Store, path: &str) -> npystore::Result<Option<(u64, u64)>> {
    if !store.exists(path)? {
        return Ok(None);
    }
    let r = store
        .open_ref(path)
        .unwrap_or_else(|e| panic!("{path} is not a whole object: {e}"));
    let rows = r.shape()[0];
    assert_eq!(r.shape(), &[rows, COLS], "{path}");
    let bytes = r.load(Order::C)?;
    let generation = (f64::from_le_bytes(bytes[..8].try_into().unwrap()) as u64) >> 32;
    assert!(
        bytes == array(generation, rows),
        "{path}: mixed or partial content"
    );
    Ok(Some((generation, rows)))
}

#[test]
fn sigkill_during_put_leaves_the_old_state_or_the_whole_new_array() {
    let mut rng = Rng::from_clock("put crash test");
    const MAX_ROWS: u64 = 16_384; // 8 MiB
    for &(name, config_for, trials) in STORES {
        let dir = Scratch::new(&format!("put-crash-{name}"));
        let Some(config) = config_for(dir.path()) else {
            continue;
        };
        let started = std::time::Instant::now();
        let store = Store::open(Some(&config), None).unwrap();
        // How long a put of the largest array takes, where kills start from.
        let mut clock = KillClock::new(time_from_mark(child(
            "put_child",
            &job(&config, "calibrate.npy", 1, MAX_ROWS, false),
        )));

        let (mut old, mut new) = (0, 0);
        for trial in 0..trials {
            let overwrite = trial % 2 == 1;
            let path = format!("rec/{}{trial}.npy", if overwrite { "over" } else { "new" });
            let before = overwrite.then(|| {
                let rows = 1 + rng.below(MAX_ROWS);
                put(&store, &path, 1, rows, false);
                (1, rows)
            });
            let rows = 1 + rng.below(MAX_ROWS);
            kill_after_mark(
                child("put_child", &job(&config, &path, 2, rows, overwrite)),
                clock.next_delay(&mut rng),
            );
            let before_publish = match state(&store, &path) {
                s if s == before => {
                    old += 1;
                    true
                }
                Some((2, r)) if r == rows => {
                    new += 1;
                    false
                }
                other => panic!("{path}: {other:?}, expected {before:?} or {:?}", (2, rows)),
            };
            clock.landed(before_publish);
        }
        let leftovers = clean_leftovers(name, dir.path(), &config);
        eprintln!(
            "{name}: {trials} SIGKILL trials of put (half overwriting): {old} kept the old \
             state, {new} hold the complete new array, {} temp files or pending uploads \
             left and removed, in {:.1?}: {leftovers:?}",
            leftovers.len(),
            started.elapsed()
        );
        assert_eq!(old + new, trials);
        assert!(
            old > 0 && new > 0,
            "kills should land before and after the publish"
        );
    }
}
