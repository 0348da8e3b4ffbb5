function unit = timeUnitFor(whole)
% TIMEUNITFOR  The unit put writes MATLAB datetime/duration values in: 'ns' when
% every value (whole seconds from 1970-01-01, or of the duration; NaN ignored) fits
% int64 counts of ns (about 1678..2262, or +-292 years), else the finest of 'us',
% 'ms', 's' that fits.
%   unit = npystore.internal.timeUnitFor(whole)
span = max([0; abs(whole(~isnan(whole(:))))]);
units = {'ns', 1e9; 'us', 1e6; 'ms', 1e3; 's', 1};
for k = 1:size(units, 1)
  if span < double(intmax('int64')) / units{k, 2} - 1
    unit = units{k, 1};
    return;
  end
end
npystore.internal.fail('invalid_argument', 'a time is past the range of int64 counts of seconds');
end
