function failed = run_tests(suites)
% RUN_TESTS  The Octave/MATLAB suite of the npystore binding.
%   octave-cli --eval 'cd bindings/matlab/tests; exit(run_tests() > 0)'
%   run_tests('test_progress')    the suites whose files match a dir() pattern
% Environment: NPYSTORE_MEX_DIR (folder of npystore_mex, default: bindings/matlab),
% NPYSTORE_PYTHON (python with numpy, default python3).
% Every tests/test_*.m returns a cell of tests, each a handle to a test function or
% a {name, handle} pair; each test gets a fresh file store in ctx. Ends with the line 'N passed, N failed'.
here = fileparts(mfilename('fullpath'));
addpath(fullfile(here, '..'));
if ~isempty(getenv('NPYSTORE_MEX_DIR')), addpath(getenv('NPYSTORE_MEX_DIR')); end
root = tempname();
mkdir(root);
cleanup = onCleanup(@() confirm_recursive_rmdir_off(root));
shared = struct('root', root, 'python', python_command(), 'here', here);
shared.numpyDir = fullfile(root, 'numpy');
run_python(shared, 'make', shared.numpyDir);

if nargin < 1, suites = 'test_*'; end
files = dir(fullfile(here, [suites '.m']));
passed = 0;
failed = 0;
for f = 1:numel(files)
  [~, suite] = fileparts(files(f).name);
  try
    tests = feval(suite);
  catch err
    failed = failed + 1;
    fprintf('FAIL %s (listing its tests)\n     %s (%s)\n', suite, err.message, err.identifier);
    continue;
  end
  for t = 1:numel(tests)
    [label, fn] = test_entry(tests{t});
    name = sprintf('%s/%s', suite, label);
    try
      fn(fresh_store(shared, passed + failed));
      passed = passed + 1;
      fprintf('ok   %s\n', name);
    catch err
      failed = failed + 1;
      fprintf('FAIL %s\n     %s (%s)\n', name, err.message, err.identifier);
    end
  end
end
fprintf('%d passed, %d failed\n', passed, failed);
end

function [label, fn] = test_entry(entry)
if iscell(entry), [label, fn] = deal(entry{:}); else, fn = entry; label = func2str(fn); end
end

function ctx = fresh_store(ctx, n)
ctx.dir = fullfile(ctx.root, sprintf('store%03d', n));
mkdir(ctx.dir);
ctx.config = sprintf('{"stores": {"default": "main", "main": {"protocol": "file", "location": "%s"}}}', ctx.dir);
ctx.store = npystore.Store(ctx.config);
end

function py = python_command()
py = getenv('NPYSTORE_PYTHON');
if isempty(py), py = 'python3'; end
end

function confirm_recursive_rmdir_off(root)
if exist('confirm_recursive_rmdir', 'builtin'), confirm_recursive_rmdir(false); end
rmdir(root, 's');
end
