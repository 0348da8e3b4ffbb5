# numpy dtypes <-> Julia element types. Only numeric and bool dtypes have a Julia
# element type here; the others (strings, datetimes, structured) stay readable as
# metadata (`dtype`, `size`, ...) but cannot be loaded as Julia arrays.

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

"The element types NpyStore reads and writes (numpy's bool, integer, float and complex)."
const NpyElement = Union{values(_TYPES)...}

const _HOST_ORDER = ENDIAN_BOM == 0x04030201 ? '<' : '>'

# A simple dtype descr as the C API gives it, a Python literal like "'<f8'", parsed to
# (Julia type, whether its bytes must be swapped), or `nothing` when there is no
# Julia type for it.
function _parse_descr(descr::AbstractString)
    m = match(r"^'([<>|=])([a-z])(\d+)'$", descr)
    m === nothing && return nothing
    T = get(_TYPES, m[2] * m[3], nothing)
    T === nothing && return nothing
    order = m[1][1]
    return (T, order in ('<', '>') && order != _HOST_ORDER)
end

# numpy's descr for a Julia element type, in the host's byte order.
function _descr(::Type{T}) where {T<:NpyElement}
    return string(sizeof(T) == 1 ? '|' : _HOST_ORDER, _CODES[T])
end
_descr(::Type{T}) where {T} = throw(ArgumentError(
    "NpyStore stores arrays of $(join(sort!(string.(keys(_CODES))), ", ")); got element type $T"))

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
