//! Python-literal dtype values to the model (every form numpy writes: header descrs,
//! `str(dtype)` lists and dicts, sub-array tuples) and the model back to descr text.

use super::dtype::{Dtype, Field, ScalarKind};
use super::pylit::{repr_shape, repr_str, Value};
use super::typestr;
use crate::{bail, Error, ErrorKind, Result};

/// Convert a parsed literal into a dtype. Accepts a type string, a list of fields
/// (descr and `str(dtype)` list form, `('', '|V<n>')` entries are padding), numpy's
/// dict form (`names`/`formats`/`offsets`/`itemsize`/`aligned`), a `(base, shape)`
/// sub-array tuple and the `(numpy.record, ...)` wrapper.
pub(crate) fn from_value(v: &Value) -> Result<Dtype> {
    convert(v, false)
}

/// [`from_value`]; with `align`, list-form structures are laid out as numpy's
/// `align=True` does (inside a dict form that says `'aligned': True`).
fn convert(v: &Value, align: bool) -> Result<Dtype> {
    match v {
        Value::Str(s) => typestr::parse_scalar(s).map(Dtype::Scalar),
        Value::List(items) => from_field_list(items, align),
        Value::Dict(items) => from_dict(items, align),
        Value::Tuple(t) => match t.as_slice() {
            [Value::Name(n), inner] if n == "numpy.record" || n == "numpy.void" => {
                convert(inner, align)
            }
            [base, shape] => Dtype::sub_array(convert(base, align)?, shape_of(shape)?),
            _ => bail!(
                Dtype,
                "a dtype tuple must be (base, shape), got {} items",
                t.len()
            ),
        },
        Value::Name(n) if n == "object" || n.ends_with(".object_") => {
            bail!(
                ObjectDtype,
                "object dtype '{n}' is refused: it needs pickle, which npystore never runs"
            )
        }
        other => bail!(Dtype, "a {} is not a dtype description", other.type_name()),
    }
}

/// A sub-array shape: an integer or a tuple of non-negative integers.
fn shape_of(v: &Value) -> Result<Vec<u64>> {
    let dim = |x: &Value| match x {
        Value::Int(n) => u64::try_from(*n).map_err(|_| {
            Error::new(
                ErrorKind::Dtype,
                format!("sub-array dimension {n} is negative or too large"),
            )
        }),
        other => bail!(
            Dtype,
            "sub-array dimension must be an int, not {}",
            other.type_name()
        ),
    };
    match v {
        Value::Tuple(items) => items.iter().map(dim).collect(),
        Value::Int(_) => Ok(vec![dim(v)?]),
        other => bail!(
            Dtype,
            "sub-array shape must be a tuple or an int, not {}",
            other.type_name()
        ),
    }
}

/// A field's name and title: `'name'`, or numpy's `('title', 'name')` pair.
fn field_key(v: &Value) -> Result<(&str, Option<&str>)> {
    match v {
        Value::Str(s) => Ok((s, None)),
        Value::Tuple(pair) => match pair.as_slice() {
            [title, Value::Str(name)] => Ok((name, Some(title_str(title)?))),
            _ => bail!(
                Dtype,
                "a titled field name must be a (title, name) pair of str"
            ),
        },
        other => bail!(
            Dtype,
            "a field name must be a str, not {}",
            other.type_name()
        ),
    }
}

/// A field title; numpy allows any object, npystore str titles only.
fn title_str(v: &Value) -> Result<&str> {
    match v {
        Value::Str(s) => Ok(s),
        other => bail!(
            Dtype,
            "field titles must be str, not {} (numpy allows other objects; npystore does not)",
            other.type_name()
        ),
    }
}

fn checked_add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b)
        .ok_or_else(|| Error::new(ErrorKind::Dtype, "structured itemsize overflows"))
}

/// `offset` rounded up to a multiple of `align`.
fn align_up(offset: u64, align: u64) -> Result<u64> {
    checked_add(offset, (align - offset % align) % align)
}

/// `[(name, format[, shape]), ...]` with fields one after another (at aligned
/// offsets, and the itemsize rounded to the largest alignment, when `align`).
fn from_field_list(items: &[Value], align: bool) -> Result<Dtype> {
    let mut fields = Vec::with_capacity(items.len());
    let mut offset = 0u64;
    let mut max_align = 1;
    for item in items {
        let Value::Tuple(parts) = item else {
            bail!(
                Dtype,
                "a structured field must be a tuple, not {}",
                item.type_name()
            );
        };
        let ((name, title), dtype) = match parts.as_slice() {
            [key, fmt] => (field_key(key)?, convert(fmt, align)?),
            [key, fmt, shape] => (
                field_key(key)?,
                Dtype::sub_array(convert(fmt, align)?, shape_of(shape)?)?,
            ),
            _ => bail!(
                Dtype,
                "a structured field must be (name, format[, shape]), got {} items",
                parts.len()
            ),
        };
        let size = dtype.itemsize();
        let is_padding = name.is_empty()
            && title.is_none()
            && matches!(&dtype, Dtype::Scalar(s) if s.kind() == ScalarKind::Void);
        if align {
            max_align = max_align.max(dtype.alignment());
            offset = align_up(offset, dtype.alignment())?;
        }
        if !is_padding {
            fields.push(Field {
                name: name.to_string(),
                title: title.map(str::to_string),
                dtype,
                offset,
            });
        }
        offset = checked_add(offset, size)?;
    }
    Dtype::structure(fields, align_up(offset, max_align)?)
}

