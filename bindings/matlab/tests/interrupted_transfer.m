function interrupted_transfer(kind, configFile, path)
% INTERRUPTED_TRANSFER  The child of test_progress's Ctrl+C tests (run by
% interrupt_child.py in its own octave-cli): one transfer of `path` from the store
% whose config JSON is in `configFile`, without a progress option, which the parent interrupts with SIGINT.
%   kind 'load'          r.load() (Octave's in-place loader)
%   kind 'load_progress' r.load('progress', f) (the MEX, calling f between checks)
%   kind 'load_busy'     r.load('progress', f) with f = busy_progress, which makes
%                        the file <configFile>.busy and then spins
%   kind 'load_caught'   r.load() inside try/catch, then a statement after it
%   kind 'load_many'     store.loadMany({r})
%   kind 'mmap'          r.mmap() (a download into the cache, through the MEX)
%   kind 'read_rows'     r.readRows(1) (Octave's in-place loader)
%   kind 'read_rows_progress'   r.readRows(1, 'progress', f) (the MEX)
%   kind 'index'         r(:, :) (the MEX's slice read)
% Prints "returned" if the transfer ends without an error, and "unwound" when the
% function's frame goes (at the end or when an interrupt unwinds it).
unwound = onCleanup(@() fprintf('unwound\n'));
store = npystore.Store(fileread(configFile));
r = store.open(path);
switch kind
  case 'load'
    A = r.load();
  case 'load_progress'
    A = r.load('progress', @(done, total) false);
  case 'load_busy'
    A = r.load('progress', @(done, total) busy_progress([configFile '.busy']));
  case 'load_caught'
    try
      A = r.load();
    catch err
      fprintf('caught %s\n', err.identifier);
    end
    fprintf('after the try\n');
  case 'load_many'
    V = store.loadMany({r});
  case 'mmap'
    m = r.mmap();
  case 'read_rows'
    A = r.readRows(1);
  case 'read_rows_progress'
    A = r.readRows(1, 'progress', @(done, total) false);
  case 'index'
    A = r(:, :);
end
fprintf('returned\n');
end
