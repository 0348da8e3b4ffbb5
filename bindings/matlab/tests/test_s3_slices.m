function tests = test_s3_slices()
% r(...) on an S3 store reads only what it selects: the response bytes of its GETs,
% counted by a proxy between the store and the server (counting_proxy.py), are the
% block's bytes. Needs NPYSTORE_S3_* (scripts/test.sh matlab starts moto); without
% them this suite lists no tests and says so.
if isempty(getenv('NPYSTORE_S3_ENDPOINT'))
  fprintf('note test_s3_slices: no NPYSTORE_S3_ENDPOINT, no S3 server: not run\n');
  tests = {};
  return;
end
tests = {@row_window_c_order, @time_window_fortran_order, @block_near_the_header};
end

function row_window_c_order(ctx)
% rows 101..200 of a C-order 1000 x 500 double: one run of 400,000 bytes, more than
% the merge gap (256 KiB) past the header. Seen: a GET of the 128-byte header (the
% library pins the object's version), then one GET of exactly the run.
A = reshape(1:1000 * 500, 1000, 500);
got = metered_read(ctx, A, 'C', @(r) r(101:200, :), A(101:200, :));
within_a_header(got, 100 * 500 * 8);
end

function time_window_fortran_order(ctx)
% samples 20001..21000 of a Fortran-order 16 x 40000 int16 recording: one run
X = int16(reshape(mod(0:16 * 40000 - 1, 30000), 16, 40000));
got = metered_read(ctx, X, 'F', @(r) r(:, 20001:21000), X(:, 20001:21000));
within_a_header(got, 16 * 1000 * 2);
end

function block_near_the_header(ctx)
% A block within the merge gap of the header comes in one GET from the start of the
% object (the library's choice, docs/remote.md): at most the block's end offset.
A = reshape(1:1000 * 50, 1000, 50);
got = metered_read(ctx, A, 'C', @(r) r(101:200, :), A(101:200, :));
assert(got.gets == 1 && got.bytes >= 100 * 50 * 8 && got.bytes <= 128 + 200 * 50 * 8, ...
       'read %d bytes in %d GETs', got.bytes, got.gets);
end

function within_a_header(got, block)
% The block's bytes, and at most a header (4 KiB) more, in at most two GETs.
assert(got.gets <= 2 && got.bytes >= block && got.bytes <= block + 4096, ...
       'read %d bytes in %d GETs for a %d-byte block', got.bytes, got.gets, block);
end

function got = metered_read(ctx, A, order, index, want)
% Put A straight to the server, open it through the counting proxy, then count the
% GETs and their response bytes of index(r) alone (the header was read at open).
[direct, metered, meter] = s3_stores(ctx);
direct.put(A, 'path', 'a.npy', 'order', order);
r = metered.open('a.npy');
before = meter.lines();
B = index(r);
got = meter.since(before);
assert(isequal(B, want), 'the values differ from the same index of A');
fprintf('     %s-order [%s] %s: %d GET(s), %d bytes for a %d-byte block\n', order, ...
        num2str(size(A)), func2str(index), got.gets, got.bytes, numel(want) * bytes_of(want));
end

function n = bytes_of(x)
w = whos('x');
n = w.bytes / max(numel(x), 1);
end

function [direct, metered, meter] = s3_stores(ctx)
% One store straight to the server (for puts), one through a fresh counting proxy.
endpoint = getenv('NPYSTORE_S3_ENDPOINT');
meter = start_proxy(ctx, endpoint);
direct = npystore.Store(s3_config(endpoint, s3_location(ctx), fullfile(ctx.dir, 'cache-direct')));
metered = npystore.Store(s3_config(meter.endpoint, s3_location(ctx), fullfile(ctx.dir, 'cache-metered')));
end
