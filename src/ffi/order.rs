//! `npy_order`: the memory order values C callers pass, and their Rust meaning.

use crate::error::{bail, Result};
use crate::layout::Order;

/// A memory order, passed as an `int32_t` (`NPY_ORDER_*`).
pub type npy_order = i32;
/// Row-major (C, numpy's default).
pub const NPY_ORDER_C: npy_order = 0;
/// Column-major (Fortran, MATLAB, Julia).
pub const NPY_ORDER_FORTRAN: npy_order = 1;
/// Loads only: leave the data in the order the object stores it.
pub const NPY_ORDER_AS_STORED: npy_order = 2;

/// The order for a load (all three values allowed).
pub(crate) fn load_order(order: npy_order) -> Result<Order> {
    match order {
        NPY_ORDER_C => Ok(Order::C),
        NPY_ORDER_FORTRAN => Ok(Order::Fortran),
        NPY_ORDER_AS_STORED => Ok(Order::AsStored),
        other => bail!(
            InvalidArgument,
            "unknown order {other}: use NPY_ORDER_C, NPY_ORDER_FORTRAN or NPY_ORDER_AS_STORED"
        ),
    }
}

/// Whether data given in `order` is column-major (C or Fortran only).
pub(crate) fn data_order_is_fortran(order: npy_order) -> Result<bool> {
    match order {
        NPY_ORDER_C => Ok(false),
        NPY_ORDER_FORTRAN => Ok(true),
        other => bail!(
            InvalidArgument,
            "unknown data order {other}: use NPY_ORDER_C or NPY_ORDER_FORTRAN"
        ),
    }
}
