function in_place_smoke(mexdir)
% IN_PLACE_SMOKE  Every path through npystore_oct once (load, raw, rows, each
% element class, an error, stale ids, byte loads), and the MEX's bulk load and text puts
% (buffers it plans and fills itself) and progress calls, small enough to run under
% valgrind (also the row reads, slices and element-byte parts that report progress):
%   valgrind --error-exitcode=1 octave-cli --eval "in_place_smoke('<mexdir>')"
% scripts/test.sh matlab runs it so; test_in_place.m checks the results in depth.
here = fileparts(mfilename('fullpath'));
addpath(fullfile(here, '..'), mexdir);
dir = tempname();
mkdir(dir);
cleanup = onCleanup(@() rmdir(dir, 's'));
store = npystore.Store(sprintf('{"stores": {"default": "b", "b": {"protocol": "file", "location": "%s"}}}', dir));
A = reshape(1:24, 2, 3, 4);
for cls = {'double', 'single', 'int8', 'uint16', 'int32', 'uint64', 'logical'}
  B = cast(A, cls{1});
  if strcmp(cls{1}, 'logical'), B = logical(mod(A, 2)); end
  for order = 'CF'
    r = store.put(B, 'path', [cls{1} order '.npy'], 'order', order);
    assert(isequal(r.load(), B) && isequal(r.readRows(2, 1), B(2, :, :)));
    raw = r.load('raw');
    assert(numel(raw) == numel(B));
  end
end
z = complex(single(A), single(-A));
r = store.put(z, 'path', 'z.npy', 'order', 'C');
assert(isequal(r.load(), z));
id = r.id;
store.remove('z.npy');
try
  r.load();
  error('npystore_test:no_error', 'a load of a removed object succeeded');
catch err
  assert(strcmp(err.identifier, 'npystore:not_found'), err.identifier);
end
delete(r);
[~, done] = npystore_oct('load', id, 0);
assert(~done);
% the MEX's own buffers: a bulk load of every conversion with one missing item,
% cells and char matrices put as numpy unicode
c = store.put({'ab', 'c'; '', 'def'}, 'path', 'cell.npy', 'order', 'C');
m = store.put(['ab '; 'cde'], 'path', 'chars.npy');
h = store.put(int16(1:5), 'path', 'h.npy', 'order', 'C');
gone = strrep(h.json, 'h.npy', 'gone.npy');
z2 = store.put(z, 'path', 'z2.npy');
[v, e] = store.loadMany({m, h, gone, z2, store.open('doubleC.npy')}, 'concurrency', 2);
assert(isequal(v{1}, ['ab '; 'cde']) && isequal(v{2}, int16(1:5)) && isempty(v{3}));
assert(isequal(v{4}, z) && isequal(v{5}, A) && strcmp(e{3}.identifier, 'npystore:not_found'));
assert(strcmp(c.dtype, '<U3') && isequal(c.shape, [2 2]));
try
  store.loadMany({c});
  error('npystore_test:no_error', 'a 2-d unicode array loaded as char');
catch err
  assert(strcmp(err.identifier, 'npystore:dtype'), err.identifier);
end
% structured and bytes through npystore_oct's load_bytes and the .m split
st = store.put(struct('x', [1; 2], 'n', {{'a'; 'bc'}}, 'y', int8([3; 4])), 'path', 'st.npy', 'shape', 2);
S = st.load('text', 'cellstr');
assert(isequal(S.x, [1; 2]) && isequal(S.n, {'a'; 'bc'}) && isequal(S.y, int8([3; 4])));
by = store.put(uint8([1 2 3; 4 5 6]), 'path', 'by.npy', 'dtype', 'S');
assert(isequal(by.load(), uint8([1 2 3; 4 5 6])));
% parts, raw bytes and maps of element-byte dtypes (read_slice_bytes, load_bytes raw)
P = st.readRows(2, 1, 'text', 'cellstr');
assert(isequal(P.n, {'bc'}) && P.y == int8(4) && isequal(st([2 1]).x, [2; 1]));
assert(isequal(size(st.load('raw')), [st.info().nbytes / 2, 2]) && isequal(by.readSlice(2), uint8([4 5 6])));
mb = by.mmap();
assert(isequal(mb.Data.x, uint8([1 4; 2 5; 3 6])));
delete(mb);
[v, e] = store.loadMany({st, by, c, gone}, 'text', 'cellstr');
assert(isequal(v{1}, S) && isequal(v{2}, uint8([1 2 3; 4 5 6])) && isequal(v{3}, {'ab', 'c'; '', 'def'}));
assert(isempty(v{4}) && strcmp(e{4}.identifier, 'npystore:not_found'));
% the MEX's slice and map-block buffers: r(...) of C- and Fortran-order and 0-d
% files, and MappedFile's indexed reads and writes
S = reshape(1:60, 5, 4, 3);
for order = 'CF'
  q = store.put(S, 'path', ['slice' order '.npy'], 'order', order);
  assert(isequal(q(2:4, :, [3 1]), S(2:4, :, [3 1])) && isequal(q(7), S(7)));
  mm = q.mmap('r+');
  mm.Data.x(2, 3, 1) = -1;
  assert(mm.Data.x(2, 3, 1) == -1);
  delete(mm);
end
s0 = store.put(2.5, 'path', 'slice0.npy', 'shape', []);
assert(s0(1) == 2.5);
% progress: the library's helper thread and the Ctrl+C check (loads over 1 MiB),
% progress functions called back through the MEX, a cancel from one
L = reshape(1:2^17 + 8, [], 8);
big = store.put(L, 'path', 'big.npy', 'order', 'C');
assert(isequal(big.load(), L) && isequal(big.load('progress', @(d, t) false), L));
assert(isequal(big.readRows(1), L) && isequal(big.readRows(3, 8000), L(3:8002, :)));
assert(isequal(big.readRows(2, 'progress', @(d, t) false), L(2:end, :)));
big.progress = @(d, t) false;
assert(isequal(big(:, [8 1]), L(:, [8 1])));
v = store.loadMany({big, h}, 'progress', @(d, t) false);
assert(isequal(v{1}, L) && isequal(v{2}, int16(1:5)));
mm = big.mmap('r', 'progress', @(d, t) false);
assert(isequal(mm.Data.x(1:3, 1), L(1, 1:3)'));
delete(mm);
try
  big.load('progress', @(d, t) error('npystore_test:boom', 'boom'));
  error('npystore_test:no_error', 'a failing progress function did not stop the load');
catch err
  assert(strcmp(err.identifier, 'npystore_test:boom'), err.identifier);
end
fprintf('in_place_smoke: ok\n');
end
