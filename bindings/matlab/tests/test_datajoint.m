function tests = test_datajoint()
% DataJoint's side: schema-addressed paths, key encodings, JSON in and out.
tests = {@schema_path_and_json, @key_kinds, @json_from_datajoint, @json_mismatch, ...
         @json_malformed, @other_store_name, @discovered_config};
end

function schema_path_and_json(ctx)
key = struct('subject', 'm/01', 'rec_id', 3);
r = ctx.store.put(single([1 2; 3 4]), 'schema', 'lab', 'table', '_recording', 'key', key, ...
                  'attribute', 'waveform');
assert(~isempty(regexp(r.path, '^_schema/lab/_recording/subject=m%2F01/rec_id=3/waveform_[A-Za-z0-9_-]{8}\.npy$', 'once')), r.path);
j = jsondecode(r.json);
assert(strcmp(j.path, r.path) && strcmp(j.store, 'main') && strcmp(j.dtype, 'float32'));
assert(isequal(j.shape(:)', [2 2]));
assert(strcmp(r.json, sprintf('{"path": "%s", "store": "main", "dtype": "float32", "shape": [2, 2]}', r.path)));
end

function key_kinds(ctx)
key = struct('a', int8(-4), 'b', uint64(18446744073709551615), 'c', 0.5, 'd', true, ...
             'e', 2, 'f', 'x y', 'g', 1e20);
r = ctx.store.put(1, 'schema', 's', 'table', 't', 'key', key, 'attribute', 'v');
parts = strsplit(r.path, '/');
assert(isequal(parts(4:10), {'a=-4', 'b=18446744073709551615', 'c=0.5', 'd=True', 'e=2', 'f=x y', 'g=1e+20'}), r.path);
expect_error(@() ctx.store.put(1, 'schema', 's', 'table', 't', 'key', struct('a', {{1}}), 'attribute', 'v'), ...
             'npystore:invalid_argument');
expect_error(@() ctx.store.put(1, 'schema', 's', 'table', 't', 'key', struct('a', [1 2]), 'attribute', 'v'), ...
             'npystore:invalid_argument');
end

function json_from_datajoint(ctx)
% an object written by numpy, referenced by the JSON DataJoint stores in its table
mkdir(fullfile(ctx.dir, '_schema', 'lab'));
script = sprintf('import numpy as np; np.save("%s/_schema/lab/x_abcdefgh.npy", np.arange(6, dtype=">i4").reshape(2, 3))', ctx.dir);
[status, out] = system(sprintf('"%s" -c ''%s'' 2>&1', ctx.python, script));
assert(status == 0, out);
r = ctx.store.ref('{"path": "_schema/lab/x_abcdefgh.npy", "store": "main", "dtype": ">i4", "shape": [2, 3]}');
assert(isequal(r.shape, [2 3]) && strcmp(r.dtype, '>i4'));
assert(isequal(r.load(), int32([0 1 2; 3 4 5])));
assert(isequal(r.readRows(2, 1), int32([3 4 5])));
end

function json_mismatch(ctx)
r = ctx.store.put(zeros(2, 3), 'path', 'a.npy');
bad = ctx.store.ref(strrep(r.json, '[2, 3]', '[3, 2]'));
expect_error(@() bad.load(), 'npystore:mismatch');
end

function json_malformed(ctx)
expect_error(@() ctx.store.ref('{"path": "a.npy"'), 'npystore:json');
expect_error(@() ctx.store.ref('{"path": "a.npy", "store": "main", "dtype": "float99", "shape": []}'), 'npystore:dtype');
expect_error(@() ctx.store.ref(42), 'npystore:invalid_argument');
end

function other_store_name(ctx)
expect_error(@() ctx.store.ref('{"path": "a.npy", "store": "other", "dtype": "float64", "shape": []}'), ...
             'npystore:mismatch');
end

function discovered_config(ctx)
% npystore.Store() finds datajoint.json in the current folder, like DataJoint
fid = fopen(fullfile(ctx.dir, 'datajoint.json'), 'w');
fprintf(fid, '%s', ctx.config);
fclose(fid);
back = cd(ctx.dir);
restore = onCleanup(@() cd(back));
s = npystore.Store();
assert(strcmp(s.name, 'main'));
s.put(1, 'path', 'found.npy');
assert(ctx.store.exists('found.npy'));
end
