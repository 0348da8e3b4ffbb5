function tests = test_dtypes()
% Structured (nested, sub-array, padded, either byte order), bytes (S), void (V)
% and unicode of any shape, both ways with numpy.
tests = {@structured_from_numpy, @structured_as_struct_array, @padded_and_nested_from_numpy, ...
         @bytes_and_void_from_numpy, @unicode_forms, @structured_to_numpy, ...
         @struct_array_to_numpy, @bytes_and_void_to_numpy, @round_trip_in_octave, @put_errors, ...
         @in_place_bytes_match_the_mex, @rows_match_numpy, @slices_match_numpy, ...
         @indexing_matches_numpy, @parts_as_struct_arrays, @raw_and_mmap_give_element_bytes};
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
assert(isa(u.load('raw', 'text', 'cellstr'), 'uint8'), 'raw unicode: element bytes (see raw_and_mmap_...)');
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

function in_place_bytes_match_the_mex(ctx)
% Octave's in-place byte load (npystore_oct) gives what the MEX gives, for every
% dtype the .m layer splits, C- and Fortran-order files alike
if exist('npystore_oct', 'file') ~= 3, return; end
store = numpy_store(ctx);
names = {'rec.npy', 'pad.npy', 'nest.npy', 'bytes.npy', 'void.npy', 'unicode2d.npy', 'lf8_2x3_C.npy', 'lf8_2x3_F.npy'};
for i = 1:numel(names)
  r = store.open(names{i});
  [B, done] = npystore_oct('load_bytes', r.id);
  assert(done && isa(B, 'uint8') && isequal(B, npystore_mex('load_bytes', r.id)), names{i});
  assert(isequal(size(B), [r.info().itemsize, r.numel]), names{i});
end
expect_error(@() npystore_mex('load_bytes', 12345), 'npystore:invalid_argument');
[~, done] = npystore_oct('load_bytes', 12345);
assert(~done);
end

function same_as_numpy(store, got, file, what)
% got equals r.load() of numpy's file of the same part (numpy_side.py part_cases).
want = store.open(file).load('text', 'cellstr');
assert(isequal(got, want), '%s differs from numpy''s %s', what, file);
end

function rows_match_numpy(ctx)
% readRows of structured (byte-swapped field, S, U, datetime fields), padded, nested
% (C and Fortran order), S and V arrays: numpy's a[first-1:first-1+n].
store = numpy_store(ctx);
t = {'text', 'cellstr'};
same_as_numpy(store, store.open('rec.npy').readRows(2, t{:}), 'part_rec_rows2.npy', 'rec rows 2..');
same_as_numpy(store, store.open('pad.npy').readRows(2, 2, t{:}), 'part_pad_rows2_3.npy', 'pad rows 2..3');
for file = {'nest.npy', 'nestF.npy'}
  same_as_numpy(store, store.open(file{1}).readRows(2, 1, t{:}), 'part_nest_rows2.npy', file{1});
end
same_as_numpy(store, store.open('bytes.npy').readRows(2), 'part_bytes_rows2.npy', 'S rows');
same_as_numpy(store, store.open('void.npy').readRows(1, 1), 'part_void_rows1.npy', 'V rows');
assert(isequal(store.open('unicode.npy').readRows(2, 2), ['bcd'; 'ef ']), 'U rows as char');
assert(isequal(store.open('unicode.npy').readRows(2, 2, t{:}), {'bcd'; 'ef'}), 'U rows as cellstr');
R = store.open('rec.npy').readRows(1, 0);
assert(isequal(size(R.x), [0 1]) && isequal(size(R.s), [0 3]), 'no rows: empty fields');
expect_error(@() store.open('rec.npy').readRows(2, 2), 'npystore:invalid_argument');
end

function slices_match_numpy(ctx)
store = numpy_store(ctx);
t = {'text', 'cellstr'};
for file = {'nest.npy', 'nestF.npy'}
  same_as_numpy(store, store.open(file{1}).readSlice(1:2, 2:3, t{:}), 'part_nest_block.npy', file{1});
end
same_as_numpy(store, store.open('unicode2d.npy').readSlice(':', 2, t{:}), ...
              'part_unicode2d_col2.npy', 'U slice');
same_as_numpy(store, store.open('void.npy').readSlice(1), 'part_void_rows1.npy', 'V slice');
expect_error(@() store.open('nest.npy').readSlice([1 3], 1, t{:}), 'npystore:invalid_argument');
end

function indexing_matches_numpy(ctx)
% r(...) with any index: numpy's a[np.ix_(...)] of the same elements.
store = numpy_store(ctx);
nest = store.open('nestF.npy');
got = nest([2 1], [3 1]);
want = store.open('part_nest_index.npy').load();
assert(isequal(got, want), 'nest([2 1], [3 1]) differs from numpy''s');
assert(isequal(store.open('nest.npy')(2, 2:3), store.open('nest.npy').readSlice(2, 2:3)));
u = store.open('unicode2d.npy');
assert(isequal(u.readSlice(2, 1:2, 'text', 'cellstr')(:, [2 1]), ...
               store.open('part_unicode2d_index.npy').load('text', 'cellstr')), 'U slice, picked');
expect_error(@() u(2, [2 1]), 'npystore:dtype');  % Octave's default char: 0-d and 1-d, as load
assert(isequal(store.open('unicode.npy')([3 1]), ['ef'; 'a ']), 'U index as char rows');
assert(isequal(store.open('bytes.npy')(2:end), store.open('part_bytes_rows2.npy').load()));
E = nest([], 1);
assert(isequal(size(E.h), [0 1]), 'an empty index reads nothing: [0 1] fields');
end

function parts_as_struct_arrays(ctx)
% 'struct', 'array' works on parts too: elements of the part, as load gives them.
store = numpy_store(ctx);
B = store.open('nest.npy').readSlice(1:2, 2:3, 'struct', 'array');
W = store.open('part_nest_block.npy').load('struct', 'array');
assert(isequal(size(B), [2 2]) && isequal(B, W), 'struct-array slice differs from numpy''s');
assert(isequal(B(2, 2).m, int16([30 31 32; 33 34 35])), 'sub-array field of element (2, 3)');
end

function raw_and_mmap_give_element_bytes(ctx)
% load('raw') and mmap of structured (C and Fortran order, padded fields), S and U
% arrays: uint8 [itemsize, dims as stored], the file's data bytes (numpy's tobytes).
store = numpy_store(ctx);
cases = {'nest.npy', [27 3 2], 'raw_nest.npy'; 'nestF.npy', [27 2 3], 'raw_nestF.npy'; ...
         'rec.npy', [31 2], 'raw_rec.npy'; 'unicode2d.npy', [12 2 2], 'raw_unicode2d.npy'};
for i = 1:size(cases, 1)
  r = store.open(cases{i, 1});
  want = store.open(cases{i, 3}).load();
  A = r.load('raw');
  assert(isa(A, 'uint8') && isequal(size(A), cases{i, 2}), '%s: raw size %s', cases{i, 1}, ...
         mat2str(size(A)));
  assert(isequal(A(:), want), '%s: raw bytes differ from numpy''s', cases{i, 1});
  m = r.mmap();
  assert(isequal(m.Data.x, A), '%s: mapped bytes differ from load(''raw'')', cases{i, 1});
end
end
