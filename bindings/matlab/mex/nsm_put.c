/* put: store one MATLAB array as a .npy object.
 *   id = npystore_mex('put', store, target, A, shape, order, flags)
 * Numeric and logical arrays go to the library straight from MATLAB's buffer
 * (complex ones are interleaved with the R2018a API), with `shape` in numpy order
 * and `order` 1 (Fortran) or 0 (C: the caller has already permuted A).
 * char arrays become numpy unicode: a row is a 0-d '<U{n}', an m-by-n matrix one
 * string per row, shape (m,), without the rows' padding; `shape` and `order` are
 * ignored for them. A cell array of char rows is numpy unicode too, with `shape`
 * and `order` as for numeric arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsm.h"

/* One char element as a UCS-4 code unit. Octave's char holds UTF-8 bytes and
 * MATLAB's UTF-16 units: only whole characters (ASCII, or the BMP outside
 * surrogates) map one-to-one; others are npystore:dtype. */
static uint32_t ucs4(mxChar ch) {
  uint32_t u = (uint32_t)(sizeof(mxChar) == 1 ? (uint8_t)ch : ch);
  if ((sizeof(mxChar) == 1 && u > 0x7f) || (u >= 0xd800 && u <= 0xdfff))
    nsm_fail("dtype", "char data holds a character that does not fit one char element "
                      "(non-ASCII text in Octave, a surrogate pair in MATLAB)");
  return u;
}

/* UCS-4 code units of a char array's rows (mxMalloc'd), C order, NUL-padded to
 * *width. The rows of a matrix (more than one row) lose their trailing spaces, the
 * padding char() and MATLAB's char matrices add (cellstr drops it too): numpy
 * keeps trailing spaces but strips trailing NULs, so 'de ' in a matrix reads back
 * as 'de'. *width is then the longest row left (at least 1, as numpy's). A single
 * row is kept exactly. */
static uint32_t *char_rows(const mxArray *a, size_t *rows, size_t *width) {
  if (mxGetNumberOfDimensions(a) > 2)
    nsm_fail("shape", "a char array to store must be a row or a matrix (one string per row)");
  size_t m = mxGetM(a), n = mxGetN(a);
  const mxChar *c = (const mxChar *)mxGetData(a);
  size_t w = m > 1 ? 1 : n;
  for (size_t i = 0; m > 1 && i < m; i++) {
    size_t len = n;
    while (len && c[i + (len - 1) * m] == ' ') len--;
    if (len > w) w = len;
  }
  uint32_t *out = (uint32_t *)mxCalloc(m * w + 1, sizeof *out);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      uint32_t u = ucs4(c[i + j * m]);
      if (j < w) out[i * w + j] = u;
    }
  for (size_t i = 0; m > 1 && i < m; i++) /* the padding, now NULs */
    for (size_t j = w; j-- > 0 && out[i * w + j] == ' ';) out[i * w + j] = 0;
  *rows = m;
  *width = w;
  return out;
}

/* UCS-4 code units of a cell array of char rows (mxMalloc'd), in the cell's
 * (column-major) element order, each NUL-padded to *width, the longest (at least
 * 1, as numpy's). */
static uint32_t *cell_strings(const mxArray *a, size_t *width) {
  size_t n = mxGetNumberOfElements(a), w = 1;
  for (size_t i = 0; i < n; i++) {
    const mxArray *e = mxGetCell(a, i);
    if (!e || !mxIsChar(e) || (mxGetM(e) > 1 && !mxIsEmpty(e)) || mxGetNumberOfDimensions(e) > 2)
      nsm_fail("dtype", "cell %zu is not a char row: a cell array is stored as numpy "
                        "unicode strings, one char row per cell", i + 1);
    if (mxGetNumberOfElements(e) > w) w = mxGetNumberOfElements(e);
  }
  uint32_t *out = (uint32_t *)mxCalloc(n * w + 1, sizeof *out);
  for (size_t i = 0; i < n; i++) {
    const mxArray *e = mxGetCell(a, i);
    const mxChar *c = (const mxChar *)mxGetData(e);
    for (size_t j = 0, len = mxGetNumberOfElements(e); j < len; j++) out[i * w + j] = ucs4(c[j]);
  }
  *width = w;
  return out;
}

/* Everything npy_put needs, checked before a target (a library handle) exists. */
typedef struct {
  const void *data;
  uint64_t nbytes;
  char descr[32];
  uint64_t *shape;
  uint64_t one;
  size_t ndim;
  npy_order order;
} prepared;

static void prepare_char(const mxArray *a, prepared *p) {
  size_t rows, width;
  p->data = char_rows(a, &rows, &width);
  snprintf(p->descr, sizeof p->descr, "%cU%zu", nsm_native_order(), width);
  p->nbytes = (uint64_t)rows * width * 4;
  p->one = rows;
  p->shape = &p->one;
  p->ndim = rows == 1 ? 0 : 1;
  p->order = NPY_ORDER_C;
}

/* A cell array: numpy unicode with the given shape and order (the caller has
 * permuted the cell for C order, as for numeric arrays). */
static void prepare_cell(const mxArray *a, const mxArray *shape, const mxArray *order,
                         prepared *p) {
  size_t width;
  p->shape = nsm_shape(shape, "shape", &p->ndim);
  p->order = nsm_scalar(order, "order") != 0 ? NPY_ORDER_FORTRAN : NPY_ORDER_C;
  p->data = cell_strings(a, &width);
  snprintf(p->descr, sizeof p->descr, "%cU%zu", nsm_native_order(), width);
  p->nbytes = (uint64_t)mxGetNumberOfElements(a) * width * 4;
}

static void prepare_numeric(const mxArray *a, const mxArray *shape, const mxArray *order,
                            prepared *p) {
  const char *descr = nsm_descr_for(a);
  snprintf(p->descr, sizeof p->descr, "%s", descr);
  p->shape = nsm_shape(shape, "shape", &p->ndim);
  p->order = nsm_scalar(order, "order") != 0 ? NPY_ORDER_FORTRAN : NPY_ORDER_C;
  p->nbytes = (uint64_t)mxGetNumberOfElements(a) * strtoul(descr + 2, NULL, 10);
  p->data = mxGetData(a);
}

void nsm_cmd_put(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_store *store = (const npy_store *)nsm_lookup(prhs[0], NSM_STORE);
  const mxArray *a = prhs[2];
  if (mxIsSparse(a)) nsm_fail("dtype", "sparse arrays cannot be stored; use full(A)");
  prepared p;
  if (mxIsChar(a)) prepare_char(a, &p);
  else if (mxIsCell(a)) prepare_cell(a, prhs[3], prhs[4], &p);
  else prepare_numeric(a, prhs[3], prhs[4], &p);
  double f = nsm_scalar(prhs[5], "flags");
  uint32_t flags = (f >= 0 && f <= 3) ? (uint32_t)f : 0;
  npy_target *target = nsm_target(prhs[1]);
  npy_ref *ref = NULL;
  npy_status st = npy_put(store, target, p.data, p.nbytes, p.descr, p.shape, p.ndim, p.order,
                          flags, &ref);
  npy_target_free(target);
  nsm_check(st);
  plhs[0] = mxCreateDoubleScalar(nsm_register(NSM_REF, ref));
}
