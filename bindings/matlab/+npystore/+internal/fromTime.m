function [counts, descr] = fromTime(A)
% FROMTIME  A MATLAB datetime or duration array as int64 counts and the numpy descr
% put writes (MATLAB only). The unit is 'ns' when every value fits (datetimes
% 1678..2262, durations within +-292 years), else the finest of 'us', 'ms', 's'
% that fits (npystore.internal.timeUnitFor). datetime: zoned values are converted
% to UTC first, unzoned ones are taken as they are (numpy's datetime64 is naive);
% whole seconds come from ymd/hms (exact), the fraction from hms's seconds.
% NaT / NaN -> NaT. Inf and calendarDuration: npystore:invalid_argument.
%   [counts, descr] = npystore.internal.fromTime(A)
if isa(A, 'datetime')
  if ~isempty(A.TimeZone), A.TimeZone = 'UTC'; end
  [y, mo, d] = ymd(A);
  [h, mi, s] = hms(A);
  days = datenum(y, mo, d) - datenum(1970, 1, 1);
  whole = days * 86400 + h * 3600 + mi * 60 + floor(s);
  kind = 'M';
elseif isa(A, 'duration')
  s = seconds(A);
  whole = floor(s);
  kind = 'm';
else
  npystore.internal.fail('invalid_argument', 'fromTime takes datetime or duration, not %s', class(A));
end
if any(isinf(s(:)))
  npystore.internal.fail('invalid_argument', 'an infinite %s has no datetime64/timedelta64 count', class(A));
end
frac = s - floor(s);
unit = npystore.internal.timeUnitFor(whole);
order = '<';
[~, ~, endian] = computer();
if endian == 'B', order = '>'; end
descr = sprintf('''%s%s8[%s]''', order, kind, unit);
counts = npystore.internal.timeCounts(whole, frac, npystore.internal.timeUnit(descr));
end
