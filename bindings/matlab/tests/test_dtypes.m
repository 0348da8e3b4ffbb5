function tests = test_dtypes()
% Structured (nested, sub-array, padded, either byte order), bytes (S), void (V)
% and unicode of any shape, both ways with numpy.
tests = {@structured_from_numpy, @structured_as_struct_array, @padded_and_nested_from_numpy, ...
         @bytes_and_void_from_numpy, @unicode_forms, @structured_to_numpy, ...
         @struct_array_to_numpy, @bytes_and_void_to_numpy, @round_trip_in_octave, @put_errors};
end

function store = numpy_store(ctx)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
end

function structured_from_numpy(ctx)
r = numpy_store(ctx).open('rec.npy');
A = r.load();
assert(isstruct(A) && isscalar(A) && isequal(fieldnames(A), {'x'; 'y'; 's'; 'u'; 't'}));
assert(isequal(A.x, [1.5; 3]) && isequal(A.y, int32([2; -4])), 'big-endian field swapped');
assert(isequal(A.s, uint8([97 98 0; 99 0 100])), 'S bytes as stored, [shape, itemsize]');
assert(isequal(A.u, ['xy'; '  ']) && isequal(A.t, int64([7; -1])));
C = r.load('text', 'cellstr');
assert(isequal(C.u, {'xy'; ''}));
end

function structured_as_struct_array(ctx)
B = numpy_store(ctx).open('rec.npy').load('struct', 'array');
assert(isequal(size(B), [2 1]) && B(2).x == 3 && B(2).y == int32(-4) && B(1).t == int64(7));
assert(isequal(B(1).u, 'xy') && isequal(B(2).u, '') && isequal(B(2).s, uint8([99; 0; 100])));
N = numpy_store(ctx).open('nest.npy').load('struct', 'array');
assert(isequal(size(N), [2 3]) && isequal(N(2, 3).m, int16([30 31 32; 33 34 35])));
assert(N(2, 1).p.q == uint8(3) && N(1, 2).p.r == single(0.25));
end

function padded_and_nested_from_numpy(ctx)
P = numpy_store(ctx).open('pad.npy').load();
assert(isequal(fieldnames(P), {'a'; 'b'}), 'padding fields are skipped');
assert(isequal(P.a, int16([1; 2; 3])) && isequal(P.b, [0.5; 1.5; 2.5]));
N = numpy_store(ctx).open('nest.npy').load();
assert(isequal(N.p.q, uint8([0 1 2; 3 4 5])) && isequal(N.p.r, single(0.25 * ones(2, 3))));
assert(isequal(size(N.m), [2 3 2 3]), 'sub-array fields: numpy''s a[''m''].shape');
m = reshape(0:35, [3 2 3 2]);  % numpy's arange(36).reshape(2, 3, 2, 3) in MATLAB's order
assert(isequal(N.m, int16(permute(m, [4 3 2 1]))));
assert(isequal(N.h, single(1.5 * ones(2, 3))) && isequal(N.z, complex(single(ones(2, 3)), single(-2 * ones(2, 3)))));
end

function bytes_and_void_from_numpy(ctx)
store = numpy_store(ctx);
assert(isequal(store.open('bytes.npy').load(), uint8([97 98 0; 99 100 101])));
assert(isequal(store.open('void.npy').load(), uint8([1 2; 3 4])));
end

function unicode_forms(ctx)
store = numpy_store(ctx);
u = store.open('unicode2d.npy');
assert(isequal(u.load('text', 'cellstr'), {'a', 'bc'; '', 'def'}));
expect_error(@() u.load('text', 'char'), 'npystore:dtype');
assert(isequal(store.open('unicode.npy').load('text', 'cellstr'), {'a'; 'bcd'; 'ef'}));
assert(isequal(store.open('unicode_be.npy').load('text', 'cellstr'), {'a'; 'bcd'; 'ef'}));
assert(isequal(store.open('unicode0d.npy').load('text', 'cellstr'), {'hello'}));
assert(isequal(store.open('unicode.npy').load(), ['a  '; 'bcd'; 'ef ']), 'char stays Octave''s default');
if exist('OCTAVE_VERSION', 'builtin')
  expect_error(@() u.load('text', 'string'), 'npystore:unsupported');
end
expect_error(@() u.load('text', 'words'), 'npystore:invalid_argument');
expect_error(@() u.load('raw', 'text', 'cellstr'), 'npystore:unsupported');
end

function structured_to_numpy(ctx)
S = struct('x', [1.5; 3], 'y', int32([2; -4]), 'name', {{'ab'; 'c'}}, 'ok', [true; false], ...
           'z', complex(single([1; 2]), single([-1; 0.5])));
