function tests = test_mapped_index()
% npystore.MappedFile (Octave's memmapfile stand-in): m.Data.x(...) reads only the
% block spanning its index, m.Data.x(...) = V writes only the indexed elements.
if exist('memmapfile', 'file') || exist('memmapfile', 'class')
  tests = {};  % MATLAB: r.mmap() is memmapfile itself
  return;
end
tests = {@indexed_reads, @indexed_writes_touch_only_their_bytes, @indexed_write_errors};
end

function indexed_reads(ctx)
A = reshape(int32(1:120), 4, 5, 6);
for order = 'CF'
  r = ctx.store.put(A, 'path', [order '.npy'], 'order', order);
  m = r.mmap();
  R = r.load('raw');
  X = m.Data.x;
  assert(isequal(X, R));
  assert(isequal(m.Data.x(2, 3, 4), R(2, 3, 4)));
  assert(isequal(m.Data.x(:, end, 2:3), R(:, end, 2:3)));
  assert(isequal(m.Data.x([9 1; 100 120]), R([9 1; 100 120])));
  assert(isequal(m.Data.x(3, 11), R(3, 11)));
  assert(isequal(m.Data.x(:), R(:)));
  assert(isequal(m.Data.x(2, :, 1)(3), R(2, 3, 1)));
  expect_error(@() m.Data.x(1, 1, 7), 'npystore:invalid_argument');
end
end

function indexed_writes_touch_only_their_bytes(ctx)
A = reshape(1:24, 4, 6);
r = ctx.store.put(A, 'path', 'w.npy', 'order', 'F');
file = fullfile(ctx.dir, 'w.npy');
before = file_bytes(file);
m = r.mmap('r+');
m.Data.x(3, 5) = -7;
after = file_bytes(file);
k = m.Offset + ((5 - 1) * 4 + 3 - 1) * 8;     % the element's bytes in the file
changed = find(before ~= after);
assert(~isempty(changed) && all(changed > k & changed <= k + 8), 'bytes %s changed', num2str(changed'));
assert(isequal(after(k + 1:k + 8), typecast(-7, 'uint8')'));
A(3, 5) = -7;
assert(isequal(ctx.store.open('w.npy').load(), A));
m.Data.x(:, 2) = [10; 20; 30; 40];          % a column, one value per element
m.Data.x(1, [1 6]) = 0;                     % a scalar to two elements
A(:, 2) = [10; 20; 30; 40];
A(1, [1 6]) = 0;
assert(isequal(ctx.store.open('w.npy').load(), A));
assert(isequal(m.Data.x, A));
end

function indexed_write_errors(ctx)
r = ctx.store.put(zeros(2, 2), 'path', 'e.npy');
ro = r.mmap('r');
expect_error(@() assign(ro, 1, 5), 'npystore:permission_denied');
rw = r.mmap('r+');
expect_error(@() assign(rw, 1:2, [1 2 3]), 'npystore:shape');
expect_error(@() assign(rw, 5, 1), 'npystore:invalid_argument');
assert(isequal(r.load(), zeros(2, 2)), 'nothing was written');
end

function assign(m, k, v)
m.Data.x(k) = v;
end

function b = file_bytes(file)
f = fopen(file, 'r');
b = fread(f, Inf, '*uint8');
fclose(f);
end
