function x = text(x, what)
% TEXT  A text argument as a char row: a MATLAB string scalar becomes char; anything
% else is returned unchanged (the caller or the MEX checks it). A string array of
% more than one element is npystore:invalid_argument (what names the argument).
if isa(x, 'string')
  if ~isscalar(x)
    npystore.internal.fail('invalid_argument', '%s must be one string, not a %s string array', ...
                           what, mat2str(size(x)));
  end
  x = char(x);
end
end
