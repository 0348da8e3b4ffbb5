function [B, lo, cnt] = readIndexed(reader, sz, subs, strict)
% READINDEXED  A(subs{:}) for an array A of size sz, reading only the block that
% spans it.
%   B = npystore.internal.readIndexed(reader, sz, subs, strict)
% reader(lo, cnt) returns the block A(lo(1):lo(1)+cnt(1)-1, ...) (1-based, one lo
% and cnt per dimension, at least numel(sz) of them). subs are MATLAB subscripts (':', logical or positive integers), in MATLAB's rules:
% with fewer subscripts than dimensions the last one indexes the remaining ones as
% one (A(k) is linear indexing). Each numpy axis is read from the lowest to the
% highest index it is given (one reader call), then B is picked out of that block. strict (readSlice): every subscript must be a
% contiguous ascending range, so B is the block itself.
% lo and cnt: the block read (reader's arguments).
n = numel(subs);
if n == 0
  lo = ones(size(sz));
  cnt = sz;
  B = reader(lo, cnt);
  return;
end
if n >= numel(sz)
  axes = [sz, ones(1, n - numel(sz))];   % one subscript per dimension
  spans = num2cell(axes);
else
  axes = [sz(1:n - 1), prod(sz(n:end))]; % the last subscript spans the rest
  spans = [num2cell(sz(1:n - 1)), {sz(n:end)}];
end
lo = ones(1, numel(sz) + max(0, n - numel(sz)));
cnt = [sz, ones(1, n - numel(sz))];
pick = cell(1, n);
for k = 1:n
  [idx, whole] = indexOf(subs{k}, axes(k), k, n);
  dims = spans{k};
  span = k:k + numel(dims) - 1;              % the MATLAB dimensions it indexes
  if whole
    pick{k} = ':';
    continue;
  end
  if strict && ~(isempty(idx) || isequal(idx(:)', idx(1):idx(1) + numel(idx) - 1))
    npystore.internal.fail('invalid_argument', ['readSlice takes contiguous ascending ranges ' ...
                           '(a:b), scalars or '':''; subscript %d is not one (r(...) reads any index)'], k);
  end
  if numel(dims) == 1
    sub = {idx};
  else
    sub = cell(1, numel(dims));
    [sub{:}] = ind2sub(dims, idx);
  end
  rel = cell(size(sub));
  for d = 1:numel(sub)
    if isempty(idx)
      lo(span(d)) = 1;
      cnt(span(d)) = 0;
    else
      lo(span(d)) = min(sub{d}(:));
      cnt(span(d)) = max(sub{d}(:)) - lo(span(d)) + 1;
    end
    rel{d} = sub{d} - lo(span(d)) + 1;
  end
  if numel(rel) == 1
    pick{k} = rel{1};
  else
    pick{k} = sub2ind(cnt(span), rel{:});
  end
end
B = reader(lo, cnt);
if strict && n >= numel(sz) && all(cnt(numel(sz) + 1:end) == 1)
  return;                                    % B is the block itself
end
if n >= numel(sz)
  B = B(pick{:});
elseif n >= 2
  B = reshape(B, [cnt(1:n - 1), prod(cnt(n:end))]);
  B = B(pick{:});
else
  k = subs{1};
  B = B(:);
  if ~ischar(k) || ~strcmp(k, ':')
    B = B(pick{1});
    if islogical(k), k = find(k); end
    if isvector(k) && numel(sz) == 2 && any(sz == 1) && prod(sz) ~= 1
      if sz(1) == 1, B = reshape(B, 1, []); else, B = reshape(B, [], 1); end
    else
      B = reshape(B, size(k));
    end
  end
end
end

function [idx, whole] = indexOf(s, len, k, n)
% The indices subscript k of n selects along a dimension of length len (whole: ':').
whole = ischar(s) && strcmp(s, ':');
idx = [];
if whole, return; end
if islogical(s)
  if any(find(s) > len)
    npystore.internal.fail('invalid_argument', 'subscript %d: a logical index past the end (%d)', k, len);
  end
  idx = find(s);
  return;
end
if ~isnumeric(s) || ~isreal(s) || any(s(:) ~= round(s(:))) || any(s(:) < 1)
  npystore.internal.fail('invalid_argument', ...
                         'subscript %d must be '':'', logical or positive integers (1-based)', k);
end
if any(s(:) > len)
  if n == 1, what = 'elements'; else, what = sprintf('dimension %d', k); end
  npystore.internal.fail('invalid_argument', 'index %d is out of range: %s has %d', ...
                         max(s(:)), what, len);
end
idx = double(s);
end
