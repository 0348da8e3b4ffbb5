classdef Store < handle
% npystore.Store  A DataJoint <npy@store> store: put arrays, open references.
%   store = npystore.Store()              datajoint.json found like DataJoint does
%                                          (current folder and its parents, DJ_STORES,
%                                          .secrets/), its default store
%   store = npystore.Store(config)        config: path of a JSON file, or JSON text
%   store = npystore.Store(config, name)  name picks stores.<name>; [] or '' the default
%
% Methods (help npystore.Store.<name> for each):
%   ref = store.put(A, 'path', p)                           write A, get an npystore.Ref
%   ref = store.put(A, 'schema', s, 'table', t, 'key', k, 'attribute', a)
%   ref = store.ref(json)       reference from DataJoint's JSON metadata (no I/O)
%   ref = store.open(path)      reference to the object at a store-relative path
%   [A, err] = store.loadMany(refs)  many arrays at once (cell), an error per item
%   w   = store.writer(...)     streaming writer (npystore.Writer)
%   tf  = store.exists(path)    whether an object exists
%         store.remove(path)    delete an object
% Errors are error('npystore:<code>', 'npystore: ...') with stable codes: not_found, config,
% store_not_configured, dtype, shape, length, path, already_exists, invalid_argument, ...
% The store is freed by delete(store) or when the last variable holding it is cleared;
% references and writers made from it stay usable.

  properties (SetAccess = private)
    name  % the configured store name
  end
  properties (Hidden, SetAccess = private)
    id = []  % registry id inside npystore_mex
  end

  methods
    function obj = Store(config, name)
      if nargin < 1, config = []; end
      if nargin < 2, name = []; end
      obj.id = npystore_mex('store_open', npystore.internal.text(config, 'config'), ...
                            npystore.internal.text(name, 'store name'));
      obj.name = npystore_mex('store_name', obj.id);
    end

    function delete(obj)
      if ~isempty(obj.id), npystore_mex('free', obj.id); obj.id = []; end
    end

    function ref = put(obj, A, varargin)
      % PUT  Store array A as a numpy-exact .npy object; returns an npystore.Ref.
      %   ref = store.put(A, 'path', p)                  explicit store-relative path
      %   ref = store.put(A, 'schema', s, 'table', t, 'key', key, 'attribute', a)
      %                     DataJoint's schema-addressed path; key is a struct whose
      %                     fields are the primary key in order (see docs/matlab.md)
      % Options:
      %   'shape', S     numpy shape, default size(A). For a vector v: numel(v) gives
      %                  (N,), [N 1] / [1 N] keep it 2-d; [] writes a 0-d array. Any S
      %                  with prod(S) == numel(A) is reshape(A, S).
      %   'order', 'F'   column-major with fortran_order True, straight from A's
      %                  memory (default); 'C' writes numpy's default row-major order
      %                  (A is permuted first, which copies it).
      %   'overwrite', true   replace an existing object at an explicit path
      %   'fsync', true       flush to disk before returning
      % Types: double, single, int8..uint64, logical, complex double/single; text as
      % numpy unicode: a char row or a string scalar -> 0-d '<Un'; an m-by-n char
      % matrix -> (m,), one string per row, its padding (trailing spaces) dropped as
      % cellstr does; a cell array of char (or a string array) -> an array of shape
      % size(A) ('shape' and 'order' apply), each element exactly as given.
      % Option names and text values may be char or string.
      % Structs become numpy structured arrays: a scalar struct of arrays (every
      % field prod(shape) elements; shape from 'shape' or the first field's size),
      % or a struct array (shape size(A); one scalar or text per field); fields are
      % numeric, logical, complex, text (-> U) or nested structs (-> nested fields).
      %   'dtype', 'S' / 'V'  store a uint8 array B of size [shape, k] as numpy
      %                       bytes |Sk / void |Vk of numpy shape 'shape' (default
      %                       size(B) without its last dimension), as r.load() gives
      %                       them back. Structs and 'dtype' are stored fortran_order
      %                       True ('order' does not apply).
      % MATLAB datetime and duration arrays become datetime64/timedelta64 counts of
      % ns ('<M8[ns]', '<m8[ns]'), or of the finest of us, ms, s that holds every
      % value; zoned datetimes are stored as UTC, unzoned ones as they are; NaT and
      % NaN -> NaT. Column-major like structs. (MATLAB only: Octave has neither.)
      opts = npystore.internal.parseOptions(varargin, struct('path', [], 'schema', [], 'table', [], ...
          'attribute', [], 'key', [], 'shape', 'size', 'order', 'F', ...
          'overwrite', false, 'fsync', false, 'dtype', []));
      flags = double(logical(opts.fsync)) + 2 * double(logical(opts.overwrite));
      if isstruct(A) || ~isempty(opts.dtype)
        [bytes, descr, shape] = npystore.Store.byteLayout(A, opts);
        ref = npystore.Ref(npystore_mex('put_bytes', obj.id, npystore.internal.targetSpec(opts), ...
                                        bytes, descr, shape, flags));
        return;
      end
      if isa(A, 'datetime') || isa(A, 'duration')
        ref = obj.putTime(A, opts, flags);
        return;
      end
      [data, shape, fortran] = npystore.Store.layout(A, opts);
      ref = npystore.Ref(npystore_mex('put', obj.id, npystore.internal.targetSpec(opts), data, shape, ...
                                      fortran, flags));
    end

    function r = ref(obj, json)
      % REF  A reference from DataJoint's metadata JSON ({"path", "store", "dtype",
      % "shape"}), as stored in a table's <npy@> column. No I/O until a load.
      %   r = store.ref('{"path": "...", "store": "main", "dtype": "float64", "shape": [2, 3]}')
      %   r = store.ref(jsondecode(text))    the struct jsondecode returns works too
      json = npystore.internal.text(json, 'json');
      if isstruct(json), json = npystore.internal.metadataJson(json); end
      r = npystore.Ref(npystore_mex('ref_json', obj.id, json));
    end

    function r = open(obj, path)
      % OPEN  A reference to the .npy object at a store-relative path (reads its header).
      %   r = store.open('_schema/lab/rec/id=1/trace_Ab3dE9xY.npy')
      r = npystore.Ref(npystore_mex('ref_open', obj.id, npystore.internal.text(path, 'path')));
    end

    function w = writer(obj, varargin)
      % WRITER  A streaming writer: append blocks, then finish to publish atomically.
      %   w = store.writer('path', p, 'class', 'single', 'rowSize', [64 1])
      %   w = store.writer('schema', s, 'table', t, 'key', k, 'attribute', a, ...)
      %   w.append(block); ...; ref = w.finish();
      % Options: 'class' (default 'double'; one of double, single, int8..uint64,
      % logical), 'complex' (false; double and single only), 'rowSize' (MATLAB
      % size of one appended step; [] for scalars, the default), 'overwrite', 'fsync'.
      % Blocks append along the LAST dimension: the stored shape is [rowSize, n].
      opts = npystore.internal.parseOptions(varargin, struct('path', [], 'schema', [], 'table', [], ...
          'attribute', [], 'key', [], 'class', 'double', 'complex', false, ...
          'rowSize', [], 'overwrite', false, 'fsync', false));
      w = npystore.Writer(obj.id, npystore.internal.targetSpec(opts), opts);
    end

    function [values, errors] = loadMany(obj, refs, varargin)
      % LOADMANY  Load many arrays at once, at most 'concurrency' at a time (the
      % library's npy_refs_load_into; ranged requests in parallel on object stores).
      %   values = store.loadMany(refs)
      %   [values, errors] = store.loadMany(refs, 'concurrency', 8)
      % refs: a cell array whose elements are npystore.Ref objects (of any store),
      % DataJoint metadata JSON or the structs jsondecode makes of it (those are
      % resolved against this store, as store.ref does); a single Ref works too.
      % values is a cell of size(refs): values{i} equals refs{i}.load(). Every item
      % is tried; one that fails does not stop the others. With two outputs, a failed
      % item gives values{i} = [] and errors{i} a struct with fields identifier
      % (npystore:<code>, e.g. npystore:not_found) and message, which error(errors{i})
      % raises (a struct, as Octave has no MException); errors{i} = [] for the others.
      % With one output, the first failure is raised once every item was tried.
      % 'concurrency': at most this many loads at a time; 0 (default) is the
      % library's default (32). 'text' and 'struct' as for r.load (every dtype
      % r.load() reads loads here too), 'time' as for r.load. 'progress' as for r.load, over the bytes of
      % all items: a cancel (or Ctrl+C) raises npystore:cancelled and returns
      % nothing, whatever the outputs asked.
      opts = npystore.internal.parseOptions(varargin, struct('concurrency', 0, ...
          'text', npystore.Ref.defaultText(), 'struct', 'fields', 'progress', false, ...
          'time', 'counts'));
      npystore.Ref.checkForms(opts);
      progress = npystore.internal.Progress(opts.progress, sprintf('%d loads', numel(refs)));
      c = opts.concurrency;
      if ~isnumeric(c) || ~isscalar(c) || ~isreal(c) || ~(c >= 0) || c ~= round(c)
        npystore.internal.fail('invalid_argument', '''concurrency'' must be a non-negative integer');
      end
      if isa(refs, 'npystore.Ref') && isscalar(refs), refs = {refs}; end
      if ~iscell(refs)
        npystore.internal.fail('invalid_argument', ...
              'refs must be a cell array of npystore.Ref, metadata JSON or jsondecode structs');
      end
      held = cell(size(refs));  % the references, alive until the load is done
      ids = zeros(size(refs));
      for i = 1:numel(refs)
        if isa(refs{i}, 'npystore.Ref'), held{i} = refs{i}; else, held{i} = obj.ref(refs{i}); end
        ids(i) = held{i}.id;
      end
      [values, codes, messages, bytes] = progress.run(@(fn) npystore_mex('load_many', ids, ...
          double(c), double(~strcmp(opts.text, 'char')), fn));
      for i = find(bytes(:))'  % structured, S, V, text: split here, as r.load() does
        try
          values{i} = npystore.Ref.fromBytes(values{i}, held{i}.info(), opts);
        catch err
          values{i} = [];
          codes{i} = regexprep(err.identifier, '^npystore:', '');
          messages{i} = regexprep(err.message, '^npystore: ', '');
        end
      end
      if strcmp(opts.time, 'datetime')  % MATLAB only (checkForms)
        for i = find(cellfun(@isempty, codes(:)))'
          values{i} = npystore.Ref.timeForm(values{i}, held{i}.info(), opts);
        end
      end
      errors = cell(size(refs));
      for i = find(~cellfun(@isempty, codes(:)))'
        errors{i} = struct('identifier', ['npystore:' codes{i}], 'message', ['npystore: ' messages{i}]);
      end
      failed = find(~cellfun(@isempty, errors(:)), 1);
      if nargout < 2 && ~isempty(failed)
        error(struct('identifier', errors{failed}.identifier, 'message', ...
                     sprintf('%s (item %d of %d; ask for [values, errors] to get the rest)', ...
                             errors{failed}.message, failed, numel(refs))));
      end
    end

    function tf = exists(obj, path)
      % EXISTS  Whether an object exists at a store-relative path.
      tf = npystore_mex('store_exists', obj.id, npystore.internal.text(path, 'path'));
    end

    function remove(obj, path)
      % REMOVE  Delete the object at a store-relative path (npystore:not_found if absent).
      npystore_mex('store_delete', obj.id, npystore.internal.text(path, 'path'));
    end
  end

  methods (Hidden)
    function ref = putTime(obj, A, opts, flags)
      % A datetime or duration array as datetime64/timedelta64 counts
      % (npystore.internal.fromTime: ns, or coarser where ns do not reach),
      % column-major like structs ('shape' applies, 'order' does not).
      if ~strcmpi(opts.order, 'F')
        npystore.internal.fail('invalid_argument', 'datetime and duration are stored column-major; ''order'' does not apply');
      end
      [counts, descr] = npystore.internal.fromTime(A);
      [data, shape] = npystore.Store.layout(counts, opts);
      bytes = reshape(typecast(data(:), 'uint8'), 8, []);
      ref = npystore.Ref(npystore_mex('put_bytes', obj.id, npystore.internal.targetSpec(opts), ...
                                      bytes, descr, shape, flags));
    end
  end

  methods (Static, Hidden)
    function [bytes, descr, shape] = byteLayout(A, opts)
      % Element bytes, descr and numpy shape for npystore_mex('put_bytes'): structs
      % (npystore.internal.encodeStruct) and uint8 bytes stored as S or V.
      shape = [];
      if ~ischar(opts.shape) || ~strcmp(opts.shape, 'size')
        if ~isnumeric(opts.shape), npystore.internal.fail('shape', 'shape must be numeric'); end
        shape = double(opts.shape(:)');
      end
      if ~strcmpi(opts.order, 'F')
        npystore.internal.fail('invalid_argument', 'structs and bytes are stored column-major; ''order'' does not apply');
      end
      if isstruct(A)
        if ~isempty(opts.dtype), npystore.internal.fail('invalid_argument', '''dtype'' does not apply to structs'); end
        if ischar(opts.shape), shape = 'size'; end
        [bytes, descr, shape] = npystore.internal.encodeStruct(A, shape);
        return;
      end
      if ~ischar(opts.dtype) || ~any(strcmp(opts.dtype, {'S', 'V'}))
        npystore.internal.fail('invalid_argument', '''dtype'' must be ''S'' or ''V''');
      end
      if ~isa(A, 'uint8') || issparse(A)
        npystore.internal.fail('dtype', '''dtype'', ''%s'' stores a uint8 array of bytes, not %s', opts.dtype, class(A));
      end
      dims = size(A);
      k = dims(end);
      if ~ischar(opts.shape) && isempty(shape), shape = zeros(1, 0);
      elseif ischar(opts.shape), shape = dims(1:end - 1);
        if isequal(shape, 1), shape = zeros(1, 0); end  % a 1-by-k row: one element, 0-d
      end
      if prod(shape) * k ~= numel(A) || k == 0
        npystore.internal.fail('shape', 'a uint8 array of size [%s] does not hold shape [%s] of %d-byte elements', ...
                               num2str(dims), num2str(shape), k);
      end
      bytes = reshape(A, [], k).';
      descr = sprintf('''|%s%d''', opts.dtype, k);
    end

    function [data, shape, fortran] = layout(A, opts)
      % The bytes, numpy shape and order flag npystore_mex('put') takes for A.
      fortran = 1;
      if isa(A, 'string')  % text: a scalar as its char row, an array as cellstr
        if isscalar(A), A = char(A); else, A = cellstr(A); end
      end
      if iscell(A)  % string scalars in a cell count as their char rows
        strs = cellfun(@(e) isa(e, 'string'), A);
        A(strs) = cellfun(@(e) npystore.internal.text(e, 'a cell'), A(strs), 'UniformOutput', false);
      end
      shape = size(A);
      data = A;
      if ischar(A)
        if ~strcmp(opts.shape, 'size') || ~strcmpi(opts.order, 'F')
          npystore.internal.fail('invalid_argument', ...
                'char arrays are stored one string per row; ''shape'' and ''order'' do not apply');
        end
        return;
      end
      if ~ischar(opts.shape) || ~strcmp(opts.shape, 'size')
        shape = opts.shape;
        if ~isnumeric(shape) || prod(shape) ~= numel(A)
          npystore.internal.fail('shape', 'shape [%s] does not hold the %d elements of A', ...
                num2str(shape(:)'), numel(A));
        end
        shape = double(shape(:)');
      end
      switch upper(opts.order)
        case 'F'
        case 'C'
          fortran = 0;
          if numel(shape) >= 2
            data = permute(reshape(A, shape), numel(shape):-1:1);
            if iscomplex(A) && ~iscomplex(data), data = complex(data); end  % Octave narrows empties
          end
        otherwise
          npystore.internal.fail('invalid_argument', 'order must be ''F'' or ''C''');
      end
    end
  end
end
