function expect_error(fn, id)
% Call fn() and require it to fail with error identifier ID.
try
  fn();
catch err
  assert(strcmp(err.identifier, id), 'expected error %s, got %s: %s', id, err.identifier, err.message);
  return;
end
error('npystore_test:no_error', 'expected error %s, but the call succeeded', id);
end
