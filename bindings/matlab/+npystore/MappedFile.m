classdef MappedFile < handle
% npystore.MappedFile  What npystore.Ref.mmap returns in GNU Octave, which has no
% memmapfile. Same properties as MATLAB's memmapfile with one Format entry:
%   Filename, Offset, Format {class, dims, 'x'}, Writable, Repeat (1)
%   m.Data.x            reads the mapped range from the file (as stored, like
%                        ref.load('raw'))
%   m.Data = struct('x', X)   writes it back (only when Writable, i.e. mode 'r+')
% Unlike memmapfile, each Data access reads or writes the file: it is not a view.

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

  methods
    function obj = MappedFile(filename, offset, format, writable)
      obj.Filename = filename;
      obj.Offset = offset;
      obj.Format = format;
      obj.Writable = writable;
    end

    function d = get.Data(obj)
      fid = obj.openAt('r');
      closer = onCleanup(@() fclose(fid));
      dims = obj.Format{2};
      x = fread(fid, prod(dims), ['*' obj.Format{1}]);
      d = struct(obj.Format{3}, reshape(x, dims));
    end

    function set.Data(obj, d)
      if ~obj.Writable
        error('npystore:permission_denied', 'this mapping is read-only (map with mode ''r+'')');
      end
      x = d.(obj.Format{3});
      if ~isa(x, obj.Format{1}) || ~isequal(size(x), obj.Format{2})
        error('npystore:shape', 'Data.%s must be a %s array of size [%s]', obj.Format{3}, ...
              obj.Format{1}, num2str(obj.Format{2}));
      end
      fid = obj.openAt('r+');
      closer = onCleanup(@() fclose(fid));
      fwrite(fid, x, obj.Format{1});
    end
  end

  methods (Access = private)
    function fid = openAt(obj, mode)
      fid = fopen(obj.Filename, mode);
      if fid < 0
        error('npystore:io', 'cannot open %s', obj.Filename);
      end
      fseek(fid, obj.Offset, 'bof');
    end
  end
end
