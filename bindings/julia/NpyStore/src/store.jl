# Handles and the store.

# Every C handle is a mutable struct with a `ptr` field, freed by an idempotent
# `close` that the finalizer also calls. Handles go to ccall as themselves (argument
# type Ptr{Cvoid}), so ccall keeps them rooted for the whole call: a finalizer can
# never free a handle while C code is using it.
abstract type Handle end

function Base.close(h::Handle)
    p = h.ptr
    h.ptr = C_NULL
    p == C_NULL || _free(h, p)
    return nothing
end

Base.isopen(h::Handle) = h.ptr != C_NULL
Base.cconvert(::Type{Ptr{Cvoid}}, h::Handle) = h
function Base.unsafe_convert(::Type{Ptr{Cvoid}}, h::Handle)
    h.ptr == C_NULL && throw(ArgumentError("this $(nameof(typeof(h))) is closed"))
    return h.ptr
end

# Run `ccall_with_out(out)` with `out = Ref{T}(init)`, check its status, return `out[]`.
function _out(ccall_with_out, ::Type{T}, init::T=zero(T)) where {T}
    out = Ref{T}(init)
    check(ccall_with_out(out))
    return out[]
end

# A string the library lends from handle `h` (valid while `h` lives), copied.
function _borrowed_string(ccall_with_out, h::Handle)
    GC.@preserve h begin
        return unsafe_string(_out(ccall_with_out, Ptr{UInt8}, Ptr{UInt8}(C_NULL)))
    end
end

# A string argument that may be absent: NULL for `nothing`.
_nullable(::Nothing) = C_NULL
function _nullable(s::AbstractString)
    '\0' in s && throw(ArgumentError("string contains NUL: $(repr(s))"))
    return String(s)
end

"""
    Store(config=nothing, name=nothing)

Open a DataJoint store.

`config`: `nothing` finds `datajoint.json` the way DataJoint does (the current
directory and its parents, `DJ_STORES`, `.secrets/`); a string starting with `{` is
the JSON text itself; any other string is the path of a JSON file. `name`: the store
in its `stores` block; `nothing` or `""` selects `stores.default`.

`close(store)` frees it now (the garbage collector does it otherwise). References
and writers made from a store keep it alive, and stay usable after it is closed.

```julia
store = Store()                                     # datajoint.json, stores.default
store = Store("/etc/lab/datajoint.json", "raw")     # a config file, a named store
store = Store(read("datajoint.json", String))       # JSON text
Store(nothing, "raw") do store                      # closed when the block ends
    read(NpyRef(store, "lab/_rec/trace.npy"))
end
```
"""
mutable struct Store <: Handle
    ptr::Ptr{Cvoid}
    function Store(config::Union{AbstractString,Nothing}=nothing,
                   name::Union{AbstractString,Nothing}=nothing)
        ptr = _out(Ptr{Cvoid}, C_NULL) do out
            ccall((:npy_store_open, libnpystore()), Cint,
                  (Ptr{UInt8}, Ptr{UInt8}, Ref{Ptr{Cvoid}}),
                  _nullable(config), _nullable(name), out)
        end
        return finalizer(close, new(ptr))
    end
end

_free(::Store, p::Ptr{Cvoid}) = ccall((:npy_store_free, libnpystore()), Cvoid, (Ptr{Cvoid},), p)

"""
    Store(f, config=nothing, name=nothing)

Open a store, call `f(store)`, close the store (even when `f` throws); return what
`f` returns.
"""
function Store(f::Function, config=nothing, name=nothing)
    store = Store(config, name)
    try
        return f(store)
    finally
        close(store)
    end
end

"""
    nameof(store::Store) -> String

The store's configured name (e.g. `"main"`).
"""
function Base.nameof(s::Store)
    return _borrowed_string(s) do out
        ccall((:npy_store_name, libnpystore()), Cint, (Ptr{Cvoid}, Ref{Ptr{UInt8}}), s, out)
    end
end

"""
    haskey(store::Store, path) -> Bool

Whether an object exists at the store-relative `path`.
"""
function Base.haskey(s::Store, path::AbstractString)
    return _out(Bool) do out
        ccall((:npy_store_exists, libnpystore()), Cint, (Ptr{Cvoid}, Cstring, Ref{Bool}),
              s, path, out)
    end
end

"""
    delete!(store::Store, path) -> store

Delete the object at the store-relative `path` (an `NpyError` "not_found" if absent).
"""
function Base.delete!(s::Store, path::AbstractString)
    check(ccall((:npy_store_delete, libnpystore()), Cint, (Ptr{Cvoid}, Cstring), s, path))
    return s
end

function Base.show(io::IO, s::Store)
    isopen(s) ? print(io, "NpyStore.Store(", repr(nameof(s)), ")") :
                print(io, "NpyStore.Store(closed)")
end
