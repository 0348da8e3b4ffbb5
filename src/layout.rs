//! Memory-order facts about an array: when C and Fortran order hold the same bytes,
//! and converting whole arrays or row blocks between the two orders.

use crate::error::Result;
pub use crate::format::same_bytes_in_both_orders;
use crate::format::{c_to_fortran, fortran_to_c};

/// The memory order a caller wants data in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As the object stores it (no conversion).
    AsStored,
    /// Row-major (C, numpy's default).
    C,
    /// Column-major (Fortran, MATLAB, Julia).
    Fortran,
}

impl Order {
    /// Whether data stored with `stored_fortran` must be converted to honour `self`.
    pub fn needs_conversion(self, stored_fortran: bool, shape: &[u64]) -> bool {
        let wanted_fortran = match self {
            Order::AsStored => return false,
            Order::C => false,
            Order::Fortran => true,
        };
        wanted_fortran != stored_fortran && !same_bytes_in_both_orders(shape)
    }
}

/// Copy `src` (in `from_fortran` order) into `dst` in the other order.
pub fn convert_order(
    src: &[u8],
    dst: &mut [u8],
    shape: &[u64],
    itemsize: usize,
    from_fortran: bool,
) -> Result<()> {
    if from_fortran {
        fortran_to_c(src, dst, shape, itemsize)
    } else {
        c_to_fortran(src, dst, shape, itemsize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_orders_coincide_like_numpy_flags() {
        assert!(same_bytes_in_both_orders(&[]));
        assert!(same_bytes_in_both_orders(&[7]));
        assert!(same_bytes_in_both_orders(&[1, 7, 1]));
        assert!(same_bytes_in_both_orders(&[3, 0, 4]));
        assert!(!same_bytes_in_both_orders(&[2, 3]));
        assert!(Order::Fortran.needs_conversion(false, &[2, 3]));
        assert!(!Order::Fortran.needs_conversion(false, &[1, 3]));
        assert!(!Order::AsStored.needs_conversion(true, &[2, 3]));
        assert!(!Order::C.needs_conversion(false, &[2, 3]));
    }
}
