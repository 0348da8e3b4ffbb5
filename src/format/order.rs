//! C (row-major) ↔ Fortran (column-major) conversion of whole arrays.
//!
//! Reversing all axes is done as cache-blocked 2-D transposes between the first and
//! the last axis, once per combination of the middle axes. Axes of length 1 are
//! dropped first, so e.g. a `(1, n)` array is a plain copy. Copies of 1, 2, 4, 8
//! and 16-byte items are specialised; large arrays use two threads, each writing
//! its own contiguous part of the destination.

use super::header::byte_len;
use super::pylit::repr_shape;
use crate::error::{bail, Result};

/// Arrays at least this large (bytes) are converted on two threads.
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// Convert a C-order array of `shape` (items of `itemsize` bytes) in `src` into the
/// Fortran-order bytes of the same logical array in `dst`.
///
/// `src` and `dst` must both be exactly `product(shape) * itemsize` bytes
/// (`Length` error otherwise; `Shape` when that size overflows).
pub fn c_to_fortran(src: &[u8], dst: &mut [u8], shape: &[u64], itemsize: usize) -> Result<()> {
    convert(src, dst, shape, itemsize)
}

/// Convert a Fortran-order array of `shape` in `src` into C-order bytes in `dst`.
/// The inverse of [`c_to_fortran`], with the same length rules.
pub fn fortran_to_c(src: &[u8], dst: &mut [u8], shape: &[u64], itemsize: usize) -> Result<()> {
    // Fortran order of `shape` is C order of the reversed shape, axes reversed.
    let reversed: Vec<u64> = shape.iter().rev().copied().collect();
    convert(src, dst, &reversed, itemsize)
}

fn convert(src: &[u8], dst: &mut [u8], shape: &[u64], itemsize: usize) -> Result<()> {
    let len = byte_len(shape, itemsize as u64)?;
    if src.len() as u64 != len || dst.len() as u64 != len {
        bail!(
            Length,
            "order conversion of shape {} x {itemsize} bytes needs {len} bytes, got src {} and dst {}",
            repr_shape(shape),
            src.len(),
            dst.len()
        );
    }
    let dims: Vec<usize> = shape
        .iter()
        .filter(|&&d| d != 1)
        .map(|&d| d as usize)
        .collect();
    if len == 0 {
        return Ok(());
    }
    if dims.len() <= 1 {
        dst.copy_from_slice(src);
        return Ok(());
    }
    let plan = Plan::new(&dims);
    let threads = if src.len() >= PARALLEL_MIN_BYTES && plan.cols >= 2 {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2)
    } else {
        1
    };
    match itemsize {
        1 => run::<1>(src, dst, &plan, threads),
        2 => run::<2>(src, dst, &plan, threads),
        4 => run::<4>(src, dst, &plan, threads),
        8 => run::<8>(src, dst, &plan, threads),
        16 => run::<16>(src, dst, &plan, threads),
        _ => run_generic(src, dst, &plan, itemsize, threads),
    }
    Ok(())
}

/// The transpose in element units: `rows` = first axis, `cols` = last axis,
/// `mid` = (length, C stride, F stride) of each axis in between.
struct Plan {
    rows: usize,
    cols: usize,
    src_row_stride: usize,
    dst_col_stride: usize,
    mid: Vec<(usize, usize, usize)>,
}

impl Plan {
    fn new(dims: &[usize]) -> Plan {
        let n = dims.len();
        let mut mid = Vec::with_capacity(n.saturating_sub(2));
        for k in 1..n - 1 {
            let c_stride: usize = dims[k + 1..].iter().product();
            let f_stride: usize = dims[..k].iter().product();
            mid.push((dims[k], c_stride, f_stride));
        }
        Plan {
            rows: dims[0],
            cols: dims[n - 1],
            src_row_stride: dims[1..].iter().product(),
            dst_col_stride: dims[..n - 1].iter().product(),
            mid,
        }
    }

