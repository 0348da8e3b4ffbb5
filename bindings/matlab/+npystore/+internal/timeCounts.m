function counts = timeCounts(whole, frac, u)
% TIMECOUNTS  The reverse of timeSplit for units of a second or finer (s, ms, us,
% ns ... as, u from npystore.internal.timeUnit): int64 counts of whole seconds
% plus a fraction in [0, 1) (rounded to the nearest count; a fraction that rounds
% up to a whole second carries). NaN gives NaT (intmin('int64')); a value past
% int64's range is npystore:invalid_argument.
%   counts = npystore.internal.timeCounts(whole, frac, u)
if u.months > 0 || u.num ~= 1
  npystore.internal.fail('invalid_argument', 'counts are written in s or finer units, not %s', u.unit);
end
nat = isnan(whole) | isnan(frac);
whole(nat) = 0;
frac(nat) = 0;
perSecond = double(u.den);
if any(abs(whole(:)) >= double(intmax('int64')) / perSecond - 1)
  npystore.internal.fail('invalid_argument', 'a time is past the range of int64 counts of %s', u.unit);
end
counts = int64(whole) * u.den + int64(round(frac * perSecond));
counts(nat) = intmin('int64');
end
