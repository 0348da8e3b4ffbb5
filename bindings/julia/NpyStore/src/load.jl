# Reading: whole arrays (converted to Julia's order by the library), raw loads, row
# ranges and zero-copy memory maps.

# npy_order values (npystore.h).
const NPY_ORDER_C = Int32(0)
const NPY_ORDER_FORTRAN = Int32(1)
const NPY_ORDER_AS_STORED = Int32(2)

# Load the whole array into `A` in `order`, with the progress option `progress`
# (src/progress.jl: Ctrl+C cancels in any case).
function _load_into!(A::Array, r::NpyRef, order::Int32, progress=nothing)
    check(_with_progress(progress) do entry, state
        _outcome(ccall((:npy_ref_load_into_progress, libnpystore()), Cint,
                       (Ptr{Cvoid}, Ptr{Cvoid}, UInt64, Int32, Ptr{Cvoid}, Ptr{Cvoid}),
                       r, A, sizeof(A), order, entry, state))
    end)
    return A
end

# Julia dims of the stored bytes as they are: numpy's shape for Fortran order,
# reversed for C order (then A[j, i] is numpy's a[i-1, j-1]).
_stored_dims(r::NpyRef) = _fortran_order(r) ? size(r) : reverse(size(r))

"""
    read(ref::NpyRef; dates=false) -> Array{T,N}
    read(ref::NpyRef, T; dates=false) -> Array{T,N}

Load the whole array: `N == ndims(ref)`, `size(A) == size(ref)` and `A[i, j, ...]`
is numpy's `a[i-1, j-1, ...]`, whatever order the object was stored in. The element
type is `eltype(ref)` (docs/julia.md, "Element types"): numbers, `String` for `U`,
`Vector{UInt8}` for `S`, `NpyVoid{n}` for `V`, `NamedTuple`s for structured dtypes.
datetime64 and timedelta64 come as Int64 counts, or with `dates=true` as `Date`,
`DateTime` or the unit's `Dates.Period` (NaT as `missing`).

With a type `T` (a struct or NamedTuple type for a structured dtype, or any type the
elements convert to), the elements come as `T`s: straight from the library, no
copy, when `T`'s memory layout is the stored one (an isbits type with numpy's field
names, offsets and itemsize, host byte order), else converted element by element.

The library writes straight into the new Julia array where the element's memory is
the stored bytes (numbers, `V`, Int64 counts, records laid out like their
NamedTuple), converting the order on the way. Same as [`NpyStore.load`](@ref).

`progress`: `nothing` (default), `true` for a bar on `stderr`, or a function
`(done, total) -> anything` called with byte counts about every 100 ms and at the
end, on this thread, inside the library's call (so it must not yield: no `@async`
waits, no `sleep`; print with `Core.print`). Ctrl+C cancels the load in any case: the
transfer stops and `InterruptException` is thrown once the library has returned;
an exception in the callback also cancels and is rethrown. A cancelled load returns
nothing. (Ctrl+C reaches Julia code as an `InterruptException` in the REPL; a script
needs `Base.exit_on_sigint(false)`.)
"""
Base.read(r::NpyRef; dates::Bool=false, progress=nothing) = load(r; dates=dates, progress=progress)
Base.read(r::NpyRef, ::Type{T}; dates::Bool=false, progress=nothing) where {T} =
    load(r, T; dates=dates, progress=progress)

"""
    NpyStore.load(ref; raw=false, dates=false) -> Array
    NpyStore.load(ref, T; raw=false, dates=false) -> Array{T}

`raw=false`: as `read(ref)`. `raw=true`: the bytes in the order they are stored,
with no order conversion: an object stored in C order comes back with reversed
dims (`A[j, i] == a[i-1, j-1]`), in Fortran order exactly as `read`. Element values
are right either way (bytes in the other byte order are swapped).
"""
load(r::NpyRef; raw::Bool=false, dates::Bool=false, progress=nothing) =
    _load_ref(r, raw, dates, nothing, progress)
load(r::NpyRef, ::Type{T}; raw::Bool=false, dates::Bool=false, progress=nothing) where {T} =
    _load_ref(r, raw, dates, T, progress)

function _load_ref(r::NpyRef, raw::Bool, dates::Bool, as::Union{Nothing,Type}, progress)
    dims = raw ? _stored_dims(r) : size(r)
    buf, finish = _receiver(_layout(r), dims; dates=dates, as=as)
    _load_into!(buf, r, raw ? NPY_ORDER_AS_STORED : NPY_ORDER_FORTRAN, progress)
    return finish(buf)
end

