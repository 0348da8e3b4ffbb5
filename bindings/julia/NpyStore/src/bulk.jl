# Bulk loads: many references at once through npy_refs_load_into, an error per item.

const NPY_ERR_DTYPE = Int32(3)

"""
    load_many(refs; concurrency=0) -> (values, errors)

Load every reference in `refs` (a vector of [`NpyRef`](@ref), of any stores) at
once through the library's `npy_refs_load_into`: at most `concurrency` loads at a
time (0, the default: the library's default, 32), each itself using ranged requests
on object stores. `values[i]` equals `read(refs[i])`, or is `nothing` when item `i`
failed; `errors[i]` is then its [`NpyError`](@ref) (`nothing` for loaded items).
A failed item does not stop the others. An item whose dtype has no Julia element
type fails alone (name `"dtype"`) before any I/O. The library words the first
failure only; the other failed items get their status and path.

```julia
values, errors = load_many([ref1, ref2, ref3]; concurrency=8)
all(isnothing, errors) || @warn "some loads failed" errors
```
"""
function load_many(refs::AbstractVector{NpyRef}; concurrency::Integer=0)
    concurrency >= 0 || throw(ArgumentError("concurrency must be ≥ 0, got $concurrency"))
    n = length(refs)
    values = Vector{Any}(nothing, n)
    errors = Vector{Union{Nothing,NpyError}}(nothing, n)
    plans = Tuple{Int,Array,Bool}[] # (item, array, swap) of the items that can load
    for (i, r) in enumerate(refs)
        el = _parse_descr(_stored_descr(r))
        if el === nothing
            errors[i] = NpyError(NPY_ERR_DTYPE, "dtype",
                                 "numpy dtype $(dtype(r)) has no Julia element type in NpyStore")
            continue
        end
        T, swap = el
        push!(plans, (i, Array{T}(undef, size(r)), swap))
    end
    handles = NpyRef[refs[i] for (i, _, _) in plans]
    arrays = Array[A for (_, A, _) in plans]
    statuses = fill(NPY_OK, length(plans))
    lens = UInt64[sizeof(A) for A in arrays]
    status, message = GC.@preserve handles arrays begin
        ptrs = Ptr{Cvoid}[Base.unsafe_convert(Ptr{Cvoid}, h) for h in handles]
        bufs = Ptr{Cvoid}[pointer(A) for A in arrays]
        st = ccall((:npy_refs_load_into, libnpystore()), Cint,
                   (Ptr{Ptr{Cvoid}}, Ptr{Ptr{Cvoid}}, Ptr{UInt64}, Csize_t, Int32, Csize_t,
                    Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Int32}),
                   ptrs, bufs, lens, length(plans), NPY_ORDER_FORTRAN, concurrency,
                   C_NULL, C_NULL, statuses)
        (st, st == NPY_OK ? "" : _last_error())
    end
    first_failed = findfirst(!=(NPY_OK), statuses)
    for (j, (i, A, swap)) in enumerate(plans)
        st = statuses[j]
        if st == NPY_OK
            values[i] = swap ? _byteswap!(A) : A
        else
            text = j == first_failed ? _item_message(message, j - 1) :
                   "$(repr(path(refs[i]))) did not load: $(_status_name(st))"
            errors[i] = NpyError(st, _status_name(st), text)
        end
    end
    return values, errors
end

# The library's message for the first failed item without the "item j: " and
# " (k of m items failed)" it adds for the whole call.
function _item_message(message::AbstractString, j::Integer)
    m = match(Regex("^item $j: (.*) \\(\\d+ of \\d+ items failed\\)\$", "s"), message)
    return m === nothing ? String(message) : String(m[1])
end
