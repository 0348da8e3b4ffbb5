//! Planning the read of a hyperslab: which byte runs of a stored array's data hold
//! `a[start[0]:start[0]+count[0], start[1]:..., ...]`, in the order they lie.
//!
//! Axes are taken from the slowest-varying in storage to the fastest (the numpy order
//! for C-order data, reversed for Fortran order). The trailing axes the slice takes
//! whole, and the first one it does not, make one contiguous run; every combination
//! of indices of the axes before that is one run. The runs are listed in ascending
//! offset, and laid one after another they are the slice in the stored order, so
//! reading run `i` into bytes `i * run_len ..` of a buffer gives the packed slice.
//! No I/O here: the readers coalesce runs that lie close together.

use crate::error::{bail, Error, ErrorKind, Result};

/// The byte runs of one hyperslab of a stored array, checked against its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SlicePlan {
    /// The slice's shape, in numpy axis order.
    pub shape: Vec<u64>,
    /// The slice's bytes (0 when any count is 0).
    pub nbytes: u64,
    /// Bytes of each run.
    pub run_len: u64,
    /// Number of runs (0 for an empty slice).
    pub runs: u64,
    /// Offset of the first run from the start of the data.
    base: u64,
    /// The axes that step from run to run, slowest first: (count, byte stride).
    outer: Vec<(u64, u64)>,
}

impl SlicePlan {
    /// The plan for `a[start[i]:start[i]+count[i], ...]` of an array of `shape` and
    /// `itemsize` stored in Fortran order when `fortran`. Every axis needs a start and
    /// a count; a slice past an axis's end, or one whose end overflows, is an
    /// `InvalidArgument` naming the axis.
    pub(crate) fn new(
        shape: &[u64],
        itemsize: u64,
        fortran: bool,
        start: &[u64],
        count: &[u64],
    ) -> Result<SlicePlan> {
        if start.len() != shape.len() || count.len() != shape.len() {
            bail!(
                InvalidArgument,
                "the slice has {} starts and {} counts, but the array has {} axes",
                start.len(),
                count.len(),
                shape.len()
            );
        }
        for (axis, ((&n, &s), &c)) in shape.iter().zip(start).zip(count).enumerate() {
            let Some(end) = s.checked_add(c) else {
                bail!(
                    InvalidArgument,
                    "axis {axis}: start {s} plus count {c} overflows 64 bits"
                );
            };
            if end > n {
                bail!(
                    InvalidArgument,
                    "axis {axis}: {s}..{end} is out of range: the axis has {n} elements"
                );
            }
        }
        let too_big = || Error::new(ErrorKind::Shape, "the slice's byte size overflows 64 bits");
        let nbytes = count
            .iter()
            .try_fold(itemsize, |acc, &c| acc.checked_mul(c))
            .ok_or_else(too_big)?;
        // Slowest-varying first, as stored.
        let order = |v: &[u64]| -> Vec<u64> {
            if fortran {
                v.iter().rev().copied().collect()
            } else {
                v.to_vec()
            }
        };
        let (dims, start, count) = (order(shape), order(start), order(count));
        if nbytes == 0 {
            return Ok(SlicePlan {
                shape: count_in_numpy_order(&count, fortran),
                nbytes,
                run_len: 0,
                runs: 0,
                base: 0,
                outer: Vec::new(),
            });
        }
        // Byte strides of the stored axes (they fit: the whole array's size does).
        let mut strides = vec![itemsize; dims.len()];
        for k in (0..dims.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * dims[k + 1];
        }
        // The run: the trailing whole axes, and the axis before them.
        let mut inner = dims.len();
        while inner > 0 && count[inner - 1] == dims[inner - 1] {
            inner -= 1;
        }
        let first_outer = inner.saturating_sub(1);
        let run_len = count[first_outer..].iter().product::<u64>() * itemsize;
        let base = start.iter().zip(&strides).map(|(s, t)| s * t).sum();
        let outer: Vec<(u64, u64)> = count[..first_outer]
            .iter()
            .zip(&strides)
            .map(|(&c, &t)| (c, t))
            .collect();
        Ok(SlicePlan {
            shape: count_in_numpy_order(&count, fortran),
            nbytes,
            run_len,
            runs: nbytes / run_len,
            base,
            outer,
        })
    }

