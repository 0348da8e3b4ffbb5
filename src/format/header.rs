//! The `.npy` preamble: magic, version, header length, the header dict and its
//! padding. Reading accepts format 1.0, 2.0 and 3.0 from any byte prefix; writing
//! reproduces `numpy.save(f, arr, allow_pickle=False)` byte for byte.

use std::io::Read;

use super::descr;
use super::dtype::{Dtype, MAX_NDIM};
use super::pylit::{self, repr_shape, repr_str, Value};
use crate::error::{bail, Error, ErrorKind, Result};

/// The first six bytes of every `.npy` file.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The largest declared header length accepted when reading (1 MiB).
///
/// numpy's own `numpy.load` refuses headers over 10,000 characters by default
/// (`max_header_size`); numpy writes longer ones (format 2.0) only for structured
/// dtypes with thousands of fields. 1 MiB accepts those with a hundredfold margin,
/// and the declared length is checked against it before anything is allocated.
pub const MAX_HEADER_LEN: u64 = 1 << 20;

/// Data starts at a multiple of this many bytes, as numpy aligns it.
pub const ALIGN: usize = 64;

/// numpy's `GROWTH_AXIS_MAX_DIGITS`: spare spaces so the growing axis can be rewritten.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;

/// What a `.npy` header says about the array that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Element type.
    pub dtype: Dtype,
    /// `true` when the data is in Fortran (column-major) order.
    pub fortran_order: bool,
    /// The shape; empty for a 0-d array.
    pub shape: Vec<u64>,
}

/// A header read from a file, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHeader {
    /// The header itself.
    pub header: Header,
    /// The format version, `(1, 0)`, `(2, 0)` or `(3, 0)`.
    pub version: (u8, u8),
    /// Byte offset of the first data byte (the whole preamble's length).
    pub data_offset: u64,
}

/// The outcome of parsing a prefix of a `.npy` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderParse {
    /// The whole preamble was present and valid.
    Complete(ParsedHeader),
    /// Valid so far, but the preamble is longer: fetch at least `total` bytes from
    /// the start of the object and parse again. Before the header length is known
    /// (fewer than 10 or 12 bytes), `total` is the length that reveals it.
    NeedMore {
        /// Bytes needed from the start of the object.
        total: u64,
    },
}

impl Header {
    /// Number of elements: the product of the shape (1 for 0-d), checked.
    pub fn element_count(&self) -> Result<u64> {
        element_count(&self.shape)
    }

    /// Bytes of data that must follow the header: element count × itemsize, checked.
    ///
    /// This is also the header's check before it is written or after it is read: a
    /// shape of more than [`MAX_NDIM`] dimensions is a `Shape` error, as numpy can
    /// neither write nor load such an array (`NPY_MAXDIMS`).
    pub fn data_len(&self) -> Result<u64> {
        check_ndim(&self.shape)?;
        byte_len(&self.shape, self.dtype.itemsize())
    }

    /// The header dict exactly as numpy's `_write_array_header` builds it, with the
    /// spare spaces for the growing axis but before alignment padding.
    fn dict_text(&self) -> String {
        let mut s = format!(
            "{{'descr': {}, 'fortran_order': {}, 'shape': {}, }}",
            descr::descr(&self.dtype),
            if self.fortran_order { "True" } else { "False" },
            repr_shape(&self.shape)
        );
        let growing = if self.fortran_order {
            self.shape.last()
        } else {
            self.shape.first()
        };
        if let Some(n) = growing {
            let digits = n.to_string().len();
            s.extend(std::iter::repeat_n(
                ' ',
                GROWTH_AXIS_MAX_DIGITS.saturating_sub(digits),
            ));
        }
        s
    }

    /// The full preamble (magic, version, length, dict, padding, `\n`) exactly as
    /// `numpy.save(f, arr, allow_pickle=False)` writes it: version 1.0 unless the
    /// header is longer than 65535 bytes (2.0) or has non-Latin-1 text (3.0).
    pub fn encode(&self) -> Vec<u8> {
        wrap(&self.dict_text(), 0)
    }

