classdef ProgressLog < handle
% PROGRESSLOG  A progress function for the tests: records every (done, total) it is
% called with and cancels (returns true) from its cancelAt-th call on.
%   log = ProgressLog();  r.load('progress', @log.report)
%   log = ProgressLog(1)  cancels at the first call
  properties
    done = []
    total = []
    cancelAt = Inf
  end
  methods
    function obj = ProgressLog(cancelAt)
      if nargin > 0, obj.cancelAt = cancelAt; end
    end
    function stop = report(obj, done, total)
      obj.done(end + 1) = done;
      obj.total(end + 1) = total;
      stop = numel(obj.done) >= obj.cancelAt;
    end
    function check_monotonic(obj, total)
      % Called at least twice, done never decreasing, up to total, total throughout.
      assert(numel(obj.done) >= 2, 'progress was reported %d time(s)', numel(obj.done));
      assert(all(diff(obj.done) >= 0), 'done decreased: %s', mat2str(obj.done));
      assert(all(obj.total == total), 'totals %s, not %d', mat2str(unique(obj.total)), total);
      assert(obj.done(end) == total, 'done ends at %d of %d', obj.done(end), total);
      assert(any(obj.done > 0 & obj.done < total), 'no report came mid-transfer: %s', ...
             mat2str(obj.done));
    end
  end
end
