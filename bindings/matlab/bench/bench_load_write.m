function ratios = bench_load_write(mib, runs)
% BENCH_LOAD_WRITE  npystore against the plain-MATLAB way npy-matlab reads and
% writes .npy files, on one float64 array with numpy shape (n, n) in C order.
%   bench_load_write()          512 MiB, best of 3 runs
%   bench_load_write(64, 5)     64 MiB, best of 5
% Load: ref.load() (numpy's shape, the library converts the order while reading)
%   vs fread + reshape + permute (npy-matlab's readNPY).
% Write: store.put(A) (column-major, fortran_order True, no copy)
%   vs fwrite of permute(A) (C order, as numpy writes it by default).
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
write_ours = best(runs, @() store.put(A, 'path', 'w.npy', 'overwrite', true));
write_base = best(runs, @() write_npy_plain(fullfile(dir, 'p.npy'), A));
assert(isequal(ref.load(), A) && isequal(read_npy_plain(file), A), 'the loads disagree');

fprintf('float64 %dx%d (%.0f MiB), C order, best of %d\n', n, n, n * n * 8 / 2^20, runs);
fprintf('load : npystore %.3f s, fread+reshape+permute %.3f s -> %.1fx\n', ...
        load_ours, load_base, load_base / load_ours);
if in_place
  fprintf('       (Octave in place via npystore_oct; the MEX path takes %.3f s -> %.1fx)\n', ...
          load_mex, load_base / load_mex);
end
fprintf('write: npystore %.3f s, fwrite(permute(A))     %.3f s -> %.1fx\n', ...
        write_ours, write_base, write_base / write_ours);
ratios = [load_base / load_ours, write_base / write_ours];
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

function out = write_npy_plain(file, A)
% npy-matlab's writeNPY: header, then the array permuted to C order.
fid = fopen(file, 'w');
closer = onCleanup(@() fclose(fid));
header = sprintf('{''descr'': ''<f8'', ''fortran_order'': False, ''shape'': (%d, %d), }', size(A));
header = [header, repmat(' ', 1, 63 - mod(numel(header) + 10, 64)), newline];
fwrite(fid, [uint8([147, double('NUMPY'), 1, 0]), typecast(uint16(numel(header)), 'uint8')], 'uint8');
fwrite(fid, header, 'char');
fwrite(fid, permute(A, [2 1]), 'double');
out = [];
end
