# Where libnpystore lives. Every ccall in the package names its library as
# `libnpystore()`: Julia evaluates that call once per call site and caches the
# result, so the lookup costs nothing after the first call.
#
# Order: ENV["NPYSTORE_LIB"], then the `libnpystore` preference (LocalPreferences.toml,
# see `set_library!`), then on Windows `npystore.dll` beside the package or on PATH.
# A JLL package can later become the last fallback here without touching any ccall.

const _LIBRARY = Ref{String}("")

"""The shared library's file name on this OS: `npystore.dll` on Windows."""
const LIBRARY_NAME = Sys.iswindows() ? "npystore.dll" : Sys.isapple() ? "libnpystore.dylib" : "libnpystore.so"

"""
    NpyStore.libnpystore() -> String

The path of the libnpystore shared library the package calls: `ENV["NPYSTORE_LIB"]`
if set, else the `libnpystore` preference (see [`NpyStore.set_library!`](@ref)), else
on Windows the first `npystore.dll` beside the package (its root folder, above `src`)
or in a folder of `ENV["PATH"]`. Throws an `ErrorException` that says how to set one
when none is found or the file does not exist. The first answer is kept for the rest
of the session.
"""
function libnpystore()
    isempty(_LIBRARY[]) && (_LIBRARY[] = _find_library())
    return _LIBRARY[]
end

function _find_library()
    path, source = get(ENV, "NPYSTORE_LIB", ""), "ENV[\"NPYSTORE_LIB\"]"
    if isempty(path)
        path = something(@load_preference("libnpystore", nothing), "")
        source = "the \"libnpystore\" preference"
    end
    if isempty(path) && Sys.iswindows()
        path = _search_windows(get(ENV, "PATH", ""))
    end
    example = Sys.iswindows() ? "<prefix>\\\\bin\\\\npystore.dll" : "<prefix>/lib/$LIBRARY_NAME"
    isempty(path) && error(
        "NpyStore: libnpystore not found. Build and install it (docs/building.md), " *
        "then set ENV[\"NPYSTORE_LIB\"] = \"$example\" before the first " *
        "call, or once for this project: NpyStore.set_library!(\"$example\")" *
        (Sys.iswindows() ? ", or put npystore.dll on PATH" : ""))
    isfile(path) || error("NpyStore: $source is $(repr(path)), which is not a file")
    return path
end

# Windows: npystore.dll in the package's root folder, else in the first folder of
# `path_list` (ENV["PATH"], `;`-separated) that has it; "" when none does.
function _search_windows(path_list::AbstractString)
    folders = [dirname(@__DIR__); filter(!isempty, split(path_list, ';'))]
    for folder in folders
        candidate = joinpath(folder, LIBRARY_NAME)
        isfile(candidate) && return candidate
    end
    return ""
end

"""
    NpyStore.set_library!(path)

Remember `path` (made absolute) as the libnpystore to load, in the active project's
`LocalPreferences.toml`. Takes effect in the next Julia session;
`ENV["NPYSTORE_LIB"]` still wins. `set_library!(nothing)` forgets it.
"""
function set_library!(path::AbstractString)
    isfile(path) || throw(ArgumentError("not a file: $(repr(path))"))
    @set_preferences!("libnpystore" => abspath(path))
    return nothing
end
set_library!(::Nothing) = (@delete_preferences!("libnpystore"); nothing)

"""
    NpyStore.version() -> VersionNumber

The version of the loaded libnpystore.
"""
version() = VersionNumber(unsafe_string(ccall((:npy_version, libnpystore()), Cstring, ())))
