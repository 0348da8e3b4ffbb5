function tests = test_numpy_roundtrip()
% Files numpy wrote load equal in Octave; files Octave wrote load equal (and
% byte-identical to numpy.save) in numpy: every dtype, both orders, 0-d, empty, N-d.
tests = {};
for dtype = {'float64', 'float32', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', ...
             'uint32', 'uint64', 'bool', 'complex128', 'complex64', '>f8', '>i2', '>c16', ...
             'float16', 'datetime64[s]'}
  d = dtype{1};
  tests{end + 1} = {['numpy_to_octave ' d], @(ctx) numpy_to_octave(ctx, d)};
  if isempty(regexp(d, '^>|16$|\[', 'once')) || any(strcmp(d, {'int16', 'uint16'}))
    tests{end + 1} = {['octave_to_numpy ' d], @(ctx) octave_to_numpy(ctx, d)};
  end
end
tests = [tests, {@unicode_from_numpy, @char_to_numpy}];
end

function numpy_to_octave(ctx, dtype)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
cases = numpy_cases(ctx, dtype);
for i = 1:size(cases, 1)
  [name, shape, order] = cases{i, :};
  r = store.open(name);
  want = expected_values(dtype, shape);
  assert(isequal(r.shape, shape), '%s: shape', name);
  assert(strcmp(r.dtype, dtype), '%s: dtype %s', name, r.dtype);
  A = r.load();
  % Octave (not MATLAB) returns empty complex arrays as real ones
  octave_empty = isempty(want) && exist('OCTAVE_VERSION', 'builtin');
  assert(strcmp(class(A), class(want)) && (iscomplex(A) == iscomplex(want) || octave_empty), ...
         '%s: class %s', name, class(A));
  assert(isequal(size(A), size(want)) && isequal(A, want), '%s: values', name);
  raw = r.load('raw');
  if strcmp(order, 'C') && numel(shape) >= 2
    want = permute(want, numel(shape):-1:1);
  end
  assert(isequal(size(raw), size(want)) && isequal(raw, want), '%s: raw', name);
end
end

function octave_to_numpy(ctx, dtype)
shapes = {zeros(1, 0), 0, 5, [2 3], [3 1], [1 3], [2 3 4], [0 3], [2 1 3]};
lines = {};
for s = 1:numel(shapes)
  for order = 'CF'
    shape = shapes{s};
    name = sprintf('%s_%s_%s.npy', dtype, strjoin(arrayfun(@num2str, shape, 'UniformOutput', false), 'x'), order);
    ctx.store.put(expected_values(dtype, shape), 'path', name, 'shape', shape, 'order', order);
    lines{end + 1} = sprintf('%s\t%s\t%s\t%s', name, dtype, strjoin(arrayfun(@num2str, shape, 'UniformOutput', false), ','), order);
  end
end
fid = fopen(fullfile(ctx.dir, 'cases.tsv'), 'w');
fprintf(fid, '%s\n', lines{:});
fclose(fid);
run_python(ctx, 'check', ctx.dir);
end

function unicode_from_numpy(ctx)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
assert(isequal(store.open('unicode.npy').load(), ['a  '; 'bcd'; 'ef ']));
assert(isequal(store.open('unicode0d.npy').load(), 'hello'));
assert(isequal(store.open('unicode_be.npy').load(), ['a  '; 'bcd'; 'ef ']), 'big-endian unicode');
end

function char_to_numpy(ctx)
ctx.store.put('hello', 'path', 's0.npy');
ctx.store.put(['ab '; 'cde'], 'path', 's1.npy');
script = sprintf(['import numpy as np; a = np.load("%s/s0.npy"); b = np.load("%s/s1.npy"); ' ...
                  'assert a.shape == () and a.dtype == "<U5" and a == "hello", a; ' ...
                  'assert b.dtype == "<U3" and list(b) == ["ab", "cde"], b'], ctx.dir, ctx.dir);
[status, out] = system(sprintf('"%s" -c ''%s'' 2>&1', ctx.python, script));
assert(status == 0, out);
end
