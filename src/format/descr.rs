//! Python-literal dtype values to the model (every form numpy writes: header descrs,
//! `str(dtype)` lists and dicts, sub-array tuples) and the model back to descr text.

use super::dtype::{Dtype, Field, Scalar, ScalarKind};
use super::pylit::{self, repr_shape, repr_str, Value};
use super::typestr;
use crate::error::{bail, Error, ErrorKind, Result};

/// Which texts a conversion accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A header's `descr`, exactly what numpy's `descr_to_dtype` reads: a type
    /// string, a `(base, shape)` tuple or a list of fields; no dicts, no names.
    Descr,
    /// Also the forms of Python's `str(dtype)`: the dict form and `(numpy.record, ...)`.
    Str,
}

/// Convert a header's `descr` value into a dtype, as numpy's
/// `numpy.lib.format.descr_to_dtype` does (and refuses what it refuses).
pub(crate) fn from_descr(v: &Value) -> Result<Dtype> {
    convert(v, Form::Descr, false)
}

/// Convert a parsed `str(dtype)` or descr literal into a dtype. Accepts a type
/// string, a list of fields (descr and `str(dtype)` list form, with numpy's padding
/// rule), numpy's dict form (`names`/`formats`/`offsets`/`itemsize`/`aligned`/`titles`),
/// a `(base, shape)` sub-array tuple and the `(numpy.record, ...)` wrapper.
pub(crate) fn from_value(v: &Value) -> Result<Dtype> {
    convert(v, Form::Str, false)
}

/// [`from_value`] / [`from_descr`]; with `align`, structures are laid out as numpy's
/// `align=True` does (inside a dict form that says `'aligned': True`).
fn convert(v: &Value, form: Form, align: bool) -> Result<Dtype> {
    match v {
        Value::Str(s) => typestr::parse_scalar(s).map(Dtype::Scalar),
        Value::List(items) => from_field_list(items, form, align),
        Value::Dict(items) if form == Form::Str => from_dict(items, align),
        Value::Tuple(t) => match t.as_slice() {
            [Value::Name(n), inner] if form == Form::Str && is_record(n) => {
                convert(inner, form, align)
            }
            [base, shape] => sub_array_of(convert(base, form, align)?, shape),
            // descr_to_dtype reads a tuple as (descr[0], descr[1]) and ignores the rest.
            [base, shape, ..] if form == Form::Descr => {
                sub_array_of(convert(base, form, align)?, shape)
            }
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
        other => bail!(
            Dtype,
            "{} is not a valid dtype descriptor",
            pylit::preview(&other.repr())
        ),
    }
}

fn is_record(name: &str) -> bool {
    name == "numpy.record" || name == "numpy.void"
}

/// numpy's `dtype((base, x))`: with a sized base, `x` is a shape (an int `n` means
/// `(n,)`); with an unsized one (`S0`, `U0`, `V0`, a zero-size sub-array), `x` must be
/// an int, the new size of a flexible type (`('S', 5)` is `S5`, `('U', 5)` is `<U5`).
fn sub_array_of(base: Dtype, x: &Value) -> Result<Dtype> {
    let unsized_base = base.itemsize() == 0 && !base.is_structured();
    if !unsized_base {
        return Dtype::sub_array(base, shape_of(x)?);
    }
    let invalid = || {
        Error::new(
            ErrorKind::Dtype,
            format!(
                "invalid itemsize in generic type tuple ({}, {})",
                descr(&base),
                pylit::preview(&x.repr())
            ),
        )
    };
    let Value::Int(n) = x else {
        return Err(invalid());
    };
    let n = u64::try_from(*n).map_err(|_| invalid())?;
    match &base {
        Dtype::Scalar(s) => {
            let chars = if s.kind() == ScalarKind::Unicode {
                4
            } else {
                1
            };
            let size = n.checked_mul(chars).ok_or_else(invalid)?;
            Scalar::new(s.kind(), s.order(), size)
                .map(Dtype::Scalar)
                .map_err(|_| invalid())
        }
        // numpy makes `(('<f8', (0,)), 5)` an item of 5 bytes that its own descr
        // (`('<f8', (0,))`) does not describe; npystore refuses that.
        _ => bail!(
            Dtype,
            "({}, {n}) sets an itemsize on a zero-size sub-array, which no descr can express",
            descr(&base)
        ),
    }
}

/// A sub-array shape: an int, or a tuple or list of ints.
fn shape_of(v: &Value) -> Result<Vec<u64>> {
    let dim = |x: &Value| match x {
        Value::Int(n) => u64::try_from(*n).map_err(|_| {
            Error::new(
                ErrorKind::Dtype,
                format!(
                    "invalid shape in fixed-type tuple: dimension {n} is negative or too large"
                ),
            )
        }),
        other => bail!(
            Dtype,
            "invalid shape in fixed-type tuple: dimension {} is not an int",
            pylit::preview(&other.repr())
        ),
    };
    match v {
        Value::Tuple(items) | Value::List(items) => items.iter().map(dim).collect(),
        Value::Int(_) => Ok(vec![dim(v)?]),
        other => bail!(
            Dtype,
            "invalid shape in fixed-type tuple: {}",
            pylit::preview(&other.repr())
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
                "a titled field name must be a (title, name) pair with a str name, not {}",
                pylit::preview(&v.repr())
            ),
        },
        other => bail!(
            Dtype,
            "field names must be strings, not {}",
            pylit::preview(&other.repr())
        ),
    }
}

