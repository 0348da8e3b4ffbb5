# Streaming writes: an array that grows along its last axis, Julia's natural append.

"""
    Writer(store, T, rowsize=(); schema, table, attribute, key=(), fsync=false)
    Writer(store, T, rowsize=(); path, overwrite=false, fsync=false)

A streaming writer for an array of element type `T` that grows along its last
axis: each row has Julia size `rowsize`, and after `n` rows the stored array has
size `(rowsize..., n)` (`fortran_order: True`, so numpy sees the same shape and
values). Targets as for [`put!`](@ref). Nothing is visible at the target until
[`finish!`](@ref), which returns the [`NpyRef`](@ref).

`append!(w, A)` appends `size(A, ndims(A))` rows (`A` of size `(rowsize..., k)`) or
one row (`A` of size `rowsize`); `push!(w, row)` appends one row; `length(w)` is the
number of rows so far. [`abort!`](@ref) discards everything; `close(w)` frees the
writer (aborting it if unfinished), as the finalizer does.

```julia
ref = Writer(store, Float32, (64,); path="rec/lfp.npy") do w
    for block in acquisition
        append!(w, block)          # 64 × k Matrix{Float32}
    end
end
```
"""
mutable struct Writer <: Handle
    ptr::Ptr{Cvoid}
    store::Store # the parent stays alive as long as the writer
    eltype::DataType
    rowsize::Dims
end

_free(::Writer, p::Ptr{Cvoid}) = ccall((:npy_writer_free, libnpystore()), Cvoid, (Ptr{Cvoid},), p)

function Writer(store::Store, ::Type{T}, rowsize::Dims=(); overwrite::Bool=false,
                fsync::Bool=false, target...) where {T}
    descr = _descr(T)
    shape = UInt64[rowsize...]
    ptr = _with_target(; target...) do t
        _out(Ptr{Cvoid}, C_NULL) do out
            ccall((:npy_writer_open, libnpystore()), Cint,
                  (Ptr{Cvoid}, Ptr{Cvoid}, Cstring, Ptr{UInt64}, Csize_t, Int32, UInt32,
                   Ref{Ptr{Cvoid}}),
                  store, t, descr, shape, length(shape), NPY_ORDER_FORTRAN,
                  _flags(fsync, overwrite), out)
        end
    end
    return finalizer(close, Writer(ptr, store, T, rowsize))
end

"""
    Writer(f, store, T, rowsize=(); target...) -> NpyRef

Open a writer, call `f(w)`, finish it and return the reference. When `f` throws,
nothing is published.
"""
function Writer(f::Function, store::Store, ::Type{T}, rowsize::Dims=(); kw...) where {T}
    w = Writer(store, T, rowsize; kw...)
    try
        f(w)
        return finish!(w)
    finally
        close(w) # aborts unless finished
    end
end

Base.eltype(w::Writer) = w.eltype

"Rows appended so far."
function Base.length(w::Writer)
    return Int(_out(UInt64) do out
        ccall((:npy_writer_rows, libnpystore()), Cint, (Ptr{Cvoid}, Ref{UInt64}), w, out)
    end)
end

function Base.append!(w::Writer, A::AbstractArray)
    R = length(w.rowsize)
    rows_ok = ndims(A) == R ? size(A) == w.rowsize :
              ndims(A) == R + 1 && size(A)[1:R] == w.rowsize
    rows_ok || throw(DimensionMismatch(
        "rows have size $(w.rowsize); got an array of size $(size(A))"))
    B = convert(Array{w.eltype}, A) # no copy when A already is one
    check(ccall((:npy_writer_append, libnpystore()), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, UInt64),
                w, B, sizeof(B)))
    return w
end

Base.push!(w::Writer, row::AbstractArray) = append!(w, row)
Base.push!(w::Writer, x::Number) = append!(w, fill(x))

"""
    finish!(w::Writer) -> NpyRef

Write the final header and publish the array atomically. The writer is done after
this, whether it succeeded or not.
"""
function finish!(w::Writer)
    ptr = _out(Ptr{Cvoid}, C_NULL) do out
        ccall((:npy_writer_finish, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Ptr{Cvoid}}), w, out)
    end
    return NpyRef(ptr, w.store)
end

"""
    abort!(w::Writer) -> w

Discard everything written; nothing is published.
"""
function abort!(w::Writer)
    check(ccall((:npy_writer_abort, libnpystore()), Cint, (Ptr{Cvoid},), w))
    return w
end

function Base.show(io::IO, w::Writer)
    print(io, "NpyStore.Writer{", w.eltype, "}(rowsize ", w.rowsize)
    isopen(w) ? print(io, ")") : print(io, ", closed)")
end
