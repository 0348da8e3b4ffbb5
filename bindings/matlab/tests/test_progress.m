function tests = test_progress()
% The 'progress' option of r.load, r.readRows, r.readSlice, r(...) (r.progress),
% r.mmap and store.loadMany, cancellation from the
% progress function, and Ctrl+C itself (SIGINT to an octave-cli child). The S3 tests
% go through counting_proxy.py sending large bodies at RATE bytes/s, so that a
% transfer is under way long enough to see reports mid-way and to cancel it; they
% need NPYSTORE_S3_* (scripts/test.sh matlab starts moto) and are not listed without.
tests = {@bar_in_the_command_window, @function_error_is_raised, @option_errors, ...
         @file_store_load_reports_its_end};
if isempty(getenv('NPYSTORE_S3_ENDPOINT'))
  fprintf('note test_progress: no NPYSTORE_S3_ENDPOINT, no S3 server: S3 and Ctrl+C tests not run\n');
  return;
end
tests = [tests, {@s3_load_reports_monotonic_progress, @s3_load_many_reports_all_bytes, ...
                 @s3_true_cancels_load, @s3_true_cancels_load_many, ...
                 @s3_cancelled_mmap_leaves_no_cache_file, @ctrl_c_stops_load, ...
                 @ctrl_c_stops_load_with_progress, @ctrl_c_inside_the_progress_function, ...
                 @ctrl_c_is_not_swallowed_by_try, @ctrl_c_stops_load_many, ...
                 @ctrl_c_stops_mmap_download, @s3_read_rows_reports_monotonic_progress, ...
                 @s3_index_read_reports_monotonic_progress, @s3_true_cancels_read_rows_and_index, ...
                 @ctrl_c_stops_read_rows, @ctrl_c_stops_read_rows_with_progress, ...
                 @ctrl_c_stops_index_read}];
end

function n = rate()
n = 2e6;  % bytes/s of a large body through the throttling proxy
end

function bar_in_the_command_window(ctx)
% true, 'bar' and "bar" draw a text bar in Octave's command window, ending at 100%.
A = reshape(1:250000, 500, 500);
r = ctx.store.put(A, 'path', 'a.npy', 'order', 'C');
for option = {true, 'bar'}
  B = [];
  shown = evalc('B = r.load(''progress'', option{1});');
  assert(isequal(B, A), 'the values differ');
  assert(~isempty(strfind(shown, 'npystore: load [')) && ~isempty(strfind(shown, '100% of 2.0 MB')), ...
         'the bar shows: %s', shown);
end
shown = evalc('v = ctx.store.loadMany({r, r}, ''progress'', true);');
assert(isequal(v{1}, A) && isequal(v{2}, A));
assert(~isempty(strfind(shown, 'npystore: 2 loads [')) && ~isempty(strfind(shown, '100% of 4.0 MB')), ...
       'the bar shows: %s', shown);
shown = evalc('B = r.load(''progress'', false);');
assert(isempty(shown) && isequal(B, A), 'progress false printed: %s', shown);
end

function function_error_is_raised(ctx)
% An error in the progress function comes out unchanged (not as npystore:cancelled),
% also when it came at the last report (here, of quick local transfers); no array is
% returned and no map is left alive.
r = ctx.store.put(magic(40), 'path', 'a.npy');
boom = @(done, total) error('mine:boom', 'boom at %d', done);
expect_error(@() r.load('progress', boom), 'mine:boom');
s = ctx.store.put(struct('x', [1; 2], 'y', int8([3; 4])), 'path', 's.npy');  % load_bytes
expect_error(@() s.load('progress', boom), 'mine:boom');
expect_error(@() ctx.store.loadMany({r}, 'progress', boom), 'mine:boom');
expect_error(@() r.readRows(1, 40, 'progress', boom), 'mine:boom');
expect_error(@() r.readSlice(1:2, ':', 'progress', boom), 'mine:boom');
r.progress = boom;
expect_error(@() r(1:3, 2), 'mine:boom');
% a file store's map reports nothing (npy_ref_load_mmap_progress): f is never called
m = r.mmap('r', 'progress', boom);
assert(isequal(m.Data.x, magic(40)), 'the mapped values differ');
end

function option_errors(ctx)
r = ctx.store.put(1:3, 'path', 'a.npy');
for bad = {'nope', {1}, [1 2], struct()}
  expect_error(@() r.load('progress', bad{1}), 'npystore:invalid_argument');
