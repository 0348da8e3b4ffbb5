function python_check(ctx, code)
% PYTHON_CHECK  Run python CODE (one line; numpy imported as np, D the store's
% folder) with the suite's python; error with its output when it fails.
script = sprintf('import numpy as np; D = "%s"; %s', ctx.dir, code);
[status, out] = system(sprintf('"%s" -c ''%s'' 2>&1', ctx.python, script));
if status ~= 0
  error('npystore_test:python', 'python check failed:\n%s\n%s', code, out);
end
end
