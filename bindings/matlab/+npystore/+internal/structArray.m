function A = structArray(S, shape)
% STRUCTARRAY  A struct of arrays (decodeBytes' record, numpy shape `shape`) as a
% struct array of MATLAB size shape ((N,) -> N-by-1), element k holding element
% k of every field: a scalar, a sub-array (its numpy sub-shape), bytes, a string,
% or a nested struct.
dims = shape;
if numel(dims) == 1, dims = [dims 1]; elseif isempty(dims), dims = [1 1]; end
n = prod(dims);
names = fieldnames(S);
A = repmat(cell2struct(cell(numel(names), 1), names, 1), dims);
lead = numel(shape);
for f = 1:numel(names)
  F = S.(names{f});
  if isstruct(F)
    E = npystore.internal.structArray(F, shape);
    for k = 1:n, A(k).(names{f}) = E(k); end
  elseif iscell(F)
    for k = 1:n, A(k).(names{f}) = F{k}; end
  elseif lead == 0
    A(1).(names{f}) = F;
  else
    sz = size(F);
    sub = [sz(lead + 1:end), 1, 1];
    if lead == 1, sub = [sz(2:end), 1]; end
    G = reshape(F, n, []);
    for k = 1:n
      e = reshape(G(k, :), sub);
      A(k).(names{f}) = e;
    end
  end
end
end
