# Bulk loads: many references at once through npy_refs_load_into, an error per item.

const NPY_ERR_DTYPE = Int32(3)

"""
    load_many(refs; concurrency=0, dates=false, progress=nothing) -> (values, errors)

Load every reference in `refs` (a vector of [`NpyRef`](@ref), of any stores) at
once through the library's `npy_refs_load_into`: at most `concurrency` loads at a
time (0, the default: the library's default, 32), each itself using ranged requests
on object stores. `values[i]` equals `read(refs[i]; dates)`, or is `nothing` when
item `i` failed; `errors[i]` is then its [`NpyError`](@ref) (`nothing` for loaded
items). A failed item does not stop the others. An item whose dtype has no Julia
element type fails alone (name `"dtype"`) before any I/O, as does one whose values
do not convert (a datetime64[ns] finer than `DateTime` with `dates=true`). Every
failed item's message is the library's own for that item (`npy_refs_item_error`),
naming its path: `"rec/3.npy: cannot open ...: No such file or directory"`.

`progress` is `read`'s, for the bytes of all items together; Ctrl+C cancels the
whole call (items not finished get the library's `"cancelled"`, and
`InterruptException` is thrown once it has returned: no values come back).

```julia
values, errors = load_many([ref1, ref2, ref3]; concurrency=8, progress=true)
all(isnothing, errors) || @warn "some loads failed" errors
```
"""
function load_many(refs::AbstractVector{NpyRef}; concurrency::Integer=0, dates::Bool=false,
                   progress=nothing)
    concurrency >= 0 || throw(ArgumentError("concurrency must be ≥ 0, got $concurrency"))
    n = length(refs)
    values = Vector{Any}(nothing, n)
    errors = Vector{Union{Nothing,NpyError}}(nothing, n)
    plans = Tuple{Int,Array,Function}[] # (item, buffer, finish) of the items that can load
    for (i, r) in enumerate(refs)
        plan = try
            _receiver(_layout(r), size(r); dates=dates)
        catch e
            e isa ArgumentError || rethrow()
            errors[i] = NpyError(NPY_ERR_DTYPE, "dtype", e.msg)
            continue
        end
        push!(plans, (i, plan...))
    end
    handles = NpyRef[refs[i] for (i, _, _) in plans]
    arrays = Array[A for (_, A, _) in plans]
    statuses = fill(NPY_OK, length(plans))
    lens = UInt64[sizeof(A) for A in arrays]
    messages = GC.@preserve handles arrays begin
        ptrs = Ptr{Cvoid}[Base.unsafe_convert(Ptr{Cvoid}, h) for h in handles]
        bufs = Ptr{Cvoid}[pointer(A) for A in arrays]
        _with_progress(progress) do entry, state
            ccall((:npy_refs_load_into, libnpystore()), Cint,
                  (Ptr{Ptr{Cvoid}}, Ptr{Ptr{Cvoid}}, Ptr{UInt64}, Csize_t, Int32, Csize_t,
                   Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Int32}),
                  ptrs, bufs, lens, length(plans), NPY_ORDER_FORTRAN, concurrency,
                  entry, state, statuses)
            # The messages are the calling thread's: read them before anything can yield.
            _item_errors(statuses)
        end
    end
    for (j, (i, buf, finish)) in enumerate(plans)
        st = statuses[j]
        if st != NPY_OK
            errors[i] = NpyError(st, _status_name(st), messages[j])
            continue
        end
        try
            values[i] = finish(buf)
        catch e
            e isa InexactError || rethrow()
            errors[i] = NpyError(NPY_ERR_DTYPE, "dtype", "$(repr(path(refs[i]))): " * sprint(showerror, e))
        end
    end
    return values, errors
end

# Each failed item's own message from this thread's last npy_refs_load_into ("" for
# loaded items), in the order of `statuses`.
_item_errors(statuses::Vector{Int32}) =
    String[st == NPY_OK ? "" : _item_error(j - 1) for (j, st) in enumerate(statuses)]

# Item `index`'s (0-based) message: its length first, then the text.
function _item_error(index::Integer)
    len = Ref{Csize_t}(0)
    check(ccall((:npy_refs_item_error, libnpystore()), Cint,
                (Csize_t, Ptr{UInt8}, Csize_t, Ref{Csize_t}), index, C_NULL, 0, len))
    buf = Vector{UInt8}(undef, len[] + 1)
    check(ccall((:npy_refs_item_error, libnpystore()), Cint,
                (Csize_t, Ptr{UInt8}, Csize_t, Ref{Csize_t}), index, buf, length(buf), len))
    return String(resize!(buf, len[]))
end
