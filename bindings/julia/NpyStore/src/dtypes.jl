# numpy dtypes -> Julia element types, and reading elements whose bytes are not
# already Julia values (docs/julia.md, "Element types"):
#
#   bool, int, uint, float16/32/64, complex   Bool, Int8...UInt64, Float16/32/64, ComplexF32/64
#   U<n>                                      String (UCS-4, trailing NULs stripped)
#   S<n>                                      Vector{UInt8} (trailing NULs stripped)
#   V<n>                                      NpyVoid{n} (the n raw bytes)
#   datetime64, timedelta64                   Int64 counts; Dates types with dates=true
#   structured                                NamedTuple of the fields' types
#   sub-array field of shape (a, b)           NTuple{a,NTuple{b,T}} (numpy's C order)
#
# The library loads into the final Julia array when that array's memory is exactly
# the stored bytes (numbers in the host's order, V, Int64 counts, and records whose
# NamedTuple has numpy's offsets and itemsize): no copy. Otherwise it loads the bytes
# and they are decoded element by element.

# numpy kind and item size => Julia type. The byte order is separate: data keeps the
# stored order through the C API and is swapped here when it differs from the host's.
const _TYPES = Dict{String,DataType}(
    "b1" => Bool,
    "i1" => Int8, "i2" => Int16, "i4" => Int32, "i8" => Int64,
    "u1" => UInt8, "u2" => UInt16, "u4" => UInt32, "u8" => UInt64,
    "f2" => Float16, "f4" => Float32, "f8" => Float64,
    "c8" => ComplexF32, "c16" => ComplexF64,
)
const _CODES = Dict{DataType,String}(T => code for (code, T) in _TYPES)

"The numeric element types NpyStore reads and writes as they are (numpy's bool, integer, float and complex)."
const NpyElement = Union{values(_TYPES)...}

const _HOST_ORDER = ENDIAN_BOM == 0x04030201 ? '<' : '>'

"""
    NpyVoid{N}

An element of numpy's void dtype `V<N>`: its `N` raw bytes, `data`. An
`Array{NpyVoid{N}}` is loaded and stored without a copy.
"""
struct NpyVoid{N}
    data::NTuple{N,UInt8}
end

# numpy's descr for a numeric Julia element type, in the host's byte order.
function _descr(::Type{T}) where {T<:NpyElement}
    return string(sizeof(T) == 1 ? '|' : _HOST_ORDER, _CODES[T])
end
_descr(::Type{T}) where {T} = throw(ArgumentError(
    "NpyStore writes rows of $(join(sort!(string.(keys(_CODES))), ", ")); got element type $T"))

_uint(::Val{2}) = UInt16
_uint(::Val{4}) = UInt32
_uint(::Val{8}) = UInt64

# Swap the bytes of every number in `A` in place (each part of a complex number apart).
function _byteswap!(A::Array{T}) where {T<:NpyElement}
    n = sizeof(real(T))
    n == 1 && return A
    u = reinterpret(_uint(Val(n)), vec(A))
    u .= bswap.(u)
    return A
end

# One number with its bytes swapped.
_bswap(v::Complex) = complex(_bswap(real(v)), _bswap(imag(v)))
_bswap(v::T) where {T<:Union{Integer,AbstractFloat}} =
    sizeof(T) == 1 ? v : reinterpret(T, bswap(reinterpret(_uint(Val(sizeof(T))), v)))

# ---- Dates (datetime64 and timedelta64 with dates=true)

const _PERIODS = Dict{String,DataType}(
    "Y" => Dates.Year, "M" => Dates.Month, "W" => Dates.Week, "D" => Dates.Day,
    "h" => Dates.Hour, "m" => Dates.Minute, "s" => Dates.Second,
    "ms" => Dates.Millisecond, "us" => Dates.Microsecond, "ns" => Dates.Nanosecond)
const _UNITS = Dict{DataType,String}(P => unit for (unit, P) in _PERIODS)
const _CALENDAR_UNITS = ("Y", "M", "W", "D")

"numpy's NaT (not a time): the smallest Int64 count."
const _NAT = typemin(Int64)

_time_name(f::_Time) = string(f.kind == 'M' ? "datetime64[" : "timedelta64[",
                              f.step == 1 ? "" : f.step, f.unit, "]")

