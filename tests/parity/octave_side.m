function octave_side(job_file, out_file)
% Octave's side of test_parity_octave.py, through the MATLAB toolbox:
%   octave_side(JOB, OUT)
% JOB (JSON): config, schema, table, cases. For each case: load the array DataJoint
% wrote (case.json, the row's JSON) and compare it with the expected value; put
% the expected value for the same key as DataJoint's row (its path is compared by
% the test); put it for a new key (the test inserts that JSON into a row and
% DataJoint loads it). Expected values come as the numpy array's bytes in Fortran
% order (native byte order), so every class is exact. OUT (JSON): one result per case.
job = jsondecode(fileread(job_file));
store = npystore.Store(job.config);
results = cell(1, numel(job.cases));
for i = 1:numel(job.cases)
  c = job.cases(i);
  r = struct('name', c.name, 'read', '', 'same_key_path', '', 'put_json', '', 'put', '');
  try
    E = expected(c);
  catch err
    error('octave_side:case', '%s: %s', c.name, err.message);
  end
  try
    ref = store.ref(c.json);
    A = ref.load();
    if ~strcmp(class(A), class(E)) || ~isequal(size(A), size(E)) || ~isequaln(A, E)
      error('octave_side:differs', 'loaded %s %s, expected %s %s', class(A), mat2str(size(A)), ...
            class(E), mat2str(size(E)));
    end
    if ~isequal(ref.shape(:)', c.shape(:)') || ~strcmp(ref.dtype, c.dtype)
      error('octave_side:differs', 'shape %s dtype %s', mat2str(ref.shape), ref.dtype);
    end
    r.read = 'ok';
  catch err
    r.read = sprintf('%s: %s', err.identifier, err.message);
  end
  if c.put
    try
      r.same_key_path = put(store, job, E, c, c.dj_key).path;
      r.put_json = put(store, job, E, c, c.octave_key).json;
      r.put = 'ok';
    catch err
      r.put = sprintf('%s: %s', err.identifier, err.message);
    end
  end
  results{i} = r;
end
fid = fopen(out_file, 'w');
fprintf(fid, '%s', jsonencode([results{:}]));
fclose(fid);
end

function ref = put(store, job, E, c, key)
% key is {subject, rec_id}; char arrays carry their shape themselves
args = {'schema', job.schema, 'table', job.table, 'attribute', 'arr', ...
        'key', struct('subject', key{1}, 'rec_id', key{2})};
if ~ischar(E)
  args = [args, {'shape', c.shape(:)'}];
end
ref = store.put(E, args{:});
end

function E = expected(c)
dims = [c.shape(:)', 1, 1];  % 0-d: 1-by-1; (N,): N-by-1
if strcmp(c.class, 'char')
  E = char(c.strings);
  return;
end
if isempty(c.hex)
  E = cast(zeros(dims), c.class);
  return;
end
bytes = uint8(hex2dec(reshape(c.hex, 2, [])'));
if strcmp(c.class, 'logical')
  v = logical(bytes);
else
  v = typecast(bytes, c.class);
  if c.complex
    v = complex(v(1:2:end), v(2:2:end));
  end
end
E = reshape(v, dims);
end