    /// [`Header::encode`], refusing (`Dtype`) a header that declares more than
    /// [`MAX_HEADER_LEN`] bytes, which npystore would not read back: a descr can be
    /// longer than the text it was parsed from (padding entries, `|b1` for `?`).
    pub fn encode_checked(&self) -> Result<Vec<u8>> {
        let out = self.encode();
        let len_size = if out.get(6) == Some(&1) { 2 } else { 4 };
        let declared = (out.len() - MAGIC.len() - 2 - len_size) as u64;
        if declared > MAX_HEADER_LEN {
            bail!(
                Dtype,
                "the .npy header for this dtype would be {declared} bytes, over the limit {MAX_HEADER_LEN} npystore reads"
            );
        }
        Ok(out)
    }

    /// The same header, padded with spaces so the preamble is at least
    /// `min_total_len` bytes and a multiple of 64: a streaming writer can reserve
    /// room and later rewrite the header in place with the final shape.
    ///
    /// numpy loads the result; keep `min_total_len` under about 10,000 bytes for
    /// `numpy.load`'s default `max_header_size`. Fails with `InvalidArgument` above
    /// [`MAX_HEADER_LEN`].
    pub fn encode_padded(&self, min_total_len: usize) -> Result<Vec<u8>> {
        if min_total_len as u64 > MAX_HEADER_LEN {
            bail!(
                InvalidArgument,
                "requested header length {min_total_len} exceeds the limit {MAX_HEADER_LEN}"
            );
        }
        Ok(wrap(&self.dict_text(), min_total_len))
    }
}

/// True when C and Fortran order lay the array out identically: numpy calls such an
/// array both C- and F-contiguous (at most one axis longer than 1, or no elements).
pub fn same_bytes_in_both_orders(shape: &[u64]) -> bool {
    shape.contains(&0) || shape.iter().filter(|&&d| d > 1).count() <= 1
}

/// The header numpy writes for an array of `shape` whose data is in Fortran order when
/// `fortran`: numpy writes `fortran_order` only for arrays that are not also C-contiguous.
pub(crate) fn numpy_header(dtype: Dtype, shape: Vec<u64>, fortran: bool) -> Header {
    Header {
        dtype,
        fortran_order: fortran && !same_bytes_in_both_orders(&shape),
        shape,
    }
}

/// numpy's limit on dimensions, with numpy's own words.
pub(crate) fn check_ndim(shape: &[u64]) -> Result<()> {
    if shape.len() > MAX_NDIM {
        bail!(
            Shape,
            "shape has {} dimensions; numpy supports at most {MAX_NDIM} (\"maximum supported dimension for an ndarray is currently {MAX_NDIM}, found {}\"), so it cannot load such a .npy",
            shape.len(),
            shape.len()
        );
    }
    Ok(())
}

/// Python's `repr` of a `bytes` value: `b'\x93NUMPY'`, printable ASCII as is, other
/// bytes as `\xNN`, with the quote Python picks.
pub(crate) fn repr_bytes(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

/// The product of `shape` (1 for 0-d, 0 when any axis is 0), checked for overflow.
pub(crate) fn element_count(shape: &[u64]) -> Result<u64> {
    if shape.contains(&0) {
        return Ok(0);
    }
    shape
        .iter()
        .try_fold(1u64, |a, &n| a.checked_mul(n))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Shape,
                format!(
                    "shape {} overflows a 64-bit element count",
                    repr_shape(shape)
                ),
            )
        })
}

/// `element_count(shape) * itemsize`, checked for overflow (of the element count
/// too, even for a zero itemsize).
pub(crate) fn byte_len(shape: &[u64], itemsize: u64) -> Result<u64> {
    if shape.contains(&0) {
        return Ok(0);
    }
    let elements = shape.iter().try_fold(1u64, |a, &n| a.checked_mul(n));
    elements
        .and_then(|n| n.checked_mul(itemsize))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Shape,
                format!(
                    "shape {} overflows 64-bit byte count for itemsize {itemsize}",
                    repr_shape(shape)
                ),
            )
        })
}

