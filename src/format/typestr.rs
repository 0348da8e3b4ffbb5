//! Scalar type strings both ways: numpy's typestr (`<f8`, `|S3`, `<M8[10ms]`), its
//! names (`float64`, `bool`, `datetime64[ns]`), one-character codes (`d`, `?`), and
//! the three printed forms: typestr, short (inside structures) and `str(dtype)`.

use super::dtype::{ByteOrder, DatetimeUnit, Scalar, ScalarKind, TimeUnit, MAX_ITEMSIZE};
use crate::error::{bail, Result};

/// Kinds whose names carry a bit count (`int32`, `float64`, ...).
const BIT_NAMES: [(&str, ScalarKind); 4] = [
    ("uint", ScalarKind::UInt),
    ("int", ScalarKind::Int),
    ("float", ScalarKind::Float),
    ("complex", ScalarKind::Complex),
];

/// numpy's C-type aliases and one-character codes, as (spelling, typestr).
const ALIASES: [(&str, &str); 47] = [
    ("bool", "|b1"),
    ("bool_", "|b1"),
    ("?", "|b1"),
    ("b", "|i1"),
    ("B", "|u1"),
    ("byte", "|i1"),
    ("ubyte", "|u1"),
    ("h", "=i2"),
    ("H", "=u2"),
    ("short", "=i2"),
    ("ushort", "=u2"),
    ("i", "=i4"),
    ("I", "=u4"),
    ("intc", "=i4"),
    ("uintc", "=u4"),
    ("l", "=i8"),
    ("L", "=u8"),
    ("q", "=i8"),
    ("Q", "=u8"),
    ("p", "=i8"),
    ("P", "=u8"),
    ("int", "=i8"),
    ("uint", "=u8"),
    ("int_", "=i8"),
    ("intp", "=i8"),
    ("uintp", "=u8"),
    ("long", "=i8"),
    ("ulong", "=u8"),
    ("longlong", "=i8"),
    ("ulonglong", "=u8"),
    ("e", "=f2"),
    ("f", "=f4"),
    ("d", "=f8"),
    ("g", "=f16"),
    ("F", "=c8"),
    ("D", "=c16"),
    ("G", "=c32"),
    ("half", "=f2"),
    ("single", "=f4"),
    ("double", "=f8"),
    ("float", "=f8"),
    ("longdouble", "=f16"),
    ("complex", "=c16"),
    ("clongdouble", "=c32"),
    ("c", "|S1"),
    ("n", "=i8"),
    ("N", "=u8"),
];

/// Parse one scalar type string in any form numpy prints or accepts for files:
/// typestr with or without byte order, a name, or a one-character code.
/// Object dtypes are refused with `ObjectDtype`; anything else unknown with `Dtype`.
pub(crate) fn parse_scalar(s: &str) -> Result<Scalar> {
    if is_object(s) {
        bail!(
            ObjectDtype,
            "object dtype '{s}' is refused: it needs pickle, which npystore never runs"
        );
    }
    if let Some(scalar) = parse_name(s)? {
        return Ok(scalar);
    }
    if let Some((_, t)) = ALIASES.iter().find(|(a, _)| *a == s) {
        return parse_typestr(t, s);
    }
    // A byte order before a one-character code applies to it (`>d` is `>f8`, `<?` is
    // `|b1`); numpy refuses only `a` that way (`<a`, while `<a5` is `|S5`).
    let mut chars = s.chars();
    if let (Some(order @ ('<' | '>' | '|' | '=')), Some(code), None) =
        (chars.next(), chars.next(), chars.next())
    {
        let one = code.to_string();
        if let Some((_, t)) = ALIASES.iter().find(|(a, _)| *a == one) {
            return parse_typestr(&format!("{order}{}", &t[1..]), s);
        }
        if code == 'a' {
            bail!(Dtype, "unknown dtype '{s}'");
        }
    }
    parse_typestr(s, s)
}

fn is_object(s: &str) -> bool {
    let body = s.trim_start_matches(['<', '>', '|', '=']);
    matches!(body, "O" | "O4" | "O8" | "object" | "object_")
}

