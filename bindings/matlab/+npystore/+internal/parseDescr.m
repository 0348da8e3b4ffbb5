function layout = parseDescr(descr)
% PARSEDESCR  numpy's descr (the Python literal of a .npy header: '<f8', '|S5',
% [('x', '<f8'), ('p', [('a', '<i4')]), ('m', '<f4', (2, 3)), ('', '|V4')]) as a
% layout struct:
%   kind 'scalar': code (kind letter and size, 'f8'), order ('<', '>', '|'),
%                  itemsize (bytes of the whole field, sub-array included),
%                  sub (numpy shape of a sub-array field, zeros(1, 0) for none)
%   kind 'record': names, offsets (bytes), items (layouts), itemsize, sub
% numpy writes padding as fields named '' (void), so offsets are running sums.
% Titles and other forms numpy does not write to .npy headers are npystore:dtype.
[layout, pos] = item(descr, skip(descr, 1));
if skip(descr, pos) <= numel(descr)
  bad(descr);
end
end

function [layout, pos] = item(s, pos)
if pos <= numel(s) && s(pos) == '['
  [layout, pos] = record(s, pos);
elseif pos <= numel(s) && s(pos) == ''''
  [text, pos] = quoted(s, pos);
  layout = scalar(text, s);
else
  bad(s);
end
end

function [layout, pos] = record(s, pos)
layout = struct('kind', 'record', 'names', {{}}, 'offsets', [], 'items', {{}}, ...
                'itemsize', 0, 'sub', zeros(1, 0));
pos = skip(s, pos + 1);
while pos <= numel(s) && s(pos) ~= ']'
  if s(pos) ~= '(', bad(s); end
  pos = skip(s, pos + 1);
  [name, pos] = quoted(s, pos);
  pos = expect(s, pos, ',');
  [field, pos] = item(s, pos);
  pos = skip(s, pos);
  if pos <= numel(s) && s(pos) == ','
    [sub, pos] = tuple(s, skip(s, pos + 1));
    field.sub = sub;
    field.itemsize = field.itemsize * prod(sub);
    pos = skip(s, pos);
  end
  pos = expect(s, pos, ')');
  layout.names{end + 1} = name;
  layout.offsets(end + 1) = layout.itemsize;
  layout.items{end + 1} = field;
  layout.itemsize = layout.itemsize + field.itemsize;
  if pos <= numel(s) && s(pos) == ',', pos = skip(s, pos + 1); end
end
if pos > numel(s), bad(s); end
pos = pos + 1;
end

function layout = scalar(text, s)
t = regexp(text, '^([<>|=])([a-zA-Z])(\d+)(\[\w+\])?$', 'tokens', 'once');
if isempty(t), bad(s); end
n = str2double(t{3});
if t{2} == 'U', itemsize = 4 * n; else, itemsize = n; end
order = t{1};
if order == '=', order = '<'; end
layout = struct('kind', 'scalar', 'code', [t{2} t{3}], 'order', order, 'itemsize', itemsize, ...
                'sub', zeros(1, 0));
end

function [sub, pos] = tuple(s, pos)
if s(pos) ~= '(', bad(s); end
close = find(s(pos:end) == ')', 1) + pos - 1;
if isempty(close), bad(s); end
parts = strtrim(strsplit(s(pos + 1:close - 1), ','));
parts = parts(~cellfun(@isempty, parts));
sub = str2double(parts);
if any(isnan(sub)), bad(s); end
pos = close + 1;
end

function [text, pos] = quoted(s, pos)
if s(pos) ~= '''', bad(s); end
close = find(s(pos + 1:end) == '''', 1) + pos;
if isempty(close), bad(s); end
text = s(pos + 1:close - 1);
pos = skip(s, close + 1);
end

function pos = expect(s, pos, c)
pos = skip(s, pos);
if pos > numel(s) || s(pos) ~= c, bad(s); end
pos = skip(s, pos + 1);
end

function pos = skip(s, pos)
while pos <= numel(s) && s(pos) == ' ', pos = pos + 1; end
end

function bad(s)
npystore.internal.fail('dtype', 'dtype %s is not a form MATLAB reads (field titles and the like)', s);
end
