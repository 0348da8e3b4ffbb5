function u = timeUnit(descr)
% TIMEUNIT  The unit of a numpy datetime64/timedelta64 descr ('<M8[ns]', '>m8[10ms]').
%   u = npystore.internal.timeUnit(descr)
% u.kind: 'M' (datetime64) or 'm' (timedelta64); u.unit: numpy's unit with its
% multiplier ('10ms'); u.months: months per count for the calendar units Y (12) and
% M (1), times the multiplier, else 0; otherwise one count is u.num / u.den seconds
% (int64, exact: W 604800/1 ... s 1/1, ms 1/1e3 ... as 1/1e18, times the
% multiplier). A generic or unknown unit is npystore:dtype.
tok = regexp(descr, '^''[<>=|]([Mm])8\[(\d*)([A-Za-z]+)\]''$', 'tokens', 'once');
if isempty(tok)
  npystore.internal.fail('dtype', '%s is no datetime64/timedelta64 with a unit', descr);
end
mult = 1;
if ~isempty(tok{2}), mult = str2double(tok{2}); end
u = struct('kind', tok{1}, 'unit', [tok{2} tok{3}], 'months', 0, 'num', int64(0), 'den', int64(1));
seconds = struct('W', 604800, 'D', 86400, 'h', 3600, 'm', 60, 's', 1);
fractions = struct('ms', 1e3, 'us', 1e6, 'ns', 1e9, 'ps', 1e12, 'fs', 1e15, 'as', 1e18);
switch tok{3}
  case 'Y', u.months = 12 * mult;
  case 'M', u.months = mult;
  otherwise
    if isfield(seconds, tok{3})
      u.num = int64(seconds.(tok{3})) * int64(mult);
    elseif isfield(fractions, tok{3})
      u.num = int64(mult);
      u.den = int64(fractions.(tok{3}));
    else
      npystore.internal.fail('dtype', '%s: unknown time unit ''%s''', descr, tok{3});
    end
end
end