end
expect_error(@() r.mmap('r', 'progress', 'nope'), 'npystore:invalid_argument');
expect_error(@() ctx.store.loadMany({r}, 'progress', 'nope'), 'npystore:invalid_argument');
expect_error(@() npystore_mex('load', r.id, 0, 'f'), 'npystore:invalid_argument');
expect_error(@() r.readRows(1, 2, 'progress', 'nope'), 'npystore:invalid_argument');
expect_error(@() r.readRows(1, 'progress', 'nope'), 'npystore:invalid_argument');
expect_error(@() r.readSlice(1:2, 'progress', 'nope'), 'npystore:invalid_argument');
expect_error(@() r.readSlice(1:2, 'nope', 1), 'npystore:invalid_argument');
r.progress = 'nope';
expect_error(@() r(1), 'npystore:invalid_argument');
end

function file_store_load_reports_its_end(ctx)
% A file store's load is quick: at least the final report, done == total == nbytes.
% A function with no outputs (print_progress) is called too, and never cancels.
r = ctx.store.put(rand(300, 200), 'path', 'a.npy');
log = ProgressLog();
A = r.load('progress', @(d, t) log.report(d, t));
assert(isequal(A, r.load()) && ~isempty(log.done));
assert(log.done(end) == r.nbytes && all(log.total == r.nbytes), '%s of %s', ...
       mat2str(log.done), mat2str(log.total));
log = ProgressLog();
B = r.readRows(101, 50, 'progress', @(d, t) log.report(d, t));
assert(isequal(B, A(101:150, :)) && log.done(end) == 50 * 200 * 8 && all(log.total == 50 * 200 * 8), ...
       'readRows: %s of %s', mat2str(log.done), mat2str(log.total));
shown = evalc('A = r.load(''progress'', @print_progress);');
assert(isequal(A, r.load()) && ~isempty(strfind(shown, sprintf('progress %d of %d', r.nbytes, r.nbytes))), ...
       'a function without outputs: %s', shown);
end

function s3_load_reports_monotonic_progress(ctx)
% 2 MB through the throttled proxy (about a second): reports mid-way, done never
% decreasing, ending at total == nbytes; the values arrive whole.
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
A = rand(512, 512);
direct.put(A, 'path', 'a.npy');
r = slow.open('a.npy');
log = ProgressLog();
B = r.load('progress', @(d, t) log.report(d, t));
assert(isequal(B, A), 'the values differ');
log.check_monotonic(r.nbytes);
fprintf('     %d reports: %s\n', numel(log.done), mat2str(log.done));
end

function s3_load_many_reports_all_bytes(ctx)
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
A = rand(300, 400);
B = int32(reshape(1:200000, 400, 500));
direct.put(A, 'path', 'a.npy');
direct.put(B, 'path', 'b.npy', 'order', 'C');
refs = {slow.open('a.npy'), slow.open('b.npy')};
log = ProgressLog();
v = slow.loadMany(refs, 'progress', @(d, t) log.report(d, t));
assert(isequal(v{1}, A) && isequal(v{2}, B), 'the values differ');
log.check_monotonic(refs{1}.nbytes + refs{2}.nbytes);
end

function s3_read_rows_reports_monotonic_progress(ctx)
% readRows of 2 MB of a 4 MB array (C order, so one run) through the throttled
% proxy: reports over the rows' bytes, mid-way too; the values arrive whole. The
% same through readRows(first) (to the end) and with the default text option.
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
A = rand(1024, 512);
direct.put(A, 'path', 'a.npy', 'order', 'C');
r = slow.open('a.npy');
log = ProgressLog();
B = r.readRows(513, 512, 'progress', @(d, t) log.report(d, t));
assert(isequal(B, A(513:end, :)), 'the values differ');
log.check_monotonic(512 * 512 * 8);
log = ProgressLog();
B = r.readRows(513, 'progress', @(d, t) log.report(d, t));
assert(isequal(B, A(513:end, :)), 'the values differ (to the end)');
log.check_monotonic(512 * 512 * 8);
fprintf('     %d reports: %s\n', numel(log.done), mat2str(log.done));
end

function s3_index_read_reports_monotonic_progress(ctx)
% r(...) with r.progress set, and readSlice with the option: reports over the
% spanning block's bytes (a Fortran-order column block: one run of 2 MB).
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
A = rand(512, 1024);
direct.put(A, 'path', 'a.npy');
r = slow.open('a.npy');
log = ProgressLog();
r.progress = @(d, t) log.report(d, t);
B = r(:, [513 1024]);
assert(isequal(B, A(:, [513 1024])), 'the values differ');
log.check_monotonic(512 * 512 * 8);
log = ProgressLog();
B = r.readSlice(':', 1:512, 'progress', @(d, t) log.report(d, t));
assert(isequal(B, A(:, 1:512)), 'the values differ (readSlice)');
log.check_monotonic(512 * 512 * 8);
end

