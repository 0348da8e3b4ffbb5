# numpy descrs as the C API gives them (`npy_ref_descr`: a Python literal such as
# "'<f8'" or "[('x', '<f8'), ('', '|V4'), ('y', '<i4')]") read into layouts: what an
# element's bytes hold and where. The library writes padding as unnamed `V` fields,
# so a list descr gives every field's offset by adding up the sizes before it.

"The layout of one numpy element (a whole array's, or one field's)."
abstract type _Layout end

"bool, integer, float or complex: Julia type `T`, bytes swapped when `swap`."
struct _Num <: _Layout
    T::DataType
    swap::Bool
end

"numpy `U`: `n` UCS-4 code units, trailing NULs not part of the text."
struct _Text <: _Layout
    n::Int
    swap::Bool
end

"numpy `S`: `n` bytes, trailing NULs not part of the value."
struct _Bytes <: _Layout
    n::Int
end

"numpy `V`: `n` raw bytes."
struct _Void <: _Layout
    n::Int
end

"datetime64 (`kind` 'M') or timedelta64 ('m'): Int64 counts of `step` `unit`s."
struct _Time <: _Layout
    kind::Char
    unit::String
    step::Int
    swap::Bool
end

"A sub-array field: numpy `shape` (C order) of `base` elements."
struct _Sub <: _Layout
    base::_Layout
    shape::Vector{Int}
end

"A structured dtype: named fields at byte offsets, `itemsize` bytes per element."
struct _Record <: _Layout
    names::Vector{Symbol}
    offsets::Vector{Int}
    fields::Vector{_Layout}
    itemsize::Int
end

_itemsize(f::_Num) = sizeof(f.T)
_itemsize(f::_Text) = 4 * f.n
_itemsize(f::Union{_Bytes,_Void}) = f.n
_itemsize(::_Time) = 8
_itemsize(f::_Sub) = _itemsize(f.base) * prod(f.shape)
_itemsize(f::_Record) = f.itemsize

_no_julia_type(what) = throw(ArgumentError(
    "numpy dtype $what has no Julia element type in NpyStore"))

"The layout of the numpy descr `descr`, a Python literal; an `ArgumentError` naming it otherwise."
_layout(descr::AbstractString) = _layout_of(_parse_literal(descr))

_layout_of(s::String) = _simple(s)
_layout_of(x) = _no_julia_type(repr(x))
function _layout_of(fields::Vector{Any})
    names, offsets, layouts = Symbol[], Int[], _Layout[]
    offset = 0
    for field in fields
        (field isa Tuple && 2 <= length(field) <= 3) || _no_julia_type(repr(fields))
        name = field[1] isa Tuple && length(field[1]) == 2 ? field[1][2] : field[1] # (title, name)
        name isa String || _no_julia_type(repr(fields))
        f = _layout_of(field[2])
        if length(field) == 3
            shape = field[3] isa Int ? [field[3]] : field[3] isa Tuple ? collect(field[3]) : nothing
            (shape !== nothing && all(d -> d isa Int && d >= 0, shape)) || _no_julia_type(repr(fields))
            f = _Sub(f, Int[shape...])
        end
        if !isempty(name) # numpy's padding entries are unnamed
            push!(names, Symbol(name))
            push!(offsets, offset)
            push!(layouts, f)
        end
        offset += _itemsize(f)
    end
    return _Record(names, offsets, layouts, offset)
end

# One simple dtype: "<f8", "|b1", "<U5", "|S3", "|V4", "<M8[ns]", ">m8[10s]".
function _simple(s::String)
    m = match(r"^([<>|=]?)([a-zA-Z])(\d*)(?:\[(\d*)([a-zA-Z]+)\])?$", s)
    m === nothing && _no_julia_type(s)
    order, kind = m[1], m[2][1]
    n = isempty(m[3]) ? 0 : parse(Int, m[3])
    swap = (order == "<" || order == ">") && order[1] != _HOST_ORDER
    if kind == 'M' || kind == 'm'
        (n == 8 && m[5] !== nothing) || _no_julia_type(s)
        step = m[4] === nothing || isempty(m[4]) ? 1 : parse(Int, m[4])
        return _Time(kind, String(m[5]), step, swap)
    end
    m[5] === nothing || _no_julia_type(s)
    kind == 'U' && return _Text(n, swap)
    kind == 'S' && return _Bytes(n)
    kind == 'V' && return _Void(n)
    T = get(_TYPES, string(kind, n), nothing)
    T === nothing && _no_julia_type(s)
    return _Num(T, swap && sizeof(T) > 1)
end

# ---- A reader of the Python literals descrs are written in: strings, integers,
# lists and tuples (nothing else occurs in a descr).

mutable struct _Literal
    bytes::Vector{UInt8}
    pos::Int
end

function _parse_literal(text::AbstractString)
    p = _Literal(Vector{UInt8}(String(text)), 1)
    value = _value!(p)
    _skip!(p)
    p.pos > length(p.bytes) || _bad_literal(p)
    return value
end

_bad_literal(p::_Literal) = throw(ArgumentError(
    "cannot read the numpy descr $(repr(String(copy(p.bytes)))) (at byte $(p.pos))"))

_peek(p::_Literal) = p.pos <= length(p.bytes) ? p.bytes[p.pos] : 0x00

function _skip!(p::_Literal)
    while _peek(p) in (UInt8(' '), UInt8('\t'), UInt8('\n'))
        p.pos += 1
    end
end

function _value!(p::_Literal)
    _skip!(p)
    c = _peek(p)
    c == UInt8('[') && return _items!(p, UInt8(']'))
    c == UInt8('(') && return Tuple(_items!(p, UInt8(')')))
    (c == UInt8('\'') || c == UInt8('"')) && return _string!(p)
    (UInt8('0') <= c <= UInt8('9') || c == UInt8('-')) && return _integer!(p)
    _bad_literal(p)
end

# The comma-separated values after the opening bracket, up to `close` (a trailing
# comma allowed, as in "(3,)").
function _items!(p::_Literal, close::UInt8)
    items = Any[]
    p.pos += 1
    while true
        _skip!(p)
        if _peek(p) == close
            p.pos += 1
            return items
        end
        push!(items, _value!(p))
        _skip!(p)
        if _peek(p) == UInt8(',')
            p.pos += 1
        elseif _peek(p) != close
            _bad_literal(p)
        end
    end
end

# A quoted string; a backslash keeps the byte after it (\\ and \' as Python writes them).
function _string!(p::_Literal)
    quote_byte = _peek(p)
    p.pos += 1
    out = UInt8[]
    while true
        p.pos > length(p.bytes) && _bad_literal(p)
        c = p.bytes[p.pos]
        p.pos += 1
        c == quote_byte && return String(out)
        if c == UInt8('\\')
            p.pos > length(p.bytes) && _bad_literal(p)
            c = p.bytes[p.pos]
            p.pos += 1
        end
        push!(out, c)
    end
end

function _integer!(p::_Literal)
    start = p.pos
    _peek(p) == UInt8('-') && (p.pos += 1)
    while UInt8('0') <= _peek(p) <= UInt8('9')
        p.pos += 1
    end
    n = tryparse(Int, String(p.bytes[start:p.pos-1]))
    n === nothing && _bad_literal(p)
    return n
end
