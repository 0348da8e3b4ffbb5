function tests = test_rows_mmap()
% readRows and mmap.
tests = {@rows_both_orders, @rows_vector, @rows_errors, @mmap_reads, @mmap_writes, ...
         @mmap_refuses};
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
