classdef Writer < handle
% npystore.Writer  Streams an array to the store block by block, with bounded
% memory; the object appears (atomically) only at finish. Made by Store.writer.
%   w = store.writer('path', p, 'class', 'single', 'rowSize', 64);
%   w.append(block)     block: class 'class', size [rowSize, k] for k new steps
%   n = w.rows          steps appended so far
%   ref = w.finish()    publish; returns an npystore.Ref with shape [rowSize, n]
%   w.abort()           drop everything written (also what delete does unfinished)
% Appends go along the LAST dimension, MATLAB's natural column-major growth.

  properties (SetAccess = private)
    elementClass  % element class of every block
    rowSize   % MATLAB size of one step
  end
  properties (Dependent)
    rows
  end
  properties (Hidden, SetAccess = private)
    id = []
  end

  methods
    function obj = Writer(storeId, target, opts)
      % Made by npystore.Store.writer; not called directly.
      [proto, obj.elementClass] = npystore.Writer.prototype(opts.class, opts.complex);
      if ~isnumeric(opts.rowSize) || ~(isvector(opts.rowSize) || isempty(opts.rowSize))
        npystore.internal.fail('invalid_argument', 'rowSize must be a numeric vector ([] for scalars)');
      end
      obj.rowSize = double(opts.rowSize(:)');
      flags = double(logical(opts.fsync)) + 2 * double(logical(opts.overwrite));
      obj.id = npystore_mex('writer_open', storeId, target, proto, obj.rowSize, 1, flags);
    end

    function delete(obj)
      % freeing an unfinished writer aborts it
      if ~isempty(obj.id), npystore_mex('free', obj.id); obj.id = []; end
    end

    function append(obj, block)
      % APPEND  Append k steps: block has class w.elementClass and size [w.rowSize, k].
      if ~isa(block, obj.elementClass)
        npystore.internal.fail('dtype', 'this writer takes %s blocks, not %s', obj.elementClass, class(block));
      end
      n = numel(obj.rowSize);
      sz = [size(block), ones(1, n)];
      if ~isequal(sz(1:n), obj.rowSize)
        npystore.internal.fail('shape', 'a block must have size [%s, k], not [%s]', ...
              num2str(obj.rowSize), num2str(size(block)));
      end
      npystore_mex('writer_append', obj.live(), block);
    end

    function n = get.rows(obj)
      n = npystore_mex('writer_rows', obj.live());
    end

    function ref = finish(obj)
      % FINISH  Publish the object and return its npystore.Ref; the writer is spent.
      id = obj.live();
      obj.id = [];
      ref = npystore.Ref(npystore_mex('writer_finish', id));
    end

    function abort(obj)
      % ABORT  Discard what was written; nothing is published.
      id = obj.live();
      obj.id = [];
      npystore_mex('writer_abort', id);
    end
  end

  methods (Static, Access = private)
    function [proto, cls] = prototype(cls, cplx)
      % One element of the writer's class (its complexity included), checked here so
      % that a bad 'class' is an npystore: error rather than zeros' own.
      classes = {'double', 'single', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', ...
                 'uint32', 'uint64', 'logical'};
      numpyNames = {'float64', 'float32', 'bool'};
      sameAs = {'double', 'single', 'logical'};
      if ~ischar(cls) || ~any(strcmp(cls, classes))
        hint = '';
        k = find(strcmp(cls, numpyNames));
        if ~isempty(k), hint = sprintf(' (numpy''s %s is MATLAB''s ''%s'')', cls, sameAs{k}); end
        if ~ischar(cls), cls = sprintf('of class %s', class(cls)); else, cls = ['''' cls '''']; end
        npystore.internal.fail('dtype', 'a writer''s class must be one of %s, not %s%s', ...
                               strjoin(classes, ', '), cls, hint);
      end
      if ~(islogical(cplx) || isnumeric(cplx)) || ~isscalar(cplx)
        npystore.internal.fail('invalid_argument', '''complex'' must be true or false');
      end
      if cplx && ~any(strcmp(cls, {'double', 'single'}))
        npystore.internal.fail('dtype', 'only double and single writers can be complex, not %s', cls);
      end
      if strcmp(cls, 'logical'), proto = false; else, proto = zeros(1, 1, cls); end
      if cplx, proto = complex(proto); end
    end
  end

  methods (Access = private)
    function id = live(obj)
      if isempty(obj.id)
        npystore.internal.fail('state', 'this writer is finished or aborted');
      end
      id = obj.id;
    end
  end
end
