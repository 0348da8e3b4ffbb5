function tests = test_in_place()
% Octave's in-place loader (npystore_oct, behind Ref.load and Ref.readRows): it
% serves every native-endian numeric, logical and complex file numpy wrote, with
% the same result as the MEX path; it hands every other case to the MEX path; its
% errors carry the same identifiers. MATLAB has no oct-files: no tests there.
tests = {};
if ~exist('OCTAVE_VERSION', 'builtin'), return; end
tests = {@built_and_found};
for dtype = {'float64', 'float32', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', ...
             'uint32', 'uint64', 'bool', 'complex128', 'complex64'}
  d = dtype{1};
  tests{end + 1} = {['serves ' d], @(ctx) serves(ctx, d)};
end
for dtype = {'>f8', '>i2', '>c16', 'float16', 'datetime64[s]'}
  d = dtype{1};
  tests{end + 1} = {['hands over ' d], @(ctx) hands_over(ctx, d)};
end
tests = [tests, {@hands_over_unicode, @rows_out_of_range, @stale_and_foreign_ids, ...
                 @errors_carry_identifiers, @bad_usage}];
end

function built_and_found(~)
assert(exist('npystore_oct', 'file') == 3, 'npystore_oct.oct is not on the path');
end

function serves(ctx, dtype)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
cases = numpy_cases(ctx, dtype);
for i = 1:size(cases, 1)
  [name, shape] = cases{i, 1:2};
  r = store.open(name);
  for raw = [0 1]
    [A, done] = npystore_oct('load', r.id, raw);
    assert(done, '%s: not served in place', name);
    same_as_mex(A, npystore_mex('load', r.id, raw), sprintf('%s raw=%d', name, raw));
  end
  if numel(shape) >= 1 && shape(1) >= 2
    [B, done] = npystore_oct('read_rows', r.id, 1, shape(1) - 1);
    assert(done, '%s: rows not served in place', name);
    same_as_mex(B, npystore_mex('read_rows', r.id, 1, shape(1) - 1), [name ' rows']);
  end
end
end

function same_as_mex(A, want, what)
assert(strcmp(class(A), class(want)) && iscomplex(A) == iscomplex(want), ...
       '%s: class %s, MEX gives %s', what, class(A), class(want));
assert(isequal(size(A), size(want)) && isequal(A, want), '%s: values differ from the MEX path', what);
end

function hands_over(ctx, dtype)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
cases = numpy_cases(ctx, dtype);
for i = 1:size(cases, 1)
  r = store.open(cases{i, 1});
  [A, done] = npystore_oct('load', r.id, 0);
  assert(~done && isempty(A), '%s: %s must take the MEX path', cases{i, 1}, dtype);
end
end

function hands_over_unicode(ctx)
r = ctx.store.put(['ab'; 'cd'], 'path', 'u.npy');
[~, done] = npystore_oct('load', r.id, 0);
assert(~done);
assert(isequal(r.load(), ['ab'; 'cd']));
end

function rows_out_of_range(ctx)
r = ctx.store.put(reshape(1:6, 3, 2), 'path', 'a.npy');
for args = {{3, 1}, {0, 4}, {-1, 1}, {0.5, 1}, {0, 'x'}}
  [~, done] = npystore_oct('read_rows', r.id, args{1}{:});
  assert(~done, 'rows out of range go to the MEX path, which names the problem');
end
expect_error(@() r.readRows(3, 2), 'npystore:invalid_argument');
z = ctx.store.put(5, 'path', 'z.npy', 'shape', []);
[~, done] = npystore_oct('read_rows', z.id, 0, 1);
assert(~done);
expect_error(@() z.readRows(1, 1), 'npystore:shape');
end

function stale_and_foreign_ids(ctx)
r = ctx.store.put(1:3, 'path', 'a.npy');
id = r.id;
delete(r);
for bad = {id, ctx.store.id, -1, NaN, 2^60, 'a', [1 2], int32(1)}
  [A, done] = npystore_oct('load', bad{1}, 0);
  assert(~done && isempty(A), 'an id that names no live reference resolves to nothing');
end
end

function errors_carry_identifiers(ctx)
r = ctx.store.put(magic(4), 'path', 'a.npy');
ctx.store.remove('a.npy');
expect_error(@() npystore_oct('load', r.id, 0), 'npystore:not_found');
expect_error(@() r.load(), 'npystore:not_found');
% a reference whose JSON promises another shape than the stored object has
r = ctx.store.put(magic(4), 'path', 'b.npy');
lie = ctx.store.ref(strrep(r.json, '[4, 4]', '[2, 8]'));
assert(~strcmp(lie.json, r.json), 'the test JSON did not change');
expect_error(@() npystore_oct('load', lie.id, 0), 'npystore:mismatch');
end

function bad_usage(~)
expect_error(@() npystore_oct(), 'Octave:invalid-fun-call');
expect_error(@() npystore_oct('load', 1), 'Octave:invalid-fun-call');
expect_error(@() npystore_oct('bogus', 1, 2), 'Octave:invalid-fun-call');
end
