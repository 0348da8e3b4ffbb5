function sz = matlabSize(shape)
% MATLABSIZE  size(r.load()) for numpy's shape: 0-d 1-by-1, (N,) N-by-1, else shape.
shape = double(shape(:)');
switch numel(shape)
  case 0, sz = [1 1];
  case 1, sz = [shape 1];
  otherwise, sz = shape;
end
end
