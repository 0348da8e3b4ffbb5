function opts = parseOptions(args, opts)
% Name-value pairs in the cell ARGS over the defaults in struct OPTS. Names are
% char or string and match case-insensitively (MATLAB's habit); string scalar
% values become char. An unknown name or an odd count is npystore:invalid_argument.
if mod(numel(args), 2) ~= 0
  npystore.internal.fail('invalid_argument', 'options come in name, value pairs');
end
known = fieldnames(opts);
for i = 1:2:numel(args)
  name = npystore.internal.text(args{i}, 'an option name');
  match = [];
  if ischar(name) && (isrow(name) || isempty(name)), match = find(strcmpi(known, name)); end
  if isempty(match)
    npystore.internal.fail('invalid_argument', 'unknown option %s; known: %s', ...
                           disp_name(name), strjoin(known', ', '));
  end
  value = args{i + 1};
  if isa(value, 'string') && isscalar(value), value = char(value); end
  opts.(known{match}) = value;
end
end

function s = disp_name(name)
if ischar(name), s = ['''' name '''']; else, s = ['of class ' class(name)]; end
end
