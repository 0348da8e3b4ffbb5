classdef Ref < handle
% npystore.Ref  A lazy reference to a stored .npy array (from Store.put, Store.ref,
% Store.open or Writer.finish). Metadata needs no I/O; data is read on demand.
%
% Properties (read-only): shape (numpy order), dtype (numpy's str(dtype)), ndim,
%   numel, nbytes, path, store, json (DataJoint's metadata JSON for the table).
% Methods (help npystore.Ref.<name>):
%   A = r.load()              size(A) is numpy's shape, A(i,j,..) == a[i-1,j-1,..]
%   A = r.load('raw')         stored order, no conversion (C-order: reversed dims)
%   A = r.load('text', 'cellstr', 'struct', 'array')   text and struct forms
%   A = r.load('progress', true)   a progress bar, or f(done, total) (true cancels)
%   B = r.readRows(first, n)  rows first..first+n-1 (1-based) of the first axis
%   B = r.readRows(first)     rows first..end
%   B = r.readSlice(i, j, ..) a block: one contiguous range (a:b), scalar or ':' per
%                             numpy axis, 1-based; reads only that block
%   B = r(i, j, ..)           MATLAB indexing, B == r.load()(i, j, ..) (any index;
%                             reads the block that spans it); end works
%   A = double(r)             the whole array as double
%   m = r.mmap(mode)          memmapfile (MATLAB) or npystore.MappedFile (Octave)
%   m = r.mmap(mode, 'progress', p)   progress of a remote object's download
% Ctrl+C stops load, mmap's download and store.loadMany: npystore:cancelled.
%   tf = r.exists()           whether the object is still in the store
% 1-d arrays load as N-by-1 columns; 0-d as 1-by-1.

  properties (Dependent)
    shape
    dtype
    ndim
    numel
    nbytes
    path
    store
    json
  end
  properties (Hidden, SetAccess = private)
    id = []
  end

  methods
    function obj = Ref(id)
      % Made by npystore.Store and npystore.Writer; not called directly.
      obj.id = id;
    end

    function delete(obj)
      if ~isempty(obj.id), npystore_mex('free', obj.id); obj.id = []; end
    end

    function v = get.shape(obj), v = obj.info().shape; end
    function v = get.dtype(obj), v = obj.info().dtype; end
    function v = get.ndim(obj), v = obj.info().ndim; end
    function v = get.numel(obj), v = obj.info().numel; end
    function v = get.nbytes(obj), v = obj.info().nbytes; end
    function v = get.path(obj), v = obj.info().path; end
    function v = get.store(obj), v = obj.info().store; end
    function v = get.json(obj), v = obj.info().json; end

    function A = load(obj, varargin)
      % LOAD  The whole array.
      %   A = r.load()       size(A) equals numpy's shape (N-by-1 for 1-d, 1-by-1 for
      %                      0-d) and A(i,j,...) == a[i-1,j-1,...], for C- and
      %                      Fortran-order files alike (the library converts while it
      %                      reads, straight into A's memory).
      %   A = r.load('raw')  as stored, no conversion: a C-order file gives the
      %                      reversed dimensions (A == permute(r.load(), ndims:-1:1)).
      %   A = r.load(..., 'text', t)     unicode as 'string' (MATLAB's default),
      %                      'char' (Octave's default: one string per row, 0-d and
      %                      1-d only) or 'cellstr' (any shape)
      %   A = r.load(..., 'struct', s)   structured arrays as 'fields' (default: a
      %                      scalar struct of arrays, S.x is numpy's a['x']) or
      %                      'array' (a struct array of size(shape), A(k).x)
      % Classes: bool -> logical, intN/uintN -> intN/uintN, float16/32 -> single,
      % float64 -> double, complex64/128 -> complex single/double, datetime64 and
      % timedelta64 -> int64 counts, unicode -> text (above), bytes (S) and void (V)
      % -> uint8 of size [shape, itemsize], structured -> struct (above; nested and
      % sub-array fields too, padding skipped). Object arrays: npystore:object_dtype.
      %   A = r.load(..., 'progress', p)   p: true or 'bar' (a bar: waitbar in the
      %                      MATLAB desktop, text in the command window elsewhere,
      %                      none in -batch), false (default) or a function handle
      %                      f(done, total) (bytes), called about every 100 ms and at
      %                      the end; returning true cancels. A cancel, or Ctrl+C
      %                      (with or without this option), raises npystore:cancelled
      %                      and returns no array.
      raw = false;
      args = varargin;
      if mod(numel(args), 2) == 1
        mode = npystore.internal.text(args{1}, 'load mode');
        if ~ischar(mode) || ~any(strcmp(mode, {'raw', 'numpy'}))
          npystore.internal.fail('invalid_argument', 'load mode must be ''raw'' or ''numpy''');
        end
        raw = strcmp(mode, 'raw');
        args = args(2:end);
      end
      opts = npystore.internal.parseOptions(args, struct('text', npystore.Ref.defaultText(), ...
                                                         'struct', 'fields', 'progress', false));
      npystore.Ref.checkForms(opts);
      progress = npystore.internal.Progress(opts.progress, 'load');
      info = obj.info();
      bytesPath = info.descr(1) == '[' || ~isempty(regexp(info.descr, '^''.[SV]', 'once')) || ...
                  (~isempty(regexp(info.descr, '^''.U', 'once')) && ~strcmp(opts.text, 'char'));
      if bytesPath
        if raw
          npystore.internal.fail('unsupported', 'load(''raw'') is for numeric dtypes, not %s', info.dtype);
        end
        B = obj.loadWhole(progress, 'load_bytes');
        A = npystore.Ref.fromBytes(B, info, opts);
        return;
      end
      A = obj.loadWhole(progress, 'load', double(raw));
    end

    function B = readRows(obj, first, count)
      % READROWS  Rows first..first+count-1 (1-based) of the first numpy axis, read
      % without loading the rest: B equals numpy's a[first-1:first-1+count], with
      % size [count, shape(2:end)].
      %   B = r.readRows(first)    rows first..end (numpy's a[first-1:])
      % No 'progress' option and no Ctrl+C during the read: the C API's row read
      % (npy_ref_read_rows) takes no progress callback.
      if ~isnumeric(first) || ~isscalar(first) || ~isreal(first) || ~(first >= 1) || first ~= round(first)
        npystore.internal.fail('invalid_argument', 'first must be a positive integer (rows are 1-based)');
      end
      if nargin < 3
        shape = obj.shape;
        if isempty(shape), shape = 0; end  % 0-d: the MEX names the problem
        if first > shape(1) + 1
          npystore.internal.fail('invalid_argument', 'row %d is past the end: the array has %d rows', ...
                                 first, shape(1));
        end
        count = shape(1) - double(first) + 1;
      end
      [B, done] = npystore.internal.loadInPlace('read_rows', obj.id, double(first) - 1, count);
      if ~done, B = npystore_mex('read_rows', obj.id, double(first) - 1, count); end
    end

    function m = mmap(obj, varargin)
      % MMAP  Map the stored file (for remote stores, the local cache file).
      %   m = r.mmap()      read-only;   m = r.mmap('r+')   writes go to the file
      %   m = r.mmap(..., 'progress', p)   p as for load: reports the download of a
      %       remote object into the cache (nothing is reported for file stores or a
      %       valid cached copy). A cancel or Ctrl+C raises npystore:cancelled and
      %       leaves no cache file.
      % MATLAB: a memmapfile with Format {class, dims, 'x'}: m.Data.x is the array as
      % stored, like r.load('raw') (C-order files give reversed dims; logical data
      % maps as uint8); it is checked to be the file npystore checked (else
      % npystore:mismatch). Octave has no memmapfile: an npystore.MappedFile with the
      % same properties, whose Data reads (and for 'r+' writes) npystore's own map.
      mode = 'r';
      args = varargin;
      if mod(numel(args), 2) == 1, mode = args{1}; args = args(2:end); end
      opts = npystore.internal.parseOptions(args, struct('progress', false));
      progress = npystore.internal.Progress(opts.progress, 'download');
      mode = npystore.internal.text(mode, 'mmap mode');
      if ~ischar(mode) || ~any(strcmp(mode, {'r', 'r+'}))
        npystore.internal.fail('invalid_argument', 'mmap mode must be ''r'' or ''r+''');
      end
      where = progress.run(@(fn) npystore_mex('mmap', obj.id, mode, fn), ...
                           @(where) npystore_mex('free', where.mapping));
      shape = obj.shape;
      if where.c_order, shape = fliplr(shape); end
      dims = [shape, ones(1, 2 - numel(shape))];
      format = {where.class, dims, 'x'};
      writable = strcmp(mode, 'r+');
      if exist('memmapfile', 'file') || exist('memmapfile', 'class')
        % memmapfile reopens where.file by name. The library's map of the checked
        % file stays alive until memmapfile has mapped it, and that name must then
        % still lead to the mapped file (same device and inode), else
        % npystore:mismatch: a file swapped in between is never handed out.
        release = onCleanup(@() npystore_mex('free', where.mapping));
        m = memmapfile(where.file, 'Offset', where.offset, 'Format', format, ...
                       'Writable', writable, 'Repeat', 1);
        npystore_mex('mapping_check', where.mapping);
      else
        m = npystore.MappedFile(where.mapping, where.file, where.offset, format, writable);
      end
    end

    function tf = exists(obj)
      % EXISTS  Whether the object is (still) in the store.
      tf = npystore_mex('ref_exists', obj.id);
    end

    function B = readSlice(obj, varargin)
      % READSLICE  A block of the array, reading only its bytes (npy_ref_read_slice).
      %   B = r.readSlice(i, j, ...)   one subscript per numpy axis, 1-based: a
      %       contiguous ascending range (101:200), a scalar, or ':' (the whole axis);
      %       end works in none of them (r is no array here): use r(101:end, :).
      %   B equals A(i, j, ...) for A = r.load() (size [numel(i), numel(j), ...]),
      %   for C- and Fortran-order files alike, delivered in MATLAB's order by the
      %   library. Subscripts past ndims must be 1 or ':'. Gaps, steps or reversed
      %   ranges: npystore:invalid_argument (r(i, j) reads their spanning block).
      %   Numeric and logical dtypes (text, bytes and structs: load()).
      if numel(varargin) < max(obj.ndim, 1)
        npystore.internal.fail('invalid_argument', ...
                               'readSlice takes one subscript per axis: %d for this array', ...
                               max(obj.ndim, 1));
      end
      B = obj.readBlock(varargin, true);
    end

    function varargout = subsref(obj, s)
      % r(i, j, ...) reads what it selects (npystore.internal.readIndexed); r.name as
      % usual.
      if strcmp(s(1).type, '()')
        B = obj.readBlock(s(1).subs, false);
        rest = s(2:end);
      elseif strcmp(s(1).type, '.') && strcmp(s(1).subs, 'readSlice') && numel(s) > 1 && ...
             strcmp(s(2).type, '()')
        % called directly: through builtin subsref, Octave turns a ':' argument into
        % a magic colon the method cannot read
        B = obj.readSlice(s(2).subs{:});
        rest = s(3:end);
      else
        n = nargout;
        if n == 0 && ~(strcmp(s(1).type, '.') && strcmp(s(1).subs, 'delete'))
          n = 1;  % every other method and property returns a value (ans)
        end
        [varargout{1:n}] = builtin('subsref', obj, s);
        return;
      end
      if isempty(rest)
        varargout = {B};
      else
        [varargout{1:nargout}] = subsref(B, rest);
      end
    end

    function e = end(obj, k, n)
      % end in r(..., end, ...): the length of that dimension of r.load(), or of
      % the dimensions it spans when it is the last subscript.
      sz = npystore.internal.matlabSize(obj.shape);
      sz = [sz, ones(1, max(0, n - numel(sz)))];
      if k < n, e = sz(k); else, e = prod(sz(k:end)); end
    end

    function A = double(obj)
      % DOUBLE  The whole array (r.load()) as double, as numpy functions load a
      % DataJoint NpyRef.
      A = double(obj.load());
    end
  end

  methods (Static, Hidden)
    function A = fromBytes(B, info, opts)
      % The value of element bytes B (load_bytes) of the array info describes.
      layout = npystore.internal.parseDescr(info.descr);
      elements = strcmp(layout.kind, 'record') && strcmp(opts.struct, 'array');
      text = opts.text;
      if elements && strcmp(text, 'char'), text = 'cellstr'; end  % a char row per element
      A = npystore.internal.decodeBytes(B, layout, info.shape, text);
      if elements, A = npystore.internal.structArray(A, info.shape); end
    end

    function checkForms(opts)
      % The 'text' and 'struct' options of load and loadMany.
      if ~ischar(opts.text) || ~any(strcmp(opts.text, {'char', 'cellstr', 'string'}))
        npystore.internal.fail('invalid_argument', '''text'' must be ''char'', ''cellstr'' or ''string''');
      end
      if ~ischar(opts.struct) || ~any(strcmp(opts.struct, {'fields', 'array'}))
        npystore.internal.fail('invalid_argument', '''struct'' must be ''fields'' or ''array''');
      end
      if strcmp(opts.text, 'string') && ~npystore.Ref.hasString()
        npystore.internal.fail('unsupported', 'Octave has no string class: use ''text'', ''cellstr'' or ''char''');
      end
    end

    function t = defaultText()
      % 'string' where MATLAB's string class exists, else (Octave) 'char'.
      if npystore.Ref.hasString(), t = 'string'; else, t = 'char'; end
    end

    function tf = hasString()
      tf = ~exist('OCTAVE_VERSION', 'builtin');  % MATLAB has strings since R2016b
    end
  end

  methods (Hidden)
    function s = info(obj)
      % Every metadata value at once (one MEX call).
      s = npystore_mex('ref_info', obj.id);
    end

    function A = loadWhole(obj, progress, command, varargin)
      % npystore_mex(command, id, varargin{:}, fn) through progress; in Octave,
      % without a progress display or function, npystore_oct's in-place load first.
      if ~progress.active
        [A, done] = npystore.internal.loadInPlace(command, obj.id, varargin{:});
        if done, return; end
      end
      A = progress.run(@(fn) npystore_mex(command, obj.id, varargin{:}, fn));
    end

    function B = readBlock(obj, subs, strict)
      % A(subs{:}) for A = r.load(): the block that spans it read with one
      % npy_ref_read_slice in Fortran order (MATLAB's; no permute).
      info = obj.info();
      if info.descr(1) == '[' || isempty(regexp(info.descr, '^''.[biufcmM]', 'once'))
        npystore.internal.fail('unsupported', ...
                               'indexing reads numeric and logical dtypes, not %s: use load()', ...
                               info.dtype);
      end
      nd = info.ndim;  % MATLAB's dimensions past numpy's have length 1
      reader = @(lo, cnt) npystore_mex('read_slice', obj.id, lo(1:nd) - 1, cnt(1:nd));
      B = npystore.internal.readIndexed(reader, npystore.internal.matlabSize(info.shape), subs, ...
                                        strict);
    end
  end
end
