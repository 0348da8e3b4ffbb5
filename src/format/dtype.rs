//! The dtype model: every numpy kind npystore stores, with numpy's item sizes and
//! layout. Parsing and printing live in `typestr`, `descr` and `numpy_str`.

use super::pylit::{repr_shape, repr_str};
use crate::error::{bail, Result};

/// Byte order of a scalar: numpy's `<`, `>` and `|`.
///
/// `=` (native) is resolved when parsing, so a parsed dtype never depends on where
/// it is later used. Single-byte numbers, bool, bytes and void are always `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `<`: least significant byte first.
    Little,
    /// `>`: most significant byte first.
    Big,
    /// `|`: byte order does not apply (one-byte items, bytes, void).
    NotApplicable,
}

impl ByteOrder {
    /// The order of the machine this code runs on.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// numpy's character for the order: `<`, `>` or `|`.
    pub fn as_char(self) -> char {
        match self {
            ByteOrder::Little => '<',
            ByteOrder::Big => '>',
            ByteOrder::NotApplicable => '|',
        }
    }
}

/// The unit of a `datetime64`/`timedelta64` (numpy's `[unit]` suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatetimeUnit {
    /// No unit: plain `datetime64` / `M8`.
    Generic,
    /// Years, `Y`.
    Year,
    /// Months, `M`.
    Month,
    /// Weeks, `W`.
    Week,
    /// Days, `D`.
    Day,
    /// Hours, `h`.
    Hour,
    /// Minutes, `m`.
    Minute,
    /// Seconds, `s`.
    Second,
    /// Milliseconds, `ms`.
    Millisecond,
    /// Microseconds, `us` (numpy also reads `μs`).
    Microsecond,
    /// Nanoseconds, `ns`.
    Nanosecond,
    /// Picoseconds, `ps`.
    Picosecond,
    /// Femtoseconds, `fs`.
    Femtosecond,
    /// Attoseconds, `as`.
    Attosecond,
}

impl DatetimeUnit {
    const ALL: [(DatetimeUnit, &'static str); 13] = [
        (DatetimeUnit::Year, "Y"),
        (DatetimeUnit::Month, "M"),
        (DatetimeUnit::Week, "W"),
        (DatetimeUnit::Day, "D"),
        (DatetimeUnit::Hour, "h"),
        (DatetimeUnit::Minute, "m"),
        (DatetimeUnit::Second, "s"),
        (DatetimeUnit::Millisecond, "ms"),
        (DatetimeUnit::Microsecond, "us"),
        (DatetimeUnit::Nanosecond, "ns"),
        (DatetimeUnit::Picosecond, "ps"),
        (DatetimeUnit::Femtosecond, "fs"),
        (DatetimeUnit::Attosecond, "as"),
    ];

    /// numpy's spelling of the unit (`"ns"`, `"D"`, ...); empty for [`DatetimeUnit::Generic`].
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(u, _)| *u == self)
            .map_or("", |(_, s)| s)
    }

    /// The unit spelled `s` (case-sensitive as in numpy; `μs` is `us`).
    pub fn from_symbol(s: &str) -> Option<DatetimeUnit> {
        let s = if s == "μs" { "us" } else { s };
        Self::ALL.iter().find(|(_, n)| *n == s).map(|(u, _)| *u)
    }
}

/// Datetime metadata: a unit and a multiplier (`[10ms]` is unit ms, count 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeUnit {
    /// The base unit.
    pub unit: DatetimeUnit,
    /// How many base units one tick is; 1 is printed without a number.
    pub count: u32,
}

impl TimeUnit {
    /// numpy's bracket suffix: `""` (generic), `"[ns]"`, `"[10ms]"`.
    pub fn suffix(&self) -> String {
        match (self.unit, self.count) {
            (DatetimeUnit::Generic, _) => String::new(),
            (u, 1) => format!("[{}]", u.as_str()),
            (u, n) => format!("[{n}{}]", u.as_str()),
        }
    }
}