    /// The offset of each run from the start of the data, ascending.
    pub(crate) fn offsets(&self) -> Offsets<'_> {
        Offsets::new(&self.outer, self.base, self.runs)
    }

    /// Copy the slice's runs out of `span`, the stored bytes from the first byte of
    /// [`SlicePlan::span`] on, into `out`, packed in the stored order (`out` holds
    /// exactly the slice). Runs along the fastest outer axis are copied in a tight
    /// loop, with fixed-size copies for runs of 1, 2, 4 and 8 bytes (one channel of a
    /// recording is a million 2-byte runs).
    pub(crate) fn gather(&self, span: &[u8], out: &mut [u8]) {
        if self.runs == 0 {
            return;
        }
        let (&(count, stride), rows) = match self.outer.split_last() {
            Some(last) => last,
            None => (&(1, 0), &[][..]),
        };
        let row_bytes = (count * self.run_len) as usize;
        let row_starts = Offsets::new(rows, self.base, self.runs / count);
        let start = self.base;
        for (row, offset) in out.chunks_exact_mut(row_bytes).zip(row_starts) {
            let at = (offset - start) as usize;
            let stride = stride as usize;
            match self.run_len {
                1 => copy_strided::<1>(span, at, stride, row),
                2 => copy_strided::<2>(span, at, stride, row),
                4 => copy_strided::<4>(span, at, stride, row),
                8 => copy_strided::<8>(span, at, stride, row),
                run => {
                    let run = run as usize;
                    for (k, chunk) in row.chunks_exact_mut(run).enumerate() {
                        let from = at + k * stride;
                        chunk.copy_from_slice(&span[from..from + run]);
                    }
                }
            }
        }
    }

    /// Where the runs lie in the data: the first byte of the first and one past the
    /// last byte of the last (`0..0` for an empty slice).
    pub(crate) fn span(&self) -> std::ops::Range<u64> {
        if self.runs == 0 {
            return 0..0;
        }
        let last: u64 = self.outer.iter().map(|&(c, t)| (c - 1) * t).sum();
        self.base..self.base + last + self.run_len
    }
}

/// A hyperslab of one array, checked against its shape once, with the plan of its
/// runs for each storage order made when first asked for (a read may look at the
/// order it guesses and then at the one the header gives).
#[derive(Debug)]
pub(crate) struct Hyperslab<'a> {
    /// The array's shape.
    shape: &'a [u64],
    itemsize: u64,
    start: &'a [u64],
    count: &'a [u64],
    /// The plans for C order (0) and Fortran order (1).
    plans: [std::cell::OnceCell<SlicePlan>; 2],
}

impl<'a> Hyperslab<'a> {
    /// `a[start[i]:start[i]+count[i], ...]` of an array of `shape` and `itemsize`,
    /// checked as [`SlicePlan::new`] checks it.
    pub(crate) fn new(
        shape: &'a [u64],
        itemsize: u64,
        start: &'a [u64],
        count: &'a [u64],
    ) -> Result<Hyperslab<'a>> {
        let slab = Hyperslab {
            shape,
            itemsize,
            start,
            count,
            plans: Default::default(),
        };
        slab.plan(false)?;
        Ok(slab)
    }

    /// The slice's bytes.
    pub(crate) fn nbytes(&self) -> u64 {
        self.plans[0].get().map_or(0, |plan| plan.nbytes)
    }

    /// The slice's shape (its counts), in numpy axis order.
    pub(crate) fn counts(&self) -> &[u64] {
        self.count
    }

    /// The plan of the slice's runs when the array is stored in Fortran order when
    /// `fortran` (else C order).
    pub(crate) fn plan(&self, fortran: bool) -> Result<&SlicePlan> {
        let cell = &self.plans[usize::from(fortran)];
        if let Some(plan) = cell.get() {
            return Ok(plan);
        }
        let plan = SlicePlan::new(self.shape, self.itemsize, fortran, self.start, self.count)?;
        Ok(cell.get_or_init(|| plan))
    }
}

