function tests = test_slices()
% Reading parts of an array: r.readSlice, r(i, j, ...) and double(r), each checked
% against the same index of r.load().
tests = {@numpy_files_every_dtype, @random_blocks_both_orders, @index_forms, ...
         @read_slice_is_the_block, @vectors_and_scalars, @out_of_range, @refused_dtypes, ...
         @double_loads_all};
end

function numpy_files_every_dtype(ctx)
% Every file numpy wrote (every dtype, shape and order of numpy_side.py): each
% index form equals the load's.
store = npystore.Store(config_for(ctx.numpyDir));
lines = strsplit(strtrim(fileread(fullfile(ctx.numpyDir, 'cases.tsv'))), "\n");
for i = 1:numel(lines)
  f = strsplit(lines{i}, "\t", "CollapseDelimiters", false);
  r = store.open(f{1});
  A = r.load();
  same(A(:, :), r(:, :), f{1});
  same(A(:), r(:), f{1});
  if isempty(A), continue; end
  same(A(end), r(end), f{1});
  same(A(1, end), r(1, end), f{1});
  same(A(end:-1:1), r(end:-1:1), f{1});
  if ndims(A) == 3
    same(A(end, :, 2:end), r(end, :, 2:end), f{1});
    same(A(:, end, :), r.readSlice(':', size(A, 2), ':'), f{1});
  end
end
end

function random_blocks_both_orders(ctx)
% Random blocks and random index vectors of random shapes, C and Fortran order.
rand('seed', 16);
classes = {'double', 'single', 'int16', 'uint8', 'int64', 'logical'};
for trial = 1:24
  nd = 1 + mod(trial, 4);
  shape = 1 + floor(rand(1, nd) * 6);
  A = reshape(mod(0:prod(shape) - 1, 97), [shape 1]);
  cls = classes{1 + mod(trial, numel(classes))};
  if strcmp(cls, 'logical'), A = mod(A, 2) == 1; else, A = cast(A, cls); end
  for order = 'CF'
    r = ctx.store.put(A, 'path', sprintf('%d%s.npy', trial, order), 'shape', shape, 'order', order);
    M = r.load();
    block = cell(1, nd);
    picks = cell(1, nd);
    for k = 1:nd
      lo = 1 + floor(rand() * shape(k));
      hi = lo + floor(rand() * (shape(k) - lo + 1));
      block{k} = lo:hi;
      picks{k} = 1 + floor(rand(1, 3) * shape(k));  % repeats, any order
    end
    label = sprintf('trial %d %s %s [%s]', trial, order, cls, num2str(shape));
    same(M(block{:}), r.readSlice(block{:}), label);
    same(M(block{:}), r(block{:}), label);
    same(M(picks{:}), r(picks{:}), label);
  end
end
end

function index_forms(ctx)
% MATLAB's rules: linear indexing, fewer subscripts than dimensions, logical masks,
% trailing 1s, empty indices, end, indexing into the result.
A = reshape(1:120, 4, 5, 6);
for order = 'CF'
  r = ctx.store.put(A, 'path', [order '.npy'], 'order', order);
  same(A(7), r(7), order);
  same(A([3 9; 40 1]), r([3 9; 40 1]), order);
  same(A(2, 7), r(2, 7), order);           % second subscript spans dims 2 and 3
  same(A(2:3, [30 1 12]), r(2:3, [30 1 12]), order);
  same(A(:, end), r(:, end), order);
  same(A(end, end, end), r(end, end, end), order);
  same(A(2, 3, 4, 1, 1), r(2, 3, 4, 1, 1), order);
  same(A(logical([1 0 1 1]), 2, :), r(logical([1 0 1 1]), 2, :), order);
  same(A(A(:) > 115), r(A(:) > 115), order);
  same(A([], 2, :), r([], 2, :), order);
  same(A(2:1, :), r(2:1, :), order);
  same(A(1:2, 3, 4), r.readSlice(1:2, 3, 4), order);
  assert(isequal(r(2, :, 3)(4), A(2, 4, 3)));
  assert(r.ndim == 3 && isequal(r.shape, [4 5 6]));  % properties still work