/// What kind of scalar an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    /// `bool`, one byte.
    Bool,
    /// Signed integer, 1/2/4/8 bytes.
    Int,
    /// Unsigned integer, 1/2/4/8 bytes.
    UInt,
    /// IEEE float, 2/4/8 bytes; 16 is x86 `longdouble` (see [`Scalar`]).
    Float,
    /// Complex of two floats, 8/16 bytes; 32 is `clongdouble` (see [`Scalar`]).
    Complex,
    /// Fixed-width bytes `S<n>`, itemsize n.
    Bytes,
    /// Fixed-width UCS-4 text `U<n>`, itemsize 4n.
    Unicode,
    /// Raw bytes `V<n>`, itemsize n.
    Void,
    /// `datetime64`, 8 bytes.
    Datetime(TimeUnit),
    /// `timedelta64`, 8 bytes.
    Timedelta(TimeUnit),
}

impl ScalarKind {
    /// numpy's kind character (`b i u f c S U V M m`).
    pub fn code(self) -> char {
        match self {
            ScalarKind::Bool => 'b',
            ScalarKind::Int => 'i',
            ScalarKind::UInt => 'u',
            ScalarKind::Float => 'f',
            ScalarKind::Complex => 'c',
            ScalarKind::Bytes => 'S',
            ScalarKind::Unicode => 'U',
            ScalarKind::Void => 'V',
            ScalarKind::Datetime(_) => 'M',
            ScalarKind::Timedelta(_) => 'm',
        }
    }

    /// Whether the kind is fixed-width flexible (`S`, `U`, `V`).
    pub fn is_flexible(self) -> bool {
        matches!(
            self,
            ScalarKind::Bytes | ScalarKind::Unicode | ScalarKind::Void
        )
    }

    /// Bytes of one unit that a byte swap reverses: the whole number, half a complex,
    /// a 4-byte code unit of text; `None` when bytes are never swapped.
    pub fn swap_unit(self, itemsize: u64) -> Option<u64> {
        match self {
            ScalarKind::Bool | ScalarKind::Bytes | ScalarKind::Void => None,
            ScalarKind::Unicode => Some(4),
            ScalarKind::Complex => Some(itemsize / 2),
            _ => Some(itemsize),
        }
        .filter(|n| *n > 1)
    }
}

/// Largest item size numpy allows for one dtype (its itemsize is a C `int`).
pub const MAX_ITEMSIZE: u64 = i32::MAX as u64;

/// Most dimensions numpy allows in an array shape or a sub-array shape (`NPY_MAXDIMS`
/// in numpy 2.x).
pub const MAX_NDIM: usize = 64;

/// One scalar element type: kind, byte order and item size in bytes.
///
/// `longdouble` (`<f16`, numpy's `float128`) and `clongdouble` (`<c32`, `complex256`)
/// are x86-64 80-bit extended floats padded to 16 bytes. npystore accepts them as
/// opaque bytes: headers, `str(dtype)`, order conversion and byte swapping work,
/// but nothing converts their values to or from Rust numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scalar {
    kind: ScalarKind,
    order: ByteOrder,
    itemsize: u64,
}

impl Scalar {
    /// A checked scalar: the size must be one numpy has for the kind (any size
    /// up to [`MAX_ITEMSIZE`] for `S`/`V`, a multiple of 4 for `U`). The byte order
    /// is normalised the way numpy does (`|` for one-byte items, bytes and void;
    /// `|` given for a multi-byte number means native).
    pub fn new(kind: ScalarKind, order: ByteOrder, itemsize: u64) -> Result<Scalar> {
        let ok = match kind {
            ScalarKind::Bool => itemsize == 1,
            ScalarKind::Int | ScalarKind::UInt => matches!(itemsize, 1 | 2 | 4 | 8),
            ScalarKind::Float => matches!(itemsize, 2 | 4 | 8 | 16),
            ScalarKind::Complex => matches!(itemsize, 8 | 16 | 32),
            ScalarKind::Bytes | ScalarKind::Void => itemsize <= MAX_ITEMSIZE,
            ScalarKind::Unicode => itemsize % 4 == 0 && itemsize <= MAX_ITEMSIZE,
            ScalarKind::Datetime(_) | ScalarKind::Timedelta(_) => itemsize == 8,
        };
        if !ok {
            bail!(
                Dtype,
                "no numpy dtype of kind '{}' has item size {itemsize}",
                kind.code()
            );
        }
        let order = if kind.swap_unit(itemsize).is_none() {
            ByteOrder::NotApplicable
        } else if order == ByteOrder::NotApplicable {
            ByteOrder::NATIVE
        } else {
            order
        };
        Ok(Scalar {
            kind,
            order,
            itemsize,
        })
    }

