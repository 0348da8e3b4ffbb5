function cases = numpy_cases(ctx, dtype)
% NUMPY_CASES  The files numpy wrote for dtype (run_python 'make'): rows of
% {file name, numpy shape, 'C' or 'F'}, 18 per dtype.
lines = strsplit(strtrim(fileread(fullfile(ctx.numpyDir, 'cases.tsv'))), "\n");
cases = {};
for i = 1:numel(lines)
  f = strsplit(lines{i}, "\t", "CollapseDelimiters", false);
  if strcmp(f{2}, dtype)
    shape = str2double(strsplit(f{3}, ','));
    if isempty(f{3}), shape = zeros(1, 0); end
    cases(end + 1, :) = {f{1}, shape, f{4}};
  end
end
assert(size(cases, 1) == 18, 'expected 18 numpy cases for %s', dtype);
end
