/* Loading into MATLAB arrays.
 *   A = npystore_mex('load', id, raw, progress)  raw: 0 numpy's shape, 1 as stored;
 *       progress: [] or f(done, total), true to cancel (nsm_progress.c); Ctrl+C
 *       cancels either way (npystore:cancelled)
 *   A = npystore_mex('read_rows', id, first, count)   first is 0-based here
 *   A = npystore_mex('read_slice', id, start, count)  a hyperslab: one 0-based start
 *       and one count per numpy axis; size(A) is count (N-by-1 for 1-d)
 * MATLAB's size is numpy's shape (0-d -> 1x1, (N,) -> N-by-1). The library writes
 * straight into the new array's buffer in Fortran order, converting C-order files
 * on the way; 'raw' skips the conversion and reverses the dimensions of C-order
 * files (ndim >= 2) instead, always, even when both orders hold the same bytes.
 * Byte swapping, float16 and unicode are finished here (nsm_finish_block), for
 * bulk loads (nsm_bulk.c) too. */
#include <stdio.h>
#include <string.h>

#include "nsm.h"

/* Where the bytes come from: the whole array, a block of rows, or a hyperslab
 * (slice_start/slice_count, one per axis: npy_ref_read_slice). Whole loads report
 * to `progress` and stop on Ctrl+C; the C API has no progress for rows and slices. */
typedef struct {
  const npy_ref *ref;
  int rows;
  uint64_t first, count;
  const uint64_t *slice_start, *slice_count;
  size_t slice_ndim;
  nsm_progress *progress;
} source;

static void fill(const source *src, void *buf, uint64_t len, npy_order order) {
  if (src->slice_count)
    nsm_check(npy_ref_read_slice(src->ref, src->slice_ndim, src->slice_start, src->slice_count,
                                 buf, len, order));
  else if (src->rows)
    nsm_check(npy_ref_read_rows(src->ref, src->first, src->count, buf, len, order));
  else
    nsm_progress_check(src->progress,
                       npy_ref_load_into_progress(src->ref, buf, len, order,
                                                  nsm_progress_fn(src->progress), src->progress));
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

/* Whether the stored file is C order (ndim >= 2 only: fewer dims have one layout).
 * DataJoint's JSON does not record the order, so the header is read first. */
static int stored_c_order(const npy_ref *r, size_t ndim) {
  if (ndim < 2) return 0;
  int32_t fortran = -1;
  nsm_check(npy_ref_read_header(r));
  nsm_check(npy_ref_fortran_order(r, &fortran));
  return fortran == 0;
}

void nsm_cmd_load(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), 0, 0, 0, NULL, NULL, 0, NULL};
  uint64_t nbytes = 0;
  nsm_check(npy_ref_nbytes(src.ref, &nbytes));
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[2], nbytes);
  src.progress = &progress;
  int raw = nsm_scalar(prhs[1], "raw") != 0;
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  int reverse = raw && stored_c_order(src.ref, ndim);
  plhs[0] = load_block(&src, shape, ndim, reverse, raw ? NPY_ORDER_AS_STORED : NPY_ORDER_FORTRAN);
}

void nsm_cmd_read_rows(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), 1, 0, 0, NULL, NULL, 0, NULL};
  src.first = nsm_count(prhs[1], "first");
  src.count = nsm_count(prhs[2], "count");
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  if (ndim == 0 || ndim > 64) {
    nsm_check(npy_ref_read_rows(src.ref, 0, 0, NULL, 0, NPY_ORDER_FORTRAN));
    nsm_fail("shape", "a %zu-d array has no rows to read here", ndim);
  }
  if (src.first > shape[0] || src.count > shape[0] - src.first)
    nsm_fail("invalid_argument", "rows %llu..%llu are out of range: the array has %llu rows",
             (unsigned long long)src.first + 1, (unsigned long long)(src.first + src.count),
             (unsigned long long)shape[0]);
  uint64_t block[64];
  memcpy(block, shape, ndim * sizeof *shape);
  block[0] = src.count;
  plhs[0] = load_block(&src, block, ndim, 0, NPY_ORDER_FORTRAN);
}

void nsm_cmd_read_slice(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), 0, 0, 0, NULL, NULL, 0, NULL};
  const uint64_t *shape = NULL;
  size_t ndim = 0, nstart = 0, ncount = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  uint64_t *start = nsm_shape(prhs[1], "start", &nstart);
  uint64_t *count = nsm_shape(prhs[2], "count", &ncount);
  if (nstart != ndim || ncount != ndim)
    nsm_fail("invalid_argument", "a %zu-d array takes %zu starts and counts, not %zu and %zu",
             ndim, ndim, nstart, ncount);
  const char *descr = NULL;
  nsm_check(npy_ref_descr(src.ref, &descr));
  nsm_type t;
  nsm_type_from_descr(descr, &t);
  if (t.conv == NSM_UNICODE)
    nsm_fail("unsupported", "slices read numeric and logical dtypes, not %s: use load()", descr);
  for (size_t i = 0; i < ndim; i++)
    if (start[i] > shape[i] || count[i] > shape[i] - start[i])
      nsm_fail("invalid_argument", "axis %zu: elements %llu..%llu are out of range (its length is %llu)",
               i + 1, (unsigned long long)start[i] + 1, (unsigned long long)(start[i] + count[i]),
               (unsigned long long)shape[i]);
  static const uint64_t none = 0;
  src.slice_start = ndim ? start : &none;
  src.slice_count = ndim ? count : &none;
  src.slice_ndim = ndim;
  plhs[0] = load_block(&src, count, ndim, 0, NPY_ORDER_FORTRAN);
  mxFree(start);
  mxFree(count);
}
