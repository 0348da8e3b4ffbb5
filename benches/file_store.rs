//! File-store benchmark against numpy in the same run (`cargo bench --bench file_store`).
//!
//! Prints npystore's and numpy's times and their ratios for: loading a 512 MiB
//! float64 array into a caller buffer (target >= 1.3x `np.load`), putting it
//! (target >= 1.2x `np.save`), and opening a memory map from a reference's JSON
//! (target <= 20 us and faster than `np.load(mmap_mode='r')`); then small arrays
//! (1 KiB of float64): an open plus load, a put to a new path and one over the same
//! path, against `np.load` and `np.save` in loops (target >= 2x numpy's for the
//! first two). `NPYSTORE_BENCH_MIB` changes the large size; `NPYSTORE_PYTHON` names
//! numpy's python.

mod common;

use common::numpy_json;
use npystore::{ArrayData, Dtype, Order, PutOptions, Store, Target};
use std::ffi::{c_char, c_void, CString};
use std::path::Path;
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;
const MMAP_OPENS: u32 = 20_000;
/// Small arrays are timed as loops of this many calls, the best of ROUNDS loops.
const SMALL_CALLS: u32 = 5_000;
/// Elements of the small float64 array (1 KiB).
const SMALL_LEN: usize = 128;

/// The shortest of ROUNDS durations `f` measures (it times only what it means to).
fn best(mut f: impl FnMut() -> Duration) -> Duration {
    (0..ROUNDS).map(|_| f()).min().unwrap()
}