    /// The kind.
    pub fn kind(&self) -> ScalarKind {
        self.kind
    }

    /// The byte order (already normalised).
    pub fn order(&self) -> ByteOrder {
        self.order
    }

    /// Bytes per item.
    pub fn itemsize(&self) -> u64 {
        self.itemsize
    }

    /// The same scalar in byte order `order` (ignored where order does not apply).
    pub fn with_order(&self, order: ByteOrder) -> Scalar {
        let order = if self.order == ByteOrder::NotApplicable {
            self.order
        } else {
            order
        };
        Scalar { order, ..*self }
    }
}

/// One named field of a structured dtype, at an explicit byte offset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field name. It may be empty: numpy keeps `('', '<i4')` as a field, and
    /// reads only an untitled `''` entry of a plain void or sub-array type as padding
    /// (such a field is refused by [`Dtype::structure`]: see [`Dtype::is_padding_type`]).
    pub name: String,
    /// numpy's field title, a second key for the field (`(('title', 'name'), '<f8')`
    /// in a descr); `None` for the usual untitled field. Only str titles are kept.
    pub title: Option<String>,
    /// The field's type (a scalar, a sub-array or a nested structure).
    pub dtype: Dtype,
    /// Byte offset of the field inside one item.
    pub offset: u64,
}

/// A numpy dtype as stored in `.npy` files.
///
/// Object dtypes are not supported ([`crate::error::ErrorKind::ObjectDtype`]); field titles
/// are, when they are strings (numpy also allows other objects as titles: those are
/// a [`crate::error::ErrorKind::Dtype`] error).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// One scalar per item.
    Scalar(Scalar),
    /// A fixed-shape block of `base` items; only appears as a struct field's type.
    SubArray {
        /// Element type of the block.
        base: Box<Dtype>,
        /// Shape of the block (at least one axis).
        shape: Vec<u64>,
    },
    /// Named fields at increasing, non-overlapping offsets; bytes not covered by
    /// a field are padding (written as `('', '|V<n>')` entries in a descr).
    Struct {
        /// The fields in order.
        fields: Vec<Field>,
        /// Total bytes per item, including trailing padding.
        itemsize: u64,
    },
}

impl Dtype {
    /// Bytes per item.
    pub fn itemsize(&self) -> u64 {
        match self {
            Dtype::Scalar(s) => s.itemsize,
            // Sizes were checked against MAX_ITEMSIZE at construction.
            Dtype::SubArray { base, shape } => shape
                .iter()
                .fold(base.itemsize(), |a, &n| a.saturating_mul(n)),
            Dtype::Struct { itemsize, .. } => *itemsize,
        }
    }

    /// Whether any part is stored in the non-native byte order.
    pub fn needs_byteswap(&self) -> bool {
        match self {
            Dtype::Scalar(s) => s.order != ByteOrder::NotApplicable && s.order != ByteOrder::NATIVE,
            Dtype::SubArray { base, .. } => base.needs_byteswap(),
            Dtype::Struct { fields, .. } => fields.iter().any(|f| f.dtype.needs_byteswap()),
        }
    }

    /// The same layout with every part in native byte order.
    pub fn to_native_order(&self) -> Dtype {
        self.map_scalars(&|s| s.with_order(ByteOrder::NATIVE))
    }

    /// Whether this is a structured (record) dtype.
    pub fn is_structured(&self) -> bool {
        matches!(self, Dtype::Struct { .. })
    }

    /// numpy's alignment of the type inside an `align=True` structure: the size of
    /// a number (of one half for complex), 4 for `U`, 1 for bool, bytes and void,
    /// the base's for a sub-array, the largest field's for a structure.
    pub fn alignment(&self) -> u64 {
        match self {
            Dtype::Scalar(s) => match s.kind {
                ScalarKind::Bool | ScalarKind::Bytes | ScalarKind::Void => 1,
                ScalarKind::Unicode => 4,
                ScalarKind::Complex => s.itemsize / 2,
                _ => s.itemsize,
            },
            Dtype::SubArray { base, .. } => base.alignment(),
            Dtype::Struct { fields, .. } => fields
                .iter()
                .map(|f| f.dtype.alignment())
                .max()
                .unwrap_or(1),
        }
    }

