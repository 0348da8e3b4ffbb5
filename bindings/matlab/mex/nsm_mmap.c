/* Memory mapping: where the mapped bytes live, for memmapfile (MATLAB) or
 * npystore.MappedFile (Octave) to map themselves.
 *   info = npystore_mex('mmap', id, mode)   mode "r", "r+" or "c"
 * info: file (local path of the stored file, or of the cache file for remote
 * stores), offset (of the data in that file), nbytes, c_order, class (MATLAB's
 * element class; logical maps as uint8). Types memmapfile cannot express are
 * npystore:unsupported.
 *
 * The C API maps the object and gives the data pointer and offset, but not the
 * local file's name; it is read from /proc/self/maps, whose line for the mapped
 * range names the file (Linux only; elsewhere npystore:unsupported). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsm.h"

/* The file backing the mapping that contains address p; mxMalloc'd or NULL. */
static char *mapped_file(const void *p) {
#ifdef __linux__
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f) return NULL;
  char line[4352];
  char *found = NULL;
  uintptr_t at = (uintptr_t)p;
  while (!found && fgets(line, sizeof line, f)) {
    unsigned long long lo, hi;
    int path_at = 0;
    if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &path_at) < 2 || !path_at) continue;
    if (at < lo || at >= hi || line[path_at] != '/') continue;
    line[strcspn(line, "\n")] = 0;
    found = (char *)mxMalloc(strlen(line + path_at) + 1);
    strcpy(found, line + path_at);
  }
  fclose(f);
  return found;
#else
  (void)p;
  return NULL;
#endif
}

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
  char *file = data && nbytes ? mapped_file(data) : NULL;
  npy_mapping_free(m);
  if (!nbytes) nsm_fail("unsupported", "an empty array has no bytes to map");
  if (!file)
    nsm_fail("unsupported", "cannot tell which local file holds the mapping on this platform");
  int32_t fortran = -1;
  nsm_check(npy_ref_fortran_order(r, &fortran));
  static const char *fields[] = {"file", "offset", "nbytes", "c_order", "class"};
  mxArray *s = mxCreateStructMatrix(1, 1, 5, fields);
  mxSetField(s, 0, "class", nsm_string_out(mxGetClassName(proto)));
  mxDestroyArray(proto);
  mxSetField(s, 0, "file", nsm_string_out(file));
  mxSetField(s, 0, "offset", mxCreateDoubleScalar((double)offset));
  mxSetField(s, 0, "nbytes", mxCreateDoubleScalar((double)nbytes));
  mxSetField(s, 0, "c_order", mxCreateLogicalScalar(fortran == 0));
  plhs[0] = s;
}