function s3_true_cancels_read_rows_and_index(ctx)
% A function returning true at its first report cancels readRows and r(...):
% npystore:cancelled, no value, no report after the cancelling one.
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
direct.put(rand(512, 512), 'path', 'a.npy');
r = slow.open('a.npy');
log = ProgressLog(1);
B = 'untouched';
try
  B = r.readRows(1, 512, 'progress', @(d, t) log.report(d, t));
catch err
end
assert(strcmp(err.identifier, 'npystore:cancelled'), '%s: %s', err.identifier, err.message);
assert(strcmp(B, 'untouched'), 'a cancelled readRows returned a value');
assert(numel(log.done) == 1 && log.done(1) < r.nbytes, 'reports: %s', mat2str(log.done));
log = ProgressLog(1);
r.progress = @(d, t) log.report(d, t);
expect_error(@() r(:, 1:400), 'npystore:cancelled');
assert(numel(log.done) == 1, 'index reports: %s', mat2str(log.done));
end

function s3_true_cancels_load(ctx)
% A function returning true at its first report: npystore:cancelled, no array, and
% no report after the cancelling one.
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
direct.put(rand(512, 512), 'path', 'a.npy');
r = slow.open('a.npy');
log = ProgressLog(1);
B = 'untouched';
try
  B = r.load('progress', @(d, t) log.report(d, t));
catch err
end
assert(strcmp(err.identifier, 'npystore:cancelled'), '%s: %s', err.identifier, err.message);
assert(strcmp(B, 'untouched'), 'a cancelled load returned a value');
assert(numel(log.done) == 1 && log.done(1) < r.nbytes, 'reports: %s', mat2str(log.done));
end

function s3_true_cancels_load_many(ctx)
% Cancelled bulk loads return nothing, even when the per-item errors were asked for.
[direct, slow, meter] = s3_stores(ctx); %#ok<ASGLU> the proxy lives while meter does
direct.put(rand(512, 512), 'path', 'a.npy');
direct.put(rand(256, 512), 'path', 'b.npy');
refs = {slow.open('a.npy'), slow.open('b.npy')};
log = ProgressLog(1);
v = 'untouched';
e = 'untouched';
try
  [v, e] = slow.loadMany(refs, 'progress', @(d, t) log.report(d, t));
catch err
end
assert(strcmp(err.identifier, 'npystore:cancelled'), '%s: %s', err.identifier, err.message);
assert(strcmp(v, 'untouched') && strcmp(e, 'untouched'), 'a cancelled loadMany returned');
assert(numel(log.done) == 1, 'reports: %s', mat2str(log.done));
end

function s3_cancelled_mmap_leaves_no_cache_file(ctx)
% A download into the cache cancelled at its first report leaves the cache empty;
% the same map run to the end leaves its one copy there (so the check can fail).
[direct, slow, meter, cache] = s3_stores(ctx); %#ok<ASGLU>
A = rand(512, 512);
direct.put(A, 'path', 'a.npy');
r = slow.open('a.npy');
log = ProgressLog(1);
expect_error(@() r.mmap('r', 'progress', @(d, t) log.report(d, t)), 'npystore:cancelled');
assert(numel(log.done) == 1, 'reports: %s', mat2str(log.done));
left = cache_files(cache);
assert(isempty(left), 'the cancelled download left %s', strjoin(left, ', '));
log = ProgressLog();
m = r.mmap('r', 'progress', @(d, t) log.report(d, t));
assert(isequal(m.Data.x, A), 'the mapped values differ');
fprintf('     mmap reports: %s of %s\n', mat2str(log.done), mat2str(unique(log.total)));
log.check_monotonic(r.nbytes);
copies = cache_files(cache);
assert(numel(copies) == 1 && ~isempty(regexp(copies{1}, '\.npy$', 'once')), 'cache: %s', ...
       strjoin(copies, ', '));
end

function ctrl_c_stops_load(ctx)
% SIGINT to octave-cli in the middle of a default r.load() (Octave's in-place
% loader, no progress option) stops it within 3 s of the 8 s transfer.
interrupt(ctx, 'load');
end

function ctrl_c_stops_load_with_progress(ctx)
% The same through the MEX, which calls a progress function between checks.
interrupt(ctx, 'load_progress');
end

function ctrl_c_inside_the_progress_function(ctx)
% SIGINT while the progress function itself runs (busy_progress spins after making
% its marker, which the signal waits for): Octave's interrupt is thrown inside the
% function, caught before it reaches the library's frames (mex/nsm_feval.cc), and
% raised again once the library has returned; the child unwinds, not crashes.
interrupt(ctx, 'load_busy', fullfile(ctx.dir, 'child.json.busy'));
end

