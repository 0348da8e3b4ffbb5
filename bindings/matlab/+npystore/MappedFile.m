classdef MappedFile < handle
% npystore.MappedFile  What npystore.Ref.mmap returns in GNU Octave, which has no
% memmapfile. Same properties as MATLAB's memmapfile with one Format entry:
%   Filename, Offset, Format {class, dims, 'x'}, Writable, Repeat (1)
%   m.Data.x            a copy of the mapped data (as stored, like ref.load('raw'))
%   m.Data = struct('x', X)   writes X into the map (only when Writable, i.e. mode 'r+')
%   m.Data.x(i, j, ...)       reads only the block of the map that spans the index
%   m.Data.x(i, j, ...) = V   writes only the indexed elements (V: one value or
%                             one per element; cast to the map's class as in any
%                             assignment to an array of that class)
% It holds the library's map of the file npystore checked beneath the store's
% location until it is deleted: Data reads and writes that map, never the file
% reopened by name, so a link repointed or a file replaced later changes nothing.
% Filename is the mapped file's resolved name, for information.

  properties (SetAccess = private)
    Filename
    Offset
    Format
    Writable
    Repeat = 1
  end
  properties (Dependent)
    Data
  end
  properties (Access = private)
    mapping = []
  end

  methods
    function obj = MappedFile(mapping, filename, offset, format, writable)
      % Made by npystore.Ref.mmap (mapping: the MEX's id of the live map); not called
      % directly.
      obj.mapping = mapping;
      obj.Filename = filename;
      obj.Offset = offset;
      obj.Format = format;
      obj.Writable = writable;
    end

    function delete(obj)
      if ~isempty(obj.mapping), npystore_mex('free', obj.mapping); obj.mapping = []; end
    end

    function d = get.Data(obj)
      x = npystore_mex('mapping_read', obj.mapping);
      d = struct(obj.Format{3}, reshape(x, obj.Format{2}));
    end

    function set.Data(obj, d)
      if ~obj.Writable
        npystore.internal.fail('permission_denied', 'this mapping is read-only (map with mode ''r+'')');
      end
      x = d.(obj.Format{3});
      if ~isa(x, obj.Format{1}) || ~isequal(size(x), obj.Format{2})
        npystore.internal.fail('shape', 'Data.%s must be a %s array of size [%s]', obj.Format{3}, ...
              obj.Format{1}, num2str(obj.Format{2}));
      end
      npystore_mex('mapping_write', obj.mapping, x);
    end

    function varargout = subsref(obj, s)
      % m.Data.x(...) reads the block spanning the index; the rest as usual.
      if obj.indexesData(s)
        reader = @(lo, cnt) npystore_mex('mapping_read_block', obj.mapping, obj.Format{2}, ...
                                         lo - 1, cnt);
        B = npystore.internal.readIndexed(reader, obj.Format{2}, s(3).subs, false);
        if numel(s) == 3, varargout = {B}; else, [varargout{1:nargout}] = subsref(B, s(4:end)); end
        return;
      end
      n = max(nargout, 1);  % every property returns a value
      if strcmp(s(1).type, '.') && strcmp(s(1).subs, 'delete'), n = nargout; end
      [varargout{1:n}] = builtin('subsref', obj, s);
    end

    function obj = subsasgn(obj, s, v)
      % m.Data.x(...) = V writes only those elements; the rest as usual.
      if ~(obj.indexesData(s) && numel(s) == 3)
        obj = builtin('subsasgn', obj, s, v);
        return;
      end
      if ~obj.Writable
        npystore.internal.fail('permission_denied', 'this mapping is read-only (map with mode ''r+'')');
      end
      % the linear indices of the elements, read as a block of the index itself
      dims = obj.Format{2};
      index = npystore.internal.readIndexed(@(lo, cnt) linearBlock(dims, lo, cnt), dims, ...
                                            s(3).subs, false);
      if ~(isnumeric(v) || islogical(v)) || ~isreal(v) || (~isscalar(v) && numel(v) ~= numel(index))
        npystore.internal.fail('shape', 'assign a real scalar or %d values to Data.%s(...)', ...
                               numel(index), obj.Format{3});
      end
      npystore_mex('mapping_write_at', obj.mapping, index(:) - 1, cast(v(:), obj.Format{1}));
    end
  end

  methods (Access = private)
    function tf = indexesData(obj, s)
      % Whether s is .Data.<name>(...).
      tf = numel(s) >= 3 && strcmp(s(1).type, '.') && strcmp(s(1).subs, 'Data') && ...
           strcmp(s(2).type, '.') && strcmp(s(2).subs, obj.Format{3}) && strcmp(s(3).type, '()');
    end
  end
end

function L = linearBlock(dims, lo, cnt)
% The 1-based linear indices into an array of size dims of its block from lo, cnt.
dims = [dims, ones(1, numel(lo) - numel(dims))];
stride = cumprod([1, dims(1:end - 1)]);
L = 1 + sum((lo - 1) .* stride);
for d = 1:numel(lo)
  shape = ones(1, max(2, numel(lo)));
  shape(d) = cnt(d);
  L = L + reshape((0:cnt(d) - 1) * stride(d), shape);
end
end
