/* Loading into MATLAB arrays.
 *   A = npystore_mex('load', id, raw, progress)  raw: 0 numpy's shape, 1 as stored;
 *       progress: [] or f(done, total), true to cancel (nsm_progress.c); Ctrl+C
 *       cancels either way (npystore:cancelled)
 *   A = npystore_mex('read_rows', id, first, count, progress)   first is 0-based here
 *   A = npystore_mex('read_slice', id, start, count, progress)  a hyperslab: one
 *       0-based start and one count per numpy axis; size(A) is count (N-by-1 for 1-d)
 *   B = npystore_mex('read_slice_bytes', id, start, count, progress)  the slice's
 *       element bytes as 'load_bytes' gives the whole array's: uint8 [itemsize,
 *       prod(count)], column-major over count, as stored (any dtype)
 *   progress (may be left out) as for 'load', over the slice's bytes
 * MATLAB's size is numpy's shape (0-d -> 1x1, (N,) -> N-by-1). The library writes
 * straight into the new array's buffer in Fortran order, converting C-order files
 * on the way; 'raw' skips the conversion and reverses the dimensions of C-order
 * files (ndim >= 2) instead, always, even when both orders hold the same bytes.
 * Byte swapping, float16 and unicode are finished here (nsm_finish_block), for
 * bulk loads (nsm_bulk.c) too. */
#include <stdio.h>
#include <string.h>

#include "nsm.h"

/* Where the bytes come from: the whole array (slice_count NULL) or a hyperslab
 * (slice_start/slice_count, one per axis: npy_ref_read_slice_progress; a block of
 * rows is the slice {first, 0, ..} x {count, <the other axes whole>}). Both report
 * to `progress` and stop on Ctrl+C (nsm_progress.c). */
typedef struct {
  const npy_ref *ref;
  const uint64_t *slice_start, *slice_count;
  size_t slice_ndim;
  nsm_progress *progress;
} source;

