//! The model to numpy's `str(dtype)` (numpy 2.x `numpy/_core/_dtype.py`), the form
//! DataJoint stores in its JSON metadata. Parsing that form is `descr::from_value`.

use super::descr::field_list;
use super::dtype::{Dtype, Field};
use super::pylit::{repr_shape, repr_str};
use super::typestr;

/// `str(dtype)`: `float64`, `>i2`, `<U5`, `[('x', '<f8')]`, or the dict form for
/// structures with gaps.
pub(crate) fn numpy_str(d: &Dtype) -> String {
    match d {
        Dtype::Scalar(s) => typestr::name(s),
        other => short(other),
    }
}

/// numpy's `_construction_repr(dtype, short=True)`, used for parts of structures.
fn short(d: &Dtype) -> String {
    match d {
        Dtype::Scalar(s) => repr_str(&typestr::short(s)),
        Dtype::SubArray { base, shape } => format!("({}, {})", short(base), repr_shape(shape)),
        Dtype::Struct { fields, itemsize } if is_packed(fields, *itemsize) => {
            field_list(fields, *itemsize, false, short)
        }
        Dtype::Struct { fields, itemsize } => dict_form(fields, *itemsize),
    }
}

/// Fields follow each other from offset 0 with no gaps (numpy's `_is_packed`).
fn is_packed(fields: &[Field], itemsize: u64) -> bool {
    let mut end = 0u64;
    for f in fields {
        if f.offset != end {
            return false;
        }
        end += f.dtype.itemsize();
    }
    end == itemsize
}

/// numpy's `_struct_dict_str`: names, formats, offsets, titles (only when a field
/// has one), itemsize.
fn dict_form(fields: &[Field], itemsize: u64) -> String {
    let join = |f: &dyn Fn(&Field) -> String| fields.iter().map(f).collect::<Vec<_>>().join(", ");
    let titles = if fields.iter().any(|f| f.title.is_some()) {
        let title = |f: &Field| f.title.as_deref().map_or("None".to_string(), repr_str);
        format!(", 'titles': [{}]", join(&title))
    } else {
        String::new()
    };
    format!(
        "{{'names': [{}], 'formats': [{}], 'offsets': [{}]{titles}, 'itemsize': {itemsize}}}",
        join(&|f| repr_str(&f.name)),
        join(&|f| short(&f.dtype)),
        join(&|f| f.offset.to_string()),
    )
}
