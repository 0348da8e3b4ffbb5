function tests = test_shapes()
% The 'shape' and 'order' options of put, and what load gives back.
tests = {@vector_shapes, @scalar_shapes, @reshape_option, @c_order_nd, @raw_reverses_c_order, ...
         @empty_arrays, @trailing_singletons, @large_nd};
end

function vector_shapes(ctx)
v = (1:5)';
assert(isequal(ctx.store.put(v, 'path', 'a.npy').shape, [5 1]));
assert(isequal(ctx.store.put(v', 'path', 'b.npy').shape, [1 5]));
r = ctx.store.put(v', 'path', 'c.npy', 'shape', 5);
assert(isequal(r.shape, 5) && r.ndim == 1);
assert(isequal(r.load(), v), '1-d loads as a column');
end

function scalar_shapes(ctx)
assert(isequal(ctx.store.put(7, 'path', 'a.npy').shape, [1 1]));
r = ctx.store.put(7, 'path', 'b.npy', 'shape', []);
assert(r.ndim == 0 && isempty(r.shape) && r.numel == 1);
assert(isequal(r.load(), 7) && isequal(r.load('raw'), 7));
end

function reshape_option(ctx)
A = reshape(1:12, 3, 4);
r = ctx.store.put(A, 'path', 'a.npy', 'shape', [2 6]);
assert(isequal(r.load(), reshape(A, 2, 6)));
r = ctx.store.put(A, 'path', 'b.npy', 'shape', [2 6], 'order', 'C');
assert(isequal(r.load(), reshape(A, 2, 6)));
expect_error(@() ctx.store.put(A, 'path', 'c.npy', 'shape', [5 2]), 'npystore:shape');
end

function c_order_nd(ctx)
A = reshape(single(1:60), 3, 4, 5);
r = ctx.store.put(A, 'path', 'a.npy', 'order', 'C');
assert(isequal(r.shape, [3 4 5]) && strcmp(r.dtype, 'float32'));
assert(isequal(r.load(), A));
end

function raw_reverses_c_order(ctx)
A = reshape(1:24, 2, 3, 4);
c = ctx.store.put(A, 'path', 'c.npy', 'order', 'C');
f = ctx.store.put(A, 'path', 'f.npy');
assert(isequal(c.load('raw'), permute(A, [3 2 1])));
assert(isequal(f.load('raw'), A));
% a (3,1) C-order file still reverses, though both orders hold the same bytes
r = ctx.store.put((1:3)', 'path', 'v.npy', 'order', 'C');
assert(isequal(size(r.load('raw')), [1 3]) && isequal(r.load(), (1:3)'));
% a reference from JSON learns the order from the header first
assert(isequal(ctx.store.ref(c.json).load('raw'), permute(A, [3 2 1])));
expect_error(@() c.load('bogus'), 'npystore:invalid_argument');
end

function empty_arrays(ctx)
for sz = {[0 0], [0 3], [3 0], [2 0 4]}
  A = zeros(sz{1}, 'int32');
  for order = 'CF'
    r = ctx.store.put(A, 'path', sprintf('e%d_%s.npy', numel(sz{1}), order), 'order', order, 'overwrite', true);
    B = r.load();
    assert(isequal(size(B), sz{1}) && isa(B, 'int32') && r.nbytes == 0);
  end
end
end

function trailing_singletons(ctx)
% numpy (2,3,1) loads as 2x3: MATLAB drops trailing singleton dimensions
r = ctx.store.put(ones(2, 3), 'path', 'a.npy', 'shape', [2 3 1]);
assert(isequal(r.shape, [2 3 1]) && isequal(size(r.load()), [2 3]));
end

function large_nd(ctx)
A = rand(4, 3, 2, 5);
for order = 'CF'
  r = ctx.store.put(A, 'path', ['a' order '.npy'], 'order', order);
  assert(isequal(r.load(), A));
  assert(isequal(r.readRows(2, 2), A(2:3, :, :, :)));
end
end
