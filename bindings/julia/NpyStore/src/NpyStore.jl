"""
    NpyStore

NumPy `.npy` arrays in DataJoint stores (`<npy@store>`), in file stores and object
storage, through libnpystore's C API.

Arrays come back in Julia's own column-major layout with numpy's shape: element
`A[i, j]` is numpy's `a[i-1, j-1]`. Writes store `fortran_order: True` with Julia's
size, so nothing is copied on the way out.

```julia
using NpyStore
store = Store()                                 # datajoint.json, stores.default
ref = put!(store, rand(3, 4); schema="lab", table="_recording",
           key=(subject="m01", session=3), attribute="trace")
size(ref), eltype(ref)                          # ((3, 4), Float64), no I/O
A = read(ref)                                   # Array{Float64,2}
B = ref[2:3, :]                                 # reads only rows 2 and 3
M = mmap(ref)                                   # zero-copy view of the stored file
```

The shared library is found through `ENV["NPYSTORE_LIB"]` or the `libnpystore`
preference ([`NpyStore.set_library!`](@ref)).
"""
module NpyStore

import Dates
using Dates: Date, DateTime, year, month, day, hour, minute, second, millisecond
import Mmap: mmap
using Preferences: @load_preference, @set_preferences!, @delete_preferences!

export Store, NpyRef, NpyError, Writer, NpyVoid
export dtype, readrows, mmap, finish!, abort!, load_many

include("library.jl")
include("errors.jl")
include("descr.jl")
include("dtypes.jl")
include("encode.jl")
include("store.jl")
include("ref.jl")
include("progress.jl")
include("load.jl")
include("slice.jl")
include("bulk.jl")
include("target.jl")
include("put.jl")
include("writer.jl")

end # module
