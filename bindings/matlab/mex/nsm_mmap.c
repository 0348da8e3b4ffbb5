/* Memory mapping. The library checks the file beneath the store's location, opens
 * and maps it; that map stays alive in the registry, so what MATLAB or Octave uses
 * is the checked file, never whatever a name leads to later.
 *   info = npystore_mex('mmap', id, mode, progress)   mode "r", "r+" or "c"; progress
 *       as for 'load' (it sees the download of a remote object into the cache; a
 *       cancelled download leaves no cache file)
 * info: file (the mapped file's resolved name: the stored file, or the cache file
 * for remote stores), offset (of the data in that file), nbytes, c_order, class
 * (MATLAB's element class; logical maps as uint8), mapping (the id of the live map;
 * free it with npystore_mex('free', mapping)), itemsize (0, or for structured, S, V and U
 * dtypes, which map as uint8 bytes, the bytes of one element: the data is then uint8
 * [itemsize, dims]). Types memmapfile cannot express are npystore:unsupported.
 *   npystore_mex('mapping_check', mapping)    MATLAB, after memmapfile(info.file)
 * has reopened the file by name: npystore:mismatch unless that name still leads to
 * the mapped file (same device and inode).
 *   x = npystore_mex('mapping_read', mapping)       the mapped data, a column of class
 *   npystore_mex('mapping_write', mapping, x)       copy x into an "r+" map
 *   b = npystore_mex('mapping_read_block', mapping, dims, start, count)   the block
 *       start+1..start+count (0-based starts, one per dimension) of the data seen
 *       as a Fortran-order array of size dims; size(b) is count
 *   npystore_mex('mapping_write_at', mapping, index, x)   element index(k) (0-based,
 *       linear) = x(k), or = x for a scalar x, touching only those elements
 * (npystore.MappedFile in Octave, which has no memmapfile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsm.h"

void nsm_cmd_mmap(mxArray *plhs[], const mxArray *prhs[]) {
  const npy_ref *r = (const npy_ref *)nsm_lookup(prhs[0], NSM_REF);
  char *mode = nsm_string(prhs[1], "mode", 0);
  uint64_t size = 0;
  nsm_check(npy_ref_nbytes(r, &size));
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[2], size);
  const char *descr = NULL;
  nsm_check(npy_ref_descr(r, &descr));
  nsm_type t;
  uint64_t element_bytes = 0; /* structured, S and V: mapped as their bytes */
  if (nsm_byte_elements(descr)) {
    nsm_check(npy_ref_itemsize(r, &element_bytes));
    t = (nsm_type){mxUINT8_CLASS, 0, NSM_COPY, 1, 0};
  } else {
    nsm_type_from_descr(descr, &t);
  }
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
  nsm_progress_check(&progress, npy_ref_load_mmap_progress(r, mode, nsm_progress_fn(&progress),
                                                           &progress, &m, &data, &nbytes,
                                                           &offset));
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
  static const char *fields[] = {"file",  "offset",  "nbytes",  "c_order",
                                 "class", "mapping", "itemsize"};
  mxArray *s = mxCreateStructMatrix(1, 1, 7, fields);
  mxSetField(s, 0, "itemsize", mxCreateDoubleScalar((double)element_bytes));
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

/* The map's elements, checked to be at least dims' product. */
static size_t map_elements(const nsm_map *h, void **data, const uint64_t *dims, size_t nd) {
  uint64_t nbytes = 0;
  *data = mapped(h, &nbytes);
  uint64_t n = 1;
  for (size_t i = 0; i < nd; i++) n *= dims[i];
  if (n * h->elsize > nbytes)
    nsm_fail("shape", "dims of %llu elements exceed the map's %llu", (unsigned long long)n,
             (unsigned long long)(nbytes / h->elsize));
  return (size_t)n;
}

void nsm_cmd_mapping_read_block(mxArray *plhs[], const mxArray *prhs[]) {
  const nsm_map *h = (const nsm_map *)nsm_lookup(prhs[0], NSM_MAPPING);
  size_t nd = 0, ns = 0, nc = 0;
  uint64_t *dims = nsm_shape(prhs[1], "dims", &nd);
  uint64_t *start = nsm_shape(prhs[2], "start", &ns);
  uint64_t *count = nsm_shape(prhs[3], "count", &nc);
  if (nd == 0 || ns != nd || nc != nd)
    nsm_fail("invalid_argument", "dims, start and count need one value per dimension");
  void *data = NULL;
  map_elements(h, &data, dims, nd);
  mwSize out_dims[64] = {1, 1};
  uint64_t total = 1;
  for (size_t i = 0; i < nd; i++) {
    if (start[i] > dims[i] || count[i] > dims[i] - start[i])
      nsm_fail("invalid_argument", "dimension %zu: elements %llu..%llu are out of range (%llu)",
               i + 1, (unsigned long long)start[i] + 1,
               (unsigned long long)(start[i] + count[i]), (unsigned long long)dims[i]);
    out_dims[i] = (mwSize)count[i];
    total *= count[i];
  }
  mxArray *x = mxCreateNumericArray(nd < 2 ? 2 : nd, out_dims, h->cls, mxREAL);
  char *out = (char *)mxGetData(x);
  const char *in = (const char *)data;
  uint64_t at[64] = {0};
  size_t run = (size_t)(count[0] * h->elsize);
  for (uint64_t done = 0; total && done < total; done += count[0]) {
    uint64_t off = 0, stride = 1;
    for (size_t i = 0; i < nd; i++) {
      off += (start[i] + at[i]) * stride;
      stride *= dims[i];
    }
    memcpy(out, in + off * h->elsize, run);
    out += run;
    for (size_t i = 1; i < nd && ++at[i] == count[i]; i++) at[i] = 0;
  }
  mxFree(dims);
  mxFree(start);
  mxFree(count);
  plhs[0] = x;
}

void nsm_cmd_mapping_write_at(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  const nsm_map *h = (const nsm_map *)nsm_lookup(prhs[0], NSM_MAPPING);
  if (!h->writable)
    nsm_fail("permission_denied", "this mapping is read-only (map with mode 'r+')");
  const mxArray *index = prhs[1], *x = prhs[2];
  if (!mxIsDouble(index) || mxIsComplex(index))
    nsm_fail("invalid_argument", "the index must be real double");
  size_t n = mxGetNumberOfElements(index), nx = mxGetNumberOfElements(x);
  if (mxGetClassID(x) != h->cls || mxIsComplex(x) || (nx != n && nx != 1))
    nsm_fail("shape", "the values must be a real %s scalar or %zu of them", h->cls_name, n);
  uint64_t nbytes = 0;
  char *data = (char *)mapped(h, &nbytes);
  uint64_t elements = nbytes / h->elsize;
  const double *k = (const double *)mxGetData(index);
  for (size_t i = 0; i < n; i++)
    if (!(k[i] >= 0) || k[i] >= (double)elements || k[i] != (double)(uint64_t)k[i])
      nsm_fail("invalid_argument", "index %g is not an element of the map (0..%llu)", k[i],
               (unsigned long long)elements - 1);
  const char *v = (const char *)mxGetData(x);
  for (size_t i = 0; i < n; i++)
    memcpy(data + (size_t)k[i] * h->elsize, v + (nx == 1 ? 0 : i) * h->elsize, h->elsize);
}
