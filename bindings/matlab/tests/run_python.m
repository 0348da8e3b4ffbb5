function out = run_python(ctx, command, folder)
% Run numpy_side.py COMMAND FOLDER with the suite's python; error (with its output)
% when it fails.
script = fullfile(ctx.here, 'numpy_side.py');
[status, out] = system(sprintf('"%s" "%s" %s "%s" 2>&1', ctx.python, script, command, folder));
if status ~= 0
  error('npystore_test:python', 'numpy_side.py %s failed:\n%s', command, out);
end
end
