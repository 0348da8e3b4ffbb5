function tests = test_help()
% help shows usage for the classes and each public method.
tests = {@class_help, @method_help};
end

function class_help(ctx)
for c = {'npystore.Store', 'npystore.Ref', 'npystore.Writer', 'npystore.MappedFile', 'npystore_build'}
  text = help(c{1});
  assert(~isempty(strfind(text, strrep(c{1}, 'npystore_build', 'NPYSTORE_BUILD'))), 'no help for %s', c{1});
end
end

function method_help(ctx)
methods = {'npystore.Store.put', 'npystore.Store.ref', 'npystore.Store.open', ...
           'npystore.Store.writer', 'npystore.Store.exists', 'npystore.Store.remove', 'npystore.Store.loadMany', ...
           'npystore.Ref.load', 'npystore.Ref.readRows', 'npystore.Ref.mmap', ...
           'npystore.Ref.exists', 'npystore.Writer.append', 'npystore.Writer.finish', ...
           'npystore.Writer.abort'};
if exist('OCTAVE_VERSION', 'builtin')
  % Octave 7's help finds its own open.m before the method; the class help covers it
  methods(strcmp(methods, 'npystore.Store.open')) = [];
  assert(~isempty(strfind(help('npystore.Store'), 'store.open(path)')));
end
for m = methods
  parts = strsplit(m{1}, '.');
  text = help(m{1});
  assert(~isempty(strfind(text, upper(parts{end}))), 'no usage in help %s', m{1});
end
end
