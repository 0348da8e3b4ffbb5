classdef Progress < handle
% PROGRESS  The 'progress' option of a long transfer (r.load, r.mmap of a remote
% object, store.loadMany) and its display.
%   p = npystore.internal.Progress(option, label)
%   varargout = p.run(call)   [varargout{:}] = call(fn): fn is the MEX's progress
%                             argument ([] or @(done, total) p.step(done, total))
%   varargout = p.run(call, discard)   discard(varargout{:}) frees the results when
%                             f failed after the transfer had completed
% option: false or [] (default: no display; Ctrl+C still cancels, in the MEX), true
% or 'bar' (MATLAB with a desktop: a waitbar; MATLAB without one and Octave: a text
% bar in the command window; MATLAB -batch: nothing), or a function handle
% f(done, total) called on the interpreter's thread about every 100 ms and once at
% the end: returning logical true cancels (npystore:cancelled). A function without
% outputs never cancels. An error in f cancels the transfer and is raised again,
% unchanged, once the library has returned (also when it came at the last report).

  properties (SetAccess = private)
    fn = []          % the caller's function, or []
    display = ''     % 'waitbar', 'text' or '' (none)
    label = ''       % what the bar says is under way
    failure = []     % the error f raised, raised again by run
    bar = []         % the waitbar's figure
    drawn = false    % whether the text bar was drawn
  end

  properties (Dependent)
    active           % whether the MEX gets a function to call
  end

  methods
    function obj = Progress(option, label)
      obj.label = label;
      option = npystore.internal.text(option, '''progress''');
      if isa(option, 'function_handle')
        obj.fn = option;
      elseif ischar(option) && strcmpi(option, 'bar')
        obj.display = npystore.internal.Progress.barKind();
      elseif (islogical(option) || isnumeric(option)) && (isempty(option) || isscalar(option))
        if ~isempty(option) && option, obj.display = npystore.internal.Progress.barKind(); end
      else
        npystore.internal.fail('invalid_argument', ...
                               '''progress'' must be true, false, ''bar'' or a function handle f(done, total)');
      end
    end

    function tf = get.active(obj)
      tf = ~isempty(obj.fn) || ~isempty(obj.display);
    end

    function varargout = run(obj, call, discard)
      % The transfer call(fn); the bar is closed however it ends; a failure of the
      % caller's function is raised in place of the npystore:cancelled it caused.
      % When it failed at the last report of a transfer that completed, the results
      % are handed to discard(varargout{:}) (if given: to free what they hold)
      % before the failure is raised.
      closing = onCleanup(@() obj.finish());
      fn = [];
      if obj.active, fn = @(done, total) obj.step(done, total); end
      try
        [varargout{1:nargout}] = call(fn);
      catch err
        obj.raiseFailure();
        rethrow(err);
      end
      if ~isempty(obj.failure) && nargin > 2, discard(varargout{:}); end
      obj.raiseFailure();
    end

    function stop = step(obj, done, total)
      % One report: draw, ask the caller's function; true cancels. Never raises.
      stop = false;
      try
        obj.draw(done, total);
        if ~isempty(obj.fn), stop = obj.ask(done, total); end
      catch err
        obj.failure = err;
        stop = true;
      end
    end
  end

  methods (Access = private)
    function raiseFailure(obj)
      if ~isempty(obj.failure), rethrow(obj.failure); end
    end

    function stop = ask(obj, done, total)
      if nargout(obj.fn) == 0
        obj.fn(done, total);
        stop = false;
      else
        answer = obj.fn(done, total);
        stop = islogical(answer) && isscalar(answer) && answer;
      end
    end

    function draw(obj, done, total)
      % Nothing until bytes arrive: a map of a local file or of a valid cached
      % copy gets one report of 0 bytes, which is no transfer to show.
      if done == 0 && isempty(obj.bar) && ~obj.drawn, return; end
      share = 1;
      if total > 0, share = min(done / total, 1); end
      if strcmp(obj.display, 'waitbar')
        if isempty(obj.bar)
          obj.bar = waitbar(share, ['npystore: ' obj.label]);
        elseif ishandle(obj.bar)
          waitbar(share, obj.bar);
        end
      elseif strcmp(obj.display, 'text')
        width = 30;
        filled = round(share * width);
        fprintf('\rnpystore: %s [%s%s] %3d%% of %s', obj.label, repmat('#', 1, filled), ...
                repmat(' ', 1, width - filled), round(100 * share), ...
                npystore.internal.Progress.megabytes(total));
        obj.drawn = true;
      end
    end

    function finish(obj)
      if obj.drawn, fprintf('\n'); end
      if ~isempty(obj.bar) && ishandle(obj.bar), delete(obj.bar); end
      obj.bar = [];
      obj.drawn = false;
    end
  end

  methods (Static, Access = private)
    function kind = barKind()
      % A waitbar where MATLAB shows figures, nothing in -batch, else a text bar.
      kind = 'text';
      if exist('OCTAVE_VERSION', 'builtin'), return; end
      if exist('batchStartupOptionUsed') && batchStartupOptionUsed()  %#ok<EXIST> R2019a+
        kind = '';
      elseif usejava('desktop') && feature('ShowFigureWindows')
        kind = 'waitbar';
      end
    end

    function s = megabytes(n)
      s = sprintf('%.1f MB', n / 1e6);
    end
  end
end
