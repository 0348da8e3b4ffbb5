/* Memory mapping. The library checks the file beneath the store's location, opens
 * and maps it; that map stays alive in the registry, so what MATLAB or Octave uses
 * is the checked file, never whatever a name leads to later.
 *   info = npystore_mex('mmap', id, mode)   mode "r", "r+" or "c"
 * info: file (the mapped file's resolved name: the stored file, or the cache file
 * for remote stores), offset (of the data in that file), nbytes, c_order, class
 * (MATLAB's element class; logical maps as uint8), mapping (the id of the live map;
 * free it with npystore_mex('free', mapping)). Types memmapfile cannot express are
 * npystore:unsupported.
 *   npystore_mex('mapping_check', mapping)    MATLAB, after memmapfile(info.file)
 * has reopened the file by name: npystore:mismatch unless that name still leads to
 * the mapped file (same device and inode).
 *   x = npystore_mex('mapping_read', mapping)       the mapped data, a column of class
 *   npystore_mex('mapping_write', mapping, x)       copy x into an "r+" map
 * (npystore.MappedFile in Octave, which has no memmapfile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsm.h"

void nsm_cmd_mmap(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_ref *r = (const npy_ref *)nsm_lookup(prhs[0], NSM_REF);
  char *mode = nsm_string(prhs[1], "mode", 0);
  const char *descr = NULL;
  nsm_check(npy_ref_descr(r, &descr));
  nsm_type t;
  nsm_type_from_descr(descr, &t);
  if (t.complex || t.conv != NSM_COPY || t.swap)
    nsm_fail("unsupported", "a %s array cannot be mapped as a MATLAB type (complex, float16, "
                            "unicode and non-native byte orders need ref.load())", descr);
  int32_t fortran = -1;
  nsm_check(npy_ref_fortran_order(r, &fortran));
  /* memmapfile has no logical type: booleans map as uint8 */
  mxClassID cls = t.cls == mxLOGICAL_CLASS ? mxUINT8_CLASS : t.cls;
  mxArray *proto = mxCreateNumericMatrix(0, 0, cls, mxREAL);
  npy_mapping *m = NULL;
  void *data = NULL;
  uint64_t nbytes = 0, offset = 0;
  nsm_check(npy_ref_load_mmap(r, mode, &m, &data, &nbytes, &offset));
  const char *path = NULL;
  npy_status got_path = npy_mapping_path(m, &path);
  if (got_path != NPY_OK) {
    npy_mapping_free(m);
    nsm_check(got_path);
  }
  if (!nbytes) {
    npy_mapping_free(m);
    nsm_fail("unsupported", "an empty array has no bytes to map");
  }
  nsm_map *h = (nsm_map *)malloc(sizeof *h);
  if (!h) {
    npy_mapping_free(m);
    nsm_fail("internal", "out of memory");
  }
  *h = (nsm_map){m, cls, "", mxGetElementSize(proto), strcmp(mode, "r+") == 0};
  snprintf(h->cls_name, sizeof h->cls_name, "%s", mxGetClassName(proto));
  static const char *fields[] = {"file", "offset", "nbytes", "c_order", "class", "mapping"};
  mxArray *s = mxCreateStructMatrix(1, 1, 6, fields);
  mxSetField(s, 0, "file", nsm_string_out(path));
  mxSetField(s, 0, "class", nsm_string_out(mxGetClassName(proto)));
  mxDestroyArray(proto);
  mxSetField(s, 0, "offset", mxCreateDoubleScalar((double)offset));
  mxSetField(s, 0, "nbytes", mxCreateDoubleScalar((double)nbytes));
  mxSetField(s, 0, "c_order", mxCreateLogicalScalar(fortran == 0));
  mxSetField(s, 0, "mapping", mxCreateDoubleScalar(nsm_register(NSM_MAPPING, h)));
  plhs[0] = s;
}

void nsm_cmd_mapping_check(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  const nsm_map *h = (const nsm_map *)nsm_lookup(prhs[0], NSM_MAPPING);
  const char *path = NULL;
  nsm_check(npy_mapping_path(h->m, &path));
}

/* The data pointer and byte length of a live map. */
static void *mapped(const nsm_map *h, uint64_t *nbytes) {
  void *data = NULL;
  nsm_check(npy_mapping_data(h->m, &data, nbytes, NULL));
  return data;
}

void nsm_cmd_mapping_read(mxArray *plhs[], const mxArray *prhs[]) {
  const nsm_map *h = (const nsm_map *)nsm_lookup(prhs[0], NSM_MAPPING);
  uint64_t nbytes = 0;
  const void *data = mapped(h, &nbytes);
  size_t n = (size_t)(nbytes / h->elsize);
  mxArray *x = mxCreateNumericMatrix(n, 1, h->cls, mxREAL);
  memcpy(mxGetData(x), data, n * h->elsize);
  plhs[0] = x;
}

void nsm_cmd_mapping_write(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  const nsm_map *h = (const nsm_map *)nsm_lookup(prhs[0], NSM_MAPPING);
  if (!h->writable)
    nsm_fail("permission_denied", "this mapping is read-only (map with mode 'r+')");
  uint64_t nbytes = 0;
  void *data = mapped(h, &nbytes);
  const mxArray *x = prhs[1];
  if (mxGetClassID(x) != h->cls || mxIsComplex(x) ||
      (uint64_t)mxGetNumberOfElements(x) * h->elsize != nbytes)
    nsm_fail("shape", "the data must be a real %s array of %llu elements", h->cls_name,
             (unsigned long long)(nbytes / h->elsize));
  memcpy(data, mxGetData(x), (size_t)nbytes);
}