end
M = reshape(1:12, 3, 4);
r = ctx.store.put(M, 'path', 'm.npy');
same(M(1, :), r(1, :), 'row');
same(M(:, 2)', r(:, 2)', 'column');
same(M([1 5 12]), r([1 5 12]), 'linear row');
same(M([1; 5]), r([1; 5]), 'linear column');
same(M(logical([1 0 1])), r(logical([1 0 1])), 'logical row');
end

function read_slice_is_the_block(ctx)
% A time window of a Fortran-order channels x samples recording, and one channel.
X = int16(reshape(0:16 * 1000 - 1, 16, 1000));
r = ctx.store.put(X, 'path', 'rec.npy', 'order', 'F');
same(X(:, 101:200), r.readSlice(':', 101:200), 'time window');
same(X(3, :), r.readSlice(3, ':'), 'one channel');
same(X(3:5, 990:1000), r(3:5, 990:end), 'block');
end

function vectors_and_scalars(ctx)
v = ctx.store.put(int32(10:19), 'path', 'v.npy', 'shape', 10);
V = v.load();
same(V(3:5), v(3:5), 'vector');
same(V(3:5, 1), v.readSlice(3:5), 'readSlice of a vector');
same(V([2 4]'), v([2 4]'), 'column index');
same(V([2 4]), v([2 4]), 'row index on a column');
s = ctx.store.put(7.5, 'path', 's.npy', 'shape', []);
same(7.5, s(1), '0-d');
same([7.5 7.5], s([1 1]), '0-d repeated');
same(7.5, s.readSlice(1), '0-d readSlice');
end

function out_of_range(ctx)
r = ctx.store.put(zeros(4, 3), 'path', 'a.npy');
expect_error(@() r(5, 1), 'npystore:invalid_argument');
expect_error(@() r(1, 4), 'npystore:invalid_argument');
expect_error(@() r(13), 'npystore:invalid_argument');
expect_error(@() r(0, 1), 'npystore:invalid_argument');
expect_error(@() r(1.5, 1), 'npystore:invalid_argument');
expect_error(@() r(1, 1, 2), 'npystore:invalid_argument');
expect_error(@() r(logical([0 0 0 0 1]), 1), 'npystore:invalid_argument');
expect_error(@() r.readSlice(1:5, ':'), 'npystore:invalid_argument');
expect_error(@() r.readSlice(1), 'npystore:invalid_argument');        % one per axis
expect_error(@() r.readSlice([1 3], 1), 'npystore:invalid_argument'); % a gap
expect_error(@() r.readSlice([2 1], 1), 'npystore:invalid_argument'); % reversed
expect_error(@() npystore_mex('read_slice', r.id, [3 0], [2 3]), 'npystore:invalid_argument');
expect_error(@() npystore_mex('read_slice', r.id, 0, 1), 'npystore:invalid_argument');
end

function refused_dtypes(ctx)
% Object arrays only: every other dtype reads its parts (test_dtypes).
store = npystore.Store(config_for(ctx.numpyDir));
expect_error(@() store.open('object.npy')(1), 'npystore:object_dtype');
expect_error(@() store.open('object.npy').readSlice(1:2), 'npystore:object_dtype');
assert(isequal(store.open('unicode.npy')(2), 'bcd'), 'a unicode element');
end

function double_loads_all(ctx)
A = int16(reshape(1:6, 2, 3));
r = ctx.store.put(A, 'path', 'd.npy', 'order', 'C');
assert(isequal(double(r), double(A)) && isa(double(r), 'double'));
end

function same(want, got, label)
assert(isequal(size(want), size(got)), '%s: size [%s], expected [%s]', label, ...
       num2str(size(got)), num2str(size(want)));
assert(strcmp(class(want), class(got)), '%s: class %s, expected %s', label, class(got), class(want));
assert(isequaln(want, got), '%s: values differ', label);
end

function c = config_for(location)
c = sprintf('{"stores": {"default": "main", "main": {"protocol": "file", "location": "%s"}}}', ...
            location);
end
