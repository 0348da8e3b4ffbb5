function fail(code, fmt, varargin)
% FAIL  Raise error('npystore:<code>', 'npystore: <text>'), the form every error of
% the binding has (the MEX raises its own the same way), so that messages share
% one prefix whichever layer raises them. fmt and varargin are sprintf's.
error(struct('identifier', ['npystore:' code], 'message', ['npystore: ' sprintf(fmt, varargin{:})]));
end
