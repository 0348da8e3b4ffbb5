function tests = test_load_many()
% store.loadMany: many references at once through npy_refs_load_into, an error
% per item.
tests = {@one_missing_among_several, @every_numpy_file, @every_dtype_form, @refused_text_alone, ...
         @first_failure_raised, @argument_errors, @empty_and_shape};
end

function one_missing_among_several(ctx)
A = magic(4);
a = ctx.store.put(A, 'path', 'a.npy', 'order', 'C');
b = ctx.store.put(single(1:5), 'path', 'b.npy');
c = ctx.store.put(int16([1 2; 3 4]), 'path', 'c.npy');
gone = strrep(a.json, 'a.npy', 'gone.npy');
refs = {a, jsondecode(b.json); gone, c.json};
for concurrency = [0 1 3]
  [v, e] = ctx.store.loadMany(refs, 'concurrency', concurrency);
  assert(isequal(size(v), [2 2]) && isequal(size(e), [2 2]));
  assert(isequal(v{1, 1}, A) && isequal(v{1, 2}, single(1:5)) && isequal(v{2, 2}, int16([1 2; 3 4])));
  assert(isempty(v{2, 1}) && isempty(e{1, 1}) && isempty(e{1, 2}) && isempty(e{2, 2}));
  assert(strcmp(e{2, 1}.identifier, 'npystore:not_found'), e{2, 1}.identifier);
  assert(~isempty(strfind(e{2, 1}.message, 'gone.npy')), e{2, 1}.message);
  expect_error(@() error(e{2, 1}), 'npystore:not_found');
end
% two failures: each is reported, with its own path
[v, e] = ctx.store.loadMany({gone, a, strrep(gone, 'gone', 'lost')});
assert(isequal(v{2}, A) && isempty(e{2}));
assert(strcmp(e{1}.identifier, 'npystore:not_found') && strcmp(e{3}.identifier, 'npystore:not_found'));
assert(~isempty(strfind(e{1}.message, 'gone.npy')) && ~isempty(strfind(e{3}.message, 'lost.npy')), ...
       '%s / %s', e{1}.message, e{3}.message);
% and each says why in the library's own words (npy_refs_item_error), not only its
% code, as the library once worded only the first failure
for k = [1 3]
  assert(isempty(strfind(e{k}.message, 'did not load')), '%s', e{k}.message);
end
end

function every_numpy_file(ctx)
% every case numpy wrote (all dtypes, orders, shapes, byte orders, float16,
% datetime, unicode) loads in bulk as r.load() gives it
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
lines = strsplit(strtrim(fileread(fullfile(ctx.numpyDir, 'cases.tsv'))), "\n");
names = [cellfun(@(l) strtok(l, sprintf('\t')), lines, 'UniformOutput', false), ...
         {'unicode.npy', 'unicode0d.npy', 'unicode_be.npy', 'structured.npy', 'rec.npy', ...
          'pad.npy', 'nest.npy', 'bytes.npy', 'void.npy'}];
refs = cellfun(@(n) store.open(n), names, 'UniformOutput', false);
[v, e] = store.loadMany(refs);
for i = 1:numel(names)
  assert(isempty(e{i}), '%s: %s', names{i}, 'failed');
  want = refs{i}.load();
  assert(strcmp(class(v{i}), class(want)) && isequal(size(v{i}), size(want)) && isequal(v{i}, want), ...
         '%s differs', names{i});
end
assert(numel(names) > 300);
end

function every_dtype_form(ctx)
% the 'text' and 'struct' forms, as r.load gives them
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
names = {'rec.npy', 'nest.npy', 'unicode2d.npy', 'unicode.npy', 'lf8_2x3_C.npy'};
refs = cellfun(@(n) store.open(n), names, 'UniformOutput', false);
[v, e] = store.loadMany(refs, 'text', 'cellstr', 'struct', 'array', 'concurrency', 2);
for i = 1:numel(names)
  assert(isempty(e{i}) && isequal(v{i}, refs{i}.load('text', 'cellstr', 'struct', 'array')), names{i});
end
end

function refused_text_alone(ctx)
% a 2-d unicode array has no char form: it fails alone, the others load
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
[v, e] = store.loadMany({store.open('unicode.npy'), store.open('unicode2d.npy'), store.open('lf8_2x3_C.npy')}, ...
                        'text', 'char');
assert(strcmp(e{2}.identifier, 'npystore:dtype') && isempty(v{2}), 'refused alone');
assert(isempty(e{1}) && isempty(e{3}) && isequal(v{3}, [0 1 2; 3 4 5]) && isequal(v{1}, ['a  '; 'bcd'; 'ef ']));
[v, e] = store.loadMany({store.open('unicode2d.npy')}, 'text', 'cellstr');
assert(isempty(e{1}) && isequal(v{1}, {'a', 'bc'; '', 'def'}));
end

function first_failure_raised(ctx)
a = ctx.store.put(1, 'path', 'a.npy');
gone = strrep(a.json, 'a.npy', 'gone.npy');
expect_error(@() ctx.store.loadMany({a, gone}), 'npystore:not_found');
v = ctx.store.loadMany({a, a});
assert(isequal(v, {1, 1}));
end

function argument_errors(ctx)
a = ctx.store.put(1, 'path', 'a.npy');
expect_error(@() ctx.store.loadMany(a.id), 'npystore:invalid_argument');
expect_error(@() ctx.store.loadMany({a}, 'concurrency', -1), 'npystore:invalid_argument');
expect_error(@() ctx.store.loadMany({a}, 'concurrency', 'x'), 'npystore:invalid_argument');
expect_error(@() ctx.store.loadMany({a}, 'threads', 2), 'npystore:invalid_argument');
expect_error(@() ctx.store.loadMany({a, 5}), 'npystore:invalid_argument');
expect_error(@() ctx.store.loadMany({a, '{bad'}), 'npystore:json');
expect_error(@() ctx.store.loadMany({a}, 'text', 'words'), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load_many', [a.id 12345], 0, 0), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load_many', {a.id}, 0, 0), 'npystore:invalid_argument');
end

function empty_and_shape(ctx)
[v, e] = ctx.store.loadMany({});
assert(iscell(v) && isempty(v) && iscell(e) && isempty(e));
a = ctx.store.put(zeros(0, 3), 'path', 'e.npy');
v = ctx.store.loadMany(a);
assert(isequal(size(v), [1 1]) && isequal(size(v{1}), [0 3]));
end