# The Dates type of a datetime64/timedelta64 with dates=true: Date for calendar
# units, DateTime for the others, the unit's Period for timedelta64.
function _date_type(f::_Time)
    haskey(_PERIODS, f.unit) || throw(ArgumentError(
        "$(_time_name(f)) has no Dates type; read it with dates=false (Int64 counts)"))
    f.kind == 'm' && return _PERIODS[f.unit]
    return f.unit in _CALENDAR_UNITS ? Dates.Date : Dates.DateTime
end

# The Dates value of `count` (NaT: `missing`). A datetime64 finer than DateTime's
# milliseconds must be a whole number of them, else an InexactError.
function _time_value(f::_Time, count::Int64)
    count == _NAT && return missing
    n = Base.checked_mul(count, Int64(f.step))
    P = _PERIODS[f.unit]
    f.kind == 'm' && return P(n)
    f.unit in _CALENDAR_UNITS && return Dates.Date(1970) + P(n)
    f.unit == "us" && return Dates.DateTime(1970) + Dates.Millisecond(_whole(n, 1_000))
    f.unit == "ns" && return Dates.DateTime(1970) + Dates.Millisecond(_whole(n, 1_000_000))
    return Dates.DateTime(1970) + P(n)
end
_whole(n::Int64, d::Integer) = rem(n, d) == 0 ? div(n, d) : throw(InexactError(:DateTime, Dates.DateTime, n))

# ---- Element types

# The Julia element type of layout `f`. With dates=true a NaT is `missing`, so the
# array read may have `Union{Missing, T}` elements where this says `T`.
_eltype(f::_Num, dates::Bool) = f.T
_eltype(::_Text, dates::Bool) = String
_eltype(::_Bytes, dates::Bool) = Vector{UInt8}
_eltype(f::_Void, dates::Bool) = NpyVoid{f.n}
_eltype(f::_Time, dates::Bool) = dates ? _date_type(f) : Int64
_eltype(f::_Sub, dates::Bool) = _nested_tuple(_eltype(f.base, dates), f.shape)
_eltype(f::_Record, dates::Bool) =
    NamedTuple{Tuple(f.names),Tuple{[_eltype(g, dates) for g in f.fields]...}}

_nested_tuple(T, shape) = isempty(shape) ? T : NTuple{shape[1],_nested_tuple(T, shape[2:end])}

# Whether an `Array{T}`'s memory is exactly the stored bytes of layout-`f` elements,
# so the library can load into it (or map it) as it is.
_direct(f::_Layout, T::Type) = false
_direct(f::_Num, T::Type) = T === f.T && !f.swap
_direct(f::_Void, T::Type) = T === NpyVoid{f.n}
_direct(f::_Time, T::Type) = T === Int64 && !f.swap
_direct(f::_Sub, T::Type) = _direct_nested(f.base, f.shape, T)
function _direct(f::_Record, T::Type)
    (isbitstype(T) && sizeof(T) == f.itemsize && fieldcount(T) == length(f.names)) || return false
    fieldnames(T) == Tuple(f.names) || return false
    return all(k -> fieldoffset(T, k) == f.offsets[k] && _direct(f.fields[k], fieldtype(T, k)),
               1:length(f.names))
end

# A sub-array of `shape` as nested NTuples of T, with no gap between elements.
function _direct_nested(base::_Layout, shape::Vector{Int}, T::Type)
    isempty(shape) && return _direct(base, T)
    (T <: Tuple && isbitstype(T) && fieldcount(T) == shape[1]) || return false
    shape[1] == 0 && return sizeof(T) == 0
    E = fieldtype(T, 1)
    return all(k -> fieldtype(T, k) === E, 1:fieldcount(T)) &&
           sizeof(T) == _itemsize(base) * prod(shape) && _direct_nested(base, shape[2:end], E)
end

# ---- Decoding: elements whose bytes are not a Julia value as they are

# A `T` from the bytes at `bytes[pos]` (any alignment).
function _unaligned(::Type{T}, bytes::Vector{UInt8}, pos::Int) where {T}
    r = Ref{T}()
    GC.@preserve r bytes begin
        unsafe_copyto!(Ptr{UInt8}(Base.unsafe_convert(Ptr{T}, r)), pointer(bytes, pos), sizeof(T))
    end
    return r[]
