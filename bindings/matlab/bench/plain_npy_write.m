function plain_npy_write(file, A, order)
% PLAIN_NPY_WRITE  npy-matlab's way to write a 2-d double array, in plain Octave:
% numpy's version 1.0 header, then the data with one fwrite.
%   plain_npy_write(file, A, 'F')   fwrite(A): column-major, fortran_order True, the
%                                   bytes and order store.put(A) writes
%   plain_npy_write(file, A, 'C')   fwrite(permute(A)): C order, as numpy writes by
%                                   default and store.put(A, 'order', 'C') does
% tests/test_habits.m checks both give the same bytes as store.put, so the bench
% compares writes of identical files.
fortran = strcmp(order, 'F');
flags = {'False', 'True'};
header = sprintf('{''descr'': ''<f8'', ''fortran_order'': %s, ''shape'': (%d, %d), }', ...
                 flags{fortran + 1}, size(A));
header = [header, repmat(' ', 1, 63 - mod(numel(header) + 10, 64)), newline];
fid = fopen(file, 'w');
closer = onCleanup(@() fclose(fid));
fwrite(fid, [uint8([147, double('NUMPY'), 1, 0]), typecast(uint16(numel(header)), 'uint8')], 'uint8');
fwrite(fid, header, 'char');
if fortran
  fwrite(fid, A, 'double');
else
  fwrite(fid, permute(A, [2 1]), 'double');
end
end