fn timed(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// numpy's figures in `dir`: of an `nbytes` array (when > 0), of small arrays (when
/// `small_calls` > 0).
fn numpy_times(dir: &Path, nbytes: usize, small_calls: u32) -> serde_json::Value {
    numpy_json(
        "numpy_file_bench.py",
        &[
            dir.display().to_string(),
            nbytes.to_string(),
            ROUNDS.to_string(),
            small_calls.to_string(),
            SMALL_LEN.to_string(),
        ],
    )
}

fn file_store_at(dir: &Path) -> (Store, String) {
    let config = format!(
        r#"{{"stores": {{"default": "main", "main": {{"protocol": "file", "location": "{}"}}}}}}"#,
        dir.display()
    );
    (Store::open(Some(&config), None).unwrap(), config)
}

/// The small-array figures of npystore and numpy in `dir` (a file system `what`).
fn print_small_arrays(what: &str, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let small = small_arrays(&file_store_at(dir).0);
    let numpy = numpy_times(dir, 0, SMALL_CALLS);
    let secs = |k: &str| Duration::from_secs_f64(numpy[k].as_f64().unwrap());
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let ratio = |np: Duration, ours: Duration| np.as_secs_f64() / ours.as_secs_f64();
    let (np_new, np_over, np_load) = (
        secs("small_save_new_s"),
        secs("small_save_over_s"),
        secs("small_load_s"),
    );
    println!(
        "small arrays ({} B of float64) in {what}, per call, best of {ROUNDS} loops of {SMALL_CALLS}",
        SMALL_LEN * 8
    );
    println!("  open + load              npystore {:>8.2} us              np.load {:>8.2} us   ratio {:.2}x (target >= 2x)",
        us(small.load), us(np_load), ratio(np_load, small.load));
    println!("  put to a new path        npystore {:>8.2} us              np.save {:>8.2} us   ratio {:.2}x (target >= 2x)",
        us(small.put_new), us(np_new), ratio(np_new, small.put_new));
    println!("  put over the same path   npystore {:>8.2} us              np.save {:>8.2} us   ratio {:.2}x",
        us(small.put_over), us(np_over), ratio(np_over, small.put_over));
    let _ = std::fs::remove_dir_all(dir);
}

/// Small-array figures, per call (best of ROUNDS loops of SMALL_CALLS calls).
struct Small {
    /// A put to a path not yet there (as schema-addressed puts always are).
    put_new: Duration,
    /// A put over the same path again (as `np.save` over its file).
    put_over: Duration,
    /// An open of a reference plus a load into a caller buffer (as `np.load`).
    load: Duration,
}

fn small_arrays(store: &Store) -> Small {
    let data: Vec<u8> = (0..SMALL_LEN)
        .flat_map(|i| (i as f64).to_le_bytes())
        .collect();
    let array = ArrayData {
        data: &data,
        dtype: Dtype::parse("float64").unwrap(),
        shape: vec![SMALL_LEN as u64],
        fortran_order: false,
    };
    let names: Vec<Target> = (0..SMALL_CALLS)
        .map(|i| Target::Path(format!("small-{i}.npy")))
        .collect();
    let put_new = best(|| {
        let t = timed(|| {
            for target in &names {
                store.put(&array, target, PutOptions::default()).unwrap();
            }
        });
        for i in 0..SMALL_CALLS {
            store.delete(&format!("small-{i}.npy")).unwrap();
        }
        t
    }) / SMALL_CALLS;
    let over = PutOptions {
        overwrite: true,
        ..PutOptions::default()
    };
    let put_over = best(|| {
        timed(|| {
            for _ in 0..SMALL_CALLS {
                store.put(&array, &names[0], over).unwrap();
            }
        })
    }) / SMALL_CALLS;
    let mut buf = vec![0u8; data.len()];
    let load = best(|| {
        timed(|| {
            for _ in 0..SMALL_CALLS {
                let r = store.open_ref("small-0.npy").unwrap();
                r.load_into(&mut buf, Order::C).unwrap();
            }
        })
    }) / SMALL_CALLS;
    assert!(buf == data, "small array loaded different bytes");
    store.delete("small-0.npy").unwrap();
    Small {
        put_new,
        put_over,
        load,
    }
}

// The C calls the map benchmark makes, declared as include/npystore.h declares them
// (handles opaque, statuses as int); the library linked into this benchmark defines them.
extern "C" {
    fn npy_store_open(config: *const c_char, name: *const c_char, out: *mut *mut c_void) -> i32;
    fn npy_store_free(store: *mut c_void);
    fn npy_ref_from_json(store: *const c_void, json: *const c_char, out: *mut *mut c_void) -> i32;
    fn npy_ref_free(r: *mut c_void);
    fn npy_ref_load_mmap(
        r: *const c_void,
        mode: *const c_char,
        out: *mut *mut c_void,
        data: *mut *mut c_void,
        nbytes: *mut u64,
        offset: *mut u64,
    ) -> i32;
    fn npy_mapping_free(mapping: *mut c_void);
}

fn main() {
    let mib: usize = std::env::var("NPYSTORE_BENCH_MIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    let nbytes = mib << 20;
    let dir = std::env::temp_dir().join(format!("npystore-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (store, config) = file_store_at(&dir);
    let data: Vec<u8> = (0..nbytes / 8)
        .flat_map(|i| ((i as f64) * 0.5).to_le_bytes())
        .collect();
    let array = ArrayData {
        data: &data,
        dtype: Dtype::parse("float64").unwrap(),
        shape: vec![(nbytes / 8) as u64],
        fortran_order: false,
    };
    let target = Target::Path("bench.npy".into());

    let put = best(|| {
        let _ = store.delete("bench.npy");
        timed(|| {
            store.put(&array, &target, PutOptions::default()).unwrap();
        })
    });
    let r = store.open_ref("bench.npy").unwrap();
    let mut buf = vec![0u8; nbytes];
    let load_into = best(|| timed(|| r.load_into(&mut buf, Order::C).unwrap()));
    assert!(buf == data, "loaded bytes differ");
    let load_new = best(|| timed(|| drop(r.load(Order::C).unwrap())));

    // Open a map the way a C program does: ref from JSON, map, free both.
    let json = CString::new(r.json()).unwrap();
    let c_config = CString::new(config).unwrap();
    let mut c_store = std::ptr::null_mut();
    unsafe { npy_store_open(c_config.as_ptr(), std::ptr::null(), &mut c_store) };
    let mmap_open = timed(|| {
        for _ in 0..MMAP_OPENS {
            unsafe {
                let mut c_ref = std::ptr::null_mut();
                let mut map = std::ptr::null_mut();
                npy_ref_from_json(c_store, json.as_ptr(), &mut c_ref);
                let status = npy_ref_load_mmap(
                    c_ref,
                    c"r".as_ptr(),
                    &mut map,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                );
                assert_eq!(status, 0);
                npy_mapping_free(map);
                npy_ref_free(c_ref);
            }
        }
    }) / MMAP_OPENS;
    unsafe { npy_store_free(c_store) };
    store.delete("bench.npy").unwrap();
    drop(buf);
    let numpy = numpy_times(&dir, nbytes, 0);
    let secs = |k: &str| Duration::from_secs_f64(numpy[k].as_f64().unwrap());
    let (np_save, np_load, np_mmap) = (secs("save_s"), secs("load_s"), secs("mmap_open_s"));
    let gbs = |d: Duration| nbytes as f64 / d.as_secs_f64() / 1e9;
    println!("file store, {mib} MiB float64, best of {ROUNDS}, page cache warm");
    println!("  load into caller buffer  npystore {:>8.1} ms ({:.2} GB/s)   np.load {:>8.1} ms   ratio {:.2}x (target >= 1.3x)",
        load_into.as_secs_f64() * 1e3, gbs(load_into), np_load.as_secs_f64() * 1e3, np_load.as_secs_f64() / load_into.as_secs_f64());
    println!("  load into new memory     npystore {:>8.1} ms ({:.2} GB/s)   np.load {:>8.1} ms   ratio {:.2}x",
        load_new.as_secs_f64() * 1e3, gbs(load_new), np_load.as_secs_f64() * 1e3, np_load.as_secs_f64() / load_new.as_secs_f64());
    println!("  put                      npystore {:>8.1} ms ({:.2} GB/s)   np.save {:>8.1} ms   ratio {:.2}x (target >= 1.2x)",
        put.as_secs_f64() * 1e3, gbs(put), np_save.as_secs_f64() * 1e3, np_save.as_secs_f64() / put.as_secs_f64());
    println!("  mmap open from JSON      npystore {:>8.2} us              np.load(mmap_mode='r') {:>6.2} us   ratio {:.2}x (target <= 20 us, > 1x)",
        mmap_open.as_secs_f64() * 1e6, np_mmap.as_secs_f64() * 1e6, np_mmap.as_secs_f64() / mmap_open.as_secs_f64());
    let _ = std::fs::remove_dir_all(&dir);

    // Small puts are bound by the file system's metadata work (a new inode, directory
    // entries, its journal); a memory file system shows npystore's own cost.
    let pid = std::process::id();
    print_small_arrays(
        "the temporary directory",
        &std::env::temp_dir().join(format!("npystore-small-{pid}")),
    );
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        print_small_arrays(
            "/dev/shm (tmpfs)",
            &shm.join(format!("npystore-small-{pid}")),
        );
    }
}