static void fill(const source *src, void *buf, uint64_t len, npy_order order) {
  npy_progress_fn fn = nsm_progress_fn(src->progress);
  if (src->slice_count)
    nsm_progress_check(src->progress,
                       npy_ref_read_slice_progress(src->ref, src->slice_ndim, src->slice_start,
                                                   src->slice_count, buf, len, order, fn,
                                                   src->progress));
  else
    nsm_progress_check(src->progress,
                       npy_ref_load_into_progress(src->ref, buf, len, order, fn, src->progress));
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  if (exp == 0x1f) bits = sign | 0x7f800000 | (man << 13); /* inf, nan */
  else if (exp) bits = sign | ((exp + 112) << 23) | (man << 13);
  else if (!man) bits = sign;
  else { /* subnormal: normalise */
    exp = 113;
    while (!(man & 0x400)) man <<= 1, exp--;
    bits = sign | (exp << 23) | ((man & 0x3ff) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* The data buffer of a new array. Octave 7's interleaved-complex mxArrays get a
 * buffer of half the size they need (writing it corrupts the heap), so complex
 * arrays in Octave get a full-size buffer of their own. */
static void *data_of(mxArray *a, const nsm_type *t, uint64_t n) {
#ifdef HAVE_OCTAVE
  if (t->complex) {
    void *buf = mxMalloc(n * t->itemsize + 1);
    mxFree(mxGetData(a));
    mxSetData(a, buf);
  }
#else
  (void)t;
  (void)n;
#endif
  return mxGetData(a);
}

/* Planning a block: reasons it cannot load are returned as npystore:<code> and a
 * message rather than raised, so that a bulk load can report them per item. */
static int refuse(nsm_load_plan *p, const char *code, const char *fmt, size_t v) {
  p->code = code;
  snprintf(p->message, sizeof p->message, fmt, v);
  return 0;
}

int nsm_plan_block(nsm_load_plan *p, const char *descr, const uint64_t *shape, size_t ndim,
                   int reverse) {
  memset(p, 0, sizeof *p);
  if (!nsm_type_lookup(descr, &p->t)) {
    nsm_type_refusal(descr, p->message, sizeof p->message);
    p->code = "dtype";
    return 0;
  }
  if (ndim > 64)
    return refuse(p, "shape", "%zu dimensions are more than MATLAB's loader takes (64)", ndim);
  p->n = 1;
  for (size_t i = 0; i < ndim; i++) p->n *= shape[i];
  const nsm_type *t = &p->t;
  if (t->conv == NSM_UNICODE) {
    if (ndim > 1)
      return refuse(p, "dtype", "unicode arrays load as char only with 0 or 1 dimensions, not %zu",
                    ndim);
    p->rows = ndim ? (size_t)shape[0] : 1;
    p->len = p->n * t->itemsize;
    p->buf = mxMalloc(p->len + 4);
    return 1;
  }
  mwSize dims[64] = {1, 1};
  size_t nd = ndim < 2 ? 2 : ndim;
  if (ndim == 1) dims[0] = (mwSize)shape[0];
  for (size_t i = 0; ndim > 1 && i < ndim; i++)
    dims[i] = (mwSize)shape[reverse ? ndim - 1 - i : i];
  /* uninitialised: the load overwrites every byte, so no zero-filling pass */
  p->out = t->cls == mxLOGICAL_CLASS
               ? mxCreateLogicalArray(nd, dims)
               : mxCreateUninitNumericArray(nd, dims, t->cls, t->complex ? mxCOMPLEX : mxREAL);
  if (t->conv == NSM_HALF) {
    p->len = p->n * 2;
    p->buf = mxMalloc(p->len + 2);
  } else {
    p->len = p->n * t->itemsize;
    p->buf = data_of(p->out, t, p->n);
  }
  return 1;
}

/* numpy unicode (UCS-4, NUL-padded) as a char matrix, one string per row, padded
 * with spaces like char() does; NULL (and p's code and message) when a character
 * does not fit one char element. */
static mxArray *unicode_chars(nsm_load_plan *p) {
  uint64_t k = p->t.itemsize / 4;
  const uint32_t *u = (const uint32_t *)p->buf;
  size_t rows = p->rows, width = 0;
  uint32_t limit = sizeof(mxChar) == 1 ? 0x7f : 0xffff;
  for (size_t i = 0; i < rows; i++) {
    size_t len = k;
    while (len && !u[i * k + len - 1]) len--;
    for (size_t j = 0; j < len; j++)
      if (u[i * k + j] > limit || (u[i * k + j] >= 0xd800 && u[i * k + j] <= 0xdfff)) {
        refuse(p, "dtype", "string %zu holds a character that does not fit one char element "
                           "(non-ASCII text in Octave, beyond the BMP in MATLAB)", i + 1);
        return NULL;
      }
    if (len > width) width = len;
  }
  mwSize dims[2] = {rows, width};
  mxArray *a = mxCreateCharArray(2, dims);
  mxChar *c = (mxChar *)mxGetData(a);
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < width; j++) {
      uint32_t v = j < k ? u[i * k + j] : 0;
      c[i + j * rows] = (mxChar)(v ? v : ' ');
    }
  return a;
}

mxArray *nsm_finish_block(nsm_load_plan *p) {
  const nsm_type *t = &p->t;
  uint64_t units = t->conv == NSM_UNICODE ? p->n * (t->itemsize / 4) : p->n * (t->complex ? 2 : 1);
  uint64_t unit = t->conv == NSM_UNICODE ? 4 : t->itemsize / (t->complex ? 2 : 1);
  if (t->swap) nsm_swap(p->buf, units, unit);
  mxArray *out = p->out;
  if (t->conv == NSM_UNICODE) {
    out = unicode_chars(p);
  } else if (t->conv == NSM_HALF) {
    float *f = (float *)mxGetData(out);
    const uint16_t *h = (const uint16_t *)p->buf;
    for (uint64_t i = 0; i < p->n; i++) f[i] = half_to_float(h[i]);
  }
  if (t->conv != NSM_COPY) mxFree(p->buf);
  p->buf = NULL;
  p->out = NULL;
  return out;
}

void nsm_drop_block(nsm_load_plan *p) {
  if (p->t.conv != NSM_COPY && p->buf) mxFree(p->buf);
  if (p->out) mxDestroyArray(p->out);
  p->buf = NULL;
  p->out = NULL;
}

/* Load `shape` (numpy order, the block being read) as MATLAB's array. */
static mxArray *load_block(const source *src, const uint64_t *shape, size_t ndim, int reverse,
                           npy_order order) {
  const char *descr = NULL;
  nsm_check(npy_ref_descr(src->ref, &descr));
  nsm_load_plan p;
  if (!nsm_plan_block(&p, descr, shape, ndim, reverse)) nsm_fail(p.code, "%s", p.message);
  /* unicode is UCS-4 strings in C order, whatever was asked */
  fill(src, p.buf, p.len, p.t.conv == NSM_UNICODE ? NPY_ORDER_C : order);
  mxArray *a = nsm_finish_block(&p);
  if (!a) nsm_fail(p.code, "%s", p.message);
  return a;
}

/* nsm.h. DataJoint's JSON does not record the order, so the header is read first. */
int nsm_stored_c_order(const npy_ref *r, size_t ndim) {
  if (ndim < 2) return 0;
  int32_t fortran = -1;
  nsm_check(npy_ref_read_header(r));
  nsm_check(npy_ref_fortran_order(r, &fortran));
  return fortran == 0;
}

void nsm_cmd_load(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), NULL, NULL, 0, NULL};
  uint64_t nbytes = 0;
  nsm_check(npy_ref_nbytes(src.ref, &nbytes));
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[2], nbytes);
  src.progress = &progress;
  int raw = nsm_scalar(prhs[1], "raw") != 0;
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  int reverse = raw && nsm_stored_c_order(src.ref, ndim);
  plhs[0] = load_block(&src, shape, ndim, reverse, raw ? NPY_ORDER_AS_STORED : NPY_ORDER_FORTRAN);
}

/* The bytes of `ndim` axes of `count` elements of r's dtype. */
static uint64_t slice_bytes(const npy_ref *r, const uint64_t *count, size_t ndim) {
  uint64_t n = 0;
  nsm_check(npy_ref_itemsize(r, &n));
  for (size_t i = 0; i < ndim; i++) n *= count[i];
  return n;
}