/// Counts given slowest-first back in numpy's axis order.
fn count_in_numpy_order(count: &[u64], fortran: bool) -> Vec<u64> {
    if fortran {
        count.iter().rev().copied().collect()
    } else {
        count.to_vec()
    }
}

/// `N`-byte runs of `span`, the first at `at` and each `stride` bytes after the last,
/// packed into `out`.
fn copy_strided<const N: usize>(span: &[u8], at: usize, stride: usize, out: &mut [u8]) {
    for (k, chunk) in out.chunks_exact_mut(N).enumerate() {
        let from = at + k * stride;
        let run: [u8; N] = span[from..from + N].try_into().expect("N bytes");
        chunk.copy_from_slice(&run);
    }
}

/// The run offsets of a [`SlicePlan`], in ascending order (an odometer over the
/// outer axes, the fastest last).
#[derive(Debug)]
pub(crate) struct Offsets<'p> {
    /// The axes that step from run to run: (count, byte stride), slowest first.
    outer: &'p [(u64, u64)],
    /// The outer axes' indices of the next run.
    index: Vec<u64>,
    /// The next run's offset.
    offset: u64,
    left: u64,
}

impl<'p> Offsets<'p> {
    /// The `runs` offsets from `base` stepped by `outer`.
    fn new(outer: &'p [(u64, u64)], base: u64, runs: u64) -> Offsets<'p> {
        Offsets {
            outer,
            index: vec![0; outer.len()],
            offset: base,
            left: runs,
        }
    }
}

impl Iterator for Offsets<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let offset = self.offset;
        // Step the odometer, keeping the offset in step with it.
        let outer = self.outer;
        for k in (0..outer.len()).rev() {
            let (count, stride) = outer[k];
            self.index[k] += 1;
            if self.index[k] < count {
                self.offset += stride;
                break;
            }
            self.index[k] = 0;
            self.offset -= (count - 1) * stride;
        }
        Some(offset)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.left).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slice gathered element by element from `data` (the stored bytes), packed
    /// in the stored order: the reference the plan's runs must reproduce.
    fn gathered(
        data: &[u8],
        shape: &[u64],
        itemsize: usize,
        fortran: bool,
        start: &[u64],
        count: &[u64],
    ) -> Vec<u8> {
        let n = shape.len();
        let mut out = Vec::new();
        let total: u64 = count.iter().product();
        let mut idx = vec![0u64; n];
        for _ in 0..total {
            // offset of element start+idx in storage
            let mut off = 0u64;
            let mut mul = 1u64;
            let axes: Vec<usize> = if fortran {
                (0..n).collect()
            } else {
                (0..n).rev().collect()
            };
            for &a in &axes {
                off += (start[a] + idx[a]) * mul;
                mul *= shape[a];
            }
            let at = off as usize * itemsize;
            out.extend_from_slice(&data[at..at + itemsize]);
            // advance idx, fastest stored axis first
            for &a in &axes {
                idx[a] += 1;
                if idx[a] < count[a] {
                    break;
                }
                idx[a] = 0;
            }
        }
        out
    }

    fn read(plan: &SlicePlan, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for offset in plan.offsets() {
            out.extend_from_slice(&data[offset as usize..(offset + plan.run_len) as usize]);
        }
        out
    }

    /// A small deterministic generator (no dependency).
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n.max(1)
        }
    }

    #[test]
    fn runs_reproduce_the_slice_for_random_shapes_orders_and_item_sizes() {
        let mut rng = Lcg(7);
        for case in 0..3000 {
            let ndim = rng.below(5) as usize;
            let shape: Vec<u64> = (0..ndim).map(|_| rng.below(6)).collect();
            let itemsize = [1u64, 2, 4, 8, 16, 3][rng.below(6) as usize];
            let fortran = rng.below(2) == 1;
            let start: Vec<u64> = shape.iter().map(|&n| rng.below(n + 1)).collect();
            let count: Vec<u64> = shape
                .iter()
                .zip(&start)
                .map(|(&n, &s)| rng.below(n - s + 1))
                .collect();
            let elems: u64 = shape.iter().product();
            let data: Vec<u8> = (0..elems * itemsize).map(|i| (i * 7 + 3) as u8).collect();
            let plan = SlicePlan::new(&shape, itemsize, fortran, &start, &count).unwrap();
            let want = gathered(&data, &shape, itemsize as usize, fortran, &start, &count);
            assert_eq!(plan.nbytes, want.len() as u64, "case {case}");
            assert_eq!(plan.shape, count);
            assert_eq!(
                read(&plan, &data),
                want,
                "case {case}: {shape:?} {start:?} {count:?}"
            );
            let mut packed = vec![0u8; want.len()];
            plan.gather(&data[plan.span().start as usize..], &mut packed);
            assert_eq!(
                packed, want,
                "case {case}: gather of {shape:?} {start:?} {count:?}"
            );
            let offsets: Vec<u64> = plan.offsets().collect();
            assert!(offsets.windows(2).all(|w| w[0] + plan.run_len <= w[1]));
            if let (Some(first), Some(last)) = (offsets.first(), offsets.last()) {
                assert_eq!(plan.span(), *first..last + plan.run_len);
            }
        }
    }

    #[test]
    fn a_time_window_of_a_fortran_recording_is_one_run() {
        // 384 channels x 1000 samples, int16, Fortran order: samples 100..300.
        let plan = SlicePlan::new(&[384, 1000], 2, true, &[0, 100], &[384, 200]).unwrap();
        assert_eq!((plan.runs, plan.run_len), (1, 384 * 200 * 2));
        assert_eq!(plan.span(), 384 * 100 * 2..384 * 300 * 2);
        // One channel: one 2-byte run per sample, 768 bytes apart.
        let plan = SlicePlan::new(&[384, 1000], 2, true, &[5, 0], &[1, 1000]).unwrap();
        assert_eq!((plan.runs, plan.run_len), (1000, 2));
        let offsets: Vec<u64> = plan.offsets().take(2).collect();
        assert_eq!(offsets, [10, 10 + 768]);
    }

    #[test]
    fn rows_of_a_c_array_are_one_run_and_a_0d_array_one_element() {
        let plan = SlicePlan::new(&[10, 3, 4], 8, false, &[2, 0, 0], &[5, 3, 4]).unwrap();
        assert_eq!((plan.runs, plan.run_len, plan.span()), (1, 480, 192..672));
        let plan = SlicePlan::new(&[], 8, false, &[], &[]).unwrap();
        assert_eq!((plan.runs, plan.run_len, plan.nbytes), (1, 8, 8));
        assert_eq!(plan.offsets().collect::<Vec<_>>(), [0]);
        let plan = SlicePlan::new(&[4, 0, 2], 8, true, &[1, 0, 0], &[2, 0, 2]).unwrap();
        assert_eq!((plan.runs, plan.nbytes, plan.span()), (0, 0, 0..0));
        assert_eq!(plan.offsets().count(), 0);
    }

    #[test]
    fn bad_slices_name_the_axis_and_the_problem() {
        let err = |start: &[u64], count: &[u64]| {
            SlicePlan::new(&[4, 5], 8, false, start, count).unwrap_err()
        };
        let e = err(&[0], &[1, 1]);
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            e.message()
                .contains("1 starts and 2 counts, but the array has 2 axes"),
            "{e}"
        );
        let e = err(&[0, 3], &[1, 3]);
        assert!(
            e.message()
                .contains("axis 1: 3..6 is out of range: the axis has 5"),
            "{e}"
        );
        let e = err(&[0, u64::MAX], &[1, 2]);
        assert!(
            e.message()
                .contains("axis 1: start 18446744073709551615 plus count 2 overflows"),
            "{e}"
        );
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        // Out of range even when the slice is empty elsewhere.
        let e = err(&[0, 6], &[0, 0]);
        assert!(e.message().contains("axis 1: 6..6 is out of range"), "{e}");
    }
}
