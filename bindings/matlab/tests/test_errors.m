function tests = test_errors()
% Every error path gives its stable identifier, and nothing crashes.
tests = {@store_errors, @put_refused_types, @target_errors, @path_errors, ...
         @structured_read, @not_found, @bad_mex_calls, @handles_freed, @non_ascii_char};
end

function store_errors(ctx)
expect_error(@() npystore.Store(ctx.config, 'nope'), 'npystore:store_not_configured');
expect_error(@() npystore.Store('{"stores": {"main": {"protocol": "ftp"}}}', 'main'), 'npystore:config');
expect_error(@() npystore.Store('{not json'), 'npystore:config');
expect_error(@() npystore.Store(fullfile(ctx.dir, 'missing.json')), 'npystore:not_found');
expect_error(@() npystore.Store(3), 'npystore:invalid_argument');
end

function put_refused_types(ctx)
expect_error(@() ctx.store.put({1}, 'path', 'a.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put(struct('a', @sin), 'path', 'a.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put(sparse(eye(2)), 'path', 'a.npy'), 'npystore:dtype');
ci = complex(int8(1), int8(2)); % complex integers exist in MATLAB, not in Octave
if isinteger(ci), expect_error(@() ctx.store.put(ci, 'path', 'a.npy'), 'npystore:dtype'); end
expect_error(@() ctx.store.put(@sin, 'path', 'a.npy'), 'npystore:dtype');
expect_error(@() ctx.store.put(1, 'path', 'a.npy', 'order', 'X'), 'npystore:invalid_argument');
expect_error(@() ctx.store.put('ab', 'path', 'a.npy', 'order', 'C'), 'npystore:invalid_argument');
assert(~ctx.store.exists('a.npy'), 'a refused put wrote nothing');
end

function target_errors(ctx)
expect_error(@() ctx.store.put(1), 'npystore:invalid_argument');
expect_error(@() ctx.store.put(1, 'path', 'a.npy', 'schema', 's'), 'npystore:invalid_argument');
expect_error(@() ctx.store.put(1, 'path'), 'npystore:invalid_argument');
expect_error(@() ctx.store.put(1, 'nosuch', 1), 'npystore:invalid_argument');
expect_error(@() ctx.store.put(1, 'schema', 'bad/name', 'table', 't', 'attribute', 'a'), 'npystore:path');
end

function path_errors(ctx)
expect_error(@() ctx.store.put(1, 'path', '../escape.npy'), 'npystore:path');
expect_error(@() ctx.store.put(1, 'path', '/abs.npy'), 'npystore:path');
ctx.store.put(1, 'path', 'a.npy');
expect_error(@() ctx.store.put(2, 'path', 'a.npy'), 'npystore:already_exists');
ctx.store.put(2, 'path', 'a.npy', 'overwrite', true);
assert(ctx.store.open('a.npy').load() == 2);
end

function structured_read(ctx)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
r = store.open('structured.npy');
assert(strcmp(r.dtype, '[(''x'', ''<f8''), (''y'', ''<i4'')]'), r.dtype);
assert(isequal(r.load(), struct('x', zeros(3, 1), 'y', int32(zeros(3, 1)))), 'structured loads as a struct');
assert(isequal(r.readRows(2, 1), struct('x', 0, 'y', int32(0))), 'rows of structured arrays');
assert(isequal(size(r.load('raw')), [12 3]), 'raw: element bytes [itemsize, 3]');
expect_error(@() store.open('object.npy').readRows(1, 1), 'npystore:object_dtype');
end

function not_found(ctx)
expect_error(@() ctx.store.open('none.npy'), 'npystore:not_found');
r = ctx.store.ref('{"path": "none.npy", "store": "main", "dtype": "float64", "shape": [2]}');
assert(~r.exists());
expect_error(@() r.load(), 'npystore:not_found');
expect_error(@() ctx.store.remove('none.npy'), 'npystore:not_found');
f = fopen(fullfile(ctx.dir, 'junk.npy'), 'w'); fwrite(f, 'not an npy file'); fclose(f);
expect_error(@() ctx.store.open('junk.npy'), 'npystore:format');
end

function bad_mex_calls(ctx)
expect_error(@() npystore_mex(), 'npystore:invalid_argument');
expect_error(@() npystore_mex(42), 'npystore:invalid_argument');
expect_error(@() npystore_mex('no_such_command'), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load', 1), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load', 123456789, 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load', 'x', 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load', ctx.store.id, 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('put', ctx.store.id, {'path'}, 1, 1, 1, 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('put', ctx.store.id, {'schema', 's', 't', 'a', {1, 2}}, 1, 1, 1, 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('put', ctx.store.id, {'path', 'a.npy'}, 1, [1 NaN], 1, 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('put', ctx.store.id, {'path', 'a.npy'}, 1, [2 2], 1, 0), 'npystore:length');
r = ctx.store.put(1, 'path', 'r.npy'); % kept alive: a temporary Ref frees its id at once
expect_error(@() npystore_mex('read_rows', r.id, -1, 1), 'npystore:invalid_argument');
expect_error(@() npystore_mex('read_rows', r.id, 0, 2^53), 'npystore:invalid_argument');
expect_error(@() npystore_mex('mmap', r.id, 'zz'), 'npystore:invalid_argument');
expect_error(@() npystore_mex('put', ctx.store.id, {'path', 'h.npy'}, 1, [2^52 2^52], 1, 0), 'npystore:shape');
expect_error(@() npystore_mex('put', ctx.store.id, {'path', 'h.npy'}, 1, ones(1, 70), 1, 0), 'npystore:shape');
for key = {{'k', 'date', [2024 13 1]}, {'k', 'datetime', [2024 1 1 25 0 0 0]}, {'k', 'nokind', 1}, ...
           {1, 'int', 1}, {'k', 'int', 1.5}, {'k', 'uint', -1}, {'k', 'string', 5}}
  expect_error(@() npystore_mex('put', ctx.store.id, {'schema', 's', 't', 'a', key{1}}, 1, [1 1], 1, 0), ...
               'npystore:invalid_argument');
end
end

function handles_freed(ctx)
before = npystore_mex('live');
s = npystore.Store(ctx.config);
r = s.put(1, 'path', 'a.npy');
id = r.id;
assert(npystore_mex('live') == before + 2 && mislocked('npystore_mex'));
delete(s);
assert(r.load() == 1, 'a reference outlives its store');
clear r
assert(npystore_mex('live') == before);
expect_error(@() npystore_mex('load', id, 0), 'npystore:invalid_argument');
npystore_mex('free', id); % freeing twice is harmless
end

function non_ascii_char(ctx)
if exist('OCTAVE_VERSION', 'builtin')
  expect_error(@() ctx.store.put(char([104 195 169]), 'path', 'a.npy'), 'npystore:dtype');
end
end
