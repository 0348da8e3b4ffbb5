/* Element bytes without a MATLAB element type: what the .m layer turns into
 * structs (structured dtypes), uint8 (S, V) and text (U) itself.
 *   B  = npystore_mex('load_bytes', id, progress)   progress as for 'load' 
 *        B: uint8 of size [itemsize, numel], element k (column-major over numpy's
 *        shape, the library converting C-order files) in column k, as stored (no
 *        byte swapping)
 *   id = npystore_mex('put_bytes', store, target, B, descr, shape, flags)
 *        B: uint8 holding numel x itemsize bytes, elements column-major over
 *        numpy's shape `shape` (stored fortran_order True), descr: numpy's */
#include <string.h>

#include "nsm.h"

void nsm_cmd_load_bytes(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_ref *r = (const npy_ref *)nsm_lookup(prhs[0], NSM_REF);
  uint64_t itemsize = 0, n = 0, nbytes = 0;
  nsm_check(npy_ref_itemsize(r, &itemsize));
  nsm_check(npy_ref_size(r, &n));
  nsm_check(npy_ref_nbytes(r, &nbytes));
  mxArray *b = mxCreateNumericMatrix((mwSize)itemsize, (mwSize)n, mxUINT8_CLASS, mxREAL);
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[1], nbytes);
  nsm_progress_check(&progress, npy_ref_load_into_progress(r, mxGetData(b), nbytes,
                                                           NPY_ORDER_FORTRAN,
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
