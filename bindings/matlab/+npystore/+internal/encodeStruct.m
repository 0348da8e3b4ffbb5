function [B, descr, shape] = encodeStruct(S, shape)
% ENCODESTRUCT  A MATLAB struct as numpy structured element bytes for
% npystore_mex('put_bytes'): B uint8 [itemsize, n] (column-major over numpy's
% shape), descr numpy's ([('x', '<f8'), ('name', '<U5')]), shape numpy's.
%   scalar struct of arrays: every field holds n = prod(shape) elements; shape is
%     the given one, else (shape 'size') the size of the first field
%   struct array: shape is size(S) unless given; every field of every element is
%     one value (a scalar, or a char row for text)
% Field values: logical, intN/uintN, single, double (complex too), char rows /
% cellstr / string (-> U), nested structs (-> nested records). Others are
% npystore:dtype.
names = fieldnames(S);
if isempty(names)
  npystore.internal.fail('dtype', 'a struct without fields has no numpy dtype');
end
if ~isscalar(S)
  if ischar(shape), shape = size(S); end
  S = toFields(S, names);
elseif ischar(shape)
  shape = firstSize(S);
end
n = prod(shape);
parts = cell(1, numel(names));
blocks = cell(numel(names), 1);
for i = 1:numel(names)
  [blocks{i}, fieldDescr] = encodeField(fieldValue(S.(names{i})), n, names{i});
  parts{i} = sprintf('(''%s'', %s)', names{i}, fieldDescr);
end
B = vertcat(blocks{:});
descr = ['[' strjoin(parts, ', ') ']'];
end

function s = firstSize(S)
% the size of the first field, looking into nested scalar structs
names = fieldnames(S);
v = fieldValue(S.(names{1}));
if isstruct(v) && isscalar(v) && ~isempty(fieldnames(v)), s = firstSize(v); else, s = size(v); end
end

function v = fieldValue(v)
if isa(v, 'string'), v = cellstr(v); end
end

function S = toFields(A, names)
% a struct array as a struct of arrays of size(A)
S = struct();
for i = 1:numel(names)
  vals = reshape({A.(names{i})}, size(A));
  if all(cellfun(@(v) ischar(v) || isa(v, 'string'), vals(:)))
    S.(names{i}) = cellfun(@char, vals, 'UniformOutput', false);
  elseif all(cellfun(@isstruct, vals(:)))
    S.(names{i}) = reshape([vals{:}], size(A));
  elseif all(cellfun(@(v) (isnumeric(v) || islogical(v)) && isscalar(v), vals(:)))
    S.(names{i}) = reshape([vals{:}], size(A));
  else
    npystore.internal.fail('dtype', ['field ''%s'' of a struct array must hold one scalar or ' ...
                                      'one text per element'], names{i});
  end
end
end

function [B, descr] = encodeField(v, n, name)
if isstruct(v)
  [B, descr] = npystore.internal.encodeStruct(v, [n 1]);
  return;
end
if ischar(v) && n == 1, v = {v}; end
if ischar(v) && size(v, 1) == n, v = cellstr(v); end
if numel(v) ~= n
  npystore.internal.fail('shape', 'field ''%s'' has %d elements, the array %d', name, numel(v), n);
end
if iscell(v)
  [B, descr] = unicodeBytes(v, name);
  return;
end
if islogical(v)
  B = reshape(uint8(v(:)), 1, n);
  descr = '''|b1''';
  return;
end
codes = struct('double', 'f8', 'single', 'f4', 'int8', 'i1', 'int16', 'i2', 'int32', 'i4', ...
               'int64', 'i8', 'uint8', 'u1', 'uint16', 'u2', 'uint32', 'u4', 'uint64', 'u8');
if ~isnumeric(v) || ~isfield(codes, class(v)) || issparse(v) || (iscomplex(v) && isinteger(v))
  npystore.internal.fail('dtype', 'field ''%s'' of class %s has no numpy dtype here', name, class(v));
end
code = codes.(class(v));
if iscomplex(v)
  x = [real(v(:)).'; imag(v(:)).'];
  code = sprintf('c%d', 2 * str2double(code(2:end)));
else
  x = v(:);
end
bytes = typecast(x(:), 'uint8');
B = reshape(bytes, [], n);
if any(code(end) == '1') && numel(code) == 2, order = '|'; else, order = '<'; end
descr = sprintf('''%s%s''', order, code);
end

function [B, descr] = unicodeBytes(c, name)
if ~all(cellfun(@(e) ischar(e) && (isrow(e) || isempty(e)), c(:)))
  npystore.internal.fail('dtype', 'field ''%s'': every text must be a char row', name);
end
k = max([1; cellfun(@numel, c(:))]);
u = zeros(k, numel(c), 'uint32');
limit = 65535;
if exist('OCTAVE_VERSION', 'builtin'), limit = 127; end
for i = 1:numel(c)
  codes = double(c{i});
  if any(codes > limit | (codes >= 55296 & codes <= 57343))
    npystore.internal.fail('dtype', 'field ''%s'' holds a character that does not fit one char element', name);
  end
  u(1:numel(codes), i) = codes;
end
B = reshape(typecast(u(:), 'uint8'), 4 * k, numel(c));
descr = sprintf('''<U%d''', k);
end
