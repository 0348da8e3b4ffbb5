function v = decodeBytes(B, layout, shape, text)
% DECODEBYTES  MATLAB values from element bytes (npystore_mex('load_bytes')):
% B is uint8 [layout.itemsize, prod(shape)], one element per column, column-major
% over numpy's shape. text is how U data comes back: 'char', 'cellstr', 'string'.
%   record   -> scalar struct, one field per named field (struct of arrays), each
%               of numpy's a['name'] shape (shape then the field's sub-array shape)
%   b1, iN/uN, f2/f4/f8, cN, M8/m8 -> logical, intN/uintN, single/double, complex,
%               int64 counts, as r.load() gives them
%   S, V     -> uint8 of size [shape, itemsize], the bytes of each element as
%               stored (numpy strips an S element's trailing NULs; they are kept)
%   U        -> text per 'text'
% Padding fields (named '') are skipped.
if ~isempty(layout.sub)
  [B, shape] = subOrder(B, layout.itemsize / prod(layout.sub), layout.sub, shape);
end
if strcmp(layout.kind, 'record')
  v = struct();
  for i = 1:numel(layout.names)
    if isempty(layout.names{i}), continue; end
    item = layout.items{i};
    rows = layout.offsets(i) + (1:item.itemsize);
    v.(fieldName(layout.names{i})) = npystore.internal.decodeBytes(B(rows, :), item, shape, text);
  end
  return;
end
v = scalarValues(B, layout, shape, text);
end

function [B, shape] = subOrder(B, elsize, sub, shape)
% A sub-array field's bytes (C order inside each element) as elements of its own,
% column-major over the full shape [shape, sub].
n = size(B, 2);
dims = [elsize, fliplr(sub), shape];
if isempty(shape), dims(end + 1) = 1; end
X = reshape(B, dims);
ns = numel(sub);
perm = [1, ns + 1 + (1:numel(shape)), ns + 1:-1:2];
if isempty(shape), perm(end + 1) = numel(dims); end
B = reshape(permute(X, perm), elsize, n * prod(sub));
shape = [shape, sub];
end

function v = scalarValues(B, layout, shape, text)
kind = layout.code(1);
bytes = size(B, 1);  % of one element (a sub-array's are elements of their own here)
swap = layout.order == '>' && hostLittle() || layout.order == '<' && ~hostLittle();
sizes = struct('b', 1, 'i', [1 2 4 8], 'u', [1 2 4 8], 'M', 8, 'm', 8, 'f', [2 4 8], 'c', [8 16]);
if isfield(sizes, kind) && ~any(bytes == sizes.(kind))
  npystore.internal.fail('dtype', 'numpy %s has no MATLAB equivalent', layout.code);
end
switch kind
  case 'b'
    v = B(:) ~= 0;
  case {'i', 'u', 'M', 'm'}
    if any(kind == 'Mm'), cls = 'int64'; else, cls = sprintf('%s%d', intName(kind), 8 * bytes); end
    v = typecast(B(:), cls);
    if swap, v = swapbytes(v); end
  case 'f'
    if bytes == 2
      h = typecast(B(:), 'uint16');
      if swap, h = swapbytes(h); end
      v = halfToSingle(h);
    else
      v = typecast(B(:), floatName(bytes));
      if swap, v = swapbytes(v); end
    end
  case 'c'
    x = typecast(B(:), floatName(bytes / 2));
    if swap, x = swapbytes(x); end
    v = complex(x(1:2:end), x(2:2:end));
  case {'S', 'V'}
    dims = [shape, bytes];
    if numel(dims) == 1, dims = [1, dims]; end
    v = reshape(B.', dims);
    return;
  case 'U'
    v = textValues(B, swap, shape, text);
    return;
  otherwise
    npystore.internal.fail('dtype', 'numpy kind %s (%s) has no MATLAB equivalent', kind, layout.code);
end
v = reshape(v, matlabDims(shape));
end

function v = textValues(B, swap, shape, text)
u = typecast(B(:), 'uint32');
if swap, u = swapbytes(u); end
k = size(B, 1) / 4;
u = reshape(u, k, []);
limit = 65535;
if exist('OCTAVE_VERSION', 'builtin'), limit = 127; end
if any(u(:) > limit | (u(:) >= 55296 & u(:) <= 57343))
  npystore.internal.fail('dtype', ['text holds a character that does not fit one char element ' ...
                                   '(non-ASCII text in Octave, beyond the BMP in MATLAB)']);
end
c = cell(matlabDims(shape));
for i = 1:size(u, 2)
  len = find(u(:, i), 1, 'last');
  if isempty(len), c{i} = ''; else, c{i} = char(u(1:len, i)'); end
end
switch text
  case 'cellstr'
    v = c;
  case 'string'
    v = string(c);
  case 'char'
    if numel(shape) > 1
      npystore.internal.fail('dtype', ['a %d-d unicode array has no char form (one string per ' ...
                             'row); load it with ''text'', ''cellstr'' or ''string'''], numel(shape));
    end
    v = char(c(:));
    if isempty(c), v = ''; end
end
end

function f = halfToSingle(h)
e = double(bitand(bitshift(h, -10), 31));
m = double(bitand(h, 1023));
f = zeros(size(h));
normal = e > 0 & e < 31;
f(normal) = (1 + m(normal) / 1024) .* 2 .^ (e(normal) - 15);
f(e == 0) = m(e == 0) / 1024 * 2^-14;
f(e == 31 & m == 0) = Inf;
f(e == 31 & m ~= 0) = NaN;
negative = bitand(h, 32768) ~= 0;
f(negative) = -f(negative);
f = single(f);
end

function d = matlabDims(shape)
d = shape;
if numel(d) == 1, d = [d, 1]; elseif isempty(d), d = [1 1]; end
end

function s = intName(kind)
if kind == 'u', s = 'uint'; else, s = 'int'; end
end

function s = floatName(bytes)
if bytes == 4, s = 'single'; else, s = 'double'; end
end

function tf = hostLittle()
b = typecast(uint16(1), 'uint8');
tf = b(1) == 1;
end

function n = fieldName(name)
% numpy field names as MATLAB field names (matlab.lang.makeValidName's rule:
% invalid characters become '_', a leading non-letter gets an 'x').
n = regexprep(name, '[^A-Za-z0-9_]', '_');
if isempty(regexp(n, '^[A-Za-z]', 'once')), n = ['x' n]; end
end