/// numpy's `_wrap_header_guess_version` with an optional minimum total length.
fn wrap(dict: &str, min_total: usize) -> Vec<u8> {
    let latin1: Option<Vec<u8>> = dict
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    let (text, versions): (Vec<u8>, &[u8]) = match latin1 {
        Some(bytes) => (bytes, &[1, 2]),
        None => (dict.as_bytes().to_vec(), &[3]),
    };
    let hlen = text.len() + 1;
    let layout = |major: u8| {
        let len_size = if major == 1 { 2 } else { 4 };
        let unpadded = MAGIC.len() + 2 + len_size + hlen;
        let mut pad = ALIGN - unpadded % ALIGN;
        if unpadded + pad < min_total {
            pad += (min_total - unpadded - pad).div_ceil(ALIGN) * ALIGN;
        }
        (major, len_size, pad)
    };
    let fits =
        |&(major, _, pad): &(u8, usize, usize)| major != 1 || hlen + pad <= usize::from(u16::MAX);
    let (major, len_size, pad) = versions
        .iter()
        .map(|&v| layout(v))
        .find(fits)
        .unwrap_or_else(|| layout(*versions.last().unwrap_or(&2)));
    let mut out = Vec::with_capacity(MAGIC.len() + 2 + len_size + hlen + pad);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[major, 0]);
    let declared = (hlen + pad) as u64;
    out.extend_from_slice(&declared.to_le_bytes()[..len_size]);
    out.extend_from_slice(&text);
    out.resize(out.len() + pad, b' ');
    out.push(b'\n');
    out
}

/// Parse the preamble from the first bytes of a `.npy` object.
///
/// Errors: bad magic, unsupported version, a declared length over
/// [`MAX_HEADER_LEN`], undecodable text or a malformed dict are `Format`; a bad
/// descr is `Dtype` (`ObjectDtype` for object dtypes and pickles); a negative or
/// overflowing shape is `Shape`. Never panics.
pub fn parse_header(prefix: &[u8]) -> Result<HeaderParse> {
    if prefix.len() >= 2 && prefix[0] == 0x80 && (2..=5).contains(&prefix[1]) {
        bail!(
            ObjectDtype,
            "the object is a Python pickle, not a .npy array; pickles are refused, never executed"
        );
    }
    let n = prefix.len().min(MAGIC.len());
    if prefix[..n] != MAGIC[..n] {
        bail!(
            Format,
            "not a .npy object: the magic string is {}, expected {}",
            repr_bytes(&prefix[..n]),
            repr_bytes(MAGIC)
        );
    }
    if let Some(&major) = prefix.get(6) {
        if !(1..=3).contains(&major) {
            bail!(
                Format,
                "unsupported .npy format version {major}.x (supported: 1.0, 2.0, 3.0)"
            );
        }
    }
    if let Some(&minor) = prefix.get(7) {
        bail_unless_minor_zero(prefix[6], minor)?;
    }
    let len_size = match prefix.get(6) {
        Some(2 | 3) => 4,
        _ => 2,
    };
    let start = MAGIC.len() + 2 + len_size;
    if prefix.len() < start {
        return Ok(HeaderParse::NeedMore {
            total: start as u64,
        });
    }
    let mut len_bytes = [0u8; 4];
    len_bytes[..len_size].copy_from_slice(&prefix[MAGIC.len() + 2..start]);
    let hlen = u64::from(u32::from_le_bytes(len_bytes));
    if hlen > MAX_HEADER_LEN {
        bail!(
            Format,
            "declared .npy header length {hlen} exceeds the limit {MAX_HEADER_LEN}"
        );
    }
    let total = start as u64 + hlen;
    let Some(raw) = prefix.get(start..total as usize) else {
        return Ok(HeaderParse::NeedMore { total });
    };
    let version = (prefix[6], prefix[7]);
    let text = decode(raw, version.0)?;
    let header = header_from_text(&text, version.0)?;
    Ok(HeaderParse::Complete(ParsedHeader {
        header,
        version,
        data_offset: total,
    }))
}

