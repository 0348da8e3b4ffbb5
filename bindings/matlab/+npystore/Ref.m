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
%   readRows(..., 'progress', p) and readSlice(..., 'progress', p) as for load;
%   r.progress = p            the 'progress' of r(...) and double(r)
% Ctrl+C stops load, readRows, readSlice, r(...), mmap's download and
% store.loadMany (npystore:cancelled; Octave: its own interrupt).
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
  properties
    % The 'progress' option (as for load) of the reads that take no options:
    % indexing r(...) and double(r). Default false (Ctrl+C still stops them).
    progress = false
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
      %                      Structured, S, V and U dtypes: their element bytes as
      %                      stored, uint8 [itemsize, dims] (dims as above; no byte
      %                      swapping, padding included), as r.mmap() maps them.
      %   A = r.load(..., 'text', t)     unicode as 'string' (MATLAB's default),
      %                      'char' (Octave's default: one string per row, 0-d and
      %                      1-d only) or 'cellstr' (any shape)
      %   A = r.load(..., 'time', m)     datetime64/timedelta64 as 'counts' (default:
      %                      int64) or 'datetime' (datetime and duration; MATLAB only)
      %   A = r.load(..., 'struct', s)   structured arrays as 'fields' (default: a
      %                      scalar struct of arrays, S.x is numpy's a['x']) or
      %                      'array' (a struct array of size(shape), A(k).x)
      % Classes: bool -> logical, intN/uintN -> intN/uintN, float16/32 -> single,
      % float64 -> double, complex64/128 -> complex single/double, datetime64 and
      % timedelta64 -> int64 counts ('time', 'datetime': datetime and duration,
      % MATLAB only; see docs/matlab.md), unicode -> text (above), bytes (S) and void (V)
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
                                                         'struct', 'fields', 'progress', false, ...
                                                         'time', 'counts'));
      npystore.Ref.checkForms(opts);
      progress = npystore.internal.Progress(opts.progress, 'load');
      info = obj.info();
      if raw && npystore.Ref.needsBytes(info)  % the element bytes as stored, as mmap maps them
        A = progress.run(@(fn) npystore_mex('load_bytes', obj.id, fn, 1));
        return;
      end
      if npystore.Ref.needsBytes(info) && (~npystore.Ref.isUnicode(info) || ~strcmp(opts.text, 'char'))
        B = obj.loadWhole(progress, 'load_bytes');
        A = npystore.Ref.fromBytes(B, info, opts);
        return;
      end
      A = obj.loadWhole(progress, 'load', double(raw));
      if ~raw, A = npystore.Ref.timeForm(A, info, opts); end
    end

    function B = readRows(obj, first, varargin)
      % READROWS  Rows first..first+count-1 (1-based) of the first numpy axis, read
      % without loading the rest: B equals numpy's a[first-1:first-1+count], with
      % size [count, shape(2:end)].
      %   B = r.readRows(first, count)
      %   B = r.readRows(first)    rows first..end (numpy's a[first-1:])
      %   B = r.readRows(..., 'progress', p, 'text', t, 'struct', s, 'time', m)   as for load:
      %       reports over the rows' bytes; a cancel or Ctrl+C raises
      %       npystore:cancelled and returns nothing
      % Every dtype load() reads: structured rows as load() gives them (the rows of
      % each field, or a struct array), text, bytes (S, V).
      if ~isnumeric(first) || ~isscalar(first) || ~isreal(first) || ~(first >= 1) || first ~= round(first)
        npystore.internal.fail('invalid_argument', 'first must be a positive integer (rows are 1-based)');
      end
      args = varargin;
      if isempty(args) || npystore.Ref.isText(args{1})
        shape = obj.shape;
        if isempty(shape), shape = 0; end  % 0-d: the MEX names the problem
        if first > shape(1) + 1
          npystore.internal.fail('invalid_argument', 'row %d is past the end: the array has %d rows', ...
                                 first, shape(1));
        end
        count = shape(1) - double(first) + 1;
      else
        count = args{1};
        args = args(2:end);
      end
      opts = npystore.Ref.readOptions(args);
      progress = npystore.internal.Progress(opts.progress, 'readRows');
      info = obj.info();
      if npystore.Ref.needsBytes(info) && info.ndim > 0
        if ~isnumeric(count) || ~isscalar(count) || ~(count >= 0) || count ~= round(count)
          npystore.internal.fail('invalid_argument', 'count must be a non-negative integer');
        end
        lo = zeros(1, info.ndim);
        lo(1) = double(first) - 1;
        B = obj.readBytes(progress, lo, [double(count), info.shape(2:end)], opts);
        return;
      end
      if ~progress.active
        [B, done] = npystore.internal.loadInPlace('read_rows', obj.id, double(first) - 1, count);
        if done, B = npystore.Ref.timeForm(B, info, opts); return; end
      end
      B = progress.run(@(fn) npystore_mex('read_rows', obj.id, double(first) - 1, count, fn));
      B = npystore.Ref.timeForm(B, info, opts);
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
      % Structured, S, V and U dtypes map as their bytes: m.Data.x is uint8
      % [itemsize, dims as above], element bytes as stored (fields at numpy's
      % offsets, padding included, no byte swapping), as r.load('raw') gives them.
      % Complex, float16 and swapped byte orders of numbers: npystore:unsupported
      % (use load).
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
      if where.itemsize > 0, shape = [where.itemsize, shape]; end  % element bytes
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
      %   B = r.readSlice(i, j, ..., 'progress', p, 'text', t, 'struct', s, 'time', m)   as for
      %   load (options after the subscripts).
      %   Every dtype load() reads: B is the block of what load() gives (structured:
      %   each field's block, or a struct array; text; S and V bytes [size, itemsize]).
      [subs, opts] = npystore.Ref.splitOptions(varargin);
      if numel(subs) < max(obj.ndim, 1)
        npystore.internal.fail('invalid_argument', ...
                               'readSlice takes one subscript per axis: %d for this array', ...
                               max(obj.ndim, 1));
      end
      B = obj.readBlock(subs, true, opts);
    end

    function varargout = subsref(obj, s)
      % r(i, j, ...) reads what it selects (npystore.internal.readIndexed); r.name as
      % usual.
      if strcmp(s(1).type, '()')
        B = obj.readBlock(s(1).subs, false, npystore.Ref.readOptions({'progress', obj.progress}));
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
      A = double(obj.load('progress', obj.progress));
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
      if ~isfield(opts, 'time'), return; end
      if ~ischar(opts.time) || ~any(strcmp(opts.time, {'counts', 'datetime'}))
        npystore.internal.fail('invalid_argument', '''time'' must be ''counts'' or ''datetime''');
      end
      missing = npystore.Ref.missingTimeClasses();
      if strcmp(opts.time, 'datetime') && ~isempty(missing)
        npystore.internal.fail('unsupported', ['this interpreter has no %s class: ''time'', ' ...
                               '''datetime'' needs MATLAB; the default ''counts'' gives int64 counts'], ...
                               strjoin(missing, ' or '));
      end
    end

    function missing = missingTimeClasses()
      % The names of datetime and duration where they do not exist (Octave 7).
      missing = {};
      for name = {'datetime', 'duration'}
        if ~exist(name{1}), missing{end + 1} = name{1}; end  %#ok<EXIST,AGROW> class or function
      end
    end

    function A = timeForm(A, info, opts)
      % datetime64/timedelta64 counts as datetime/duration when 'time' is
      % 'datetime' (npystore.internal.toTime); anything else unchanged.
      if isfield(opts, 'time') && strcmp(opts.time, 'datetime') && ...
         ~isempty(regexp(info.descr, '^''.[Mm]8', 'once'))
        A = npystore.internal.toTime(A, info.descr);
      end
    end

    function tf = needsBytes(info)
      % Whether the dtype has no MATLAB element type: structured, S, V, U (the .m
      % layer decodes their element bytes).
      tf = info.descr(1) == '[' || ~isempty(regexp(info.descr, '^''.[SVU]', 'once'));
    end

    function tf = isUnicode(info)
      tf = ~isempty(regexp(info.descr, '^''.U', 'once'));
    end

    function tf = isText(x)
      tf = ischar(x) || isa(x, 'string');
    end

    function opts = readOptions(args)
      % The options of readRows and readSlice (name-value pairs in args).
      opts = npystore.internal.parseOptions(args, struct('text', npystore.Ref.defaultText(), ...
                                                         'struct', 'fields', 'progress', false, ...
                                                         'time', 'counts'));
      npystore.Ref.checkForms(opts);
    end

    function [subs, opts] = splitOptions(args)
      % readSlice's subscripts, then its trailing name-value options (an option
      % name is never a subscript: ':' is the only text one).
      names = fieldnames(npystore.Ref.readOptions({}));
      k = numel(args);
      while k >= 2 && npystore.Ref.isText(args{k - 1}) && ...
            any(strcmpi(names, npystore.internal.text(args{k - 1}, 'an option name')))
        k = k - 2;
      end
      subs = args(1:k);
      opts = npystore.Ref.readOptions(args(k + 1:end));
    end

    function shape = blockShape(sz, nd)
      % The numpy shape of an indexed block of MATLAB size sz from an nd-d array:
      % N for an N-by-1 block of a 1-d array, [] for 0-d, else sz with the trailing
      % singleton dimensions past nd dropped.
      if nd == 0, shape = []; return; end
      if nd == 1 && sz(2) == 1, shape = sz(1); return; end
      shape = [sz, ones(1, nd - numel(sz))];
      while numel(shape) > nd && shape(end) == 1, shape(end) = []; end
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

    function B = readBlock(obj, subs, strict, opts)
      % A(subs{:}) for A = r.load(): the block that spans it read with one
      % npy_ref_read_slice_progress in Fortran order (MATLAB's; no permute). Dtypes
      % without a MATLAB element type (needsBytes): the block's element bytes, the
      % indexed ones picked by their column numbers, then decoded as load() does.
      info = obj.info();
      progress = npystore.internal.Progress(opts.progress, 'read');
      nd = info.ndim;  % MATLAB's dimensions past numpy's have length 1
      sz = npystore.internal.matlabSize(info.shape);
      if ~npystore.Ref.needsBytes(info)
        reader = @(lo, cnt) progress.run(@(fn) npystore_mex('read_slice', obj.id, lo(1:nd) - 1, ...
                                                            cnt(1:nd), fn));
        B = npystore.internal.readIndexed(reader, sz, subs, strict);
        B = npystore.Ref.timeForm(B, info, opts);
        return;
      end
      columns = @(lo, cnt) reshape(1:prod(cnt), [cnt, 1]);
      [K, lo, cnt] = npystore.internal.readIndexed(columns, sz, subs, strict);
      dims = npystore.Ref.blockShape(size(K), nd);
      if isempty(K)  % nothing selected: no read
        lo(:) = 1;
        cnt(:) = 0;
      end
      B = obj.readBytes(progress, lo(1:nd) - 1, cnt(1:nd), opts, K(:), dims);
    end

    function A = readBytes(obj, progress, lo, cnt, opts, columns, shape)
      % The slice lo (0-based) + cnt of a needsBytes dtype, decoded as load() does;
      % columns (optional) picks elements of the block, of numpy shape `shape`.
      B = progress.run(@(fn) npystore_mex('read_slice_bytes', obj.id, lo, cnt, fn));
      info = obj.info();
      info.shape = cnt;
      if nargin > 5
        B = B(:, columns);
        info.shape = shape;
      end
      A = npystore.Ref.fromBytes(B, info, opts);
    end
  end
end