    /// Whether an untitled field named `''` of this type is padding to numpy's reader
    /// (`descr_to_dtype`): a plain void `V<n>` or any sub-array.
    pub fn is_padding_type(&self) -> bool {
        match self {
            Dtype::Scalar(s) => s.kind == ScalarKind::Void,
            Dtype::SubArray { .. } => true,
            Dtype::Struct { .. } => false,
        }
    }

    /// The scalar, when the dtype is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Dtype::Scalar(s) => Some(s),
            _ => None,
        }
    }

    fn map_scalars(&self, f: &dyn Fn(&Scalar) -> Scalar) -> Dtype {
        match self {
            Dtype::Scalar(s) => Dtype::Scalar(f(s)),
            Dtype::SubArray { base, shape } => Dtype::SubArray {
                base: Box::new(base.map_scalars(f)),
                shape: shape.clone(),
            },
            Dtype::Struct { fields, itemsize } => Dtype::Struct {
                fields: fields
                    .iter()
                    .map(|fl| Field {
                        dtype: fl.dtype.map_scalars(f),
                        ..fl.clone()
                    })
                    .collect(),
                itemsize: *itemsize,
            },
        }
    }

    /// A checked sub-array of `base` (itself possibly a sub-array, as numpy allows:
    /// `('c', ('<f8', (5,)), (2,))`): at most [`MAX_NDIM`] axes, each and the total
    /// size within [`MAX_ITEMSIZE`] (numpy's C `int`). An empty shape is `base` itself.
    pub fn sub_array(base: Dtype, shape: Vec<u64>) -> Result<Dtype> {
        if shape.is_empty() {
            return Ok(base);
        }
        if shape.len() > MAX_NDIM {
            bail!(
                Dtype,
                "sub-array shape has {} dimensions; numpy allows at most {MAX_NDIM}",
                shape.len()
            );
        }
        if let Some(n) = shape.iter().find(|&&n| n > MAX_ITEMSIZE) {
            bail!(
                Dtype,
                "sub-array dimension {n} does not fit in numpy's C int"
            );
        }
        let size = shape
            .iter()
            .try_fold(base.itemsize(), |a, &n| a.checked_mul(n));
        match size {
            Some(n) if n <= MAX_ITEMSIZE => Ok(Dtype::SubArray {
                base: Box::new(base),
                shape,
            }),
            _ => bail!(
                Dtype,
                "sub-array shape {} makes the item larger than {MAX_ITEMSIZE} bytes",
                repr_shape(&shape)
            ),
        }
    }

    /// A checked structure: names and titles all distinct from each other (numpy's
    /// rule: one namespace, a title may not repeat its own field's name either),
    /// fields in increasing, non-overlapping offset order (what a `.npy` descr can
    /// express), all inside `itemsize`. Linear in the number of fields.
    pub fn structure(fields: Vec<Field>, itemsize: u64) -> Result<Dtype> {
        if itemsize > MAX_ITEMSIZE {
            bail!(
                Dtype,
                "structured itemsize {itemsize} exceeds {MAX_ITEMSIZE}"
            );
        }
        let mut keys = std::collections::HashSet::with_capacity(fields.len());
        let mut end = 0u64;
        for f in &fields {
            if f.name.is_empty() && f.title.is_none() && f.dtype.is_padding_type() {
                bail!(
                    Dtype,
                    "an untitled field named '' of type {} is padding to numpy's reader; leave it out (its bytes stay padding) or name it",
                    f.dtype.descr()
                );
            }
            if !keys.insert(f.name.as_str()) {
                bail!(
                    Dtype,
                    "field name {} is already used as a name or title",
                    repr_str(&f.name)
                );
            }
            if let Some(title) = &f.title {
                if !keys.insert(title.as_str()) {
                    bail!(
                        Dtype,
                        "field title {} is already used as a name or title",
                        repr_str(title)
                    );
                }
            }
            if f.offset < end {
                bail!(Dtype, "field {} at offset {} overlaps or precedes the previous field (a .npy descr cannot express that)", repr_str(&f.name), f.offset);
            }
            end = f.offset.saturating_add(f.dtype.itemsize());
            if end > itemsize {
                bail!(
                    Dtype,
                    "field {} ends at byte {end}, beyond the itemsize {itemsize}",
                    repr_str(&f.name)
                );
            }
        }
        Ok(Dtype::Struct { fields, itemsize })
    }
}