"""
    readrows(ref, first, count; dates=false, progress=nothing) -> Array{T,N}

Rows `first:first+count-1` (1-based) of numpy's first axis, as
`read(ref)[first:first+count-1, :, ...]` would give them; only those bytes are read
from the store. Every element type `read` gives. `progress` and Ctrl+C as for
`read`.
"""
function readrows(r::NpyRef, first::Integer, count::Integer; dates::Bool=false, progress=nothing)
    dims = size(r)
    isempty(dims) && throw(ArgumentError("a 0-d array has no rows"))
    first >= 1 || throw(ArgumentError("first row must be ≥ 1, got $first"))
    count >= 0 || throw(ArgumentError("count must be ≥ 0, got $count"))
    buf, finish = _receiver(_layout(r), (Int(count), Base.tail(dims)...); dates=dates)
    # npy_ref_read_rows is this slice; the slice call is the one that reports progress.
    start = UInt64[first - 1; zeros(UInt64, length(dims) - 1)]
    counts = UInt64[count; collect(Base.tail(dims))]
    _read_slice!(buf, r, start, counts, progress)
    return finish(buf)
end

_free_mapping(m::Ptr{Cvoid}) = ccall((:npy_mapping_free, libnpystore()), Cvoid, (Ptr{Cvoid},), m)

# npy_ref_load_mmap_progress into `mapping` and `data`, with the progress option
# `progress`. A Ctrl+C or callback exception at the last report may come after the
# library mapped the array: that mapping is freed before the exception goes on.
function _map_with_progress!(mapping::Ref{Ptr{Cvoid}}, data::Ref{Ptr{Cvoid}}, r::NpyRef,
                             mode::AbstractString, progress)
    outcome = try
        _with_progress(progress) do entry, state
            _outcome(ccall((:npy_ref_load_mmap_progress, libnpystore()), Cint,
                           (Ptr{Cvoid}, Cstring, Ptr{Cvoid}, Ptr{Cvoid}, Ref{Ptr{Cvoid}},
                            Ref{Ptr{Cvoid}}, Ptr{UInt64}, Ptr{UInt64}),
                           r, mode, entry, state, mapping, data, C_NULL, C_NULL))
        end
    catch
        mapping[] == C_NULL || _free_mapping(mapping[])
        mapping[] = C_NULL
        rethrow()
    end
    check(outcome)
    return nothing
end

"""
    mmap(ref::NpyRef; mode="r", as=nothing, progress=nothing) -> Array{T,N}

Memory-map the stored array, zero-copy (remote stores map a local cached copy). The
returned `Array` wraps the mapped bytes; its finalizer unmaps them, so keep the
array itself (not only a view or `reshape` of it) alive while you use it, or use
the do-block form. `finalize(A)` unmaps at once.

The bytes are as stored: Fortran-order objects have numpy's shape, C-order objects
reversed dims (`A[j, i] == a[i-1, j-1]`; `permutedims(A, ndims(A):-1:1)` copies it
into numpy's shape).

`mode` is numpy's: `"r"` read-only (writing raises `ReadOnlyMemoryError`), `"r+"`
writes go to the stored file, `"c"` copy-on-write. Only elements whose memory is the
stored bytes map: numbers in the host's byte order, `V` (`NpyVoid`), datetime64 and
timedelta64 as Int64 counts, and structured dtypes whose NamedTuple (or the isbits
type `as`, e.g. `mmap(ref; as=Point)`) has numpy's field names, offsets and itemsize.
Others throw an `ArgumentError`: use `read`.

`progress` as for `read`, for the download of a remote object into the cache;
Ctrl+C cancels that download. File stores and a valid cached copy report nothing.
"""
function mmap(r::NpyRef; mode::AbstractString="r", as::Union{Nothing,Type}=nothing,
              progress=nothing)
    f = _layout(r)
    T = as === nothing ? _eltype(f, false) : as
    _direct(f, T) || throw(ArgumentError(
        "dtype $(dtype(r)) cannot be mapped as $T zero-copy (the other byte order, text, " *
        "bytes, or a layout unlike $T's); use read"))
    mapping = Ref{Ptr{Cvoid}}(C_NULL)
    data = Ref{Ptr{Cvoid}}(C_NULL)
    _map_with_progress!(mapping, data, r, mode, progress)
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
    mmap(f, ref::NpyRef; mode="r", as=nothing, progress=nothing)

Map the array, call `f(A)`, unmap it (even when `f` throws); return what `f` returns.
`A` must not escape `f`.
"""
function mmap(f::Function, r::NpyRef; mode::AbstractString="r", as::Union{Nothing,Type}=nothing,
              progress=nothing)
    A = mmap(r; mode=mode, as=as, progress=progress)
    try
        return f(A)
    finally
        finalize(A)
    end
end
