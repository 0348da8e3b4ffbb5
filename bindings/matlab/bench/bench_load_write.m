function ratios = bench_load_write(mib, runs)
% BENCH_LOAD_WRITE  npystore against the plain-MATLAB way npy-matlab reads and
% writes .npy files, on one float64 array with numpy shape (n, n) in C order.
%   bench_load_write()          512 MiB, best of 3 runs
%   bench_load_write(64, 5)     64 MiB, best of 5
% Load: ref.load() (numpy's shape, the library converts the order while reading)
%   vs fread + reshape + permute (npy-matlab's readNPY).
% Write, each against plain fwrite of the same bytes in the same order
% (plain_npy_write; tests/test_habits.m checks the files are identical):
%   store.put(A)               (column-major, fortran_order True) vs fwrite(A)
%   store.put(A, 'order', 'C') (numpy's default C order)          vs fwrite(permute(A))
% In Octave, ref.load() goes through npystore_oct (in place); the MEX path, which
% Octave copies out of, is timed too. Needs npystore_mex on the path (see docs/matlab.md). Not part of the test suite.
if nargin < 1, mib = 512; end
if nargin < 2, runs = 3; end
n = round(sqrt(mib * 2^20 / 8));
dir = tempname();
mkdir(dir);
cleanup = onCleanup(@() rmdir(dir, 's'));
store = npystore.Store(sprintf('{"stores": {"default": "b", "b": {"protocol": "file", "location": "%s"}}}', dir));
A = rand(n, n);
ref = store.put(A, 'path', 'c.npy', 'order', 'C');
file = fullfile(dir, 'c.npy');

load_ours = best(runs, @() ref.load());
in_place = exist('npystore_oct', 'file') == 3;
if in_place  % Octave: also time the MEX path that ref.load() skips
  load_mex = best(runs, @() npystore_mex('load', ref.id, 0));
end
load_base = best(runs, @() read_npy_plain(file));
write_f = best(runs, @() store.put(A, 'path', 'w.npy', 'overwrite', true));
write_f_base = best(runs, @() plain_write(fullfile(dir, 'p.npy'), A, 'F'));
write_c = best(runs, @() store.put(A, 'path', 'w.npy', 'overwrite', true, 'order', 'C'));
write_c_base = best(runs, @() plain_write(fullfile(dir, 'p.npy'), A, 'C'));
assert(isequal(ref.load(), A) && isequal(read_npy_plain(file), A), 'the loads disagree');

fprintf('float64 %dx%d (%.0f MiB), C order, best of %d\n', n, n, n * n * 8 / 2^20, runs);
fprintf('load : npystore %.3f s, fread+reshape+permute %.3f s -> %.1fx\n', ...
        load_ours, load_base, load_base / load_ours);
if in_place
  fprintf('       (Octave in place via npystore_oct; the MEX path takes %.3f s -> %.1fx)\n', ...
          load_mex, load_base / load_mex);
end
fprintf('write F: store.put(A) %.3f s, fwrite(A) %.3f s -> %.2fx\n', ...
        write_f, write_f_base, write_f_base / write_f);
fprintf('write C: store.put(A, ''order'', ''C'') %.3f s, fwrite(permute(A)) %.3f s -> %.2fx\n', ...
        write_c, write_c_base, write_c_base / write_c);
ratios = [load_base / load_ours, write_f_base / write_f, write_c_base / write_c];
end

function t = best(runs, fn)
t = inf;
for i = 1:runs
  start = tic;
  out = fn(); %#ok<NASGU> keep the result alive, as a caller would
  t = min(t, toc(start));
  clear out
end
end

function A = read_npy_plain(file)
% npy-matlab's readNPY for a 2-d C-order float64 file.
fid = fopen(file, 'r');
closer = onCleanup(@() fclose(fid));
magic = fread(fid, 8, '*uint8');
header_len = fread(fid, 1, 'uint16');
header = fread(fid, header_len, '*char')';
shape = str2double(regexp(header, '(\d+), (\d+)', 'tokens', 'once'));
assert(magic(7) == 1 && ~isempty(strfind(header, "'fortran_order': False")));
data = fread(fid, prod(shape), '*double');
A = permute(reshape(data, fliplr(shape)), [2 1]);
end

function out = plain_write(file, A, order)
plain_npy_write(file, A, order);
out = [];
end
