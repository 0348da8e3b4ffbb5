//! Typed convenience over [`ndarray`] (cargo feature `ndarray`): turn a header and
//! its data bytes into an `ArrayD<T>` and back, for the simple numeric dtypes.
//! The runtime dtype model stays npystore's own; this only maps it onto Rust types.

use ndarray::{ArrayD, IxDyn, ShapeBuilder};

use super::dtype::{ByteOrder, Dtype, Scalar, ScalarKind};
use super::header::Header;
use crate::error::{bail, Error, ErrorKind, Result};

/// A Rust type that one numpy scalar dtype maps onto exactly.
pub trait Element: Copy {
    /// The numpy kind of the type.
    const KIND: ScalarKind;
    /// Bytes per element.
    const SIZE: usize;
    /// Decode one element from `bytes` (exactly `SIZE` long) in byte order `order`.
    fn decode(bytes: &[u8], order: ByteOrder) -> Self;
    /// Append the native-order bytes of `self` to `out`.
    fn encode(self, out: &mut Vec<u8>);
}

macro_rules! number_element {
    ($($t:ty => $kind:ident),* $(,)?) => {$(
        impl Element for $t {
            const KIND: ScalarKind = ScalarKind::$kind;
            const SIZE: usize = std::mem::size_of::<$t>();
            fn decode(bytes: &[u8], order: ByteOrder) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(bytes);
                match order {
                    ByteOrder::Big => <$t>::from_be_bytes(a),
                    _ => <$t>::from_le_bytes(a),
                }
            }
            fn encode(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_ne_bytes());
            }
        }
    )*};
}

number_element!(i8 => Int, i16 => Int, i32 => Int, i64 => Int, u8 => UInt, u16 => UInt, u32 => UInt, u64 => UInt, f32 => Float, f64 => Float);

impl Element for bool {
    const KIND: ScalarKind = ScalarKind::Bool;
    const SIZE: usize = 1;
    fn decode(bytes: &[u8], _: ByteOrder) -> Self {
        bytes[0] != 0
    }
    fn encode(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
}

/// The array that `header` and its `data` bytes describe, as an `ArrayD<T>` in the
/// file's memory order. The dtype must be `T`'s kind and size in any byte order
/// (`Dtype` error otherwise); `data` must be exactly [`Header::data_len`] bytes.
pub fn to_ndarray<T: Element>(header: &Header, data: &[u8]) -> Result<ArrayD<T>> {
    let scalar = match &header.dtype {
        Dtype::Scalar(s) if s.kind() == T::KIND && s.itemsize() == T::SIZE as u64 => *s,
        other => bail!(
            Dtype,
            "dtype {} does not match the Rust element type {}",
            other.numpy_str(),
            std::any::type_name::<T>()
        ),
    };
    let len = header.data_len()?;
    if data.len() as u64 != len {
        bail!(
            Length,
            "data is {} bytes, the header needs {len}",
            data.len()
        );
    }
    let shape = header
        .shape
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<Vec<usize>, _>>()
        .map_err(|_| Error::new(ErrorKind::Shape, "shape does not fit in usize"))?;
    let values: Vec<T> = data
        .chunks_exact(T::SIZE.max(1))
        .map(|c| T::decode(c, scalar.order()))
        .collect();
    let dim = IxDyn(&shape);
    let array = if header.fortran_order {
        ArrayD::from_shape_vec(dim.f(), values)
    } else {
        ArrayD::from_shape_vec(dim, values)
    };
    array.map_err(|e| Error::new(ErrorKind::Shape, format!("cannot shape the data: {e}")))
}

/// A C-order header (native byte order) and data bytes for `array`, ready for
/// [`Header::encode`] followed by the data.
pub fn from_ndarray<T: Element>(array: &ArrayD<T>) -> Result<(Header, Vec<u8>)> {
    let dtype = Dtype::Scalar(Scalar::new(T::KIND, ByteOrder::NATIVE, T::SIZE as u64)?);
    let mut data = Vec::with_capacity(array.len() * T::SIZE);
    for &v in array.iter() {
        v.encode(&mut data);
    }
    let shape = array.shape().iter().map(|&d| d as u64).collect();
    Ok((
        Header {
            dtype,
            fortran_order: false,
            shape,
        },
        data,
    ))
}
