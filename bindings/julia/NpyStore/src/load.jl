# Reading: whole arrays (converted to Julia's order by the library), raw loads, row
# ranges and zero-copy memory maps.

# npy_order values (npystore.h).
const NPY_ORDER_C = Int32(0)
const NPY_ORDER_FORTRAN = Int32(1)
const NPY_ORDER_AS_STORED = Int32(2)

function _load_into!(A::Array, r::NpyRef, order::Int32)
    check(ccall((:npy_ref_load_into, libnpystore()), Cint,
                (Ptr{Cvoid}, Ptr{Cvoid}, UInt64, Int32), r, A, sizeof(A), order))
    return A
end

# Julia dims of the stored bytes as they are: numpy's shape for Fortran order,
# reversed for C order (then A[j, i] is numpy's a[i-1, j-1]).
_stored_dims(r::NpyRef) = _fortran_order(r) ? size(r) : reverse(size(r))

"""
    read(ref::NpyRef) -> Array{T,N}

Load the whole array: `N == ndims(ref)`, `size(A) == size(ref)` and `A[i, j, ...]`
is numpy's `a[i-1, j-1, ...]`, whatever order the object was stored in. The
library writes straight into the new Julia array, converting the order on the way.
Same as [`NpyStore.load`](@ref)`(ref)`.
"""
Base.read(r::NpyRef) = load(r)

"""
    NpyStore.load(ref; raw=false) -> Array{T,N}

`raw=false`: as `read(ref)`. `raw=true`: the bytes in the order they are stored,
with no order conversion: an object stored in C order comes back with reversed
dims (`A[j, i] == a[i-1, j-1]`), in Fortran order exactly as `read`. Element values
are right either way (bytes in the other byte order are swapped).
"""
function load(r::NpyRef; raw::Bool=false)
    T, swap = _element(r)
    if raw
        A = _load_into!(Array{T}(undef, _stored_dims(r)), r, NPY_ORDER_AS_STORED)
    else
        A = _load_into!(Array{T}(undef, size(r)), r, NPY_ORDER_FORTRAN)
    end
    return swap ? _byteswap!(A) : A
end

"""
    readrows(ref, first, count) -> Array{T,N}

Rows `first:first+count-1` (1-based) of numpy's first axis, as
`read(ref)[first:first+count-1, :, ...]` would give them; only those bytes are read
from the store.
"""
function readrows(r::NpyRef, first::Integer, count::Integer)
    T, swap = _element(r)
    dims = size(r)
    isempty(dims) && throw(ArgumentError("a 0-d array has no rows"))
    first >= 1 || throw(ArgumentError("first row must be ≥ 1, got $first"))
    count >= 0 || throw(ArgumentError("count must be ≥ 0, got $count"))
    A = Array{T}(undef, (Int(count), Base.tail(dims)...))
    check(ccall((:npy_ref_read_rows, libnpystore()), Cint,
                (Ptr{Cvoid}, UInt64, UInt64, Ptr{Cvoid}, UInt64, Int32),
                r, first - 1, count, A, sizeof(A), NPY_ORDER_FORTRAN))
    return swap ? _byteswap!(A) : A
end

_free_mapping(m::Ptr{Cvoid}) = ccall((:npy_mapping_free, libnpystore()), Cvoid, (Ptr{Cvoid},), m)

"""
    mmap(ref::NpyRef; mode="r") -> Array{T,N}

Memory-map the stored array, zero-copy (remote stores map a local cached copy). The
returned `Array` wraps the mapped bytes; its finalizer unmaps them, so keep the
array itself (not only a view or `reshape` of it) alive while you use it, or use
the do-block form. `finalize(A)` unmaps at once.

The bytes are as stored: Fortran-order objects have numpy's shape, C-order objects
reversed dims (`A[j, i] == a[i-1, j-1]`; `permutedims(A, ndims(A):-1:1)` copies it
into numpy's shape).

`mode` is numpy's: `"r"` read-only (writing raises `ReadOnlyMemoryError`), `"r+"`
writes go to the stored file, `"c"` copy-on-write. Objects in the other byte order
cannot be mapped zero-copy: use `read`.
"""
function mmap(r::NpyRef; mode::AbstractString="r")
    T, swap = _element(r)
    swap && throw(ArgumentError(
        "dtype $(dtype(r)) is stored in the other byte order; mmap cannot convert it, use read"))
    mapping = Ref{Ptr{Cvoid}}(C_NULL)
    data = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:npy_ref_load_mmap, libnpystore()), Cint,
                (Ptr{Cvoid}, Cstring, Ref{Ptr{Cvoid}}, Ref{Ptr{Cvoid}}, Ptr{UInt64}, Ptr{UInt64}),
                r, mode, mapping, data, C_NULL, C_NULL))
    m = mapping[]
    dims = try
        _stored_dims(r)
    catch
        _free_mapping(m)
        rethrow()
    end
    if prod(dims) == 0 # no bytes to map; the data pointer may be NULL
        _free_mapping(m)
        return Array{T}(undef, dims)
    end
    if UInt(data[]) % Base.datatype_alignment(T) != 0
        _free_mapping(m)
        throw(ArgumentError("the mapped data is not aligned for $T; use read"))
    end
    A = unsafe_wrap(Array, Ptr{T}(data[]), dims; own=false)
    # The map lives exactly as long as the array; it does not need the reference.
    return finalizer(_ -> _free_mapping(m), A)
end

"""
    mmap(f, ref::NpyRef; mode="r")

Map the array, call `f(A)`, unmap it (even when `f` throws); return what `f` returns.
`A` must not escape `f`.
"""
function mmap(f::Function, r::NpyRef; mode::AbstractString="r")
    A = mmap(r; mode=mode)
    try
        return f(A)
    finally
        finalize(A)
    end
end
