function [whole, frac, months] = timeSplit(counts, u)
% TIMESPLIT  int64 counts of unit u (npystore.internal.timeUnit) as whole seconds
% (double, floor; exact below 2^53 s) and the fraction of a second in [0, 1] (a
% fraction within half an ulp of 1 rounds to 1; the sum is right either way), or
% for the calendar units Y and M as months (double). NaT (intmin('int64')) gives
% NaN in each. Seconds come from exact int64 arithmetic: the fraction of a count
% of ns is its remainder / 1e9, rounded once.
%   [whole, frac, months] = npystore.internal.timeSplit(counts, u)
counts = int64(counts);
nat = counts == intmin('int64');
months = [];
if u.months > 0
  months = double(counts) * u.months;
  months(nat) = NaN;
  whole = [];
  frac = [];
  return;
end
% counts = q * den + r (0 <= r < den): seconds = q * num + r * num / den, every
% product within int64 (timeUnit's units: den * num far below intmax)
if double(u.den) * double(u.num) >= double(intmax('int64'))
  npystore.internal.fail('unsupported', 'time unit %s: its multiplier is too large', u.unit);
end
q = idivide(counts, u.den, 'floor');
part = (counts - q * u.den) * u.num;
carry = idivide(part, u.den, 'floor');
frac = double(part - carry * u.den) / double(u.den);
whole = double(q * u.num + carry);
big = abs(double(q)) * double(u.num) >= 2^62;  % q * num would saturate: one rounding in double
whole(big) = double(q(big)) * double(u.num) + double(carry(big));
whole(nat) = NaN;
frac(nat) = NaN;
end
