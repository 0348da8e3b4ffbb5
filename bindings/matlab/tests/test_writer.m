function tests = test_writer()
% The streaming writer (when the library has it) or its clear refusal.
if npystore_mex('has_writer')
  tests = {@writer_blocks, @writer_vector, @writer_numpy, @writer_errors, @writer_abort};
else
  tests = {@writer_unsupported};
end
end

function writer_unsupported(ctx)
expect_error(@() ctx.store.writer('path', 'w.npy'), 'npystore:unsupported');
end

function writer_blocks(ctx)
w = ctx.store.writer('path', 'w.npy', 'class', 'single', 'rowSize', [2 3]);
A = reshape(single(1:60), 2, 3, 10);
w.append(A(:, :, 1:4));
w.append(A(:, :, 5));
w.append(A(:, :, 6:10));
assert(w.rows == 10);
r = w.finish();
assert(isequal(r.shape, [2 3 10]) && strcmp(r.dtype, 'float32'));
assert(isequal(r.load(), A));
end

function writer_vector(ctx)
w = ctx.store.writer('schema', 's', 'table', 't', 'key', struct('id', 1), 'attribute', 'trace', ...
                     'class', 'int16');
w.append(int16(1:3));
w.append(int16([4; 5]));
r = w.finish();
assert(isequal(r.shape, 5) && isequal(r.load(), int16(1:5)'));
assert(strncmp(r.path, '_schema/s/t/id=1/trace_', 23), r.path);
end

function writer_numpy(ctx)
w = ctx.store.writer('path', 'c.npy', 'complex', true, 'rowSize', 3);
w.append(complex(reshape(1:6, 3, 2), 1));
w.finish();
script = sprintf(['import numpy as np; a = np.load("%s/c.npy"); ' ...
                  'assert a.shape == (3, 2) and a.dtype == np.complex128, a; ' ...
                  'assert (a == np.arange(1, 7).reshape(2, 3).T + 1j).all(), a'], ctx.dir);
[status, out] = system(sprintf('"%s" -c ''%s'' 2>&1', ctx.python, script));
assert(status == 0, out);
end

function writer_errors(ctx)
w = ctx.store.writer('path', 'e.npy', 'rowSize', 4);
expect_error(@() w.append(single(1:4)), 'npystore:dtype');
expect_error(@() w.append(1:3), 'npystore:shape');
w.append(zeros(4, 2));
w.finish();
expect_error(@() w.append(zeros(4, 1)), 'npystore:state');
expect_error(@() ctx.store.writer('path', 'e.npy'), 'npystore:already_exists');
end

function writer_abort(ctx)
w = ctx.store.writer('path', 'a.npy');
w.append(1:3);
w.abort();
assert(~ctx.store.exists('a.npy'));
w2 = ctx.store.writer('path', 'b.npy');
w2.append(1);
clear w2 % deleting an unfinished writer aborts it
assert(~ctx.store.exists('b.npy'));
end
