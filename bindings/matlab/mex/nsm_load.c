/* Loading into MATLAB arrays.
 *   A = npystore_mex('load', id, raw)            raw: 0 numpy's shape, 1 as stored
 *   A = npystore_mex('read_rows', id, first, count)   first is 0-based here
 * MATLAB's size is numpy's shape (0-d -> 1x1, (N,) -> N-by-1). The library writes
 * straight into the new array's buffer in Fortran order, converting C-order files
 * on the way; 'raw' skips the conversion and reverses the dimensions of C-order
 * files (ndim >= 2) instead, always, even when both orders hold the same bytes. Byte swapping, float16 and unicode are finished here. */
#include <string.h>

#include "nsm.h"

/* Where the bytes come from: the whole array or a block of rows. */
typedef struct {
  const npy_ref *ref;
  int rows;
  uint64_t first, count;
} source;

static npy_status fill(const source *src, void *buf, uint64_t len, npy_order order) {
  if (src->rows) return npy_ref_read_rows(src->ref, src->first, src->count, buf, len, order);
  return npy_ref_load_into(src->ref, buf, len, order);
}

static void check_fill(const source *src, void *buf, uint64_t len, npy_order order,
                       const nsm_type *t, uint64_t n) {
  nsm_check(fill(src, buf, len, order));
  if (t->swap) nsm_swap(buf, n * (t->complex ? 2 : 1), t->itemsize / (t->complex ? 2 : 1));
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

static mxArray *load_numeric(const source *src, const nsm_type *t, const mwSize *dims,
                             size_t nd, uint64_t n, npy_order order) {
  /* uninitialised: the load overwrites every byte, so no zero-filling pass */
  mxArray *a = t->cls == mxLOGICAL_CLASS
                   ? mxCreateLogicalArray(nd, dims)
                   : mxCreateUninitNumericArray(nd, (mwSize *)dims, t->cls,
                                                t->complex ? mxCOMPLEX : mxREAL);
  if (t->conv == NSM_HALF) {
    uint16_t *tmp = (uint16_t *)mxMalloc(n * 2 + 2);
    check_fill(src, tmp, n * 2, order, t, n);
    float *out = (float *)mxGetData(a);
    for (uint64_t i = 0; i < n; i++) out[i] = half_to_float(tmp[i]);
    mxFree(tmp);
  } else {
    check_fill(src, data_of(a, t, n), n * t->itemsize, order, t, n);
  }
  return a;
}

/* numpy unicode (UCS-4, NUL-padded) as a char matrix, one string per row, padded
 * with spaces like char() does. */
static mxArray *load_unicode(const source *src, const nsm_type *t, size_t rows, uint64_t n) {
  uint64_t k = t->itemsize / 4;
  uint32_t *u = (uint32_t *)mxMalloc(n * t->itemsize + 4);
  check_fill(src, u, n * t->itemsize, NPY_ORDER_C, t, n * k);
  size_t width = 0;
  uint32_t limit = sizeof(mxChar) == 1 ? 0x7f : 0xffff;
  for (size_t i = 0; i < rows; i++) {
    size_t len = k;
    while (len && !u[i * k + len - 1]) len--;
    for (size_t j = 0; j < len; j++)
      if (u[i * k + j] > limit || (u[i * k + j] >= 0xd800 && u[i * k + j] <= 0xdfff))
        nsm_fail("dtype", "string %zu holds a character that does not fit one char element "
                          "(non-ASCII text in Octave, beyond the BMP in MATLAB)", i + 1);
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
  mxFree(u);
  return a;
}

/* Load `shape` (numpy order, the block being read) as MATLAB's array. */
static mxArray *load_block(const source *src, const uint64_t *shape, size_t ndim, int reverse,
                           npy_order order) {
  const char *descr = NULL;
  nsm_check(npy_ref_descr(src->ref, &descr));
  nsm_type t;
  nsm_type_from_descr(descr, &t);
  if (ndim > 64) nsm_fail("shape", "%zu dimensions are more than MATLAB's loader takes (64)", ndim);
  uint64_t n = 1;
  for (size_t i = 0; i < ndim; i++) n *= shape[i];
  if (t.conv == NSM_UNICODE) {
    if (ndim > 1)
      nsm_fail("dtype", "unicode arrays load as char only with 0 or 1 dimensions, not %zu", ndim);
    return load_unicode(src, &t, ndim ? (size_t)shape[0] : 1, n);
  }
  mwSize dims[64] = {1, 1};
  size_t nd = ndim < 2 ? 2 : ndim;
  if (ndim == 1) dims[0] = (mwSize)shape[0];
  for (size_t i = 0; ndim > 1 && i < ndim; i++)
    dims[i] = (mwSize)shape[reverse ? ndim - 1 - i : i];
  return load_numeric(src, &t, dims, nd, n, order);
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
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), 0, 0, 0};
  int raw = nsm_scalar(prhs[1], "raw") != 0;
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(src.ref, &shape, &ndim));
  int reverse = raw && stored_c_order(src.ref, ndim);
  plhs[0] = load_block(&src, shape, ndim, reverse, raw ? NPY_ORDER_AS_STORED : NPY_ORDER_FORTRAN);
}

void nsm_cmd_read_rows(mxArray *plhs[], const mxArray *prhs[]) {
  source src = {(const npy_ref *)nsm_lookup(prhs[0], NSM_REF), 1, 0, 0};
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
