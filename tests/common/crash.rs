//! Child-process machinery for crash tests: the test binary re-executes itself with a
//! job in an environment variable, and the parent kills it with SIGKILL at a random
//! moment. Used by tests/writer_crash.rs (streaming writer) and tests/put_crash.rs
//! (`Store::put`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that carries a child's job (lines of text).
pub const CHILD_ENV: &str = "NPYSTORE_CRASH_CHILD";

/// In a child, the lines of its job; `None` when running as an ordinary test.
pub fn child_job() -> Option<Vec<String>> {
    let job = std::env::var(CHILD_ENV).ok()?;
    Some(job.lines().map(str::to_string).collect())
}

/// A command that runs only the test `child_test` of this binary, with `job`.
pub fn child(child_test: &str, job: &[String]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", child_test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, job.join("\n"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// How long `cmd` takes to run to completion (it must succeed).
pub fn time_to_finish(mut cmd: Command) -> Duration {
    let started = Instant::now();
    let status = cmd.status().unwrap();
    assert!(status.success(), "the child fails on its own");
    started.elapsed()
}

/// Start `cmd`, SIGKILL it after `delay` (or reap it, if it already exited).
pub fn kill_after(mut cmd: Command, delay: Duration) {
    let mut running = cmd.spawn().unwrap();
    std::thread::sleep(delay);
    running.kill().unwrap();
    running.wait().unwrap();
}

/// The line a child prints just before the operation a trial kills.
pub const MARK: &str = "npystore-crash-mark";

/// In a child: say that the operation under test starts now.
pub fn mark() {
    use std::io::Write;
    println!("{MARK}");
    std::io::stdout().flush().unwrap();
}

/// Start `cmd` and wait for its [`mark`]; the running child, whose stdout is drained.
fn start_marked(mut cmd: Command) -> std::process::Child {
    use std::io::BufRead;
    let mut running = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut out = std::io::BufReader::new(running.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child exited before its mark"
        );
        if line.trim_end().ends_with(MARK) {
            break;
        }
    }
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    running
}

/// How long `cmd` runs from its [`mark`] to its successful exit.
pub fn time_from_mark(cmd: Command) -> Duration {
    let mut running = start_marked(cmd);
    let started = Instant::now();
    assert!(
        running.wait().unwrap().success(),
        "the child fails on its own"
    );
    started.elapsed()
}

/// Start `cmd`, wait for its [`mark`], SIGKILL it `delay` later (or reap it, if it
/// already exited).
pub fn kill_after_mark(cmd: Command, delay: Duration) {
    let mut running = start_marked(cmd);
    std::thread::sleep(delay);
    running.kill().unwrap();
    running.wait().unwrap();
}

/// When the next trial's SIGKILL falls: a random moment up to 1.5 times a scale that
/// follows the outcomes, shrinking after a kill that came after the publish and
/// growing after one that came before it. The scale starts from one timed run, but
/// one run on a busy machine can be many times slower or faster than the trials
/// after it (a kill test once saw 60 of 60 kills land after the publish); steered
/// this way, kills settle around the publish, where they land on both sides of it.
pub struct KillClock {
    scale_us: f64,
}

impl KillClock {
    /// Starting from the duration of one whole run of the operation.
    pub fn new(calibration: Duration) -> KillClock {
        KillClock {
            scale_us: calibration.as_micros().max(1) as f64,
        }
    }

    /// The delay for the next trial.
    pub fn next_delay(&self, rng: &mut Rng) -> Duration {
        Duration::from_micros(rng.below((self.scale_us * 1.5) as u64 + 1))
    }

    /// Record where the last kill landed: before the publish (nothing or the old
    /// state left) or after it.
    pub fn landed(&mut self, before_publish: bool) {
        self.scale_us = if before_publish {
            self.scale_us * 1.25
        } else {
            (self.scale_us * 0.8).max(1.0)
        };
    }
}

/// A small deterministic generator (xorshift64), seeded from the clock and printed.
pub struct Rng(u64);

impl Rng {
    /// A generator with a fixed seed (not 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// Seeded from the clock; the seed is printed so a failure can be replayed.
    pub fn from_clock(what: &str) -> Rng {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1;
        eprintln!("{what} seed {seed}");
        Rng(seed)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Builds a store's config JSON for a scratch directory; `None` when the store's
/// server is not configured (it is skipped then, or fails the test under
/// `NPYSTORE_REMOTE_REQUIRED=1`: tests/common/remote.rs).
pub type ConfigFor = fn(&Path) -> Option<String>;

/// A file store at `dir`, the default store.
pub fn file_config(dir: &Path) -> Option<String> {
    Some(super::file_store_json("s", dir))
}

/// An in-memory store (one per open; `dir` is unused).
pub fn memory_config(_dir: &Path) -> Option<String> {
    Some(r#"{"stores": {"default": "m", "m": {"protocol": "memory"}}}"#.into())
}

/// The options the S3 store runs with here: 5 MiB parts (the smallest allowed), so
/// a few MiB already make a multipart upload, and 2 parts in flight.
pub fn s3_options() -> serde_json::Value {
    serde_json::json!({"part_size_bytes": 5242880, "concurrency": 2})
}

/// The S3 server (moto, from scripts/test.sh remote) under a fresh location, with
/// [`s3_options`]; `dir` is unused.
pub fn s3_config(_dir: &Path) -> Option<String> {
    super::remote::s3_required().map(|r| r.config(s3_options()))
}

/// The stores crash trials run on: a name, the config for a scratch directory and
/// the SIGKILL trials per test (of put and of the writer each).
pub const STORES: &[(&str, ConfigFor, usize)] = &[("file", file_config, 60), ("s3", s3_config, 50)];

/// After a store's trials: remove what the killed children left and return its
/// names. File stores: `*.npystore-tmp` files under `dir` ([`sweep_temp_files`]).
/// S3: the multipart uploads pending under the store's location (a killed child
/// cannot abort its upload; a bucket lifecycle rule does that in production), which
/// are aborted. Other stores leave nothing to find.
pub fn clean_leftovers(name: &str, dir: &Path, config: &str) -> Vec<String> {
    match name {
        "file" => sweep_temp_files(dir),
        "s3" => {
            let config: serde_json::Value = serde_json::from_str(config).unwrap();
            let remote = super::remote::Remote {
                kind: "s3",
                block: config["stores"]["r"].clone(),
                secrets: Vec::new(),
            };
            remote.abort_pending_uploads()
        }
        _ => Vec::new(),
    }
}

/// Remove the temporary files a killed child left under `dir` (recursively) and
/// return their names; anything else that is not a `.npy` object fails the test.
pub fn sweep_temp_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            found.extend(sweep_temp_files(&path));
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".npy") {
            continue;
        }
        assert!(
            name.ends_with(npystore::TEMP_SUFFIX) && name.contains(".npy."),
            "unexpected file {}",
            path.display()
        );
        std::fs::remove_file(&path).unwrap();
        found.push(name);
    }
    found
}
