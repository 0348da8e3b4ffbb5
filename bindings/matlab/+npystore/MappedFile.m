classdef MappedFile < handle
% npystore.MappedFile  What npystore.Ref.mmap returns in GNU Octave, which has no
% memmapfile. Same properties as MATLAB's memmapfile with one Format entry:
%   Filename, Offset, Format {class, dims, 'x'}, Writable, Repeat (1)
%   m.Data.x            a copy of the mapped data (as stored, like ref.load('raw'))
%   m.Data = struct('x', X)   writes X into the map (only when Writable, i.e. mode 'r+')
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
  end
end
