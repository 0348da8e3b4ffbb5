# NpyStore test suite. Needs libnpystore: set ENV["NPYSTORE_LIB"] (or the
# preference, see docs/julia.md), then `julia --project=bindings/julia/NpyStore -e
# 'using Pkg; Pkg.test()'`.
using NpyStore
import Dates
using Dates: Date, DateTime
using Test

# A file store in a fresh directory; JSON text for Store().
function file_store_config(dir)
    return """{"stores": {"default": "main",
                         "main": {"protocol": "file", "location": "$(escape_string(dir))"}}}"""
end

# Write a version 1.0 .npy file by hand (what numpy.save writes), so the tests can
# read objects in C order and in the other byte order, which put! never writes.
function write_npy(file, descr, fortran, shape, data::Vector{UInt8})
    dims = isempty(shape) ? "()" : length(shape) == 1 ? "($(shape[1]),)" : "($(join(shape, ", ")))"
    quoted = startswith(descr, "[") ? descr : "'$descr'" # a structured descr is a list
    dict = "{'descr': $quoted, 'fortran_order': $(fortran ? "True" : "False"), 'shape': $dims, }"
    pad = 64 - (10 + length(dict) + 1) % 64
    header = dict * " "^(pad % 64) * "\n"
    mkpath(dirname(file))
    open(file, "w") do io
        write(io, b"\x93NUMPY", UInt8[1, 0], htol(UInt16(length(header))), header, data)
    end
end

# The bytes of `values` in little-endian (`htol`) or big-endian (`hton`) order.
le_bytes(values) = collect(reinterpret(UInt8, htol.(values)))
be_bytes(values) = collect(reinterpret(UInt8, hton.(values)))

# An isbits struct with the layout of NamedTuple{(:x, :y), Tuple{Float64, Int32}}.
struct Point
    x::Float64
    y::Int32
end

# numpy's a = np.arange(6, dtype='<i4').reshape(2, 3) in C order: a[i, j] = 3i + j.
const A23 = [3i + j for i in 0:1, j in 0:2]

