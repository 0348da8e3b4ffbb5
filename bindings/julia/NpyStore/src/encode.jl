# Julia element types -> numpy dtypes for put!, and writing elements whose memory is
# not numpy's bytes. Everything is written in the host's byte order.
#
#   String (any AbstractString)       <U{longest, ≥ 1}, UCS-4
#   Vector{UInt8} (AbstractVector)    |S{longest, ≥ 1}
#   NpyVoid{n}                        |V{n}
#   DateTime, Date                    datetime64[ms], datetime64[D]
#   Dates periods (Year ... Nanosecond) timedelta64 of that unit
#   Union{Missing, a time type}       missing is NaT
#   NamedTuple, struct                structured: its fields, by these rules
#   NTuple{a,NTuple{b,T}} field       sub-array (a, b) of T
#
# An isbits NamedTuple or struct whose fields all store as they are keeps Julia's
# offsets and itemsize (numpy sees the padding as unnamed `V` fields, as it writes
# them itself), and is written from its own memory when it has no padding, else
# copied with the padding zeroed. Other records are packed, numpy's default
# layout, and encoded element by element.

_cannot_store(T) = throw(ArgumentError(
    "NpyStore cannot store elements of type $T: numbers, Bool, strings, " *
    "Vector{UInt8}, NpyVoid, Dates types, and NamedTuples or structs of them"))

const _TimeValue = Union{Dates.DateTime,Dates.Date,Dates.Period}

# The layout to store `values` (elements of type `T`) with; string widths are the
# longest value's.
_layout_for(::Type{T}, values) where {T<:NpyElement} = _Num(T, false)
_layout_for(::Type{<:AbstractString}, values) = _Text(max(1, maximum(length, values; init=0)), false)
_layout_for(::Type{<:AbstractVector{UInt8}}, values) = _Bytes(max(1, maximum(length, values; init=0)))
_layout_for(::Type{NpyVoid{N}}, values) where {N} = _Void(N)
_layout_for(::Type{Dates.DateTime}, values) = _Time('M', "ms", 1, false)
_layout_for(::Type{Dates.Date}, values) = _Time('M', "D", 1, false)
_layout_for(::Type{P}, values) where {P<:Dates.Period} =
    haskey(_UNITS, P) ? _Time('m', _UNITS[P], 1, false) : _cannot_store(P)
function _layout_for(::Type{T}, values) where {T}
    S = nonmissingtype(T)
    S !== T && S !== Union{} && S <: _TimeValue && return _layout_for(S, values) # missing: NaT
    _is_subarray(T) && return _subarray_for(T, values)
    T <: Tuple && _cannot_store(T) # only a tuple of one element type is a sub-array
    (isconcretetype(T) && Base.isstructtype(T) && fieldcount(T) > 0) || _cannot_store(T)
    return _record_for(T, values)
end

# A tuple type of one element type: a sub-array field.
_is_subarray(T::Type) = T <: Tuple && isconcretetype(T) && fieldcount(T) > 0 &&
                        all(k -> fieldtype(T, k) === fieldtype(T, 1), 1:fieldcount(T))

function _subarray_for(::Type{T}, values) where {T}
    n = fieldcount(T)
    inner = _layout_for(fieldtype(T, 1), (x for v in values for x in v))
    return inner isa _Sub ? _Sub(inner.base, [n; inner.shape]) : _Sub(inner, [n])
end

function _record_for(::Type{T}, values) where {T}
    names = collect(Symbol, fieldnames(T))
    fields = _Layout[_layout_for(fieldtype(T, k), (getfield(v, k) for v in values))
                     for k in 1:fieldcount(T)]
    if isbitstype(T)
        own = _Record(names, Int[fieldoffset(T, k) for k in 1:fieldcount(T)], fields, sizeof(T))
        _direct(own, T) && return own
    end
    sizes = Int[_itemsize(f) for f in fields]
    offsets = cumsum([0; sizes[1:end-1]])
    return _Record(names, offsets, fields, sum(sizes))
end

# ---- Descr text, as npy_put takes it

_descr_text(f::_Num) = _descr(f.T)
_descr_text(f::_Text) = string(_HOST_ORDER, 'U', f.n)
_descr_text(f::_Bytes) = "|S$(f.n)"
_descr_text(f::_Void) = "|V$(f.n)"
_descr_text(f::_Time) = string(_HOST_ORDER, f.kind, "8[", f.step == 1 ? "" : f.step, f.unit, "]")
_descr_text(f::_Sub) = throw(ArgumentError(
    "an array of tuples is no numpy array; store a matrix, or tuples as a NamedTuple field"))
