//! `npy_target`: where a put or a writer writes — DataJoint's schema-addressed path
//! for one attribute of one row, or an explicit store-relative path.

use super::boundary::{free_handle, guard, guard_void, handle_mut, new_handle, str_arg};
use super::status::npy_status;
use crate::error::{bail, Result};
use crate::path::{KeyPart, KeyValue};
use crate::target::Target;
use std::ffi::c_char;

/// A write target. Build it, pass it to `npy_put` or `npy_writer_open` (which copy
/// what they need), free it. Not thread-safe while being built.
pub struct npy_target {
    pub(crate) inner: Target,
}

/// ---- Target --------------------------------------------------------------------
/// `npy_target`: where `npy_put` and `npy_writer_open` write.
///
/// A schema-addressed target: `{schema_prefix}/{schema}/{table}/{key...}/{attribute}_{token}.npy`.
/// `table` is the SQL table name with DataJoint's tier prefix (`#lookup`,
/// `_imported`, `__computed`, `master__part`, or none for manual tables).
/// Add the primary key with the `npy_target_key_*` calls, in primary-key order.
///
/// # Safety
/// Strings are NUL-terminated; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_target_schema(
    schema: *const c_char,
    table: *const c_char,
    attribute: *const c_char,
    out: *mut *mut npy_target,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            let name = |ptr: *const c_char, what: &str| -> Result<String> {
                let name = str_arg(ptr, what)?;
                crate::path::validate_name(what, name)?;
                Ok(name.to_string())
            };
            let (schema, table, attribute) = (
                name(schema, "schema")?,
                name(table, "table")?,
                name(attribute, "attribute")?,
            );
            let key = Vec::new();
            let inner = Target::Schema {
                schema,
                table,
                attribute,
                key,
            };
            Ok(npy_target { inner })
        })
    })
}

/// An explicit store-relative path target (no `..`, not absolute, no empty parts).
///
/// # Safety
/// `path` is NUL-terminated; `out` is valid for a write.
#[no_mangle]
pub unsafe extern "C" fn npy_target_path(
    path: *const c_char,
    out: *mut *mut npy_target,
) -> npy_status {
    guard(|| {
        new_handle(out, || {
            let path = str_arg(path, "path")?;
            crate::path::validate_relative_path(path)?;
            let inner = Target::Path(path.to_string());
            Ok(npy_target { inner })
        })
    })
}

/// Free a target (NULL is a no-op).
///
/// # Safety
/// `target` is NULL or an unfreed handle from `npy_target_schema`/`npy_target_path`.
#[no_mangle]
pub unsafe extern "C" fn npy_target_free(target: *mut npy_target) {
    guard_void(|| free_handle(target));
}

/// The body of the `npy_target_key_*` calls: append key attribute `name`.
unsafe fn add_key(
    target: *mut npy_target,
    name: *const c_char,
    value: impl FnOnce() -> Result<KeyValue>,
) -> Result<()> {
    let target = handle_mut(target, "target")?;
    let name = str_arg(name, "name")?;
    crate::path::validate_name("key attribute", name)?;
    let Target::Schema { key, .. } = &mut target.inner else {
        bail!(
            State,
            "a path target has no primary key; use npy_target_schema"
        );
    };
    if key.iter().any(|part| part.name == name) {
        bail!(InvalidArgument, "key attribute '{name}' was already added");
    }
    key.push(KeyPart {
        name: name.to_string(),
        value: value()?,
    });
    Ok(())
}

/// Append an integer primary-key attribute.
///
/// # Safety
/// `target` is a live handle; `name` is NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn npy_target_key_int(
    target: *mut npy_target,
    name: *const c_char,
    value: i64,
) -> npy_status {
    guard(|| add_key(target, name, || Ok(KeyValue::Int(value))))
}

/// Append an unsigned integer primary-key attribute (e.g. `bigint unsigned`).
///
/// # Safety
/// As `npy_target_key_int`.
#[no_mangle]
pub unsafe extern "C" fn npy_target_key_uint(
    target: *mut npy_target,
    name: *const c_char,
    value: u64,
) -> npy_status {
    guard(|| add_key(target, name, || Ok(KeyValue::UInt(value))))
}

/// Append a floating-point primary-key attribute (encoded as Python's `str(float)`).
///
/// # Safety
/// As `npy_target_key_int`.
#[no_mangle]
pub unsafe extern "C" fn npy_target_key_float(
    target: *mut npy_target,
    name: *const c_char,
    value: f64,
) -> npy_status {
    guard(|| add_key(target, name, || Ok(KeyValue::Float(value))))
}

/// Append a boolean primary-key attribute (encoded `True`/`False`).
///
/// # Safety
/// As `npy_target_key_int`.
#[no_mangle]
pub unsafe extern "C" fn npy_target_key_bool(
    target: *mut npy_target,
    name: *const c_char,
    value: bool,
) -> npy_status {
    guard(|| add_key(target, name, || Ok(KeyValue::Bool(value))))
}

/// Append a string primary-key attribute (UTF-8; unsafe or long strings are encoded
/// exactly as DataJoint encodes them).
///
/// # Safety
/// As `npy_target_key_int`; `value` is NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn npy_target_key_string(
    target: *mut npy_target,
    name: *const c_char,
    value: *const c_char,
) -> npy_status {
    guard(|| {
        add_key(target, name, || {
            Ok(KeyValue::Str(str_arg(value, "value")?.to_string()))
        })
    })
}

/// Append a date primary-key attribute (`YYYY-MM-DD`).
///
/// # Safety
/// As `npy_target_key_int`.
#[no_mangle]
pub unsafe extern "C" fn npy_target_key_date(
    target: *mut npy_target,
    name: *const c_char,
    year: i32,
    month: u32,
    day: u32,
) -> npy_status {
    guard(|| add_key(target, name, || Ok(KeyValue::Date { year, month, day })))
}

/// Append a datetime primary-key attribute (`YYYY-MM-DDTHH-MM-SS`; DataJoint drops
/// the microseconds from the path).
///
/// # Safety
/// As `npy_target_key_int`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn npy_target_key_datetime(
    target: *mut npy_target,
    name: *const c_char,
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    microsecond: u32,
) -> npy_status {
    guard(|| {
        add_key(target, name, || {
            Ok(KeyValue::DateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                microsecond,
            })
        })
    })
}
