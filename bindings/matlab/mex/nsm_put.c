/* put: store one MATLAB array as a .npy object.
 *   id = npystore_mex('put', store, target, A, shape, order, flags)
 * Numeric and logical arrays go to the library straight from MATLAB's buffer
 * (complex ones are interleaved with the R2018a API), with `shape` in numpy order
 * and `order` 1 (Fortran) or 0 (C: the caller has already permuted A).
 * char arrays become numpy unicode: a row is a 0-d '<U{n}', an m-by-n matrix one
 * string per row, shape (m,); `shape` and `order` are ignored for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsm.h"

/* UCS-4 code units of a char array's rows (mxMalloc'd), C order. */
static uint32_t *char_rows(const mxArray *a, size_t *rows, size_t *width) {
  if (mxGetNumberOfDimensions(a) > 2)
    nsm_fail("shape", "a char array to store must be a row or a matrix (one string per row)");
  size_t m = mxGetM(a), n = mxGetN(a);
  const mxChar *c = (const mxChar *)mxGetData(a);
  uint32_t *out = (uint32_t *)mxMalloc((m * n + 1) * sizeof *out);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      uint32_t u = (uint32_t)(sizeof(mxChar) == 1 ? (uint8_t)c[i + j * m] : c[i + j * m]);
      /* Octave's char holds UTF-8 bytes and MATLAB's UTF-16 units: only whole
       * characters (ASCII, or the BMP outside surrogates) map one-to-one. */
      if ((sizeof(mxChar) == 1 && u > 0x7f) || (u >= 0xd800 && u <= 0xdfff))
        nsm_fail("dtype", "char data holds a character that does not fit one char element "
                          "(non-ASCII text in Octave, a surrogate pair in MATLAB)");
      out[i * n + j] = u;
    }
  *rows = m;
  *width = n;
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
