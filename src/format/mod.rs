//! The `.npy` format alone: header read/write (format 1.0, 2.0, 3.0), the dtype
//! model with numpy's descr and `str(dtype)` forms both ways, C/Fortran order
//! conversion and byte swapping. No I/O beyond [`std::io::Read`].

mod descr;
mod dtype;
mod header;
mod name_aliases;
mod numpy_str;
mod order;
mod pylit;
mod swap;
#[cfg(feature = "ndarray")]
pub mod typed;
mod typestr;
mod uname;
mod unprintable;

pub use dtype::{
    ByteOrder, DatetimeUnit, Dtype, Field, Scalar, ScalarKind, TimeUnit, MAX_ITEMSIZE, MAX_NDIM,
};
pub(crate) use header::numpy_header;
pub use header::{
    parse_header, read_header, same_bytes_in_both_orders, Header, HeaderParse, ParsedHeader, ALIGN,
    MAGIC, MAX_HEADER_LEN,
};
pub use order::{c_to_fortran, fortran_to_c};
pub use swap::byteswap_in_place;

use crate::error::{bail, Error, ErrorKind, Result};

/// Longest dtype string [`Dtype::parse`] accepts (the header limit).
const MAX_DTYPE_STR_LEN: usize = MAX_HEADER_LEN as usize;

impl Dtype {
    /// Parse a dtype from any text form numpy produces: a descr as found in a
    /// header (`<f8`, `'|b1'`, `[('x', '<f8'), ('', '|V4')]`) or Python's
    /// `str(dtype)` (`float64`, `bool`, `>i2`, `<U5`, `datetime64[ns]`, the list
    /// form and the `{'names': ..., 'offsets': ...}` dict form for padded
    /// structures). `=` and unprefixed codes mean native order.
    ///
    /// Unknown or malformed text is a `Dtype` error; object dtypes are `ObjectDtype`.
    pub fn parse(s: &str) -> Result<Dtype> {
        let t = s.trim();
        if t.len() > MAX_DTYPE_STR_LEN {
            bail!(Dtype, "dtype string of {} bytes is too long", t.len());
        }
        let dtype = match t.chars().next() {
            Some('[' | '{' | '(' | '\'' | '"') => {
                let v = pylit::parse(t).map_err(|e| {
                    Error::new(
                        ErrorKind::Dtype,
                        format!(
                            "malformed dtype {}: {e}",
                            pylit::repr_str(&pylit::preview(t))
                        ),
                    )
                })?;
                descr::from_value(&v)?
            }
            Some(_) => Dtype::Scalar(typestr::parse_scalar(t)?),
            None => bail!(Dtype, "empty dtype string"),
        };
        if matches!(dtype, Dtype::SubArray { .. }) {
            bail!(
                Dtype,
                "sub-array dtype {} is only valid for a structured field",
                pylit::repr_str(&pylit::preview(t))
            );
        }
        Ok(dtype)
    }

    /// The descr as numpy writes it inside a header dict: Python literal text such
    /// as `'<f8'` or `[('x', '<f8'), ('y', '<i4')]`, padding as `('', '|V<n>')`.
    pub fn descr(&self) -> String {
        descr::descr(self)
    }

    /// Exactly Python's `str(numpy.dtype(...))` (numpy 2.x) for this dtype:
    /// `float64`, `>i2`, `<U5`, `|S3`, `bool`, `datetime64[ns]`,
    /// `[('x', '<f8'), ('y', '<i4')]`, or the dict form for structures with gaps.
    pub fn numpy_str(&self) -> String {
        numpy_str::numpy_str(self)
    }
}

impl std::str::FromStr for Dtype {
    type Err = Error;

    fn from_str(s: &str) -> Result<Dtype> {
        Dtype::parse(s)
    }
}

impl std::fmt::Display for Dtype {
    /// Formats as [`Dtype::numpy_str`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.numpy_str())
    }
}