fn bail_unless_minor_zero(major: u8, minor: u8) -> Result<()> {
    if minor != 0 {
        bail!(
            Format,
            "unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)"
        );
    }
    Ok(())
}

/// Latin-1 for 1.0/2.0, UTF-8 for 3.0.
fn decode(raw: &[u8], major: u8) -> Result<String> {
    if major == 3 {
        return String::from_utf8(raw.to_vec()).map_err(|e| {
            Error::new(
                ErrorKind::Format,
                format!("format 3.0 header is not UTF-8: {e}"),
            )
        });
    }
    Ok(raw.iter().map(|&b| char::from(b)).collect())
}

/// Interpret the header dict text of a format `major`.0 header.
fn header_from_text(text: &str, major: u8) -> Result<Header> {
    let parsed = if major <= 2 {
        pylit::parse_py2(text)
    } else {
        pylit::parse(text)
    };
    let value = parsed.map_err(|e| {
        Error::new(
            ErrorKind::Format,
            format!(
                "cannot parse .npy header: {e}: {}",
                repr_str(&pylit::preview(text))
            ),
        )
    })?;
    let Value::Dict(items) = value else {
        bail!(
            Format,
            "the .npy header is not a dict: {}",
            pylit::preview(&value.repr())
        );
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    for (k, v) in &items {
        let slot = match k {
            Value::Str(s) if s == "descr" => &mut descr,
            Value::Str(s) if s == "fortran_order" => &mut fortran,
            Value::Str(s) if s == "shape" => &mut shape,
            Value::Str(s) => bail!(Format, "unexpected key {} in the .npy header", repr_str(s)),
            other => bail!(
                Format,
                "a .npy header key must be a str, not {}",
                pylit::preview(&other.repr())
            ),
        };
        // As in the Python dict numpy builds, a repeated key keeps its last value.
        *slot = Some(v);
    }
    let missing = |k: &str| {
        Error::new(
            ErrorKind::Format,
            format!("the .npy header has no '{k}' key"),
        )
    };
    let fortran_order = match fortran.ok_or_else(|| missing("fortran_order"))? {
        Value::Bool(b) => *b,
        other => bail!(
            Format,
            "fortran_order is not a bool: {}",
            pylit::preview(&other.repr())
        ),
    };
    let shape = shape_from_value(shape.ok_or_else(|| missing("shape"))?)?;
    let dtype = descr::from_descr(descr.ok_or_else(|| missing("descr"))?)?;
    if matches!(dtype, Dtype::SubArray { .. }) {
        bail!(
            Dtype,
            "a sub-array descr is only valid for a structured field"
        );
    }
    let header = Header {
        dtype,
        fortran_order,
        shape,
    };
    header.data_len()?;
    Ok(header)
}

fn shape_from_value(v: &Value) -> Result<Vec<u64>> {
    let Value::Tuple(dims) = v else {
        bail!(
            Format,
            "shape is not a tuple of ints: {}",
            pylit::preview(&v.repr())
        );
    };
    dims.iter()
        .map(|d| match d {
            Value::Int(n) if *n < 0 => bail!(Shape, "negative dimension {n} in shape"),
            Value::Int(n) => u64::try_from(*n).map_err(|_| {
                Error::new(
                    ErrorKind::Shape,
                    format!("dimension {n} does not fit in 64 bits"),
                )
            }),
            other => bail!(
                Format,
                "shape is not a tuple of ints: {} holds {}",
                pylit::preview(&v.repr()),
                pylit::preview(&other.repr())
            ),
        })
        .collect()
}

/// Read exactly the preamble from `r`, leaving it positioned at the first data byte.
pub fn read_header<R: Read>(r: &mut R) -> Result<ParsedHeader> {
    let mut buf = Vec::new();
    let mut need = MAGIC.len() + 4;
    loop {
        let have = buf.len();
        buf.resize(need, 0);
        r.read_exact(&mut buf[have..])
            .map_err(|e| Error::io(&e, "read .npy header", "stream"))?;
        match parse_header(&buf)? {
            HeaderParse::Complete(p) => return Ok(p),
            HeaderParse::NeedMore { total } => need = total as usize,
        }
    }
}