/// `float64`, `uint8`, `datetime64[ns]`, `timedelta64`, `str`, `bytes`, `void`.
fn parse_name(s: &str) -> Result<Option<Scalar>> {
    for (stem, kind) in [("datetime64", 'M'), ("timedelta64", 'm')] {
        if let Some(rest) = s.strip_prefix(stem) {
            let unit = parse_time_unit(rest, s)?;
            let kind = if kind == 'M' {
                ScalarKind::Datetime(unit)
            } else {
                ScalarKind::Timedelta(unit)
            };
            return Scalar::new(kind, ByteOrder::NATIVE, 8).map(Some);
        }
    }
    let flexible = match s {
        "str" | "str_" | "unicode" => Some(ScalarKind::Unicode),
        "bytes" | "bytes_" => Some(ScalarKind::Bytes),
        "void" => Some(ScalarKind::Void),
        _ => None,
    };
    if let Some(kind) = flexible {
        return Scalar::new(kind, ByteOrder::NATIVE, 0).map(Some);
    }
    for (stem, kind) in BIT_NAMES {
        if let Some(bits) = s.strip_prefix(stem).and_then(|b| b.parse::<u64>().ok()) {
            if bits % 8 != 0 {
                bail!(Dtype, "unknown dtype '{s}'");
            }
            return Scalar::new(kind, ByteOrder::NATIVE, bits / 8)
                .map(Some)
                .map_err(|_| {
                    crate::error::Error::new(
                        crate::error::ErrorKind::Dtype,
                        format!("unknown dtype '{s}'"),
                    )
                });
        }
    }
    Ok(None)
}

/// `[<>|=]?` kind `size`? `[unit]`? as in `<f8`, `|S3`, `<U5`, `M8[10ms]`, `=i4`.
/// `original` is what the user wrote, for messages.
fn parse_typestr(s: &str, original: &str) -> Result<Scalar> {
    let unknown = || {
        crate::error::Error::new(
            crate::error::ErrorKind::Dtype,
            format!("unknown dtype '{original}'"),
        )
    };
    let too_large = || {
        crate::error::Error::new(
            crate::error::ErrorKind::Dtype,
            format!("item size in dtype '{original}' is too large"),
        )
    };
    let mut chars = s.chars();
    let (order, rest) = match chars.next() {
        Some('<') => (ByteOrder::Little, chars.as_str()),
        Some('>') => (ByteOrder::Big, chars.as_str()),
        Some('|') => (ByteOrder::NotApplicable, chars.as_str()),
        Some('=') => (ByteOrder::NATIVE, chars.as_str()),
        Some(_) => (ByteOrder::NATIVE, s),
        None => return Err(unknown()),
    };
    let mut chars = rest.chars();
    let code = chars.next().ok_or_else(unknown)?;
    let rest = chars.as_str();
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, tail) = rest.split_at(digits_end);
    let size: Option<u64> = if digits.is_empty() {
        None
    } else {
        Some(
            digits
                .parse()
                .ok()
                .filter(|n| *n <= MAX_ITEMSIZE)
                .ok_or_else(too_large)?,
        )
    };
    let kind = match code {
        'b' => ScalarKind::Bool,
        'i' => ScalarKind::Int,
        'u' => ScalarKind::UInt,
        'f' => ScalarKind::Float,
        'c' => ScalarKind::Complex,
        'S' | 'a' => ScalarKind::Bytes,
        'U' => ScalarKind::Unicode,
        'V' => ScalarKind::Void,
        'M' => ScalarKind::Datetime(parse_time_unit(tail, original)?),
        'm' => ScalarKind::Timedelta(parse_time_unit(tail, original)?),
        _ => return Err(unknown()),
    };
    if !tail.is_empty() && !matches!(code, 'M' | 'm') {
        return Err(unknown());
    }
    let itemsize = match (kind, size) {
        (ScalarKind::Unicode, Some(n)) => n
            .checked_mul(4)
            .filter(|b| *b <= MAX_ITEMSIZE)
            .ok_or_else(too_large)?,
        (ScalarKind::Bytes | ScalarKind::Unicode | ScalarKind::Void, None) => 0,
        // numpy reads `M` and `M8[us]` but not `M[us]`: a unit needs the size.
        (ScalarKind::Datetime(_) | ScalarKind::Timedelta(_), None) if tail.is_empty() => 8,
        (_, Some(n)) => n,
        (_, None) => return Err(unknown()),
    };
    Scalar::new(kind, order, itemsize).map_err(|e| e.context(format!("dtype '{original}'")))
}

