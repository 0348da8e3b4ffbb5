function tests = test_habits()
% What a new MATLAB user tries: strings for text, jsondecode's structs, cells of
% text, char matrices, wrong writer classes, open-ended readRows, odd keys, and one
% message prefix for every error.
tests = {@string_arguments, @ref_from_jsondecode, @ref_from_bad_struct, @cell_to_unicode, ...
         @cell_refused_elements, @char_matrix_without_padding, @writer_bad_class, ...
         @read_rows_to_the_end, @key_beyond_flintmax, @key_not_finite, @object_dtype, ...
         @one_prefix_for_every_error, @every_status_documented, @bench_baseline_same_bytes};
end

function string_arguments(ctx)
% Octave has no string class: a stand-in class named string (tests/fake_string)
% goes through the same isa(x, 'string') the binding tests.
addpath(fullfile(ctx.here, 'fake_string'));
restore = onCleanup(@() rmpath(fullfile(ctx.here, 'fake_string')));
S = @(t) string(t);
assert(isa(S('x'), 'string'));
store = npystore.Store(S(ctx.config), S('main'));
A = magic(3);
r = store.put(A, S('path'), S('x.npy'), S('order'), S('C'));
assert(isequal(r.load(), A) && isequal(r.readRows(2, 1), A(2, :)));
B = [];
shown = evalc('B = r.load(S(''progress''), S(''bar''));');
assert(isequal(B, A) && ~isempty(strfind(shown, 'npystore: load [')), 'the bar: %s', shown);
assert(store.exists(S('x.npy')));
assert(isequal(store.open(S('x.npy')).load(S('raw')), A'));
m = store.open(S('x.npy')).mmap(S('r'));
assert(isequal(m.Data.x, A'));
assert(isequal(store.put(A, 'PATH', 'y.npy', 'Order', 'c').load(), A), 'option names match in any case');
k = store.put(1, S('schema'), S('s'), S('table'), S('t'), S('key'), struct('subject', S('m01')), ...
              S('attribute'), S('v'));
assert(~isempty(strfind(k.path, '/subject=m01/')), k.path);
assert(isequal(store.ref(S(r.json)).load(), A));
h = store.put(S('hello'), 'path', 'h.npy');
assert(strcmp(h.dtype, '<U5') && isempty(h.shape) && strcmp(h.load(), 'hello'));
c = store.put({S('ab'), 'c'}, 'path', 'c.npy', 'shape', 2);
python_check(ctx, 'assert list(np.load(D + "/c.npy")) == ["ab", "c"]');
if npystore_mex('has_writer')
  w = store.writer(S('path'), S('w.npy'), S('class'), S('int16'));
  w.append(int16(1:3));
  assert(isequal(w.finish().load(), int16(1:3)'));
end
store.remove(S('x.npy'));
assert(~store.exists('x.npy'));
end

function ref_from_jsondecode(ctx)
shapes = {[2 3], 5, zeros(1, 0), [0 4]};
for i = 1:numel(shapes)
  shape = shapes(i);
  A = reshape(1:prod(shape{1}), [shape{1}, 1, 1]);
  r = ctx.store.put(A, 'path', sprintf('a%d.npy', i), 'shape', shape{1});
  s = jsondecode(r.json);
  r2 = ctx.store.ref(s);
  assert(strcmp(r2.json, r.json), '%s vs %s', r2.json, r.json);
  assert(isequal(r2.shape, r.shape) && isequal(r2.load(), r.load()));
end
end

function ref_from_bad_struct(ctx)
r = ctx.store.put(1:3, 'path', 'a.npy');
s = jsondecode(r.json);
expect_error(@() ctx.store.ref([s s]), 'npystore:invalid_argument');
bad = s; bad.shape = [1 2.5];
expect_error(@() ctx.store.ref(bad), 'npystore:json');
wrong = s; wrong.shape = [3 1];
expect_error(@() ctx.store.ref(wrong).load(), 'npystore:mismatch');
expect_error(@() ctx.store.ref(rmfield(s, 'path')), 'npystore:json');
end

function cell_to_unicode(ctx)
ctx.store.put({'a', 'bcd'; 'ef', ''}, 'path', 'f.npy');
ctx.store.put({'a', 'bcd'; 'ef', ''}, 'path', 'c.npy', 'order', 'C');
ctx.store.put({'x', 'yz ', 'w'}, 'path', 'v.npy', 'shape', 3);
ctx.store.put({}, 'path', 'e.npy');
python_check(ctx, ['import io; want = np.array([["a", "bcd"], ["ef", ""]]); ' ...
  'f = np.load(D + "/f.npy"); c = np.load(D + "/c.npy"); ' ...
  'assert f.dtype == "<U3" and f.shape == (2, 2) and (f == want).all() and f.flags.f_contiguous, f; ' ...
  'assert c.dtype == "<U3" and (c == want).all() and c.flags.c_contiguous, c; ' ...
  'b = io.BytesIO(); np.save(b, np.asfortranarray(want)); assert open(D + "/f.npy", "rb").read() == b.getvalue(); ' ...
  'b = io.BytesIO(); np.save(b, want); assert open(D + "/c.npy", "rb").read() == b.getvalue(); ' ...
  'v = np.load(D + "/v.npy"); assert v.shape == (3,) and list(v) == ["x", "yz ", "w"], v; ' ...
  'e = np.load(D + "/e.npy"); assert e.shape == (0, 0) and e.dtype.kind == "U", e']);
end

function cell_refused_elements(ctx)
expect_error(@() ctx.store.put({'a', 1}, 'path', 'a.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put({'a', ['b'; 'c']}, 'path', 'a.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put({'a', {'b'}}, 'path', 'a.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put({'a', 'b'}, 'path', 'a.npy', 'shape', 3), 'npystore:shape');
assert(~ctx.store.exists('a.npy'));
end

function char_matrix_without_padding(ctx)
r = ctx.store.put(['ab '; 'cde'; 'f  '], 'path', 'm.npy');
ctx.store.put(['a '; 'b '], 'path', 'n.npy');
ctx.store.put('hi ', 'path', 'row.npy');
python_check(ctx, ['import io; m = np.load(D + "/m.npy"); ' ...
  'assert m.dtype == "<U3" and list(m) == ["ab", "cde", "f"], m; ' ...
  'b = io.BytesIO(); np.save(b, np.array(["ab", "cde", "f"])); assert open(D + "/m.npy", "rb").read() == b.getvalue(); ' ...
  'n = np.load(D + "/n.npy"); assert n.dtype == "<U1" and list(n) == ["a", "b"], n; ' ...
  'w = np.load(D + "/row.npy"); assert w.shape == () and w == "hi ", w']);
assert(isequal(r.load(), ['ab '; 'cde'; 'f  ']), 'loads pad with spaces again, as char() does');
end

function writer_bad_class(ctx)
if ~npystore_mex('has_writer'), return; end
for bad = {'char', 'float32', 'cell', 42}
  expect_error(@() ctx.store.writer('path', 'w.npy', 'class', bad{1}), 'npystore:dtype');
end
try
  ctx.store.writer('path', 'w.npy', 'class', 'float32');
catch err
  assert(~isempty(strfind(err.message, '''single''')), err.message);
end
expect_error(@() ctx.store.writer('path', 'w.npy', 'class', 'int16', 'complex', true), 'npystore:dtype');
expect_error(@() ctx.store.writer('path', 'w.npy', 'complex', 'yes'), 'npystore:invalid_argument');
expect_error(@() ctx.store.writer('path', 'w.npy', 'rowSize', 'x'), 'npystore:invalid_argument');
assert(~ctx.store.exists('w.npy'));
end

function read_rows_to_the_end(ctx)
r = ctx.store.put((1:10)', 'path', 'v.npy', 'shape', 10);
assert(isequal(r.readRows(4), (4:10)'));
assert(isequal(size(r.readRows(11)), [0 1]));
expect_error(@() r.readRows(12), 'npystore:invalid_argument');
M = reshape(1:24, 4, 6);
for order = 'CF'
  m = ctx.store.put(M, 'path', [order '.npy'], 'order', order);
  assert(isequal(m.readRows(3), M(3:4, :)));
end
s = ctx.store.put(1, 'path', 's.npy', 'shape', []);
expect_error(@() s.readRows(1), 'npystore:shape');
end

function r = key_put(ctx, v)
r = ctx.store.put(1, 'schema', 's', 'table', 't', 'key', struct('k', v), 'attribute', 'a');
end

function key_beyond_flintmax(ctx)
for v = {2^53 + 2, -(2^53 + 2), 2^63, single(2^24 + 2)}
  expect_error(@() key_put(ctx, v{1}), 'npystore:invalid_argument');
end
assert(~isempty(strfind(key_put(ctx, int64(2)^53 + 2).path, '/k=9007199254740994/')));
assert(~isempty(strfind(key_put(ctx, uint64(2)^63).path, '/k=9223372036854775808/')));
assert(~isempty(strfind(key_put(ctx, 2^53).path, '/k=9007199254740992/')));
assert(~isempty(strfind(key_put(ctx, 2^64).path, '/k=1.8446744073709552e+19/')), 'no integer key holds 2^64: a float');
end

function key_not_finite(ctx)
for v = {NaN, Inf, -Inf, single(NaN)}
  expect_error(@() key_put(ctx, v{1}), 'npystore:invalid_argument');
end
end

function object_dtype(ctx)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
expect_error(@() store.open('object.npy').load(), 'npystore:object_dtype');
end

function one_prefix_for_every_error(ctx)
% MEX, Octave's in-place loader and the .m classes raise errors the same way.
r = ctx.store.put(zeros(64, 64), 'path', 't.npy');
f = fopen(fullfile(ctx.dir, 't.npy'), 'r+'); fseek(f, 0, 'eof'); n = ftell(f); fclose(f);
truncate(fullfile(ctx.dir, 't.npy'), n - 8);
calls = {@() ctx.store.open('none.npy'), @() ctx.store.put(1, 'path', '../x.npy'), ...
         @() ctx.store.put(1, 'nosuch', 1), @() ctx.store.put({1}, 'path', 'a.npy'), ...
         @() ctx.store.ref('{bad'), @() npystore.Store(3), @() npystore_mex('nope'), ...
         @() ctx.store.open('t.npy').load(), @() ctx.store.open('t.npy').readRows(1, 64), ...
         @() r.readRows(0), @() r.load('x'), @() r.mmap('w'), @() key_put(ctx, NaN), ...
         @() ctx.store.loadMany(3), @() ctx.store.loadMany({ctx.store.ref(strrep(r.json, 't.npy', 'u.npy'))})};
if npystore_mex('has_writer')
  calls{end + 1} = @() ctx.store.writer('path', 'w.npy', 'class', 'char');
end
for i = 1:numel(calls)
  try
    calls{i}();
    error('npystore_test:no_error', 'call %d succeeded', i);
  catch err
    assert(~isempty(regexp(err.identifier, '^npystore:[a-z_]+$', 'once')), 'call %d: identifier %s', i, err.identifier);
    assert(strncmp(err.message, 'npystore: ', 10) && isempty(strfind(err.message, 'npystore_mex: ')) ...
           && ~strncmp(err.message, 'npystore: npystore: ', 20), ...
           'call %d: message %s', i, err.message);
  end
end
end

function truncate(file, n)
f = fopen(file, 'r'); bytes = fread(f, n, '*uint8'); fclose(f);
f = fopen(file, 'w'); fwrite(f, bytes, 'uint8'); fclose(f);
end

function every_status_documented(ctx)
% Every status name of the library is an error code the MATLAB docs list.
header = fileread(fullfile(ctx.here, '..', '..', '..', 'include', 'npystore.h'));
codes = regexp(header, 'NPY_ERR_([A-Z_]+) =', 'tokens');
docs = fileread(fullfile(ctx.here, '..', '..', '..', 'docs', 'matlab.md'));
section = docs(strfind(docs, '## Errors'):end);
assert(numel(codes) > 15);
for c = codes
  name = lower(c{1}{1});
  assert(~isempty(strfind(section, ['`' name '`'])), 'docs/matlab.md does not list npystore:%s', name);
end
end

function bench_baseline_same_bytes(ctx)
% The plain-Octave writer the bench times writes the same bytes, in the same
% order, as the store.put it is compared with.
addpath(fullfile(ctx.here, '..', 'bench'));
restore = onCleanup(@() rmpath(fullfile(ctx.here, '..', 'bench')));
A = rand(7, 5);
for order = 'FC'
  ctx.store.put(A, 'path', [order '.npy'], 'order', order);
  plain_npy_write(fullfile(ctx.dir, ['plain' order '.npy']), A, order);
  assert(isequal(file_bytes(ctx, [order '.npy']), file_bytes(ctx, ['plain' order '.npy'])), order);
end
end

function b = file_bytes(ctx, name)
f = fopen(fullfile(ctx.dir, name), 'r'); b = fread(f, inf, '*uint8'); fclose(f);
end
