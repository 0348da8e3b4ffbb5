function parts = keyParts(key)
% A DataJoint primary key (struct, fields in primary-key order) as the MEX's
% n-by-3 cell {name, kind, value}. How MATLAB values map to DataJoint's path text:
%   int8..int64          -> int   (str(int))
%   uint8..uint64        -> uint
%   double/single        -> int when integral (MATLAB's 3 is DataJoint's int 3:
%                           "3", not "3.0") up to flintmax of its class, else
%                           float (Python's str(float)); beyond flintmax, a value
%                           an int64/uint64 key could hold is refused (the double may
%                           not be the integer meant: pass int64/uint64), larger ones
%                           (1e20) are floats; NaN and Inf are refused (no database
%                           holds them in a key)
%   logical              -> bool  ("True"/"False")
%   char, string         -> string (DataJoint's escaping; also dates: '2024-05-01')
%   datetime (MATLAB)    -> datetime ("YYYY-MM-DDTHH-MM-SS")
if isempty(key), parts = cell(0, 3); return; end
if ~isstruct(key) || numel(key) ~= 1
  npystore.internal.fail('invalid_argument', 'key must be a scalar struct, one field per key attribute');
end
names = fieldnames(key);
parts = cell(numel(names), 3);
for i = 1:numel(names)
  [kind, value] = keyKind(names{i}, key.(names{i}));
  parts(i, :) = {names{i}, kind, value};
end
end

function [kind, value] = keyKind(name, v)
value = v;
if isa(v, 'string'), kind = 'string'; value = char(v); return; end
if ischar(v), kind = 'string'; return; end
if isa(v, 'datetime')
  kind = 'datetime';
  s = floor(second(v));
  value = [year(v) month(v) day(v) hour(v) minute(v) s round((second(v) - s) * 1e6)];
  return;
end
if ~(isnumeric(v) || islogical(v)) || ~isscalar(v) || ~isreal(v)
  npystore.internal.fail('invalid_argument', ...
        'key field ''%s'' must be a real scalar, text or a datetime, not %s', name, class(v));
end
if islogical(v), kind = 'bool';
elseif isinteger(v) && any(strcmp(class(v), {'uint8', 'uint16', 'uint32', 'uint64'})), kind = 'uint';
elseif isinteger(v), kind = 'int';
elseif ~isfinite(v)
  npystore.internal.fail('invalid_argument', 'key field ''%s'' is %s: a key must be finite', name, num2str(v));
elseif v == round(v) && abs(v) <= flintmax(class(v)), kind = 'int'; value = double(v);
elseif v == round(v) && v >= -2^63 && v < 2^64
  npystore.internal.fail('invalid_argument', ...
        ['key field ''%s'' is %.17g, an integer beyond flintmax(''%s''), where a %s no ' ...
         'longer holds every integer: pass int64 or uint64 for an integer key'], ...
        name, v, class(v), class(v));
else, kind = 'float'; value = double(v);
end
end