mktempdir() do dir
    config = file_store_config(dir)
    store = Store(config)

    @testset "library and store" begin
        @test NpyStore.version() isa VersionNumber
        @test nameof(store) == "main"
        @test nameof(Store(config, "main")) == "main"
        @test occursin("main", sprint(show, store))
        withenv("NPYSTORE_LIB" => joinpath(dir, "no-such-lib.so")) do
            err = try NpyStore._find_library(); nothing catch e; e end
            @test err isa ErrorException && occursin("NPYSTORE_LIB", err.msg)
        end
        # a config file path, and discovery of datajoint.json from the working directory
        file = joinpath(dir, "datajoint.json")
        write(file, config)
        @test nameof(Store(file)) == "main"
        withenv("DJ_STORES" => nothing, "DJ_IGNORE_CONFIG_FILE" => nothing) do
            cd(dir) do
                @test Store(s -> nameof(s)) == "main"
            end
        end
        @test_throws NpyError Store(config, "nope")
    end

    @testset "put! and read round trips, every element type" begin
        for T in (Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64,
                  Float16, Float32, Float64, ComplexF32, ComplexF64)
            A = T === Bool ? rand(Bool, 3, 4, 2) : rand(T, 3, 4, 2)
            ref = put!(store, A; path="types/$T.npy")
            @test size(ref) == (3, 4, 2)
            @test ndims(ref) == 3
            @test length(ref) == 24
            @test eltype(ref) === T
            @test read(ref) == A
            @test NpyStore.load(ref) isa Array{T,3}
            @test NpyStore.load(ref; raw=true) == A # stored in Fortran order
        end
        for A in (fill(2.5), zeros(0, 3), Int32[1, 2, 3], trues(4, 1))
            ref = put!(store, A; path="shapes/$(size(A)).npy")
            @test size(ref) == size(A)
            @test read(ref) == A
        end
    end

    @testset "metadata without I/O, from DataJoint's JSON" begin
        ref = put!(store, rand(Float32, 5, 7); schema="lab", table="_recording",
                   key=(subject="m/01", session=-3, probe=UInt64(7), depth=0.1, good=true,
                        day=Date(2024, 5, 17), start=DateTime(2024, 5, 17, 13, 4, 5)),
                   attribute="trace")
        prefix = "_schema/lab/_recording/subject=m%2F01/session=-3/probe=7/depth=0.1/" *
                 "good=True/day=2024-05-17/start=2024-05-17T13-04-05/trace_"
        @test startswith(NpyStore.path(ref), prefix)
        j = NpyStore.json(ref)
        @test occursin("\"dtype\": \"float32\"", j) && occursin("\"shape\": [5, 7]", j)
        lazy = NpyRef(store; json=j)
        @test size(lazy) == (5, 7) && eltype(lazy) === Float32 && dtype(lazy) == "float32"
        @test NpyStore.path(lazy) == NpyStore.path(ref)
        @test read(lazy) == read(ref)
        @test NpyStore.exists(lazy) && haskey(store, NpyStore.path(ref))
        @test occursin("float32", sprint(show, lazy))
        @test_throws ArgumentError put!(store, [1.0]; path="x.npy", schema="lab")
        @test_throws ArgumentError put!(store, [1.0]; schema="lab", table="t",
                                        attribute="a", key=Dict("k" => 1))
    end

    @testset "C order, other byte order: converted by read, as stored by raw and mmap" begin
        write_npy(joinpath(dir, "c", "a23.npy"), "<i4", false, (2, 3),
                  collect(reinterpret(UInt8, htol.(Int32.(vec(permutedims(A23)))))))
        ref = NpyRef(store, "c/a23.npy")
        @test read(ref) == A23
        @test NpyStore.load(ref; raw=true) == permutedims(A23)
        @test mmap(ref) == permutedims(A23)
        @test readrows(ref, 2, 1) == A23[2:2, :]
        write_npy(joinpath(dir, "c", "be.npy"), ">i2", false, (2, 3),
                  collect(reinterpret(UInt8, hton.(Int16.(vec(permutedims(A23)))))))
        be = NpyRef(store, "c/be.npy")
        @test dtype(be) == ">i2" && eltype(be) === Int16
        @test read(be) == A23
        @test NpyStore.load(be; raw=true) == permutedims(A23)
        @test readrows(be, 1, 2) == A23
        @test_throws ArgumentError mmap(be)
    end

    @testset "mmap: zero-copy, modes, finalizer" begin
        A = reshape(collect(1.0:12.0), 3, 4)
        ref = put!(store, A; path="mmap/a.npy")
        M = mmap(ref)
        @test M == A && M isa Matrix{Float64}
        finalize(M) # unmaps now; the finalizer does not run twice
        @test mmap(sum, ref) == sum(A)
        mmap(ref; mode="r+") do M
            M[2, 3] = -1.0
        end
        @test read(ref)[2, 3] == -1.0
        mmap(ref; mode="c") do M
            M[1, 1] = 99.0
        end
        @test read(ref)[1, 1] == 1.0
        # maps outliving their reference and store, freed by the GC in any order
        maps = [mmap(NpyRef(Store(config), "mmap/a.npy")) for _ in 1:20]
        GC.gc(); GC.gc()
        @test all(M -> M[2, 3] == -1.0, maps)
        maps = nothing
        GC.gc()
        @test isempty(mmap(put!(store, zeros(Int8, 0, 2); path="mmap/empty.npy")))
    end

    @testset "readrows" begin
        A = rand(10, 3, 2)
        ref = put!(store, A; path="rows/a.npy")
        @test readrows(ref, 4, 3) == A[4:6, :, :]
        @test size(readrows(ref, 11, 0)) == (0, 3, 2)
        @test_throws NpyError readrows(ref, 9, 5)
        @test_throws ArgumentError readrows(ref, 0, 1)
    end

    @testset "ref[i, j, ...] reads what it selects" begin
        ref = NpyRef(store, "c/a23.npy")             # C order, written above
        @test ref[2, :] == A23[2, :] && ref[:, 2:3] == A23[:, 2:3]
        @test ref[2, 3] == A23[2, 3] && ref[end, end] == A23[end, end]
        @test ref[:, [3, 1, 3]] == A23[:, [3, 1, 3]] && ref[[true, false], :] == A23[[true, false], :]
        @test ref[1:0, :] == A23[1:0, :] && ref[:, :, 1] == A23[:, :, 1]
        @test NpyRef(store, "c/be.npy")[2, 2:3] == A23[2, 2:3]
        A = reshape(collect(Int16, 1:60), 3, 4, 5)
        f = put!(store, A; path="slice/f.npy")       # Fortran order
        @test f[:, :, 2:4] == A[:, :, 2:4] && f[2, :, 5] == A[2, :, 5] && Array(f) == A
        @test_throws BoundsError ref[3, 1]
        @test_throws BoundsError ref[1, 1, 2]
        @test_throws ArgumentError ref[4]
        @test put!(store, fill(2.5); path="slice/x.npy")[] == 2.5
    end

    @testset "errors" begin
        err = try NpyRef(store, "missing.npy") catch e; e end
        @test err isa NpyError && err.status == 11 && err.name == "not_found"
        @test occursin("missing.npy", sprint(showerror, err))
        put!(store, [1, 2]; path="err/once.npy")
        err = try put!(store, [1, 2]; path="err/once.npy") catch e; e end
        @test err isa NpyError && err.name == "already_exists"
        @test read(put!(store, [3, 4]; path="err/once.npy", overwrite=true)) == [3, 4]
        @test_throws ArgumentError put!(store, [1 => 2]; path="err/pairs.npy")
        @test_throws ArgumentError put!(store, [(1, "a")]; path="err/tuples.npy")
        @test_throws ArgumentError put!(store, Any[1.0]; path="err/any.npy")
        @test !haskey(store, "err/pairs.npy")
        @test_throws NpyError NpyRef(store; json="{not json")
        delete!(store, "err/once.npy")
        @test !haskey(store, "err/once.npy")
        @test_throws NpyError delete!(store, "err/once.npy")
    end

    @testset "U, S and V: String, Vector{UInt8}, NpyVoid" begin
        words = ["ab", "", "çé€"]
        ref = put!(store, words; path="dt/u.npy")
        @test dtype(ref) == "<U3" && eltype(ref) === String
        @test read(ref) == words
        # numpy's C-order 2x2 '<U2' and a big-endian '>U2', written by hand
        units = UInt32[codepoint(c) for c in "abc\0d\0ef"] # a[0,0], a[0,1], a[1,0], a[1,1]
        write_npy(joinpath(dir, "dt", "u22.npy"), "<U2", false, (2, 2), le_bytes(units))
        @test read(NpyRef(store, "dt/u22.npy")) == ["ab" "c"; "d" "ef"]
        write_npy(joinpath(dir, "dt", "ube.npy"), ">U2", false, (2,), be_bytes(UInt32[codepoint(c) for c in "hix\0"]))
        @test read(NpyRef(store, "dt/ube.npy")) == ["hi", "x"]
        @test NpyRef(store, "dt/u22.npy")[2, :] == ["d", "ef"]
        @test readrows(NpyRef(store, "dt/u22.npy"), 1, 1) == ["ab" "c"]
        blobs = [UInt8[0x61, 0x00, 0x62], UInt8[], UInt8[0x63]]
        ref = put!(store, blobs; path="dt/s.npy")
        @test dtype(ref) == "|S3" && eltype(ref) === Vector{UInt8}
        @test read(ref) == blobs # trailing NULs are padding, inner ones are kept
        voids = [NpyVoid((0x01, 0x00, 0x02)), NpyVoid((0x00, 0x00, 0x00))]
        ref = put!(store, voids; path="dt/v.npy")
        @test dtype(ref) == "|V3" && eltype(ref) === NpyVoid{3}
        @test read(ref) == voids
        mmap(M -> @test(M == voids), ref)
    end

    @testset "datetime64 and timedelta64: Int64 counts, or Dates types with dates=true" begin
        times = [DateTime(2024, 5, 1, 13, 5), DateTime(1969, 12, 31, 23, 59, 59, 999)]
        ref = put!(store, times; path="dt/t.npy")
        @test dtype(ref) == "datetime64[ms]" && eltype(ref) === Int64
        @test read(ref) == [Dates.value(t - DateTime(1970)) for t in times]
        @test read(ref; dates=true) == times
        days = Union{Missing,Date}[Date(2024, 2, 29), missing]
        ref = put!(store, days; path="dt/d.npy")
        @test dtype(ref) == "datetime64[D]"
        @test read(ref) == [Dates.value(Date(2024, 2, 29) - Date(1970)), typemin(Int64)]
        @test isequal(read(ref; dates=true), days)
        spans = [Dates.Nanosecond(5), Dates.Nanosecond(-3)]
        ref = put!(store, spans; path="dt/span.npy")
        @test dtype(ref) == "timedelta64[ns]" && read(ref; dates=true) == spans
        # numpy's datetime64[ns] and a big-endian timedelta64[10s], written by hand
        write_npy(joinpath(dir, "dt", "tns.npy"), "<M8[ns]", false, (2,),
                  le_bytes(Int64[86_400_000_000_000, 1]))
        tns = NpyRef(store, "dt/tns.npy")
        @test read(tns) == [86_400_000_000_000, 1]
        @test_throws InexactError read(tns; dates=true) # 1 ns is no whole millisecond
        write_npy(joinpath(dir, "dt", "d10.npy"), ">m8[10s]", false, (1,), be_bytes(Int64[3]))
        @test read(NpyRef(store, "dt/d10.npy")) == [3]
        @test read(NpyRef(store, "dt/d10.npy"); dates=true) == [Dates.Second(30)]
    end

    @testset "structured: NamedTuples, zero-copy where the layout is Julia's" begin
        pts = [(x=1.5, y=Int32(2)), (x=-1.0, y=Int32(7))]
        ref = put!(store, pts; path="st/xy.npy")
        @test NpyStore._stored_descr(ref) == "[('x', '<f8'), ('y', '<i4'), ('', '|V4')]"
        @test eltype(ref) === NamedTuple{(:x, :y),Tuple{Float64,Int32}}
        @test read(ref) == pts
        @test read(ref, Point) == [Point(1.5, 2), Point(-1.0, 7)]
        mmap(M -> @test(M == pts), ref)
        mmap(M -> @test(M == [Point(1.5, 2), Point(-1.0, 7)]), ref; as=Point)
        @test put!(store, [Point(3.0, 4)]; path="st/point.npy") |> read == [(x=3.0, y=Int32(4))]
        # numpy's packed layout (12 bytes an element): copied, the same values
        packed = UInt8[]
        for (x, y) in ((1.5, Int32(2)), (-1.0, Int32(7)))
            append!(packed, le_bytes([x]), le_bytes([y]))
        end
        write_npy(joinpath(dir, "st", "packed.npy"), "[('x', '<f8'), ('y', '<i4')]", false, (2,), packed)
        p = NpyRef(store, "st/packed.npy")
        @test read(p) == pts
        @test read(p, Point) == [Point(1.5, 2), Point(-1.0, 7)]
        @test_throws ArgumentError mmap(p)
        @test p[2] == pts[2]
        @test readrows(p, 2, 1) == pts[2:2]
        @test load_many([p, ref]) == (Any[pts, pts], Union{Nothing,NpyError}[nothing, nothing])
        # nested record, sub-array, text and time fields: packed, encoded
        rec = [(id=Int16(1), name="ab", pos=(x=1.0f0, y=2.0f0), m=((1, 2, 3), (4, 5, 6)),
                t=DateTime(2020))]
        ref = put!(store, rec; path="st/rec.npy")
        @test NpyStore._stored_descr(ref) == "[('id', '<i2'), ('name', '<U2'), " *
              "('pos', [('x', '<f4'), ('y', '<f4')]), ('m', '<i8', (2, 3)), ('t', '<M8[ms]')]"
        @test read(ref; dates=true) == rec
        @test read(ref)[1].t == Dates.value(DateTime(2020) - DateTime(1970))
        # numpy's big-endian fields and a title
        be = vcat(be_bytes([Int32(258)]), be_bytes([0.25]))
        write_npy(joinpath(dir, "st", "be.npy"), "[(('A', 'a'), '>i4'), ('b', '>f8')]", false, (1,), be)
        @test read(NpyRef(store, "st/be.npy")) == [(a=Int32(258), b=0.25)]
    end

    @testset "load_many: values, and each failed item's own message" begin
        a = put!(store, [1.0, 2.0]; path="many/a.npy")
        b = put!(store, Int16[1 2; 3 4]; path="many/b.npy")
        gone = NpyRef(store; json="""{"path": "many/missing.npy", "store": null,
                                         "dtype": "float64", "shape": [2]}""")
        wrong = NpyRef(store; json="""{"path": "many/a.npy", "store": null,
                                       "dtype": "int64", "shape": [2]}""")
        values, errors = load_many([a, gone, b, wrong]; concurrency=2)
        @test values[1] == [1.0, 2.0] && values[3] == Int16[1 2; 3 4]
        @test values[2] === nothing && values[4] === nothing
        @test errors[1] === nothing && errors[3] === nothing
        @test errors[2].name == "not_found" && startswith(errors[2].message, "many/missing.npy: ")
        @test errors[4].name == "mismatch" && startswith(errors[4].message, "many/a.npy: ")
        @test occursin("metadata says int64", errors[4].message)
        values, errors = load_many([a])
        @test values == [[1.0, 2.0]] && errors == [nothing]
        @test load_many(NpyRef[]) == (Any[], Union{Nothing,NpyError}[])
    end

    @testset "progress and cancellation" begin
        A = rand(1000, 100)
        ref = put!(store, A; path="progress/a.npy")
        reports = Tuple{Int,Int}[]
        @test read(ref; progress=(done, total) -> push!(reports, (done, total))) == A
        @test !isempty(reports) && last(reports) == (sizeof(A), sizeof(A))
        @test read(ref; progress=true) == A # a bar on stderr
        # an exception in the callback cancels and comes back after the call
        err = try read(ref; progress=(d, t) -> error("stop here")) catch e; e end
        @test err isa ErrorException && err.msg == "stop here"
        err = try read(ref; progress=(d, t) -> throw(InterruptException())) catch e; e end
        @test err isa InterruptException
        @test read(ref) == A # the reference serves the next call
        values, errors = load_many([ref, ref]; progress=(d, t) -> nothing)
        @test values == [A, A] && errors == [nothing, nothing]
        @test_throws InterruptException load_many([ref]; progress=(d, t) -> throw(InterruptException()))
    end

    @testset "progress and cancellation: readrows, ref[...], mmap" begin
        A = rand(1000, 100)
        ref = put!(store, A; path="progress/slice.npy")
        reports = Tuple{Int,Int}[]
        @test readrows(ref, 11, 20; progress=(d, t) -> push!(reports, (d, t))) == A[11:30, :]
        @test !isempty(reports) && last(reports) == (20 * 100 * 8, 20 * 100 * 8)
        @test_throws InterruptException readrows(ref, 1, 1000; progress=(d, t) -> throw(InterruptException()))
        err = try readrows(ref, 1, 10; progress=(d, t) -> error("stop rows")) catch e; e end
        @test err isa ErrorException && err.msg == "stop rows"
        # indexing takes the reference's own setting
        empty!(reports)
        @test NpyStore.progress!(ref, (d, t) -> push!(reports, (d, t))) === ref
        @test ref[:, 5:6] == A[:, 5:6]
        @test !isempty(reports) && last(reports) == (2 * 1000 * 8, 2 * 1000 * 8)
        NpyStore.progress!(ref, (d, t) -> throw(InterruptException()))
        @test_throws InterruptException ref[:, 1:100]
        NpyStore.progress!(ref, nothing)
        @test ref[3, 7] == A[3, 7] # the reference serves the next call
        # a file store maps the stored file: no download, so no report
        empty!(reports)
        @test mmap(M -> copy(M), ref; progress=(d, t) -> push!(reports, (d, t))) == A
        @test isempty(reports)
    end

    @testset "close and finalizers" begin
        s = Store(config)
        ref = put!(s, [1.0, 2.0]; path="life/a.npy")
        close(s)
        close(s) # idempotent
        @test !isopen(s)
        @test occursin("closed", sprint(show, s))
        @test read(ref) == [1.0, 2.0] # the reference holds its own share of the store
        @test_throws ArgumentError nameof(s)
        close(ref)
        @test_throws ArgumentError size(ref)
        for _ in 1:100 # left to the garbage collector
            r = NpyRef(Store(config), "life/a.npy")
            read(r)
        end
        GC.gc(); GC.gc()
        @test true
    end

    @testset "writer" begin
        w = Writer(store, Float32, (3,); path="writer/a.npy")
        @test length(w) == 0 && eltype(w) === Float32
        B1, B2 = rand(Float32, 3, 4), rand(Float32, 3, 2)
        append!(w, B1)
        push!(w, Float32[7, 8, 9])
        append!(w, B2)
        @test length(w) == 7
        @test_throws DimensionMismatch append!(w, rand(Float32, 2, 2))
        ref = finish!(w)
        @test size(ref) == (3, 7)
        @test read(ref) == hcat(B1, Float32[7, 8, 9], B2)
        @test_throws NpyError append!(w, B1) # finished
        close(w)
        @test_throws ArgumentError append!(w, B1) # freed
        w = abort!(Writer(store, Float32, (3,); path="writer/b.npy"))
        @test_throws NpyError append!(w, B1) # aborted
        close(w)
        @test !haskey(store, "writer/b.npy")
        ref = Writer(store, Int64; schema="lab", table="_rec", attribute="t", key=(id=1,)) do w
            foreach(i -> push!(w, i), 1:5)
        end
        @test read(ref) == collect(1:5)
        @test_throws ErrorException Writer(store, Int64; path="writer/c.npy") do w
            push!(w, 1)
            error("acquisition failed")
        end
        @test !haskey(store, "writer/c.npy")
    end
end
