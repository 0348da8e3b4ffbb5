function [A, done] = loadInPlace(varargin)
% LOADINPLACE  Octave's fast load: npystore_oct fills a new Octave array in place.
%   [A, done] = npystore.internal.loadInPlace('load', id, raw)
%   [B, done] = npystore.internal.loadInPlace('read_rows', id, first0, count)
%   [B, done] = npystore.internal.loadInPlace('load_bytes', id)
% done is false in MATLAB (whose MEX arrays need no copy), when npystore_oct was not
% built, and for the cases npystore_oct leaves to npystore_mex (see
% oct/npystore_oct.cc); the caller then calls npystore_mex with the same arguments.
persistent available
if isempty(available)
  available = exist('OCTAVE_VERSION', 'builtin') ~= 0 && exist('npystore_oct', 'file') == 3;
end
A = [];
done = false;
if available
  [A, done] = npystore_oct(varargin{:});
end
end