    /// Call `copy(dst_index, src_index)` for every element whose last-axis index is
    /// in `c0..c1`, with `dst_index` relative to column `c0`, in cache-sized tiles.
    #[inline(always)]
    fn for_each(&self, c0: usize, c1: usize, tile: usize, mut copy: impl FnMut(usize, usize)) {
        let mut idx = vec![0usize; self.mid.len()];
        let (mut src_off, mut dst_off) = (0usize, 0usize);
        loop {
            for jb in (c0..c1).step_by(tile) {
                let je = (jb + tile).min(c1);
                for ib in (0..self.rows).step_by(tile) {
                    let ie = (ib + tile).min(self.rows);
                    for j in jb..je {
                        let d = (j - c0) * self.dst_col_stride + dst_off;
                        let s = src_off + j;
                        for i in ib..ie {
                            copy(d + i, s + i * self.src_row_stride);
                        }
                    }
                }
            }
            // Odometer over the middle axes, last one fastest.
            let mut k = self.mid.len();
            loop {
                if k == 0 {
                    return;
                }
                k -= 1;
                let (len, cs, fs) = self.mid[k];
                idx[k] += 1;
                src_off += cs;
                dst_off += fs;
                if idx[k] < len {
                    break;
                }
                idx[k] = 0;
                src_off -= cs * len;
                dst_off -= fs * len;
            }
        }
    }
}

/// Split the destination by last-axis index into `threads` contiguous parts and
/// run `work(dst_part, c0, c1)` for each, on scoped threads when more than one.
/// `unit` is how many `T` make one array element.
fn split<T: Send>(
    dst: &mut [T],
    unit: usize,
    plan: &Plan,
    threads: usize,
    work: impl Fn(&mut [T], usize, usize) + Sync,
) {
    if threads <= 1 {
        work(dst, 0, plan.cols);
        return;
    }
    let per = plan.cols.div_ceil(threads);
    std::thread::scope(|s| {
        let mut rest = dst;
        let mut c0 = 0;
        while c0 < plan.cols {
            let c1 = (c0 + per).min(plan.cols);
            let (part, tail) = rest.split_at_mut((c1 - c0) * plan.dst_col_stride * unit);
            rest = tail;
            let work = &work;
            crate::worker::spawn(s, move || work(part, c0, c1));
            c0 = c1;
        }
    });
}

/// View bytes as whole `N`-byte items.
fn items<const N: usize>(b: &[u8]) -> &[[u8; N]] {
    // SAFETY: `[u8; N]` has size N and alignment 1, and `b.len() / N` items lie
    // entirely within `b`, so the reinterpreted slice covers only bytes of `b`.
    unsafe { std::slice::from_raw_parts(b.as_ptr().cast(), b.len() / N) }
}

/// Mutable view of bytes as whole `N`-byte items.
fn items_mut<const N: usize>(b: &mut [u8]) -> &mut [[u8; N]] {
    // SAFETY: as in `items`; the exclusive borrow of `b` is carried over.
    unsafe { std::slice::from_raw_parts_mut(b.as_mut_ptr().cast(), b.len() / N) }
}

fn tile_for(itemsize: usize) -> usize {
    if itemsize <= 4 {
        64
    } else {
        32
    }
}

fn run<const N: usize>(src: &[u8], dst: &mut [u8], plan: &Plan, threads: usize) {
    let src = items::<N>(src);
    split(items_mut::<N>(dst), 1, plan, threads, |part, c0, c1| {
        plan.for_each(c0, c1, tile_for(N), |d, s| part[d] = src[s]);
    });
}

fn run_generic(src: &[u8], dst: &mut [u8], plan: &Plan, n: usize, threads: usize) {
    split(dst, n, plan, threads, |part, c0, c1| {
        plan.for_each(c0, c1, tile_for(n), |d, s| {
            part[d * n..(d + 1) * n].copy_from_slice(&src[s * n..(s + 1) * n])
        });
    });
}
