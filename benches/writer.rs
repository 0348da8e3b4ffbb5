//! Streaming writer vs one put, on a file store (release build):
//!
//!   cargo bench --bench writer
//!
//! 1. Throughput: a recording streamed in 1 MiB blocks vs one `Store::put` of the same
//!    bytes, best of 3 each, printed as writer/put (target >= 0.8).
//! 2. Peak resident memory (VmHWM) of a fresh child process that streams 1 GiB and
//!    4 GiB recordings in 1 MiB blocks (target < 128 MiB whatever the length).
//!
//! Outputs go to `target/writer-bench` and are deleted as soon as they are measured.
//! `NPYSTORE_BENCH_MIB` sets the throughput size (default 512).

use npystore::{ArrayData, Dtype, PutOptions, Store, Target};
use std::path::{Path, PathBuf};
use std::time::Instant;

const BLOCK: usize = 1 << 20;
const ROW: u64 = 1024; // f64 values per row: 8 KiB rows, 128 per block

fn store(dir: &Path) -> Store {
    let config = format!(
        r#"{{"stores": {{"default": "b", "b": {{"protocol": "file", "location": "{}"}}}}}}"#,
        dir.display()
    );
    Store::open(Some(&config), None).expect("open store")
}

fn stream(store: &Store, path: &str, bytes: u64, block: &[u8]) {
    let mut w = store
        .writer(
            &Target::Path(path.into()),
            Dtype::parse("<f8").unwrap(),
            vec![ROW],
            false,
            PutOptions::default(),
        )
        .unwrap();
    let mut left = bytes;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        w.append(&block[..n]).unwrap();
        left -= n as u64;
    }
    w.finish().unwrap();
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/writer-bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-rss") {
        let bytes: u64 = args[i + 1].parse().unwrap();
        let dir = PathBuf::from(&args[i + 2]);
        let block = vec![0x5au8; BLOCK];
        let s = store(&dir);
        stream(&s, "rss.npy", bytes, &block);
        s.delete("rss.npy").unwrap();
        println!("{}", vm_hwm_kib());
        return;
    }
    let dir = bench_dir();
    let s = store(&dir);
    let mib: u64 = std::env::var("NPYSTORE_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let bytes = mib << 20;
    let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
    let rows = bytes / (ROW * 8);
    let (mut best_writer, mut best_put) = (f64::MAX, f64::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        let mut w = s
            .writer(
                &Target::Path("w.npy".into()),
                Dtype::parse("<f8").unwrap(),
                vec![ROW],
                false,
                PutOptions::default(),
            )
            .unwrap();
        for block in data.chunks(BLOCK) {
            w.append(block).unwrap();
        }
        w.finish().unwrap();
        best_writer = best_writer.min(t.elapsed().as_secs_f64());
        s.delete("w.npy").unwrap();

        let t = Instant::now();
        let array = ArrayData {
            data: &data,
            dtype: Dtype::parse("<f8").unwrap(),
            shape: vec![rows, ROW],
            fortran_order: false,
        };
        s.put(&array, &Target::Path("p.npy".into()), PutOptions::default())
            .unwrap();
        best_put = best_put.min(t.elapsed().as_secs_f64());
        s.delete("p.npy").unwrap();
    }
    drop(data);
    let mb = bytes as f64 / (1 << 20) as f64;
    println!(
        "throughput, {mib} MiB, file store, fsync on (best of 3): writer {:.0} MiB/s, put {:.0} MiB/s, ratio {:.2}",
        mb / best_writer,
        mb / best_put,
        best_put / best_writer
    );
    for gib in [1u64, 4] {
        let t = Instant::now();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--child-rss", &(gib << 30).to_string()])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kib: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        println!(
            "peak resident memory streaming {gib} GiB in 1 MiB blocks: {:.1} MiB ({:.1} s)",
            kib as f64 / 1024.0,
            t.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir(&dir);
}
