# Write targets: a C handle that lives only while one put or writer open runs.

# npy_put / npy_writer_open flags (npystore.h).
const NPY_PUT_FSYNC = UInt32(1)
const NPY_PUT_OVERWRITE = UInt32(2)

_flags(fsync::Bool, overwrite::Bool) =
    (fsync ? NPY_PUT_FSYNC : UInt32(0)) | (overwrite ? NPY_PUT_OVERWRITE : UInt32(0))

mutable struct Target <: Handle
    ptr::Ptr{Cvoid}
    Target(ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

_free(::Target, p::Ptr{Cvoid}) = ccall((:npy_target_free, libnpystore()), Cvoid, (Ptr{Cvoid},), p)

# The primary key in order: a NamedTuple or pairs. A Dict has no order, so no.
_key_pairs(key::NamedTuple) = pairs(key)
_key_pairs(key::AbstractDict) =
    throw(ArgumentError("the key's order matters: give a NamedTuple or a vector of pairs, not a Dict"))
_key_pairs(key) = key

function _target(; path=nothing, schema=nothing, table=nothing, attribute=nothing, key=())
    out = Ref{Ptr{Cvoid}}(C_NULL)
    if path !== nothing
        schema === table === attribute === nothing && isempty(key) || throw(ArgumentError(
            "give either `path` or `schema`, `table`, `attribute` and `key`, not both"))
        check(ccall((:npy_target_path, libnpystore()), Cint, (Cstring, Ref{Ptr{Cvoid}}),
                    path, out))
        return Target(out[])
    end
    (schema === nothing || table === nothing || attribute === nothing) && throw(ArgumentError(
        "a target is `path`, or `schema`, `table` and `attribute` (with `key`)"))
    check(ccall((:npy_target_schema, libnpystore()), Cint,
                (Cstring, Cstring, Cstring, Ref{Ptr{Cvoid}}), schema, table, attribute, out))
    t = Target(out[])
    try
        for (name, value) in _key_pairs(key)
            _add_key(t, string(name), value)
        end
    catch
        close(t)
        rethrow()
    end
    return t
end

# Build the target from keywords, call f(target), free the target.
function _with_target(f; target...)
    t = _target(; target...)
    try
        return f(t)
    finally
        close(t)
    end
end

_add_key(t::Target, name::String, v::Bool) =
    check(ccall((:npy_target_key_bool, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Bool), t, name, v))
_add_key(t::Target, name::String, v::Signed) =
    check(ccall((:npy_target_key_int, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Int64), t, name, v))
_add_key(t::Target, name::String, v::Unsigned) =
    check(ccall((:npy_target_key_uint, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, UInt64), t, name, v))
_add_key(t::Target, name::String, v::AbstractFloat) =
    check(ccall((:npy_target_key_float, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Float64), t, name, v))
_add_key(t::Target, name::String, v::AbstractString) =
    check(ccall((:npy_target_key_string, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Cstring), t, name, v))
_add_key(t::Target, name::String, v::Date) =
    check(ccall((:npy_target_key_date, libnpystore()), Cint,
                (Ptr{Cvoid}, Cstring, Int32, UInt32, UInt32), t, name, year(v), month(v), day(v)))
_add_key(t::Target, name::String, v::DateTime) =
    check(ccall((:npy_target_key_datetime, libnpystore()), Cint,
                (Ptr{Cvoid}, Cstring, Int32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                t, name, year(v), month(v), day(v), hour(v), minute(v), second(v),
                1000 * millisecond(v)))
_add_key(::Target, name::String, v) =
    throw(ArgumentError("key $name: no DataJoint key type for a $(typeof(v))"))
