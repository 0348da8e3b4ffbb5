/* References: made from DataJoint JSON or a store path, and their metadata.
 *   id   = npystore_mex('ref_json', store, json)
 *   id   = npystore_mex('ref_open', store, path)
 *   info = npystore_mex('ref_info', id)     struct of every getter's value
 *   tf   = npystore_mex('ref_exists', id) */
#include "nsm.h"

static void make_ref(mxArray *plhs[], const mxArray *prhs[], int from_json) {
  const npy_store *store = (const npy_store *)nsm_lookup(prhs[0], NSM_STORE);
  char *text = nsm_string(prhs[1], from_json ? "json" : "path", 0);
  npy_ref *ref = NULL;
  nsm_check(from_json ? npy_ref_from_json(store, text, &ref) : npy_ref_open(store, text, &ref));
  plhs[0] = mxCreateDoubleScalar(nsm_register(NSM_REF, ref));
}

void nsm_cmd_ref_json(mxArray *plhs[], const mxArray *prhs[]) {
  make_ref(plhs, prhs, 1);
}

void nsm_cmd_ref_open(mxArray *plhs[], const mxArray *prhs[]) {
  make_ref(plhs, prhs, 0);
}

static const char *info_fields[] = {"shape", "dtype", "descr",    "ndim",  "numel",
                                    "nbytes", "itemsize", "path", "store", "json",
                                    "fortran_order", "is_loaded"};

static const char *ref_text(npy_status (*get)(const npy_ref *, const char **), const npy_ref *r) {
  const char *s = NULL;
  nsm_check(get(r, &s));
  return s;
}

static double ref_number(npy_status (*get)(const npy_ref *, uint64_t *), const npy_ref *r) {
  uint64_t v = 0;
  nsm_check(get(r, &v));
  return (double)v;
}

void nsm_cmd_ref_info(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_ref *r = (const npy_ref *)nsm_lookup(prhs[0], NSM_REF);
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  int32_t fortran = -1;
  bool loaded = false;
  nsm_check(npy_ref_shape(r, &shape, &ndim));
  nsm_check(npy_ref_fortran_order(r, &fortran));
  nsm_check(npy_ref_is_loaded(r, &loaded));
  mxArray *s = mxCreateStructMatrix(1, 1, sizeof info_fields / sizeof *info_fields, info_fields);
  mxSetField(s, 0, "shape", nsm_shape_out(shape, ndim));
  mxSetField(s, 0, "dtype", nsm_string_out(ref_text(npy_ref_dtype, r)));
  mxSetField(s, 0, "descr", nsm_string_out(ref_text(npy_ref_descr, r)));
  mxSetField(s, 0, "ndim", mxCreateDoubleScalar((double)ndim));
  mxSetField(s, 0, "numel", mxCreateDoubleScalar(ref_number(npy_ref_size, r)));
  mxSetField(s, 0, "nbytes", mxCreateDoubleScalar(ref_number(npy_ref_nbytes, r)));
  mxSetField(s, 0, "itemsize", mxCreateDoubleScalar(ref_number(npy_ref_itemsize, r)));
  mxSetField(s, 0, "path", nsm_string_out(ref_text(npy_ref_path, r)));
  mxSetField(s, 0, "store", nsm_string_out(ref_text(npy_ref_store, r)));
  mxSetField(s, 0, "json", nsm_string_out(ref_text(npy_ref_to_json, r)));
  mxSetField(s, 0, "fortran_order", mxCreateDoubleScalar((double)fortran));
  mxSetField(s, 0, "is_loaded", mxCreateLogicalScalar(loaded));
  plhs[0] = s;
}

void nsm_cmd_ref_exists(mxArray *plhs[], const mxArray *prhs[]) {
  bool exists = false;
  nsm_check(npy_ref_exists((const npy_ref *)nsm_lookup(prhs[0], NSM_REF), &exists));
  plhs[0] = mxCreateLogicalScalar(exists);
}
