/* Stores.
 *   id   = npystore_mex('store_open', config, name)   [] for either: discover / default
 *   name = npystore_mex('store_name', id)
 *   tf   = npystore_mex('store_exists', id, path)
 *          npystore_mex('store_delete', id, path) */
#include "nsm.h"

void nsm_cmd_store_open(mxArray *plhs[], const mxArray *prhs[]) {
  char *config = nsm_string(prhs[0], "config", 1);
  char *name = nsm_string(prhs[1], "store name", 1);
  npy_store *store = NULL;
  nsm_check(npy_store_open(config, name, &store));
  plhs[0] = mxCreateDoubleScalar(nsm_register(NSM_STORE, store));
}

void nsm_cmd_store_name(mxArray *plhs[], const mxArray *prhs[]) {
  const char *name = NULL;
  nsm_check(npy_store_name((const npy_store *)nsm_lookup(prhs[0], NSM_STORE), &name));
  plhs[0] = nsm_string_out(name);
}

void nsm_cmd_store_exists(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_store *store = (const npy_store *)nsm_lookup(prhs[0], NSM_STORE);
  bool exists = false;
  nsm_check(npy_store_exists(store, nsm_string(prhs[1], "path", 0), &exists));
  plhs[0] = mxCreateLogicalScalar(exists);
}

void nsm_cmd_store_delete(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  const npy_store *store = (const npy_store *)nsm_lookup(prhs[0], NSM_STORE);
  nsm_check(npy_store_delete(store, nsm_string(prhs[1], "path", 0)));
}