/* A row block as a slice: start {first, 0, ..}, count {n, <the other axes whole>}
 * (start and count hold 64). Fails for 0-d arrays and rows out of range. */
static void rows_slice(const npy_ref *r, const mxArray *prhs[], const uint64_t *shape, size_t ndim,
                       uint64_t *start, uint64_t *count) {
  uint64_t first = nsm_count(prhs[1], "first"), n = nsm_count(prhs[2], "count");
  if (ndim == 0) nsm_check(npy_ref_read_rows(r, 0, 0, NULL, 0, NPY_ORDER_FORTRAN));
  if (ndim == 0 || ndim > 64) nsm_fail("shape", "a %zu-d array has no rows to read here", ndim);
  if (first > shape[0] || n > shape[0] - first)
    nsm_fail("invalid_argument", "rows %llu..%llu are out of range: the array has %llu rows",
             (unsigned long long)first + 1, (unsigned long long)(first + n),
             (unsigned long long)shape[0]);
  memcpy(count, shape, ndim * sizeof *shape);
  memset(start, 0, ndim * sizeof *start);
  start[0] = first;
  count[0] = n;
}

/* The hyperslab of 'read_slice' and 'read_slice_bytes': one start and count per
 * axis (mxMalloc'd), checked against the shape. */
static void slice_args(const mxArray *prhs[], const uint64_t *shape, size_t ndim,
                       uint64_t **start, uint64_t **count) {
  size_t nstart = 0, ncount = 0;
  *start = nsm_shape(prhs[1], "start", &nstart);
  *count = nsm_shape(prhs[2], "count", &ncount);
  if (nstart != ndim || ncount != ndim)
    nsm_fail("invalid_argument", "a %zu-d array takes %zu starts and counts, not %zu and %zu",
             ndim, ndim, nstart, ncount);
  for (size_t i = 0; i < ndim; i++)
    if ((*start)[i] > shape[i] || (*count)[i] > shape[i] - (*start)[i])
      nsm_fail("invalid_argument", "axis %zu: elements %llu..%llu are out of range (its length is %llu)",
               i + 1, (unsigned long long)(*start)[i] + 1,
               (unsigned long long)((*start)[i] + (*count)[i]), (unsigned long long)shape[i]);
}

/* Read the slice src names (its count: `count`, `ndim` axes) as MATLAB's array,
 * reporting to the progress function `fn` ([] or NULL: none). */
static mxArray *load_slice(source *src, const uint64_t *count, size_t ndim, const mxArray *fn) {
  static const uint64_t none = 0;
  nsm_progress progress;
  nsm_progress_init(&progress, fn, slice_bytes(src->ref, count, ndim));
  src->progress = &progress;
  src->slice_count = ndim ? count : &none;
  if (!ndim) src->slice_start = &none;
  src->slice_ndim = ndim;
  return load_block(src, count, ndim, 0, NPY_ORDER_FORTRAN);
}

void nsm_cmd_read_rows(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), NULL, NULL, 0, NULL};
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  uint64_t start[64], count[64];
  rows_slice(src.ref, prhs, shape, ndim, start, count);
  src.slice_start = start;
  plhs[0] = load_slice(&src, count, ndim, prhs[3]);
}

void nsm_cmd_read_slice(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), NULL, NULL, 0, NULL};
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  uint64_t *start = NULL, *count = NULL;
  slice_args(prhs, shape, ndim, &start, &count);
  const char *descr = NULL;
  nsm_check(npy_ref_descr(src.ref, &descr));
  nsm_type t;
  nsm_type_from_descr(descr, &t);
  if (t.conv == NSM_UNICODE)
    nsm_fail("unsupported", "slices read numeric and logical dtypes, not %s: use read_slice_bytes",
             descr);
  src.slice_start = start;
  plhs[0] = load_slice(&src, count, ndim, prhs[3]);
  mxFree(start);
  mxFree(count);
}

void nsm_cmd_read_slice_bytes(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_ref *r = (const npy_ref *)nsm_lookup(prhs[0], NSM_REF);
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(r, &shape, &ndim));
  uint64_t *start = NULL, *count = NULL;
  slice_args(prhs, shape, ndim, &start, &count);
  static const uint64_t none = 0;
  uint64_t itemsize = 0, n = 1;
  nsm_check(npy_ref_itemsize(r, &itemsize));
  for (size_t i = 0; i < ndim; i++) n *= count[i];
  mxArray *b = mxCreateNumericMatrix((mwSize)itemsize, (mwSize)n, mxUINT8_CLASS, mxREAL);
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[3], itemsize * n);
  nsm_progress_check(&progress,
                     npy_ref_read_slice_progress(r, ndim, ndim ? start : &none,
                                                 ndim ? count : &none, mxGetData(b), itemsize * n,
                                                 NPY_ORDER_FORTRAN, nsm_progress_fn(&progress),
                                                 &progress));
  mxFree(start);
  mxFree(count);
  plhs[0] = b;
}
