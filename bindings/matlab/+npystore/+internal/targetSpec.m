function spec = targetSpec(opts)
% The MEX's write target from put/writer options: {'path', p} or
% {'schema', schema, table, attribute, keys} (keys from keyParts).
hasPath = ~isempty(opts.path);
hasSchema = ~isempty(opts.schema) || ~isempty(opts.table) || ~isempty(opts.attribute);
if hasPath && ~hasSchema
  spec = {'path', opts.path};
elseif hasSchema && ~hasPath
  spec = {'schema', opts.schema, opts.table, opts.attribute, npystore.internal.keyParts(opts.key)};
else
  npystore.internal.fail('invalid_argument', ...
        'give either ''path'' or ''schema'', ''table'', ''attribute'' (and ''key'')');
end
end
