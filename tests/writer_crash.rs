//! Crash safety: a child process streams rows into a writer and is killed with SIGKILL
//! at a random moment (steered to fall around the publish: `KillClock`). Afterwards
//! the target either does not exist or holds the complete array (npystore and numpy
//! both check), never a partial one; leftovers are
//! only `*.npystore-tmp` files beside the target, which is how docs/writer.md says to
//! find and delete them. On S3 (moto, with 5 MiB parts) recordings are longer, so
//! most make multipart uploads; leftovers there are pending uploads, which are
//! counted and aborted.
//!
//! The child is this test binary re-executed (tests/common/crash.rs).

mod common;

use common::crash::{
    child, child_job, clean_leftovers, kill_after, time_to_finish, KillClock, Rng, STORES,
};
use common::{repo, run_python, Scratch};
use npystore::{Dtype, Order, PutOptions, Store, Target};

const COLS: u64 = 8;

fn row_bytes(first: u64, rows: u64) -> Vec<u8> {
    (first * COLS..(first + rows) * COLS)
        .flat_map(|v| (v as f64).to_le_bytes())
        .collect()
}

/// The child: stream `rows` rows in blocks of `block`, finish. Does nothing when run
/// as an ordinary test.
#[test]
fn crash_child() {
    let Some(job) = child_job() else {
        return;
    };
    let (config, path) = (&job[0], &job[1]);
    let rows: u64 = job[2].parse().unwrap();
    let block: u64 = job[3].parse().unwrap();
    let store = Store::open(Some(config), None).unwrap();
    let mut w = store
        .writer(
            &Target::Path(path.into()),
            Dtype::parse("<f8").unwrap(),
            vec![COLS],
            false,
            PutOptions::default(),
        )
        .unwrap();
    let mut at = 0;
    while at < rows {
        let n = block.min(rows - at);
        w.append(&row_bytes(at, n)).unwrap();
        at += n;
    }
    w.finish().unwrap();
}

fn job(config: &str, path: &str, rows: u64, block: u64) -> Vec<String> {
    vec![
        config.into(),
        path.into(),
        rows.to_string(),
        block.to_string(),
    ]
}

#[test]
fn sigkill_at_any_moment_leaves_nothing_or_the_whole_array() {
    let mut rng = Rng::from_clock("writer crash test");
    for &(name, config_for, trials) in STORES {
        let dir = Scratch::new(&format!("crash-{name}"));
        let Some(config) = config_for(dir.path()) else {
            continue;
        };
        let started = std::time::Instant::now();
        let store = Store::open(Some(&config), None).unwrap();
        // Up to 1.3 MB on a file store; up to 13 MB (2 parts) on object stores.
        let max_rows = if name == "file" { 20_000 } else { 200_000 };

        // How long one full run takes, where kills start from.
        let mut clock = KillClock::new(time_to_finish(child(
            "crash_child",
            &job(&config, "calibrate.npy", max_rows, 64 * max_rows / 20_000),
        )));

        let (mut absent, mut complete) = (0, 0);
        let mut finals = Vec::new();
        for trial in 0..trials {
            let path = format!("rec/trial{trial}.npy");
            let rows = 1 + rng.below(max_rows);
            let block = 1 + rng.below(400 * max_rows / 20_000);
            kill_after(
                child("crash_child", &job(&config, &path, rows, block)),
                clock.next_delay(&mut rng),
            );
            let published = store.exists(&path).unwrap();
            clock.landed(!published);
            if !published {
                absent += 1;
                continue;
            }
            let r = store
                .open_ref(&path)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(r.shape(), &[rows, COLS], "{path}");
            assert!(r.load(Order::C).unwrap() == row_bytes(0, rows), "{path}");
            complete += 1;
            finals.push(dir.path().join(&path).display().to_string());
            finals.push(rows.to_string());
        }
        // numpy agrees on every array that was published (to files numpy can open).
        if name == "file" && !finals.is_empty() {
            let args: Vec<&str> = finals.iter().map(String::as_str).collect();
            run_python(&repo().join("tests/oracles/check_rows.py"), &args);
        }
        // Leftovers: only temp files (pending uploads on S3) named after their
        // target, and removable.
        let leftovers = clean_leftovers(name, &dir.path().join("rec"), &config);
        assert!(
            leftovers
                .iter()
                .all(|n| n.rsplit('/').next().unwrap().starts_with("trial")),
            "{leftovers:?}"
        );
        eprintln!(
            "{name}: {trials} SIGKILL trials: {absent} left nothing at the path, \
             {complete} complete arrays, {} temp files or pending uploads cleaned up, \
             in {:.1?}",
            leftovers.len(),
            started.elapsed()
        );
        assert_eq!(absent + complete, trials);
        assert!(
            absent > 0 && complete > 0,
            "kills should land before and after finish"
        );
    }
}
