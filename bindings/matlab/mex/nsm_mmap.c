/* Memory mapping: where the mapped bytes live, for memmapfile (MATLAB) or
 * npystore.MappedFile (Octave) to map themselves.
 *   info = npystore_mex('mmap', id, mode)   mode "r", "r+" or "c"
 * info: file (local path of the stored file, or of the cache file for remote
 * stores), offset (of the data in that file), nbytes, c_order, class (MATLAB's
 * element class; logical maps as uint8). Types memmapfile cannot express are
 * npystore:unsupported.
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
  /* memmapfile has no logical type: booleans map as uint8 */
  mxArray *proto = mxCreateNumericMatrix(0, 0, t.cls == mxLOGICAL_CLASS ? mxUINT8_CLASS : t.cls,
                                         mxREAL);
  npy_mapping *m = NULL;
  void *data = NULL;
  uint64_t nbytes = 0, offset = 0;
  nsm_check(npy_ref_load_mmap(r, mode, &m, &data, &nbytes, &offset));
  const char *path = NULL;
  npy_status got_path = npy_mapping_path(m, &path);
  mxArray *file = got_path == NPY_OK ? nsm_string_out(path) : NULL;
  npy_mapping_free(m);
  nsm_check(got_path);
  if (!nbytes) nsm_fail("unsupported", "an empty array has no bytes to map");
  int32_t fortran = -1;
  nsm_check(npy_ref_fortran_order(r, &fortran));
  static const char *fields[] = {"file", "offset", "nbytes", "c_order", "class"};
  mxArray *s = mxCreateStructMatrix(1, 1, 5, fields);
  mxSetField(s, 0, "class", nsm_string_out(mxGetClassName(proto)));
  mxDestroyArray(proto);
  mxSetField(s, 0, "file", file);
  mxSetField(s, 0, "offset", mxCreateDoubleScalar((double)offset));
  mxSetField(s, 0, "nbytes", mxCreateDoubleScalar((double)nbytes));
  mxSetField(s, 0, "c_order", mxCreateLogicalScalar(fortran == 0));
  plhs[0] = s;
}
