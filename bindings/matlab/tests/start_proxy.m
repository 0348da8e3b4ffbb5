function meter = start_proxy(ctx, upstream, rate, started)
% START_PROXY  A counting_proxy.py in front of upstream, stopped when meter is
% cleared: meter.endpoint, meter.lines() (requests so far), meter.since(n) (GETs and
% their response bytes after the first n requests). With rate (bytes/s) and started
% (a file name), large bodies are sent at that rate and started is created once one
% is under way (counting_proxy.py).
if nargin < 3, rate = 0; started = ''; end
portFile = fullfile(ctx.dir, 'proxy.port');
logFile = fullfile(ctx.dir, 'proxy.log');
if exist(portFile, 'file'), delete(portFile); end
fclose(fopen(logFile, 'w'));
pidFile = fullfile(ctx.dir, 'proxy.pid');
throttle = '';
if rate, throttle = sprintf('%d %s', rate, started); end
[st, out] = system(sprintf('%s %s %s %s %s %s >%s 2>&1 & echo $! > %s', ctx.python, ...
                           fullfile(ctx.here, 'counting_proxy.py'), upstream, portFile, logFile, ...
                           throttle, fullfile(ctx.dir, 'proxy.out'), pidFile));
assert(st == 0, out);
for k = 1:200                                % the proxy writes its port once listening
  if exist(portFile, 'file'), break; end
  pause(0.05);
end
assert(exist(portFile, 'file') == 2, 'the counting proxy did not start: %s', ...
       fileread(fullfile(ctx.dir, 'proxy.out')));
pid = strtrim(fileread(pidFile));
meter.endpoint = sprintf('http://127.0.0.1:%s', strtrim(fileread(portFile)));
meter.stop = onCleanup(@() system(['kill ' pid]));
meter.lines = @() numel(log_lines(logFile));
meter.since = @(n) tally(log_lines(logFile), n);
end

function lines = log_lines(file)
text = strtrim(fileread(file));
if isempty(text), lines = {}; else, lines = strsplit(text, "\n"); end
end

function got = tally(lines, n)
got = struct('gets', 0, 'bytes', 0);
for k = n + 1:numel(lines)
  f = strsplit(lines{k}, "\t", "CollapseDelimiters", false);
  if strcmp(f{1}, 'GET')
    got.gets = got.gets + 1;
    got.bytes = got.bytes + str2double(f{4});
  end
end
end
