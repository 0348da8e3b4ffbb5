function v = toTime(counts, descr)
% TOTIME  int64 counts of a datetime64/timedelta64 descr as MATLAB time values
% (MATLAB only: Octave has no datetime or duration class; the .m layer refuses
% 'time', 'datetime' there before it reads anything).
%   datetime64 -> datetime (no time zone, as numpy's are naive), from 1970-01-01
%                 plus whole seconds plus the fraction, each added on its own so
%                 that ns survive (datetime holds more than a double's precision);
%                 Y and M: the first of that month
%   timedelta64 -> duration (seconds; a double of milliseconds inside MATLAB, so
%                 finer than about 1 us over decades is rounded); Y and M:
%                 calendarDuration (calmonths), which have no fixed length
%   NaT -> NaT (datetime) or NaN (duration, calendarDuration)
%   v = npystore.internal.toTime(counts, descr)
u = npystore.internal.timeUnit(descr);
[whole, frac, months] = npystore.internal.timeSplit(counts, u);
if u.kind == 'M'
  if u.months > 0
    v = datetime(1970, 1 + months, 1);      % months past 12 roll over into years
  else
    v = datetime(1970, 1, 1) + seconds(whole) + seconds(frac);
  end
  v.Format = 'yyyy-MM-dd HH:mm:ss.SSSSSSSSS';
  v(isnan(whole) | isnan(frac)) = NaT;
  return;
end
if u.months > 0
  v = calmonths(months);
else
  v = seconds(whole) + seconds(frac);
end
v = reshape(v, size(counts));
end
