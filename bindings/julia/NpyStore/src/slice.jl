# Reading part of an array: ref[i, j, ...] and readrows over
# npy_ref_read_slice_progress, which reads only the bytes of the block it is given.

# Read the block `start`/`count` (0-based, numpy's axes) into `buf` in Julia's order,
# with the progress option `progress` (src/progress.jl: Ctrl+C cancels in any case).
function _read_slice!(buf, r::NpyRef, start::Vector{UInt64}, count::Vector{UInt64}, progress)
    check(_with_progress(progress) do entry, state
        _outcome(ccall((:npy_ref_read_slice_progress, libnpystore()), Cint,
                       (Ptr{Cvoid}, Csize_t, Ptr{UInt64}, Ptr{UInt64}, Ptr{Cvoid}, UInt64, Int32,
                        Ptr{Cvoid}, Ptr{Cvoid}),
                       r, length(start), start, count, buf, sizeof(buf), NPY_ORDER_FORTRAN,
                       entry, state))
    end)
    return buf
end

"""
    NpyStore.progress!(ref, progress) -> ref

Set the progress option of `ref[i, j, ...]`, which takes no keywords: `nothing`
(the default) or `false` for none, `true` for a bar on `stderr`, or a function
`(done, total) -> anything`, as `read`'s `progress` keyword. Ctrl+C cancels an
indexing read whatever the setting. Only indexing uses it; `read`, `readrows` and
`mmap` take their own `progress` keyword.

```julia
NpyStore.progress!(ref, true)
window = ref[:, 1:10_000_000]   # a bar while the window is read
```
"""
function progress!(r::NpyRef, progress)
    r.progress = progress
    return r
end

# An index of one dimension of length n: (0-based start, count, what to pick out of
# the block read for it), or a BoundsError.
function _block_of(r::NpyRef, I, i::Colon, n::Int)
    return (0, n, Colon())
end
function _block_of(r::NpyRef, I, i::Integer, n::Int)
    1 <= i <= n || throw(BoundsError(r, I))
    return (Int(i) - 1, 1, 1)
end
function _block_of(r::NpyRef, I, i::Bool, n::Int)
    throw(ArgumentError("a Bool is no index of an NpyRef (a vector of Bool is a mask)"))
end
function _block_of(r::NpyRef, I, i::AbstractVector{Bool}, n::Int)
    length(i) == n || throw(BoundsError(r, I))
    return _block_of(r, I, findall(i), n)
end
function _block_of(r::NpyRef, I, i::AbstractVector{<:Integer}, n::Int)
    isempty(i) && return (0, 0, Int[])
    lo, hi = extrema(i)
    1 <= lo && hi <= n || throw(BoundsError(r, I))
    return (Int(lo) - 1, Int(hi - lo) + 1, i .- (lo - 1))
end

_is_block(p, cnt) = p isa Colon || p isa Integer || (p isa AbstractUnitRange && p == 1:cnt)

"""
    ref[i, j, ...]

The same as `read(ref)[i, j, ...]`, reading only the block that spans the index:
one `npy_ref_read_slice_progress` in Julia's (Fortran) order, so nothing is permuted, for
objects stored in C or Fortran order alike. One index per dimension (then
trailing 1s, as for arrays): integers (the dimension is dropped), ranges, `:`, or
any vector of integers (the block from its lowest to its highest index is read and
the vector picked out of it). `end` works. Contiguous ranges and `:` read exactly
the result's bytes; ranged GETs on object stores. Out-of-range indices throw a
`BoundsError` before anything is read; linear indexing of a multi-dimensional
reference throws an `ArgumentError`.

Ctrl+C cancels the read (`InterruptException` once the library has returned), and
the reference's progress option, set with [`NpyStore.progress!`](@ref), reports it.

```julia
window = ref[:, 1001:2000]      # a time window of a channels x samples recording
channel = ref[3, :]             # one channel (a Vector)
x = ref[2, 5]                   # one element
```
"""
function Base.getindex(r::NpyRef, I::Union{Integer,AbstractVector{<:Integer},Colon}...)
    dims = size(r)
    N = length(dims)
    length(I) >= N || throw(ArgumentError(
        "index each of the $N dimensions of the $(join(dims, '×')) array " *
        "(got $(length(I)) indices; linear indexing reads the whole array: read(ref)[k])"))
    extra = I[N+1:end]
    all(i -> i isa Colon || all(==(1), i), extra) || throw(BoundsError(r, I))
    f = _layout(r)
    blocks = ntuple(k -> _block_of(r, I, I[k], dims[k]), N)
    start = UInt64[b[1] for b in blocks]
    count = UInt64[b[2] for b in blocks]
    buf, finish = _receiver(f, ntuple(k -> blocks[k][2], N))
    _read_slice!(buf, r, start, count, r.progress)
    B = finish(buf)
    picks = ntuple(k -> blocks[k][3], N)
    if all(k -> _is_block(picks[k], blocks[k][2]), 1:N) && all(i -> !(i isa AbstractVector), extra)
        kept = Tuple(blocks[k][2] for k in 1:N if !(picks[k] isa Integer))
        kept = (kept..., (1 for i in extra if i isa Colon)...)
        return isempty(kept) ? B[] : reshape(B, kept)  # no copy
    end
    return B[picks..., extra...]
end

Base.firstindex(r::NpyRef, d::Integer) = 1
Base.lastindex(r::NpyRef, d::Integer) = size(r, d)
Base.lastindex(r::NpyRef) = length(r)

"""
    Array(ref::NpyRef)

The whole array, as `read(ref)` (numpy functions load a DataJoint `NpyRef` the same
way).
"""
Base.Array(r::NpyRef) = read(r)
