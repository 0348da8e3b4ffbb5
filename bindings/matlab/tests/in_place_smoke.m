function in_place_smoke(mexdir)
% IN_PLACE_SMOKE  Every path through npystore_oct once (load, raw, rows, each
% element class, an error, stale ids), small enough to run under valgrind:
%   valgrind --error-exitcode=1 octave-cli --eval "in_place_smoke('<mexdir>')"
% scripts/test.sh matlab runs it so; test_in_place.m checks the results in depth.
here = fileparts(mfilename('fullpath'));
addpath(fullfile(here, '..'), mexdir);
dir = tempname();
mkdir(dir);
cleanup = onCleanup(@() rmdir(dir, 's'));
store = npystore.Store(sprintf('{"stores": {"default": "b", "b": {"protocol": "file", "location": "%s"}}}', dir));
A = reshape(1:24, 2, 3, 4);
for cls = {'double', 'single', 'int8', 'uint16', 'int32', 'uint64', 'logical'}
  B = cast(A, cls{1});
  if strcmp(cls{1}, 'logical'), B = logical(mod(A, 2)); end
  for order = 'CF'
    r = store.put(B, 'path', [cls{1} order '.npy'], 'order', order);
    assert(isequal(r.load(), B) && isequal(r.readRows(2, 1), B(2, :, :)));
    raw = r.load('raw');
    assert(numel(raw) == numel(B));
  end
end
z = complex(single(A), single(-A));
r = store.put(z, 'path', 'z.npy', 'order', 'C');
assert(isequal(r.load(), z));
id = r.id;
store.remove('z.npy');
try
  r.load();
  error('npystore_test:no_error', 'a load of a removed object succeeded');
catch err
  assert(strcmp(err.identifier, 'npystore:not_found'), err.identifier);
end
delete(r);
[~, done] = npystore_oct('load', id, 0);
assert(~done);
fprintf('in_place_smoke: ok\n');
end
