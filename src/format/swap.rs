//! Byte swapping of whole arrays to the other byte order, field by field.

use super::dtype::{ByteOrder, Dtype};
use crate::error::{bail, Result};

/// Convert `buf`, items of `dtype`, to `dtype.to_native_order()` in place: reverse
/// the bytes of every multi-byte unit stored in the non-native order (whole numbers
/// and datetimes, each half of a complex, each 4-byte code unit of `U` text).
/// Bool, bytes, void, padding and parts already native are left alone; structured
/// items are handled per field, sub-arrays per element. The operation is its own
/// inverse, so it also turns native bytes into `dtype`'s order.
///
/// `buf.len()` must be a multiple of the itemsize (`Length` error otherwise).
pub fn byteswap_in_place(buf: &mut [u8], dtype: &Dtype) -> Result<()> {
    let itemsize = dtype.itemsize() as usize;
    if itemsize == 0 {
        if !buf.is_empty() {
            bail!(Length, "{} bytes given for a zero-size dtype", buf.len());
        }
        return Ok(());
    }
    if buf.len() % itemsize != 0 {
        bail!(
            Length,
            "{} bytes is not a whole number of {itemsize}-byte items",
            buf.len()
        );
    }
    let mut runs = Vec::new();
    swap_runs(dtype, 0, &mut runs);
    match runs.as_slice() {
        [] => {}
        // The whole item is one run of equal units: swap the buffer as a flat run.
        [(0, unit, count)] if unit * count == itemsize => swap_units(buf, *unit),
        _ => {
            for item in buf.chunks_exact_mut(itemsize) {
                for &(offset, unit, count) in &runs {
                    swap_units(&mut item[offset..offset + unit * count], unit);
                }
            }
        }
    }
    Ok(())
}

/// Collect (offset, unit bytes, unit count) for every swappable part of one item.
fn swap_runs(dtype: &Dtype, base: usize, out: &mut Vec<(usize, usize, usize)>) {
    match dtype {
        Dtype::Scalar(s) => {
            if s.order() == ByteOrder::NotApplicable || s.order() == ByteOrder::NATIVE {
                return;
            }
            if let Some(unit) = s.kind().swap_unit(s.itemsize()) {
                let unit = unit as usize;
                out.push((base, unit, s.itemsize() as usize / unit));
            }
        }
        Dtype::SubArray { base: elem, .. } => {
            let size = elem.itemsize() as usize;
            let count = (dtype.itemsize() as usize).checked_div(size).unwrap_or(0);
            for k in 0..count {
                swap_runs(elem, base + k * size, out);
            }
        }
        Dtype::Struct { fields, .. } => {
            for f in fields {
                swap_runs(&f.dtype, base + f.offset as usize, out);
            }
        }
    }
}

fn swap_units(buf: &mut [u8], unit: usize) {
    match unit {
        2 => buf.chunks_exact_mut(2).for_each(|c| c.swap(0, 1)),
        4 => buf.chunks_exact_mut(4).for_each(|c| {
            let v = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]).swap_bytes();
            c.copy_from_slice(&v.to_ne_bytes());
        }),
        8 => buf.chunks_exact_mut(8).for_each(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            c.copy_from_slice(&u64::from_ne_bytes(a).swap_bytes().to_ne_bytes());
        }),
        _ => buf.chunks_exact_mut(unit).for_each(<[u8]>::reverse),
    }
}