function ctrl_c_is_not_swallowed_by_try(ctx)
% Ctrl+C is Octave's interrupt, not an error: a try/catch around the load does not
% catch it, and the statement after the try never runs.
got = interrupt(ctx, 'load_caught');
assert(isempty(strfind(got.output, 'caught')) && isempty(strfind(got.output, 'after the try')), ...
       '%s', got.output);
end

function ctrl_c_stops_load_many(ctx)
% SIGINT during a default store.loadMany (the MEX's bulk load).
interrupt(ctx, 'load_many');
end

function ctrl_c_stops_mmap_download(ctx)
% SIGINT during r.mmap()'s download (the MEX, no progress option): stopped, no
% cache file left.
got = interrupt(ctx, 'mmap');
left = cache_files(got.cache);
assert(isempty(left), 'the interrupted download left %s', strjoin(left, ', '));
end

function ctrl_c_stops_read_rows(ctx)
% SIGINT during a default r.readRows(1) (Octave's in-place loader, 16 MB > 1 MiB:
% the Ctrl+C check without a progress option).
interrupt(ctx, 'read_rows');
end

function ctrl_c_stops_read_rows_with_progress(ctx)
% The same through the MEX, which calls a progress function between checks.
interrupt(ctx, 'read_rows_progress');
end

function ctrl_c_stops_index_read(ctx)
% SIGINT during a default r(:, :) (the MEX's slice read).
interrupt(ctx, 'index');
end

function got = interrupt(ctx, kind, started)
% Run interrupted_transfer(kind) in octave-cli on a 16 MB object (8 s at rate()),
% SIGINT once its body is under way (interrupt_child.py). Without the binding's
% interrupt check Octave would see the signal only after the transfer; with it the
% child stops within 3 s of the signal, exits non-zero and never reaches the
% "returned" after the transfer. Octave's onCleanup in the child reports that the
% interrupt unwound it. started: the file to wait for (default: the proxy's).
[direct, ~, meter] = s3_stores(ctx);
if nargin < 3, started = meter.started; end
direct.put(zeros(2000, 1000), 'path', 'big.npy');
got.cache = fullfile(ctx.dir, 'cache-child');
configFile = fullfile(ctx.dir, 'child.json');
fid = fopen(configFile, 'w');
fprintf(fid, '%s', s3_config(meter.endpoint, s3_location(ctx), got.cache));
fclose(fid);
paths = sprintf('addpath(''%s''); addpath(''%s'');', ctx.here, fullfile(ctx.here, '..'));
if ~isempty(getenv('NPYSTORE_MEX_DIR'))
  paths = [paths sprintf(' addpath(''%s'');', getenv('NPYSTORE_MEX_DIR'))];
end
outFile = fullfile(ctx.dir, 'child.out');
command = sprintf(['%s %s %s %s -- octave-cli --no-gui --norc --eval ' ...
                   '"%s interrupted_transfer(''%s'', ''%s'', ''big.npy'')"'], ...
                  ctx.python, fullfile(ctx.here, 'interrupt_child.py'), started, outFile, ...
                  paths, kind, configFile);
[st, out] = system(command);
report = fileread(outFile);
assert(st == 0, 'the transfer never started: %s %s', out, report);
rc = str2double(regexp(report, '^rc=(-?\d+)', 'tokens', 'once'));
seconds = str2double(regexp(report, 'seconds=([\d.]+)', 'tokens', 'once'));
got.output = regexprep(report, '^rc=[^\n]*\nseconds=[^\n]*\n', '');
fprintf('     %s: exit status %d, %.2f s after SIGINT\n', kind, rc, seconds);
assert(rc ~= 0 && isempty(strfind(got.output, 'returned')), 'the child went on: %s', report);
assert(~isempty(strfind(got.output, 'unwound')), 'the child did not unwind: %s', report);
assert(seconds < 3, 'the child took %.2f s to stop after SIGINT: %s', seconds, report);
end

function files = cache_files(cache)
% The entries of a cache directory (none when it was never made).
files = {};
if ~exist(cache, 'dir'), return; end
entries = dir(cache);
files = setdiff({entries.name}, {'.', '..'});
end

function [direct, slow, meter, cache] = s3_stores(ctx)
% One store straight to the server (for puts), one through a throttling proxy
% (meter.started: the file the proxy makes once a large body is under way). Hold
% meter while the slow store is used: clearing it stops the proxy.
endpoint = getenv('NPYSTORE_S3_ENDPOINT');
started = fullfile(ctx.dir, 'transfer.started');
meter = start_proxy(ctx, endpoint, rate(), started);
meter.started = started;
cache = fullfile(ctx.dir, 'cache-slow');
direct = npystore.Store(s3_config(endpoint, s3_location(ctx), fullfile(ctx.dir, 'cache-direct')));
slow = npystore.Store(s3_config(meter.endpoint, s3_location(ctx), cache));
end
