function tests = test_rows_mmap()
% readRows and mmap.
tests = {@rows_both_orders, @rows_vector, @rows_errors, @mmap_reads, @mmap_writes, ...
         @mmap_refuses, @mmap_is_the_checked_file, @mmap_check_catches_a_replaced_file};
end

function rows_both_orders(ctx)
A = reshape(1:60, 5, 4, 3);
for order = 'CF'
  r = ctx.store.put(A, 'path', [order '.npy'], 'order', order);
  assert(isequal(r.readRows(1, 5), A));
  assert(isequal(r.readRows(2, 3), A(2:4, :, :)));
  assert(isequal(size(r.readRows(5, 0)), [0 4 3]));
end
end

function rows_vector(ctx)
r = ctx.store.put(int16(10:19), 'path', 'v.npy', 'shape', 10);
assert(isequal(r.readRows(3, 4), int16(12:15)'));
end

function rows_errors(ctx)
r = ctx.store.put(zeros(4, 2), 'path', 'a.npy');
expect_error(@() r.readRows(4, 2), 'npystore:invalid_argument');
expect_error(@() r.readRows(0, 1), 'npystore:invalid_argument');
expect_error(@() r.readRows(1, -1), 'npystore:invalid_argument');
s = ctx.store.put(1, 'path', 's.npy', 'shape', []);
expect_error(@() s.readRows(1, 1), 'npystore:shape');
end

function mmap_reads(ctx)
A = reshape(1:24, 2, 3, 4);
for order = 'CF'
  r = ctx.store.put(A, 'path', [order '.npy'], 'order', order);
  m = r.mmap();
  assert(strcmp(m.Filename, fullfile(ctx.dir, [order '.npy'])), m.Filename);
  assert(mod(m.Offset, 64) == 0 && m.Offset > 0 && ~m.Writable);
  assert(isequal(m.Data.x, r.load('raw')));
end
r = ctx.store.put(logical([1 0; 0 1; 1 1]), 'path', 'b.npy');
b = r.mmap();
assert(isequal(b.Format{1}, 'uint8') && isequal(b.Data.x, uint8(r.load('raw'))));
end

function mmap_writes(ctx)
r = ctx.store.put(zeros(2, 2), 'path', 'a.npy');
m = r.mmap('r+');
m.Data = struct('x', [1 2; 3 4]);
assert(isequal(ctx.store.open('a.npy').load(), [1 2; 3 4]));
ro = r.mmap('r');
expect_error(@() set_data(ro), 'npystore:permission_denied');
end

function set_data(m)
m.Data = struct('x', zeros(2, 2));
end

function mmap_refuses(ctx)
expect_error(@() ctx.store.put(complex(1, 2), 'path', 'c.npy').mmap(), 'npystore:unsupported');
expect_error(@() ctx.store.put(zeros(0, 3), 'path', 'e.npy').mmap(), 'npystore:unsupported');
expect_error(@() ctx.store.put(1, 'path', 'm.npy').mmap('w'), 'npystore:invalid_argument');
end

function mmap_is_the_checked_file(ctx)
% The map is the file npystore checked beneath the store's location, never a reopen
% by name: repointing the location's link, or replacing the object, afterwards
% changes neither what m.Data reads nor where m.Data = ... writes. Filename names
% the mapped file itself (no link in it).
stores = struct();
for sub = {'a', 'b'}
  mkdir(fullfile(ctx.dir, sub{1}));
  stores.(sub{1}) = npystore.Store(config_for(fullfile(ctx.dir, sub{1})));
end
stores.a.put(ones(2, 2), 'path', 'x.npy');
stores.b.put(2 * ones(2, 2), 'path', 'x.npy');
loc = fullfile(ctx.dir, 'loc');
repoint(loc, 'a');
r = npystore.Store(config_for(loc)).open('x.npy');
m = r.mmap('r+');
repoint(loc, 'b'); % a link swapped in after the check
assert(strcmp(m.Filename, canonicalize_file_name(fullfile(ctx.dir, 'a', 'x.npy'))), m.Filename);
assert(isequal(m.Data.x, ones(2, 2)), 'reads the mapped file, not b');
m.Data = struct('x', [5 6; 7 8]);
assert(isequal(stores.b.open('x.npy').load(), 2 * ones(2, 2)), 'b is untouched');
assert(isequal(stores.a.open('x.npy').load(), [5 6; 7 8]), 'the write reached the mapped file');
ro = r.mmap('r');
stores.a.put(3 * ones(2, 2), 'path', 'x.npy', 'overwrite', true); % replaced at its name
assert(isequal(ro.Data.x, [5 6; 7 8]), 'the map keeps the file it mapped');
end

function mmap_check_catches_a_replaced_file(ctx)
% What Ref.mmap runs after MATLAB's memmapfile has reopened the file by name, with
% the checked map still alive: the name must still lead to the mapped file (same
% device and inode), else npystore:mismatch.
r = ctx.store.put(zeros(2, 2), 'path', 'a.npy');
where = npystore_mex('mmap', r.id, 'r');
release = onCleanup(@() npystore_mex('free', where.mapping));
npystore_mex('mapping_check', where.mapping);
ctx.store.put(ones(2, 2), 'path', 'a.npy', 'overwrite', true);
expect_error(@() npystore_mex('mapping_check', where.mapping), 'npystore:mismatch');
end

function c = config_for(location)
c = sprintf('{"stores": {"default": "main", "main": {"protocol": "file", "location": "%s"}}}', ...
            location);
end

function repoint(link, to)
% Point the symbolic link `link` at `to` (relative to its directory).
[st, out] = system(sprintf('rm -f ''%s'' && ln -s ''%s'' ''%s''', link, to, link));
assert(st == 0, out);
end
