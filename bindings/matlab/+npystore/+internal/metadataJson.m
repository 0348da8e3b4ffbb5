function json = metadataJson(meta)
% METADATAJSON  DataJoint's metadata as JSON text from the struct jsondecode makes of
% it ({"path", "store", "dtype", "shape"}, other fields kept). jsondecode turns
% "shape": [5] into 5 and [2, 3] into a column, so shape is always written back as
% a JSON list; every other field goes through jsonencode.
if ~isstruct(meta) || ~isscalar(meta)
  npystore.internal.fail('invalid_argument', 'metadata must be JSON text or a scalar struct, not %s', class(meta));
end
names = fieldnames(meta);
parts = cell(1, numel(names));
for i = 1:numel(names)
  v = meta.(names{i});
  if strcmp(names{i}, 'shape')
    if ~isnumeric(v) || ~(isvector(v) || isempty(v)) || any(v(:) < 0 | v(:) ~= round(v(:)))
      npystore.internal.fail('json', 'metadata shape must be a list of non-negative integers');
    end
    text = ['[' strjoin(arrayfun(@(d) sprintf('%d', d), v(:)', 'UniformOutput', false), ', ') ']'];
  else
    text = jsonencode(v);
  end
  parts{i} = [jsonencode(names{i}) ': ' text];
end
json = ['{' strjoin(parts, ', ') '}'];
end
