# Whole-array writes.

"""
    put!(store, A; schema, table, attribute, key=(), fsync=false) -> NpyRef
    put!(store, A; path, overwrite=false, fsync=false) -> NpyRef

Store the array `A` as a numpy-exact `.npy` object and return its reference.

A schema target is DataJoint's path for an `<npy@store>` attribute:
`{schema}/{table}/{key...}/{attribute}_{token}.npy`, with `table` the SQL table name
(tier prefix included: `_recording`, `#lookup`, `__computed`) and `key` the primary
key in order, as a NamedTuple (`(subject="m01", session=3)`) or pairs; key values
may be integers, floats, `Bool`, strings, `Date` and `DateTime`. A `path` target is
an explicit store-relative path; an existing object there is an `NpyError`
"already_exists" unless `overwrite=true`.

The object says `fortran_order: True` with `size(A)` as its shape (numpy reads the
same values at the same indices), in the host's byte order. Element types
(docs/julia.md, "Element types"): `Bool`, `Int8`…`Int64`, `UInt8`…`UInt64`,
`Float16/32/64`, `ComplexF32/64`, `NpyVoid{n}` and isbits NamedTuples or structs of
these are written from `A`'s own memory, no copy (a record with Julia's offsets and
itemsize; numpy sees the padding as unnamed fields, and a record with padding is
copied first, its padding zeroed). Strings (`<U` of the longest),
`Vector{UInt8}` (`|S` of the longest), `DateTime` (`datetime64[ms]`), `Date`
(`datetime64[D]`), `Dates` periods (`timedelta64` of that unit; `missing` is NaT),
and records holding any of them (packed, numpy's default layout; an `NTuple` field
is a sub-array) are encoded first. Other `AbstractArray`s are copied into an
`Array` first.
"""
function Base.put!(store::Store, A::Array{T}; overwrite::Bool=false, fsync::Bool=false,
                   target...) where {T}
    descr, data = _stored_form(A)
    shape = UInt64[size(A)...]
    ptr = _with_target(; target...) do t
        _out(Ptr{Cvoid}, C_NULL) do out
            ccall((:npy_put, libnpystore()), Cint,
                  (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, UInt64, Cstring, Ptr{UInt64}, Csize_t,
                   Int32, UInt32, Ref{Ptr{Cvoid}}),
                  store, t, data, sizeof(data), descr, shape, length(shape),
                  NPY_ORDER_FORTRAN, _flags(fsync, overwrite), out)
        end
    end
    return NpyRef(ptr, store)
end

Base.put!(store::Store, A::AbstractArray; kw...) = put!(store, Array(A); kw...)
