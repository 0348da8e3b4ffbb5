function ratio = bench_structured(mrows, runs)
% BENCH_STRUCTURED  Loading a numpy structured array [('x', '<f8'), ('y', '<i4'),
% ('z', '<f4')] of mrows million rows with r.load() (a struct of arrays) against
% the hand-written way: fread of the data bytes, then typecast of each field's
% columns. Best of runs; prints the ratio. Not part of the test suite.
%   bench_structured()        4 million rows, best of 3
if nargin < 1, mrows = 4; end
if nargin < 2, runs = 3; end
n = round(mrows * 1e6);
dir = tempname();
mkdir(dir);
cleanup = onCleanup(@() rmdir(dir, 's'));
store = npystore.Store(sprintf('{"stores": {"default": "b", "b": {"protocol": "file", "location": "%s"}}}', dir));
S = struct('x', rand(n, 1), 'y', int32((1:n)'), 'z', single(rand(n, 1)));
r = store.put(S, 'path', 's.npy', 'shape', n);
file = fullfile(dir, 's.npy');
ours = best(runs, @() r.load());
base = best(runs, @() fread_fields(file, n));
assert(isequal(r.load(), S) && isequal(fread_fields(file, n), S), 'the loads disagree');
fprintf('structured (%d rows, 16-byte records, %.0f MiB): r.load() %.3f s, fread + typecast %.3f s -> %.2fx\n', ...
        n, n * 16 / 2^20, ours, base, base / ours);
ratio = base / ours;
end

function S = fread_fields(file, n)
fid = fopen(file, 'r');
closer = onCleanup(@() fclose(fid));
fread(fid, 8, '*uint8');
header_len = fread(fid, 1, 'uint16');
fread(fid, header_len, '*char');
B = reshape(fread(fid, n * 16, '*uint8'), 16, n);
S = struct('x', typecast(reshape(B(1:8, :), [], 1), 'double'), ...
           'y', typecast(reshape(B(9:12, :), [], 1), 'int32'), ...
           'z', typecast(reshape(B(13:16, :), [], 1), 'single'));
end

function t = best(runs, fn)
t = inf;
for i = 1:runs
  start = tic;
  out = fn(); %#ok<NASGU>
  t = min(t, toc(start));
  clear out
end
end