/// numpy's dict form: `{'names': [...], 'formats': [...], 'offsets': [...], 'itemsize': N}`.
/// With `'aligned': True` (or inside such a dict), nested list forms are aligned.
fn from_dict(items: &[(Value, Value)], align: bool) -> Result<Dtype> {
    let aligned_key = (Value::Str("aligned".into()), Value::Bool(true));
    let align = align || items.contains(&aligned_key);
    let mut names = None;
    let mut formats = None;
    let mut offsets = None;
    let mut itemsize = None;
    let mut titles = None;
    for (k, v) in items {
        let Value::Str(key) = k else {
            bail!(Dtype, "dtype dict keys must be str, not {}", k.type_name());
        };
        let slot = match key.as_str() {
            "names" => &mut names,
            "formats" => &mut formats,
            "offsets" => &mut offsets,
            "itemsize" => &mut itemsize,
            "aligned" if matches!(v, Value::Bool(_)) => continue, // offsets are explicit
            "titles" => &mut titles,
            _ => bail!(Dtype, "unexpected key '{key}' in a dtype dict"),
        };
        if slot.replace(v).is_some() {
            bail!(Dtype, "duplicate key '{key}' in a dtype dict");
        }
    }
    let list = |v: Option<&Value>, what: &str| -> Result<Vec<Value>> {
        match v {
            Some(Value::List(x) | Value::Tuple(x)) => Ok(x.clone()),
            Some(other) => bail!(Dtype, "'{what}' must be a list, not {}", other.type_name()),
            None => bail!(Dtype, "dtype dict has no '{what}'"),
        }
    };
    let names = list(names, "names")?;
    let formats = list(formats, "formats")?;
    if names.len() != formats.len() {
        bail!(
            Dtype,
            "dtype dict has {} names but {} formats",
            names.len(),
            formats.len()
        );
    }
    let optional = |v: Option<&Value>, what: &str| -> Result<Option<Vec<Value>>> {
        let Some(_) = v else { return Ok(None) };
        let items = list(v, what)?;
        if items.len() != names.len() {
            bail!(
                Dtype,
                "dtype dict has {} names but a different number of {what}",
                names.len()
            );
        }
        Ok(Some(items))
    };
    let offsets = optional(offsets, "offsets")?;
    let titles = optional(titles, "titles")?;
    let mut fields = Vec::with_capacity(names.len());
    let mut end = 0u64;
    for (i, (n, f)) in names.iter().zip(&formats).enumerate() {
        let dtype = convert(f, align)?;
        let offset = non_negative(offsets.as_ref().map(|o| &o[i]), "field offset", end)?;
        end = end.max(checked_add(offset, dtype.itemsize())?);
        let (name, pair_title) = field_key(n)?;
        let title = match titles.as_ref().map(|t| &t[i]) {
            None | Some(Value::None) => pair_title,
            Some(t) => Some(title_str(t)?),
        };
        fields.push(Field {
            name: name.to_string(),
            title: title.map(str::to_string),
            dtype,
            offset,
        });
    }
    let itemsize = non_negative(itemsize, "itemsize", end)?;
    Dtype::structure(fields, itemsize)
}

/// A non-negative int from a dtype dict, `default` when absent.
fn non_negative(v: Option<&Value>, what: &str, default: u64) -> Result<u64> {
    match v {
        Some(Value::Int(x)) => u64::try_from(*x)
            .map_err(|_| Error::new(ErrorKind::Dtype, format!("invalid {what} {x}"))),
        Some(other) => bail!(Dtype, "{what} must be an int, not {}", other.type_name()),
        None => Ok(default),
    }
}

/// The descr as numpy writes it into a header dict (`repr(dtype_to_descr(dtype))`).
pub(crate) fn descr(d: &Dtype) -> String {
    let mut out = String::new();
    write_descr(d, &mut out);
    out
}

fn write_descr(d: &Dtype, out: &mut String) {
    match d {
        Dtype::Scalar(s) => out.push_str(&repr_str(&typestr::typestr(s))),
        Dtype::SubArray { base, shape } => {
            out.push_str(&format!("({}, {})", descr(base), repr_shape(shape)));
        }
        Dtype::Struct { fields, itemsize } => {
            out.push_str(&field_list(fields, *itemsize, true, descr))
        }
    }
}

/// A structure as a Python list of field tuples, `[('x', <elem>), ('s', <elem>, (2, 3))]`,
/// with `elem` printing each field's (or sub-array base's) type. With `padding`, gaps
/// between fields and at the end appear as `('', '|V<n>')` entries, as in a descr.
pub(crate) fn field_list(
    fields: &[Field],
    itemsize: u64,
    padding: bool,
    elem: fn(&Dtype) -> String,
) -> String {
    let mut entries = Vec::with_capacity(fields.len());
    let mut offset = 0u64;
    let pad = |n: u64| format!("('', '|V{n}')");
    for f in fields {
        if padding && f.offset > offset {
            entries.push(pad(f.offset - offset));
        }
        let name = field_key_repr(f);
        entries.push(match &f.dtype {
            Dtype::SubArray { base, shape } => {
                format!("({name}, {}, {})", elem(base), repr_shape(shape))
            }
            other => format!("({name}, {})", elem(other)),
        });
        offset = f.offset + f.dtype.itemsize();
    }
    if padding && itemsize > offset {
        entries.push(pad(itemsize - offset));
    }
    format!("[{}]", entries.join(", "))
}

/// A field's key as numpy prints it: `'name'`, or `('title', 'name')` when titled.
fn field_key_repr(f: &Field) -> String {
    match &f.title {
        Some(title) => format!("({}, {})", repr_str(title), repr_str(&f.name)),
        None => repr_str(&f.name),
    }
}