function _descr_text(f::_Record)
    parts = String[]
    at = 0
    for k in eachindex(f.fields)
        f.offsets[k] > at && push!(parts, "('', '|V$(f.offsets[k] - at)')")
        push!(parts, _field_text(f.names[k], f.fields[k]))
        at = f.offsets[k] + _itemsize(f.fields[k])
    end
    f.itemsize > at && push!(parts, "('', '|V$(f.itemsize - at)')")
    return "[" * join(parts, ", ") * "]"
end

function _field_text(name::Symbol, f::_Sub)
    shape = length(f.shape) == 1 ? "($(f.shape[1]),)" : "(" * join(f.shape, ", ") * ")"
    return "($(_py_string(name)), $(_format_text(f.base)), $shape)"
end
_field_text(name::Symbol, f::_Layout) = "($(_py_string(name)), $(_format_text(f)))"
_format_text(f::_Record) = _descr_text(f)
_format_text(f::_Layout) = _py_string(_descr_text(f))
_py_string(s) = "'" * replace(replace(string(s), "\\" => "\\\\"), "'" => "\\'") * "'"

# ---- Encoding

# The bytes of `A`'s elements in layout `f`, in Julia's (column-major) order.
function _encode_all(f::_Layout, A::AbstractArray)
    width = _itemsize(f)
    bytes = zeros(UInt8, length(A) * width)
    for (k, v) in enumerate(A)
        _encode!(bytes, 1 + (k - 1) * width, f, v)
    end
    return bytes
end

# Write `v` as a `T` at `bytes[pos]` (any alignment).
function _store!(bytes::Vector{UInt8}, pos::Int, v::T) where {T}
    r = Ref(v)
    GC.@preserve r bytes begin
        unsafe_copyto!(pointer(bytes, pos), Ptr{UInt8}(Base.unsafe_convert(Ptr{T}, r)), sizeof(T))
    end
    return bytes
end

_encode!(bytes, pos, f::_Num, v) = _store!(bytes, pos, convert(f.T, v))
function _encode!(bytes, pos, f::_Text, s)
    for (k, c) in enumerate(s) # at most f.n characters: f.n is the longest
        _store!(bytes, pos + 4 * (k - 1), UInt32(c))
    end
end
_encode!(bytes, pos, f::_Bytes, v) = copyto!(bytes, pos, v, firstindex(v), length(v))
_encode!(bytes, pos, f::_Void, v::NpyVoid) = copyto!(bytes, pos, collect(v.data), 1, f.n)
_encode!(bytes, pos, f::_Time, v) = _store!(bytes, pos, _time_count(v))
function _encode!(bytes, pos, f::_Sub, v)
    width = _itemsize(f.base)
    for (k, x) in enumerate(_flatten(v, length(f.shape)))
        _encode!(bytes, pos + (k - 1) * width, f.base, x)
    end
end
function _encode!(bytes, pos, f::_Record, v)
    for k in eachindex(f.fields)
        _encode!(bytes, pos + f.offsets[k], f.fields[k], getfield(v, k))
    end
end

# Nested tuples `depth` deep, their elements in numpy's C order.
_flatten(v, depth::Int) = depth == 0 ? (v,) : (y for x in v for y in _flatten(x, depth - 1))

# A time value as numpy's Int64 count (the unit is _layout_for's).
_time_count(::Missing) = _NAT
_time_count(v::Dates.DateTime) = Dates.value(v - Dates.DateTime(1970))
_time_count(v::Dates.Date) = Dates.value(v - Dates.Date(1970))
_time_count(v::Dates.Period) = Int64(Dates.value(v))

# Whether elements of layout `f` have bytes no field covers. Julia leaves a record's
# padding undefined, so those bytes are written as zeros, never as they are in memory.
_has_padding(f::_Layout) = false
_has_padding(f::_Sub) = _has_padding(f.base)
_has_padding(f::_Record) =
    f.itemsize != sum(_itemsize, f.fields; init=0) || any(_has_padding, f.fields)

"""
The descr and the memory `put!` hands the library for `A`: `A` itself when its
memory is numpy's bytes with no padding, else the encoded bytes (padding zeroed).
"""
function _stored_form(A::Array{T}) where {T}
    T <: NpyElement && return (_descr(T), A)
    f = _layout_for(T, A)
    descr = _descr_text(f)
    return (descr, _direct(f, T) && !_has_padding(f) ? A : _encode_all(f, A))
end