/// `""` (generic), `"[ns]"`, `"[10ms]"`.
fn parse_time_unit(s: &str, original: &str) -> Result<TimeUnit> {
    if s.is_empty() {
        return Ok(TimeUnit {
            unit: DatetimeUnit::Generic,
            count: 1,
        });
    }
    let bad = || {
        crate::error::Error::new(
            crate::error::ErrorKind::Dtype,
            format!("invalid datetime unit in dtype '{original}'"),
        )
    };
    let inner = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(bad)?;
    let digits_end = inner
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(inner.len());
    let (digits, unit) = inner.split_at(digits_end);
    let count = if digits.is_empty() {
        1
    } else {
        digits
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= i32::MAX as u32)
            .ok_or_else(bad)?
    };
    if unit == "generic" && digits.is_empty() {
        return Ok(TimeUnit {
            unit: DatetimeUnit::Generic,
            count: 1,
        });
    }
    let unit = DatetimeUnit::from_symbol(unit).ok_or_else(bad)?;
    Ok(TimeUnit { unit, count })
}

fn time_suffix(kind: ScalarKind) -> String {
    match kind {
        ScalarKind::Datetime(u) | ScalarKind::Timedelta(u) => u.suffix(),
        _ => String::new(),
    }
}

/// The number numpy prints after the kind: bytes, or characters for `U`.
fn size_digits(s: &Scalar) -> u64 {
    if s.kind() == ScalarKind::Unicode {
        s.itemsize() / 4
    } else {
        s.itemsize()
    }
}

/// numpy's `dtype.str`, the form used in descrs: `<f8`, `|b1`, `<U5`, `<M8[ns]`.
pub(crate) fn typestr(s: &Scalar) -> String {
    format!(
        "{}{}{}{}",
        s.order().as_char(),
        s.kind().code(),
        size_digits(s),
        time_suffix(s.kind())
    )
}

/// numpy's short construction repr used inside structured `str(dtype)`:
/// `?` for bool, no `|` (`i1`, `S3`, `V8`), byte order kept otherwise (`<f8`, `<U5`).
pub(crate) fn short(s: &Scalar) -> String {
    if s.kind() == ScalarKind::Bool {
        return "?".to_string();
    }
    let t = typestr(s);
    t.strip_prefix('|').map_or(t.clone(), str::to_string)
}

/// numpy's top-level `str(dtype)` for a scalar: the name when native and not
/// flexible (`float64`, `bool`, `datetime64[ns]`), else the typestr (`>i2`, `|S3`).
pub(crate) fn name(s: &Scalar) -> String {
    let native = s.order() == ByteOrder::NATIVE || s.order() == ByteOrder::NotApplicable;
    if s.kind().is_flexible() || !native {
        return typestr(s);
    }
    let bits = s.itemsize() * 8;
    match s.kind() {
        ScalarKind::Bool => "bool".to_string(),
        ScalarKind::Int => format!("int{bits}"),
        ScalarKind::UInt => format!("uint{bits}"),
        ScalarKind::Float => format!("float{bits}"),
        ScalarKind::Complex => format!("complex{bits}"),
        ScalarKind::Datetime(u) => format!("datetime64{}", u.suffix()),
        ScalarKind::Timedelta(u) => format!("timedelta64{}", u.suffix()),
        ScalarKind::Bytes | ScalarKind::Unicode | ScalarKind::Void => typestr(s),
    }
}
