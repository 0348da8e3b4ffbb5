/* Streaming writer.
 *   id  = npystore_mex('writer_open', store, target, prototype, row_shape, order, flags)
 *         prototype: any array of the element class (its class and complexity
 *         choose the dtype); row_shape in numpy order; order 1 appends along the
 *         last axis (final shape [row_shape..., n], MATLAB's natural layout)
 *         npystore_mex('writer_append', id, block)   whole rows only
 *   n   = npystore_mex('writer_rows', id)
 *   ref = npystore_mex('writer_finish', id)   the writer id is gone afterwards
 *         npystore_mex('writer_abort', id)    likewise
 * Built only when npystore.h declares the writer (NPYSTORE_HAVE_WRITER, set by
 * npystore_build); otherwise each command raises npystore:unsupported. */
#include <stdlib.h>

#include "nsm.h"

#ifdef NPYSTORE_HAVE_WRITER

void nsm_cmd_writer_open(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_store *store = (const npy_store *)nsm_lookup(prhs[0], NSM_STORE);
  const char *descr = nsm_descr_for(prhs[2]);
  size_t ndim;
  uint64_t *row_shape = nsm_shape(prhs[3], "row shape", &ndim);
  npy_order order = nsm_scalar(prhs[4], "order") != 0 ? NPY_ORDER_FORTRAN : NPY_ORDER_C;
  double f = nsm_scalar(prhs[5], "flags");
  uint32_t flags = (f >= 0 && f <= 3) ? (uint32_t)f : 0;
  npy_target *target = nsm_target(prhs[1]);
  npy_writer *w = NULL;
  npy_status st = npy_writer_open(store, target, descr, row_shape, ndim, order, flags, &w);
  npy_target_free(target);
  nsm_check(st);
  plhs[0] = mxCreateDoubleScalar(nsm_register(NSM_WRITER, w));
}

void nsm_cmd_writer_append(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  npy_writer *w = (npy_writer *)nsm_lookup(prhs[0], NSM_WRITER);
  const mxArray *a = prhs[1];
  if (mxIsSparse(a)) nsm_fail("dtype", "sparse arrays cannot be stored; use full(A)");
  const char *descr = nsm_descr_for(a);
  uint64_t nbytes = (uint64_t)mxGetNumberOfElements(a) * strtoul(descr + 2, NULL, 10);
  nsm_check(npy_writer_append(w, mxGetData(a), nbytes));
}

void nsm_cmd_writer_rows(mxArray *plhs[], const mxArray *prhs[]) {
  uint64_t rows = 0;
  nsm_check(npy_writer_rows((const npy_writer *)nsm_lookup(prhs[0], NSM_WRITER), &rows));
  plhs[0] = mxCreateDoubleScalar((double)rows);
}

void nsm_cmd_writer_finish(mxArray *plhs[], const mxArray *prhs[]) {
  npy_writer *w = (npy_writer *)nsm_lookup(prhs[0], NSM_WRITER);
  npy_ref *ref = NULL;
  npy_status st = npy_writer_finish(w, &ref);
  nsm_release(prhs[0]); /* finished or failed, the writer is spent: free it */
  nsm_check(st);
  plhs[0] = mxCreateDoubleScalar(nsm_register(NSM_REF, ref));
}

void nsm_cmd_writer_abort(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  npy_writer *w = (npy_writer *)nsm_lookup(prhs[0], NSM_WRITER);
  npy_status st = npy_writer_abort(w);
  nsm_release(prhs[0]);
  nsm_check(st);
}

#else

static void no_writer(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  (void)prhs;
  nsm_fail("unsupported", "this npystore_mex was built against an npystore.h without the "
                          "streaming writer (npy_writer_open); rebuild with npystore_build");
}

void nsm_cmd_writer_open(mxArray *plhs[], const mxArray *prhs[]) { no_writer(plhs, prhs); }
void nsm_cmd_writer_append(mxArray *plhs[], const mxArray *prhs[]) { no_writer(plhs, prhs); }
void nsm_cmd_writer_rows(mxArray *plhs[], const mxArray *prhs[]) { no_writer(plhs, prhs); }
void nsm_cmd_writer_finish(mxArray *plhs[], const mxArray *prhs[]) { no_writer(plhs, prhs); }
void nsm_cmd_writer_abort(mxArray *plhs[], const mxArray *prhs[]) { no_writer(plhs, prhs); }

#endif
