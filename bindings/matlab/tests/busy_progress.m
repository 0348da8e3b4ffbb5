function stop = busy_progress(marker)
% BUSY_PROGRESS  A progress function that is still running when the Ctrl+C comes
% (test_progress): makes the file marker, then spins for 20 s; returns false.
fclose(fopen(marker, 'w'));
t = tic;
while toc(t) < 20
end
stop = false;
end
