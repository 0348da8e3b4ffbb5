# Status codes (npy_status in npystore.h; the checker compares these values with the
# header) and the exception every failed call becomes.

const NPY_OK = Int32(0)
const NPY_ERR_NOT_FOUND = Int32(11)
const NPY_ERR_STATE = Int32(18)

"""
    NpyError(status, name, message)

A failed libnpystore call. `status` is the C status code (`npy_status`), `name` its
stable lower-case name (`"not_found"`, `"dtype"`, ...) and `message` the library's
explanation.

```julia
try
    NpyRef(store, "missing.npy")
catch e
    e isa NpyError && e.name == "not_found" || rethrow()
end
```
"""
struct NpyError <: Exception
    status::Int32
    name::String
    message::String
end

function Base.showerror(io::IO, e::NpyError)
    print(io, "NpyError(", e.name, ", status ", e.status, "): ", e.message)
end

_status_name(status::Integer) =
    unsafe_string(ccall((:npy_status_name, libnpystore()), Cstring, (Int32,), status))

# The last error message is thread-local in the library. No task switch can happen
# between the failing ccall and this one (neither yields), so it is this call's.
_last_error() = unsafe_string(ccall((:npy_last_error, libnpystore()), Cstring, ()))

"Throw an `NpyError` for a status other than `NPY_OK`."
function check(status::Integer)
    status == NPY_OK && return nothing
    throw(NpyError(Int32(status), _status_name(status), _last_error()))
end

# A status with its message read at once (when it failed), for `check` later.
_outcome(status::Integer) = (Int32(status), status == NPY_OK ? "" : _last_error())

"Throw an `NpyError` for an `_outcome` whose status is not `NPY_OK`."
function check(outcome::Tuple{Int32,String})
    status, message = outcome
    status == NPY_OK && return nothing
    throw(NpyError(status, _status_name(status), message))
end
