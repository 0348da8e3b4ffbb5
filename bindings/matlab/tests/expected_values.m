function A = expected_values(dtype, shape)
% The array numpy_side.py's expected(dtype, shape) holds, as MATLAB holds it:
% size(A) is the shape (N-by-1 for 1-d, 1-by-1 for 0-d) and A(i,j,..) is numpy's
% a[i-1,j-1,..], whose value is its C-order linear index k (bool: odd k; complex:
% k + (k+1)i), in the class npystore loads the dtype as.
n = prod(shape);
k = 0:n - 1;
if numel(shape) >= 2
  k = permute(reshape(k, fliplr(shape)), numel(shape):-1:1);
elseif numel(shape) == 1
  k = k(:);
end
switch dtype
  case {'float64', '>f8'}, A = double(k);
  case {'float32', 'float16'}, A = single(k);
  case {'complex128', '>c16'}, A = complex(double(k), double(k) + 1);
  case 'complex64', A = complex(single(k), single(k) + 1);
  case 'bool', A = mod(k, 2) == 1;
  case '>i2', A = int16(k);
  case 'datetime64[s]', A = int64(k);
  otherwise, A = cast(k, dtype);
end
end
