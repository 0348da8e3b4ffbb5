function print_progress(done, total)
% PRINT_PROGRESS  A progress function without outputs (test_progress): prints
% "progress <done> of <total>".
fprintf('progress %d of %d\n', done, total);
end