/// A field title; numpy allows any object, npystore str titles only.
fn title_str(v: &Value) -> Result<&str> {
    match v {
        Value::Str(s) => Ok(s),
        other => bail!(
            Dtype,
            "field titles must be str, not {} {} (numpy allows other objects; npystore does not)",
            other.type_name(),
            pylit::preview(&other.repr())
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

/// numpy's padding rule (`descr_to_dtype`): an entry named `''` (a plain str, not a
/// titled pair) whose type is void without fields, a plain `V<n>` or any sub-array.
fn is_padding(key: &Value, dtype: &Dtype) -> bool {
    matches!(key, Value::Str(s) if s.is_empty()) && dtype.is_padding_type()
}

/// `[(name, format[, shape]), ...]` (entries may be lists too) with fields one after
/// another (at aligned offsets, and the itemsize rounded to the largest alignment,
/// when `align`). Padding entries advance the offset and are not fields.
fn from_field_list(items: &[Value], form: Form, align: bool) -> Result<Dtype> {
    let mut fields = Vec::with_capacity(items.len());
    let mut offset = 0u64;
    let mut max_align = 1;
    for item in items {
        let (Value::Tuple(parts) | Value::List(parts)) = item else {
            bail!(
                Dtype,
                "a structured field must be a tuple, not {}",
                pylit::preview(&item.repr())
            );
        };
        let (key, dtype) = match parts.as_slice() {
            [key, fmt] => (key, convert(fmt, form, align)?),
            [key, fmt, shape] => (key, sub_array_of(convert(fmt, form, align)?, shape)?),
            _ => bail!(
                Dtype,
                "a structured field must be (name, format[, shape]), got {} items",
                parts.len()
            ),
        };
        let padding = is_padding(key, &dtype);
        let (name, title) = if padding { ("", None) } else { field_key(key)? };
        if align {
            max_align = max_align.max(dtype.alignment());
            offset = align_up(offset, dtype.alignment())?;
        }
        let size = dtype.itemsize();
        if !padding {
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
///
/// With `'aligned': True` (or inside such a dict), nested structures are aligned
/// (numpy's `str(dtype)` prints an aligned nested structure in list form and relies
/// on that); without offsets, fields are placed as numpy's `align=True` places them
/// and the itemsize is rounded up to the largest alignment. Explicit offsets (numpy's
/// `str(dtype)` always prints them) are the layout and are not checked for alignment:
/// numpy prints `'aligned': True` also for aligned structures holding unaligned
/// nested ones, which `numpy.dtype` itself refuses to read back, and npystore must
/// read the `str(dtype)` DataJoint stores.
fn from_dict(items: &[(Value, Value)], align: bool) -> Result<Dtype> {
    let mut names = None;
    let mut formats = None;
    let mut offsets = None;
    let mut itemsize = None;
    let mut titles = None;
    let mut aligned = None;
    for (k, v) in items {
        let Value::Str(key) = k else {
            bail!(
                Dtype,
                "dtype dict keys must be str, not {}",
                pylit::preview(&k.repr())
            );
        };
        let slot = match key.as_str() {
            "names" => &mut names,
            "formats" => &mut formats,
            "offsets" => &mut offsets,
            "itemsize" => &mut itemsize,
            "aligned" => &mut aligned,
            "titles" => &mut titles,
            _ => bail!(Dtype, "unexpected key {} in a dtype dict", repr_str(key)),
        };
        // A Python dict literal keeps the last value of a repeated key.
        *slot = Some(v);
    }
    let own_align = match aligned {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => bail!(
            Dtype,
            "dtype dict includes an 'aligned' entry {} that is neither True nor False",
            pylit::preview(&other.repr())
        ),
    };
    let list = |v: Option<&Value>, what: &str| -> Result<Vec<Value>> {
        match v {
            Some(Value::List(x) | Value::Tuple(x)) => Ok(x.clone()),
            Some(other) => bail!(
                Dtype,
                "'{what}' must be a list, not {}",
                pylit::preview(&other.repr())
            ),
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
                "dtype dict has {} names but {} {what}",
                names.len(),
                items.len()
            );
        }
        Ok(Some(items))
    };
    let offsets = optional(offsets, "offsets")?;
    let titles = optional(titles, "titles")?;
    let align = align || own_align;
    let mut fields = Vec::with_capacity(names.len());
    let mut end = 0u64;
    let mut max_align = 1;
    for (i, (n, f)) in names.iter().zip(&formats).enumerate() {
        let dtype = convert(f, Form::Str, align)?;
        let (name, pair_title) = field_key(n)?;
        let field_align = if align { dtype.alignment() } else { 1 };
        max_align = max_align.max(field_align);
        let offset = match offsets.as_ref().map(|o| &o[i]) {
            None => align_up(end, field_align)?,
            Some(o) => non_negative(Some(o), "field offset", 0)?,
        };
        let field_end = checked_add(offset, dtype.itemsize())?;
        end = if offsets.is_some() {
            end.max(field_end)
        } else {
            field_end
        };
        let title = match titles.as_ref().map(|t| &t[i]) {
            None | Some(Value::None) => pair_title,
            Some(t) => Some(title_str(t)?),
        };
        if name.is_empty() && title.is_none() && dtype.is_padding_type() {
            // numpy's reader takes such a field for padding; so does npystore, so the
            // dtype is the one a header written for it reads back as.
            continue;
        }
        fields.push(Field {
            name: name.to_string(),
            title: title.map(str::to_string),
            dtype,
            offset,
        });
    }
    let rounded = align_up(end, max_align)?;
    let itemsize = non_negative(itemsize, "itemsize", rounded)?;
    // Explicit offsets with an explicit itemsize are taken as numpy printed them.
    let required = if offsets.is_some() { end } else { rounded };
    if itemsize < required {
        bail!(
            Dtype,
            "the dtype dict's fields need {required} bytes, more than its itemsize {itemsize}"
        );
    }
    if offsets.is_none() && itemsize % max_align != 0 {
        bail!(
            Dtype,
            "itemsize {itemsize} is not a multiple of the alignment {max_align} ('aligned': True)"
        );
    }
    Dtype::structure(fields, itemsize)
}

/// A non-negative int from a dtype dict, `default` when absent.
fn non_negative(v: Option<&Value>, what: &str, default: u64) -> Result<u64> {
    match v {
        Some(Value::Int(x)) => u64::try_from(*x)
            .map_err(|_| Error::new(ErrorKind::Dtype, format!("invalid {what} {x}"))),
        Some(other) => bail!(
            Dtype,
            "{what} must be an int, not {}",
            pylit::preview(&other.repr())
        ),
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
