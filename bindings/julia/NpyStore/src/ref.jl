# NpyRef: a lazy reference to a stored array. Its metadata needs no I/O.

"""
    NpyRef(store, path)
    NpyRef(store; json)

A reference to a stored array: by its store-relative `path` (reads only the `.npy`
header), or from DataJoint's metadata `json` (`{"path", "store", "dtype", "shape"}`,
no I/O until the first read). `put!` and `finish!` return one too.

Without I/O: `size`, `ndims`, `length`, `eltype`, [`dtype`](@ref),
[`NpyStore.path`](@ref), [`NpyStore.json`](@ref). Reading: `read`,
[`NpyStore.load`](@ref), [`mmap`](@ref), [`readrows`](@ref), `ref[i, j, ...]` (reads
only what it selects), `Array(ref)`.

A reference keeps its store alive; `close(ref)` frees it now (the garbage collector
does it otherwise).
"""
mutable struct NpyRef <: Handle
    ptr::Ptr{Cvoid}
    store::Store # the parent stays alive as long as the reference
    progress::Any # the progress option of ref[i, j, ...] (NpyStore.progress!)
    function NpyRef(ptr::Ptr{Cvoid}, store::Store)
        return finalizer(close, new(ptr, store, nothing))
    end
end

_free(::NpyRef, p::Ptr{Cvoid}) = ccall((:npy_ref_free, libnpystore()), Cvoid, (Ptr{Cvoid},), p)

function NpyRef(store::Store, path::AbstractString)
    ptr = _out(Ptr{Cvoid}, C_NULL) do out
        ccall((:npy_ref_open, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Ref{Ptr{Cvoid}}),
              store, path, out)
    end
    return NpyRef(ptr, store)
end

function NpyRef(store::Store; json::AbstractString)
    ptr = _out(Ptr{Cvoid}, C_NULL) do out
        ccall((:npy_ref_from_json, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Ref{Ptr{Cvoid}}),
              store, json, out)
    end
    return NpyRef(ptr, store)
end

"""
    size(ref::NpyRef) -> Dims

numpy's shape, which is also the size of the Julia array `read(ref)` returns.
"""
function Base.size(r::NpyRef)
    shape = Ref{Ptr{UInt64}}(C_NULL)
    n = Ref{Csize_t}(0)
    GC.@preserve r begin # the shape array belongs to the handle
        check(ccall((:npy_ref_shape, libnpystore()), Cint,
                    (Ptr{Cvoid}, Ref{Ptr{UInt64}}, Ref{Csize_t}), r, shape, n))
        return ntuple(i -> Int(unsafe_load(shape[], i)), Int(n[]))
    end
end

Base.size(r::NpyRef, d::Integer) =
    d < 1 ? throw(ArgumentError("dimension must be ≥ 1, got $d")) :
    d <= ndims(r) ? size(r)[d] : 1

"Number of dimensions (0 for a 0-d array)."
function Base.ndims(r::NpyRef)
    return Int(_out(Csize_t) do out
        ccall((:npy_ref_ndim, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Csize_t}), r, out)
    end)
end

"Number of elements (1 for a 0-d array)."
function Base.length(r::NpyRef)
    return Int(_out(UInt64) do out
        ccall((:npy_ref_size, libnpystore()), Cint, (Ptr{Cvoid}, Ref{UInt64}), r, out)
    end)
end

"""
    NpyStore.nbytes(ref) -> Int

Bytes of the array data (element size × length).
"""
function nbytes(r::NpyRef)
    return Int(_out(UInt64) do out
        ccall((:npy_ref_nbytes, libnpystore()), Cint, (Ptr{Cvoid}, Ref{UInt64}), r, out)
    end)
end

"""
    dtype(ref) -> String

numpy's `str(dtype)`: `"float64"`, `">i2"`, `"<U5"`, `"bool"`, ...
"""
function dtype(r::NpyRef)
    return _borrowed_string(r) do out
        ccall((:npy_ref_dtype, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Ptr{UInt8}}), r, out)
    end
end

# The descr as in the .npy header, a Python literal: "'<f8'".
function _stored_descr(r::NpyRef)
    return _borrowed_string(r) do out
        ccall((:npy_ref_descr, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Ptr{UInt8}}), r, out)
    end
end

"""
    NpyStore.path(ref) -> String

The object's store-relative path.
"""
function path(r::NpyRef)
    return _borrowed_string(r) do out
        ccall((:npy_ref_path, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Ptr{UInt8}}), r, out)
    end
end

"""
    NpyStore.json(ref) -> String

DataJoint's metadata JSON for the array, exactly as DataJoint writes it;
`NpyRef(store; json)` turns it back into a reference.
"""
function json(r::NpyRef)
    return _borrowed_string(r) do out
        ccall((:npy_ref_to_json, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Ptr{UInt8}}), r, out)
    end
end

"""
    NpyStore.exists(ref) -> Bool

Whether the object is in the store (one request).
"""
function exists(r::NpyRef)
    return _out(Bool) do out
        ccall((:npy_ref_exists, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Bool}), r, out)
    end
end

# true: stored column-major; false: row-major. Reads the stored header first when it
# has not been read yet (DataJoint's JSON does not record the order).
function _fortran_order(r::NpyRef)
    check(ccall((:npy_ref_read_header, libnpystore()), Cint, (Ptr{Cvoid},), r))
    order = _out(Int32) do out
        ccall((:npy_ref_fortran_order, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Int32}), r, out)
    end
    return order == 1
end

# The stored element layout, from the descr (no I/O for a reference from JSON).
_layout(r::NpyRef) = _layout(_stored_descr(r))

"""
    eltype(ref::NpyRef) -> Type

The Julia element type `read(ref)` gives the stored numpy dtype (docs/julia.md,
"Element types"): `Float64` for `float64` and `>f8`, `Bool` for `bool`, `String` for
`<U5`, `Vector{UInt8}` for `S3`, `NpyVoid{4}` for `V4`, `Int64` for datetime64 and
timedelta64 counts, a `NamedTuple` for a structured dtype. An `ArgumentError` naming
the dtype for the few dtypes with none (object, datetime64 without a unit).
"""
Base.eltype(r::NpyRef) = _eltype(_layout(r), false)

function Base.show(io::IO, r::NpyRef)
    isopen(r) || return print(io, "NpyRef(closed)")
    print(io, "NpyRef(", dtype(r), ", ", size(r), ", ", repr(path(r)), ")")
end