end

# The value of the element of layout `f` whose bytes start at `bytes[pos]`.
function _decode(f::_Num, bytes::Vector{UInt8}, pos::Int, dates::Bool)
    f.T === Bool && return _unaligned(UInt8, bytes, pos) != 0x00
    v = _unaligned(f.T, bytes, pos)
    return f.swap ? _bswap(v) : v
end
function _decode(f::_Text, bytes::Vector{UInt8}, pos::Int, dates::Bool)
    units = UInt32[_unaligned(UInt32, bytes, pos + 4 * (k - 1)) for k in 1:f.n]
    f.swap && (units .= bswap.(units))
    last = something(findlast(!=(0x00000000), units), 0)
    return String(Char[Char(u) for u in view(units, 1:last)])
end
function _decode(f::_Bytes, bytes::Vector{UInt8}, pos::Int, dates::Bool)
    value = bytes[pos:pos+f.n-1]
    return resize!(value, something(findlast(!=(0x00), value), 0))
end
_decode(f::_Void, bytes::Vector{UInt8}, pos::Int, dates::Bool) =
    NpyVoid{f.n}(ntuple(k -> bytes[pos+k-1], f.n))
function _decode(f::_Time, bytes::Vector{UInt8}, pos::Int, dates::Bool)
    count = _unaligned(Int64, bytes, pos)
    count = f.swap ? bswap(count) : count
    return dates ? _time_value(f, count) : count
end
_decode(f::_Sub, bytes::Vector{UInt8}, pos::Int, dates::Bool) =
    _decode_nested(f.base, f.shape, bytes, pos, dates)
function _decode(f::_Record, bytes::Vector{UInt8}, pos::Int, dates::Bool)
    values = ntuple(k -> _decode(f.fields[k], bytes, pos + f.offsets[k], dates), length(f.fields))
    return NamedTuple{Tuple(f.names)}(values)
end

# A sub-array's elements (numpy's C order) as nested tuples, outer axis first.
function _decode_nested(base::_Layout, shape::Vector{Int}, bytes::Vector{UInt8}, pos::Int,
                        dates::Bool)
    isempty(shape) && return _decode(base, bytes, pos, dates)
    inner = shape[2:end]
    stride = _itemsize(base) * prod(inner)
    return ntuple(k -> _decode_nested(base, inner, bytes, pos + (k - 1) * stride, dates), shape[1])
end

# The array of `dims` elements of layout `f` whose bytes (Julia's column-major order)
# are `bytes`.
function _decode_all(f::_Layout, bytes::Vector{UInt8}, dims::Dims, dates::Bool)
    n = prod(dims)
    n == 0 && return Array{_eltype(f, dates)}(undef, dims)
    width = _itemsize(f)
    values = [_decode(f, bytes, 1 + (k - 1) * width, dates) for k in 1:n]
    return reshape(values, dims)
end

# `x` as a `T`: a record's NamedTuple becomes a struct through its constructor, field
# by field; anything else through `convert`.
function _as(T::Type, x)
    x isa T && return x
    (x isa NamedTuple && !(T <: NamedTuple)) && return T(values(x)...)
    return convert(T, x)
end

function _as_all(T::Type, A::Array)
    B = Array{T}(undef, size(A))
    for k in eachindex(A, B)
        B[k] = _as(T, A[k])
    end
    return B
end

"""
A buffer the library loads `dims` elements of layout `f` into, and the function that
turns the loaded buffer into the array to return. `as` asks for another element type
(a struct or NamedTuple for records). The buffer is that array itself when its
memory is the stored bytes (see `_direct`), else the bytes, decoded afterwards.
"""
function _receiver(f::_Layout, dims::Dims; dates::Bool=false, as::Union{Nothing,Type}=nothing)
    T = as === nothing ? _eltype(f, dates) : as
    if f isa _Num && T === f.T
        return (Array{T}(undef, dims), f.swap ? _byteswap! : identity)
    end
    _direct(f, T) && return (Array{T}(undef, dims), identity)
    bytes = Vector{UInt8}(undef, prod(dims) * _itemsize(f))
    decode = as === nothing ? (b -> _decode_all(f, b, dims, dates)) :
             (b -> _as_all(as, _decode_all(f, b, dims, dates)))
    return bytes, decode
end