ctx.store.put(S, 'path', 'a.npy', 'shape', 2);
N = struct('p', struct('q', uint8([1 2 3; 4 5 6]), 'r', single(ones(2, 3))), 'w', int64(reshape(1:6, 2, 3)));
ctx.store.put(N, 'path', 'n.npy');
python_check(ctx, ['import io; ' ...
  'want = np.array([(1.5, 2, "ab", True, 1 - 1j), (3.0, -4, "c", False, 2 + 0.5j)], dtype=[("x", "<f8"), ("y", "<i4"), ("name", "<U2"), ("ok", "?"), ("z", "<c8")]); ' ...
  'a = np.load(D + "/a.npy"); assert a.dtype == want.dtype and (a == want).all(), a; ' ...
  'b = io.BytesIO(); np.save(b, want); assert open(D + "/a.npy", "rb").read() == b.getvalue(); ' ...
  'n = np.load(D + "/n.npy"); assert n.shape == (2, 3) and n.dtype == np.dtype([("p", [("q", "u1"), ("r", "<f4")]), ("w", "<i8")]), n.dtype; ' ...
  'assert (n["p"]["q"] == [[1, 2, 3], [4, 5, 6]]).all() and (n["p"]["r"] == 1).all() and (n["w"] == [[1, 3, 5], [2, 4, 6]]).all(), n; ' ...
  'b = io.BytesIO(); np.save(b, np.asfortranarray(n)); assert open(D + "/n.npy", "rb").read() == b.getvalue()']);
end

function struct_array_to_numpy(ctx)
sa = struct('x', {1, 2, 3}, 'label', {'a', 'bb', ''}, 'p', {struct('q', uint8(1)), struct('q', uint8(2)), struct('q', uint8(3))});
r = ctx.store.put(sa, 'path', 'sa.npy');
assert(isequal(r.shape, [1 3]));
python_check(ctx, ['a = np.load(D + "/sa.npy"); assert a.shape == (1, 3), a.shape; ' ...
  'assert list(a["x"][0]) == [1, 2, 3] and list(a["label"][0]) == ["a", "bb", ""] and list(a["p"]["q"][0]) == [1, 2, 3], a']);
end

function bytes_and_void_to_numpy(ctx)
B = uint8([97 98 0; 99 100 101]);
s = ctx.store.put(B, 'path', 's.npy', 'dtype', 'S');
v = ctx.store.put(uint8([1 2; 3 4]), 'path', 'v.npy', 'dtype', 'V');
one = ctx.store.put(uint8([104 105]), 'path', 'one.npy', 'dtype', 'S');
assert(strcmp(s.dtype, '|S3') && isequal(s.shape, 2) && isempty(one.shape));
python_check(ctx, ['s = np.load(D + "/s.npy"); assert list(s) == [b"ab", b"cde"], s; ' ...
  'v = np.load(D + "/v.npy"); assert v.dtype == "V2" and v[1].tobytes() == b"\x03\x04", v; ' ...
  'o = np.load(D + "/one.npy"); assert o.shape == () and o == b"hi", o']);
assert(isequal(s.load(), B) && isequal(v.load(), uint8([1 2; 3 4])) && isequal(one.load(), uint8([104 105])));
end

function round_trip_in_octave(ctx)
S = struct('a', reshape(int16(1:6), 2, 3), 'b', rand(2, 3), 'c', {{'x', 'yy', ''; 'z', '', 'w'}});
A = ctx.store.put(S, 'path', 'r.npy').load('text', 'cellstr');
assert(isequal(A, S));
end

function put_errors(ctx)
expect_error(@() ctx.store.put(struct('a', {{1, 2}}), 'path', 'e.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put(struct('a', 1:3, 'b', 1:2), 'path', 'e.npy'), 'npystore:shape');
expect_error(@() ctx.store.put(struct(), 'path', 'e.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put(struct('a', 1), 'path', 'e.npy', 'order', 'C'), 'npystore:invalid_argument');
expect_error(@() ctx.store.put(struct('a', {1, [1 2]}), 'path', 'e.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put(1:3, 'path', 'e.npy', 'dtype', 'S'), 'npystore:dtype');
expect_error(@() ctx.store.put(uint8(1:3), 'path', 'e.npy', 'dtype', 'X'), 'npystore:invalid_argument');
expect_error(@() ctx.store.put(uint8(1:4), 'path', 'e.npy', 'dtype', 'S', 'shape', 3), 'npystore:shape');
assert(~ctx.store.exists('e.npy'));
end
