function opts = parseOptions(args, opts)
% Name-value pairs in the cell ARGS over the defaults in struct OPTS. An unknown
% name or an odd count is an npystore:invalid_argument error.
if mod(numel(args), 2) ~= 0
  error('npystore:invalid_argument', 'options come in name, value pairs');
end
for i = 1:2:numel(args)
  name = args{i};
  if ~ischar(name) || ~isfield(opts, name)
    error('npystore:invalid_argument', 'unknown option %s; known: %s', ...
          disp_name(name), strjoin(fieldnames(opts)', ', '));
  end
  opts.(name) = args{i + 1};
end
end

function s = disp_name(name)
if ischar(name), s = ['''' name '''']; else, s = ['of class ' class(name)]; end
end
