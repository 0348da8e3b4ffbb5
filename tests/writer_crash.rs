//! Crash safety: a child process streams rows into a writer and is killed with SIGKILL
//! at a random moment. Afterwards the target either does not exist or holds the
//! complete array (npystore and numpy both check), never a partial one; leftovers are
//! only `*.npystore-tmp` files beside the target, which is how docs/writer.md says to
//! find and delete them.
//!
//! The child is this test binary re-executed with `NPYSTORE_WRITER_CRASH_CHILD` set.

mod common;

use common::{repo, run_python, Scratch};
use npystore::store::TEMP_SUFFIX;
use npystore::{Dtype, Order, PutOptions, Store, Target};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "NPYSTORE_WRITER_CRASH_CHILD";
const TRIALS: usize = 60;
const COLS: u64 = 8;

fn file_config(dir: &Path) -> String {
    format!(
        r#"{{"stores": {{"default": "s", "s": {{"protocol": "file", "location": "{}"}}}}}}"#,
        dir.display()
    )
}

/// The stores trials run on: a name and the config for a scratch directory. Adding a
/// store (S3 on a local emulator, with the remote stores) is one line here.
const STORES: &[(&str, ConfigFor)] = &[("file", file_config)];

/// Builds a store's config JSON for a scratch directory.
type ConfigFor = fn(&Path) -> String;

fn row_bytes(first: u64, rows: u64) -> Vec<u8> {
    (first * COLS..(first + rows) * COLS)
        .flat_map(|v| (v as f64).to_le_bytes())
        .collect()
}

/// The child: stream `rows` rows in blocks of `block`, finish, say so. Does nothing
/// when run as an ordinary test.
#[test]
fn crash_child() {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut lines = job.lines();
    let (config, path) = (lines.next().unwrap(), lines.next().unwrap());
    let rows: u64 = lines.next().unwrap().parse().unwrap();
    let block: u64 = lines.next().unwrap().parse().unwrap();
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
    println!("finished");
}

fn child(config: &str, path: &str, rows: u64, block: u64) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{config}\n{path}\n{rows}\n{block}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A small deterministic generator (xorshift64), seeded from the clock and printed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn sigkill_at_any_moment_leaves_nothing_or_the_whole_array() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    for (name, config_for) in STORES {
        let dir = Scratch::new(&format!("crash-{name}"));
        let config = config_for(dir.path());
        let store = Store::open(Some(&config), None).unwrap();

        // How long one full run takes, so kills land before, during and after finish.
        let started = Instant::now();
        let status = child(&config, "calibrate.npy", 20_000, 64)
            .status()
            .unwrap();
        assert!(status.success(), "the child fails on its own");
        let full = started.elapsed();

        let (mut absent, mut complete) = (0, 0);
        let mut finals = Vec::new();
        for trial in 0..TRIALS {
            let path = format!("rec/trial{trial}.npy");
            let rows = 1 + rng.below(20_000);
            let block = 1 + rng.below(400);
            let delay = Duration::from_micros(rng.below(full.as_micros() as u64 * 3 / 2));
            let mut running = child(&config, &path, rows, block).spawn().unwrap();
            std::thread::sleep(delay);
            running.kill().unwrap(); // SIGKILL (or nothing, if it already exited)
            running.wait().unwrap();
            if !store.exists(&path).unwrap() {
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
        // numpy agrees on every array that was published.
        if !finals.is_empty() {
            let args: Vec<&str> = finals.iter().map(String::as_str).collect();
            run_python(&repo().join("tests/py/check_rows.py"), &args);
        }
        // Leftovers: only temp files, named after their target, and removable.
        let mut leftovers = 0;
        for entry in std::fs::read_dir(dir.path().join("rec")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".npy") {
                continue;
            }
            assert!(
                name.starts_with("trial") && name.ends_with(TEMP_SUFFIX),
                "unexpected file {name}"
            );
            std::fs::remove_file(dir.path().join("rec").join(&name)).unwrap();
            leftovers += 1;
        }
        eprintln!(
            "{name}: {TRIALS} SIGKILL trials: {absent} left nothing at the path, \
             {complete} complete arrays, {leftovers} temp files cleaned up"
        );
        assert_eq!(absent + complete, TRIALS);
        assert!(
            absent > 0 && complete > 0,
            "kills should land before and after finish"
        );
    }
}
