/* Element bytes without a MATLAB element type: what the .m layer turns into
 * structs (structured dtypes), uint8 (S, V) and text (U) itself.
 *   B  = npystore_mex('load_bytes', id, progress, raw)   progress as for 'load' 
 *        B: uint8 of size [itemsize, numel], element k (column-major over numpy's
 *        shape, the library converting C-order files) in column k, as stored (no
 *        byte swapping); raw (may be left out, default 0): 1 gives the file's
 *        bytes in its own order, of size [itemsize, shape] (C-order files: the
 *        shape reversed, as 'load' with raw)
 *   id = npystore_mex('put_bytes', store, target, B, descr, shape, flags)
 *        B: uint8 holding numel x itemsize bytes, elements column-major over
 *        numpy's shape `shape` (stored fortran_order True), descr: numpy's */
#include <string.h>

#include "nsm.h"

/* The dimensions of the uint8 array of r's element bytes: [itemsize, n], or with
 * raw [itemsize, shape as stored] (C-order files: the shape reversed). */
static mxArray *bytes_array(const npy_ref *r, uint64_t itemsize, uint64_t n, int raw) {
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_shape(r, &shape, &ndim));
  if (!raw) return mxCreateNumericMatrix((mwSize)itemsize, (mwSize)n, mxUINT8_CLASS, mxREAL);
  if (ndim > 63) nsm_fail("shape", "%zu dimensions are more than MATLAB's loader takes (63 and the bytes)", ndim);
  mwSize dims[64] = {(mwSize)itemsize, 1};
  int reverse = nsm_stored_c_order(r, ndim);
  for (size_t i = 0; i < ndim; i++) dims[i + 1] = (mwSize)shape[reverse ? ndim - 1 - i : i];
  return mxCreateNumericArray(ndim < 1 ? 2 : ndim + 1, dims, mxUINT8_CLASS, mxREAL);
}

void nsm_cmd_load_bytes(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_ref *r = (const npy_ref *)nsm_lookup(prhs[0], NSM_REF);
  int raw = prhs[2] && nsm_scalar(prhs[2], "raw") != 0;
  uint64_t itemsize = 0, n = 0, nbytes = 0;
  nsm_check(npy_ref_itemsize(r, &itemsize));
  nsm_check(npy_ref_size(r, &n));
  nsm_check(npy_ref_nbytes(r, &nbytes));
  mxArray *b = bytes_array(r, itemsize, n, raw);
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[1], nbytes);
  nsm_progress_check(&progress, npy_ref_load_into_progress(r, mxGetData(b), nbytes,
                                                           raw ? NPY_ORDER_AS_STORED : NPY_ORDER_FORTRAN,
                                                           nsm_progress_fn(&progress), &progress));
  plhs[0] = b;
}

void nsm_cmd_put_bytes(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_store *store = (const npy_store *)nsm_lookup(prhs[0], NSM_STORE);
  const mxArray *b = prhs[2];
  if (!mxIsUint8(b) || mxIsComplex(b) || mxIsSparse(b))
    nsm_fail("invalid_argument", "put_bytes takes a real uint8 array");
  char *descr = nsm_string(prhs[3], "descr", 0);
  size_t ndim = 0;
  uint64_t *shape = nsm_shape(prhs[4], "shape", &ndim);
  double f = nsm_scalar(prhs[5], "flags");
  uint32_t flags = (f >= 0 && f <= 3) ? (uint32_t)f : 0;
  npy_target *target = nsm_target(prhs[1]);
  npy_ref *ref = NULL;
  npy_status st = npy_put(store, target, mxGetData(b), (uint64_t)mxGetNumberOfElements(b), descr,
                          shape, ndim, NPY_ORDER_FORTRAN, flags, &ref);
  npy_target_free(target);
  nsm_check(st);
  plhs[0] = mxCreateDoubleScalar(nsm_register(NSM_REF, ref));
}
