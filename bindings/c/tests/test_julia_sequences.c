/*
 * The C call sequences the Julia package (bindings/julia/NpyStore) makes, in its
 * order, including the orders its finalizers may free handles in. No Julia binary
 * runs in CI, so this is where a library change that would break the package shows.
 * Each helper names the Julia function it mirrors; "Julia:" comments quote the
 * package's behaviour being mirrored.
 */
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char config[8192];
static char store_dir[4096];

/* Julia arrays are column-major: element (i, j) of an m x n matrix is at i + j*m. */
#define CM(i, j, m) ((i) + (j) * (m))

/* Julia's _progress_entry (src/progress.jl): counts reports; once it has "thrown"
 * (Ctrl+C pending or the user's callback raised, here at report `cancel_at`, 0 for
 * never) it cancels every report after. */
typedef struct {
  int calls;
  int cancel_at;
  int thrown;
  uint64_t last_done, last_total;
} jl_progress;

static int32_t jl_progress_entry(uint64_t done, uint64_t total, void *state) {
  jl_progress *p = state;
  if (p->thrown) return 1;
  p->calls++;
  p->last_done = done;
  p->last_total = total;
  if (p->cancel_at != 0 && p->calls >= p->cancel_at) {
    p->thrown = 1;
    return 1;
  }
  return 0;
}

/* _load_into!(A, r, order) (read, load(raw=true)): always through
 * npy_ref_load_into_progress with _progress_entry, so Ctrl+C can cancel. */
static npy_status jl_load_into(const npy_ref *ref, void *buf, uint64_t len, npy_order order) {
  jl_progress p = {0};
  npy_status st = npy_ref_load_into_progress(ref, buf, len, order, jl_progress_entry, &p);
  CHECK(p.thrown == 0);
  return st;
}

/* Store(config) / Store(config, name): name NULL (Julia `nothing`) or a string. */
static npy_store *jl_store(const char *name) {
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, name, &store), NPY_OK);
  return store;
}

/* put!(store, A; path, overwrite): target, npy_put in Fortran order with Julia's
 * size, target freed in a `finally`, whatever npy_put returned. */
static npy_status jl_put_path(const npy_store *store, const char *path, const void *data,
                              uint64_t nbytes, const char *descr, const uint64_t *size,
                              size_t ndim, uint32_t flags, npy_ref **ref) {
  npy_target *t = NULL;
  REQUIRE_STATUS(npy_target_path(path, &t), NPY_OK);
  npy_status st = npy_put(store, t, data, nbytes, descr, size, ndim, NPY_ORDER_FORTRAN, flags, ref);
  npy_target_free(t);
  return st;
}

/* numpy.save stand-in: an object in C order at `path`, as numpy writes them (the
 * package itself only writes Fortran order). */
static npy_ref *np_save(const npy_store *store, const char *path, const void *data,
                        uint64_t nbytes, const char *descr, const uint64_t *shape, size_t ndim) {
  npy_target *t = NULL;
  REQUIRE_STATUS(npy_target_path(path, &t), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_put(store, t, data, nbytes, descr, shape, ndim, NPY_ORDER_C, 0, &ref), NPY_OK);
  npy_target_free(t);
  return ref;
}

/* size(ref): npy_ref_shape copied out while the handle lives. */
static size_t jl_size(const npy_ref *ref, uint64_t *dims) {
  const uint64_t *shape = NULL;
  size_t n = 99;
  REQUIRE_STATUS(npy_ref_shape(ref, &shape, &n), NPY_OK);
  for (size_t i = 0; i < n; i++) dims[i] = shape[i];
  return n;
}

/* Julia's _fortran_order(ref): read the header if needed, then 1 or 0. */
static int32_t jl_fortran(const npy_ref *ref) {
  int32_t f = 7;
  CHECK_STATUS(npy_ref_read_header(ref), NPY_OK);
  CHECK_STATUS(npy_ref_fortran_order(ref, &f), NPY_OK);
  return f;
}

static const char *jl_descr(const npy_ref *ref) {
  const char *s = NULL;
  CHECK_STATUS(npy_ref_descr(ref, &s), NPY_OK);
  return s;
}

/* _read_slice!(buf, r, start, count, progress) (slice.jl; ref[...] and readrows):
 * npy_ref_read_slice_progress in Fortran order with _progress_entry, which here
 * never cancels, so Ctrl+C can. */
static npy_status jl_read_slice(const npy_ref *ref, size_t n, const uint64_t *start,
                                const uint64_t *count, void *buf, uint64_t len) {
  jl_progress p = {0};
  npy_status st = npy_ref_read_slice_progress(ref, n, start, count, buf, len, NPY_ORDER_FORTRAN,
                                              jl_progress_entry, &p);
  CHECK(p.thrown == 0);
  return st;
}

/* readrows(ref, first, count) (load.jl): size(ref), the element type, then the
 * slice start = {first - 1, 0, ...}, count = {count, the other axes whole}.
 * `first0` is Julia's first - 1. */
static npy_status jl_readrows(const npy_ref *ref, uint64_t first0, uint64_t count, void *buf,
                              uint64_t len) {
  uint64_t dims[8], start[8] = {0}, counts[8];
  size_t n = jl_size(ref, dims);
  (void)jl_descr(ref); /* _layout(r) */
  start[0] = first0;
  counts[0] = count;
  for (size_t k = 1; k < n; k++) counts[k] = dims[k];
  return jl_read_slice(ref, n, start, counts, buf, len);
}

/* _map_with_progress! (load.jl, mmap): npy_ref_load_mmap_progress with
 * _progress_entry; when the callback has "thrown", a mapping the library made
 * anyway is freed and none is returned. */
static npy_status jl_mmap_progress(const npy_ref *ref, const char *mode, jl_progress *p,
                                   npy_mapping **m, void **data) {
  npy_status st = npy_ref_load_mmap_progress(ref, mode, jl_progress_entry, p, m, data, NULL, NULL);
  if (p->thrown && *m != NULL) {
    npy_mapping_free(*m);
    *m = NULL;
  }
  return st;
}

/* mmap(ref; mode) without a progress option: Ctrl+C can still cancel. */
static npy_status jl_mmap(const npy_ref *ref, const char *mode, npy_mapping **m, void **data) {
  jl_progress p = {0};
  npy_status st = jl_mmap_progress(ref, mode, &p, m, data);
  CHECK(p.thrown == 0);
  return st;
}

static uint64_t jl_nbytes(const npy_ref *ref) {
  uint64_t n = 0;
  CHECK_STATUS(npy_ref_nbytes(ref, &n), NPY_OK);
  return n;
}

/* The stores block the package's tests use; a file datajoint.json for Store(path). */
static void test_open(void) {
  npy_store *store = jl_store(NULL);
  const char *name = NULL;
  CHECK_STATUS(npy_store_name(store, &name), NPY_OK);
  CHECK_STR(name, "main");
  npy_store *named = jl_store("main");
  npy_store_free(named);

  char file[4200];
  snprintf(file, sizeof file, "%s/datajoint.json", store_dir);
  FILE *f = fopen(file, "w");
  REQUIRE(f != NULL);
  fputs(config, f);
  fclose(f);
  npy_store *from_file = NULL;
  CHECK_STATUS(npy_store_open(file, NULL, &from_file), NPY_OK);
  npy_store_free(from_file);

  npy_store *missing = (npy_store *)&missing;
  CHECK_STATUS(npy_store_open(config, "nope", &missing), NPY_ERR_STORE_NOT_CONFIGURED);
  CHECK(missing == NULL);
  CHECK_STR(npy_status_name(NPY_ERR_STORE_NOT_CONFIGURED), "store_not_configured");
  CHECK(strlen(npy_last_error()) > 0);
  /* Julia close(store) twice: the second call passes NULL. */
  npy_store_free(store);
  npy_store_free(NULL);
}

/* put! of a 3x4 Float64 matrix, read back with read() (load_into, Fortran order). */
static void test_put_and_read_fortran(void) {
  npy_store *store = jl_store(NULL);
  double a[12];
  for (int k = 0; k < 12; k++) a[k] = k + 1; /* Julia reshape(1.0:12.0, 3, 4) */
  uint64_t size[2] = {3, 4};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/a.npy", a, sizeof a, "<f8", size, 2, 0, &ref), NPY_OK);

  uint64_t dims[8];
  CHECK(jl_size(ref, dims) == 2 && dims[0] == 3 && dims[1] == 4);
  size_t ndim = 0;
  uint64_t len = 0;
  CHECK_STATUS(npy_ref_ndim(ref, &ndim), NPY_OK);
  CHECK_STATUS(npy_ref_size(ref, &len), NPY_OK);
  CHECK(ndim == 2 && len == 12);
  CHECK_STR(jl_descr(ref), "'<f8'");
  const char *s = NULL;
  CHECK_STATUS(npy_ref_dtype(ref, &s), NPY_OK);
  CHECK_STR(s, "float64");
  CHECK_STATUS(npy_ref_path(ref, &s), NPY_OK);
  CHECK_STR(s, "jl/a.npy");
  CHECK(jl_fortran(ref) == 1);

  double back[12] = {0};
  CHECK_STATUS(jl_load_into(ref, back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(memcmp(a, back, sizeof a) == 0);
  /* Julia load(ref; raw=true): a flat Vector, AS_STORED, then the order for dims. */
  double raw[12] = {0};
  CHECK_STATUS(jl_load_into(ref, raw, sizeof raw, NPY_ORDER_AS_STORED), NPY_OK);
  CHECK(memcmp(a, raw, sizeof a) == 0);

  /* overwrite=false, then true */
  npy_ref *again = NULL;
  CHECK_STATUS(jl_put_path(store, "jl/a.npy", a, sizeof a, "<f8", size, 2, 0, &again),
               NPY_ERR_ALREADY_EXISTS);
  CHECK(again == NULL);
  CHECK_STR(npy_status_name(NPY_ERR_ALREADY_EXISTS), "already_exists");
  CHECK_STATUS(jl_put_path(store, "jl/a.npy", a, sizeof a, "<f8", size, 2, NPY_PUT_OVERWRITE, &again),
               NPY_OK);
  npy_ref_free(again);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* Element types the package maps, 0-d and empty arrays, as Julia passes them: an
 * empty Julia array still has a non-NULL data pointer; a 0-d size is an empty
 * (non-NULL) UInt64 vector. */
static void test_types_and_shapes(void) {
  npy_store *store = jl_store(NULL);
  static const struct {
    const char *descr;
    size_t itemsize;
  } types[] = {{"|b1", 1}, {"|i1", 1}, {"<i2", 2}, {"<i4", 4}, {"<i8", 8}, {"|u1", 1},
               {"<u2", 2}, {"<u4", 4}, {"<u8", 8}, {"<f2", 2}, {"<f4", 4}, {"<f8", 8},
               {"<c8", 8}, {"<c16", 16}};
  unsigned char data[6 * 16], back[6 * 16];
  for (size_t k = 0; k < sizeof data; k++) data[k] = (unsigned char)(k % 2); /* valid bools */
  uint64_t size[2] = {2, 3};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    char path[64];
    snprintf(path, sizeof path, "jl/types/%zu.npy", i);
    npy_ref *ref = NULL;
    uint64_t n = 6 * types[i].itemsize;
    REQUIRE_STATUS(jl_put_path(store, path, data, n, types[i].descr, size, 2, 0, &ref), NPY_OK);
    char want[16];
    snprintf(want, sizeof want, "'%s'", types[i].descr);
    CHECK_STR(jl_descr(ref), want);
    memset(back, 0xAA, sizeof back);
    CHECK_STATUS(jl_load_into(ref, back, n, NPY_ORDER_FORTRAN), NPY_OK);
    CHECK(memcmp(data, back, n) == 0);
    npy_ref_free(ref);
  }

  double scalar = 2.5, got = 0;
  uint64_t no_dims[1] = {0};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/scalar.npy", &scalar, 8, "<f8", no_dims, 0, 0, &ref), NPY_OK);
  uint64_t dims[8];
  CHECK(jl_size(ref, dims) == 0);
  CHECK_STATUS(jl_load_into(ref, &got, 8, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(got == 2.5);
  npy_ref_free(ref);

  uint64_t empty_size[2] = {0, 3};
  REQUIRE_STATUS(jl_put_path(store, "jl/empty.npy", data, 0, "<f8", empty_size, 2, 0, &ref), NPY_OK);
  CHECK(jl_size(ref, dims) == 2 && dims[0] == 0 && dims[1] == 3);
  CHECK(jl_nbytes(ref) == 0);
  CHECK_STATUS(jl_load_into(ref, back, 0, NPY_ORDER_FORTRAN), NPY_OK);
  /* Julia mmap of an empty array: map, see no bytes, free the mapping at once. */
  npy_mapping *m = NULL;
  void *p = NULL;
  CHECK_STATUS(jl_mmap(ref, "r", &m, &p), NPY_OK);
  npy_mapping_free(m);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* put! with a schema target, keys added in NamedTuple order with the Julia types'
 * calls; DateTime milliseconds become microseconds. */
static void test_schema_target_and_json(void) {
  npy_store *store = jl_store(NULL);
  float a[35];
  for (int k = 0; k < 35; k++) a[k] = (float)k;
  uint64_t size[2] = {5, 7};
  npy_target *t = NULL;
  REQUIRE_STATUS(npy_target_schema("lab", "_recording", "trace", &t), NPY_OK);
  CHECK_STATUS(npy_target_key_string(t, "subject", "m/01"), NPY_OK);
  CHECK_STATUS(npy_target_key_int(t, "session", -3), NPY_OK);
  CHECK_STATUS(npy_target_key_uint(t, "probe", 7), NPY_OK);
  CHECK_STATUS(npy_target_key_float(t, "depth", 0.1), NPY_OK);
  CHECK_STATUS(npy_target_key_bool(t, "good", true), NPY_OK);
  CHECK_STATUS(npy_target_key_date(t, "day", 2024, 5, 17), NPY_OK);
  CHECK_STATUS(npy_target_key_datetime(t, "start", 2024, 5, 17, 13, 4, 5, 1000 * 250), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_put(store, t, a, sizeof a, "<f4", size, 2, NPY_ORDER_FORTRAN, 0, &ref), NPY_OK);
  npy_target_free(t);

  const char *path = NULL, *json = NULL;
  CHECK_STATUS(npy_ref_path(ref, &path), NPY_OK);
  const char *prefix = "_schema/lab/_recording/subject=m%2F01/session=-3/probe=7/depth=0.1/"
                       "good=True/day=2024-05-17/start=2024-05-17T13-04-05/trace_";
  CHECK(strncmp(path, prefix, strlen(prefix)) == 0);
  CHECK_STATUS(npy_ref_to_json(ref, &json), NPY_OK);
  CHECK(strstr(json, "\"dtype\": \"float32\"") != NULL);
  CHECK(strstr(json, "\"shape\": [5, 7]") != NULL);

  /* NpyRef(store; json): size, eltype (descr), dtype, path with no I/O. */
  npy_ref *lazy = NULL;
  REQUIRE_STATUS(npy_ref_from_json(store, json, &lazy), NPY_OK);
  bool loaded = true;
  CHECK_STATUS(npy_ref_is_loaded(lazy, &loaded), NPY_OK);
  CHECK(!loaded);
  uint64_t dims[8];
  CHECK(jl_size(lazy, dims) == 2 && dims[0] == 5 && dims[1] == 7);
  CHECK_STR(jl_descr(lazy), "'<f4'");
  int32_t order = 7; /* not known without I/O: DataJoint's JSON does not record it */
  CHECK_STATUS(npy_ref_fortran_order(lazy, &order), NPY_OK);
  CHECK(order == -1);
  CHECK_STATUS(npy_ref_is_loaded(lazy, &loaded), NPY_OK);
  CHECK(!loaded);
  float back[35];
  CHECK_STATUS(jl_load_into(lazy, back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(memcmp(a, back, sizeof a) == 0);
  bool exists = false;
  CHECK_STATUS(npy_ref_exists(lazy, &exists), NPY_OK);
  CHECK(exists);
  CHECK_STATUS(npy_store_exists(store, path, &exists), NPY_OK);
  CHECK(exists);
  npy_ref_free(lazy);

  npy_ref *bad = (npy_ref *)&bad;
  CHECK_STATUS(npy_ref_from_json(store, "{not json", &bad), NPY_ERR_JSON);
  CHECK(bad == NULL);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* An object numpy wrote in C order (npy_put with NPY_ORDER_C stands in for numpy):
 * read() converts into the column-major buffer; raw and mmap see it as stored. */
static void test_c_order_object(void) {
  npy_store *store = jl_store(NULL);
  int32_t c[6] = {0, 1, 2, 3, 4, 5}; /* numpy a = arange(6).reshape(2, 3) */
  uint64_t shape[2] = {2, 3};
  npy_ref_free(np_save(store, "jl/c.npy", c, sizeof c, "<i4", shape, 2));

  /* NpyRef(store, path), then read(): A[i, j] == a[i-1, j-1] */
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_ref_open(store, "jl/c.npy", &ref), NPY_OK);
  CHECK(jl_fortran(ref) == 0);
  int32_t A[6];
  CHECK_STATUS(jl_load_into(ref, A, sizeof A, NPY_ORDER_FORTRAN), NPY_OK);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) CHECK(A[CM(i, j, 2)] == 3 * i + j);

  /* readrows(ref, 2, 1): first row index 1 in C, a 1 x 3 Julia matrix */
  int32_t row[3];
  CHECK_STATUS(jl_readrows(ref, 1, 1, row, sizeof row), NPY_OK);
  CHECK(row[0] == 3 && row[1] == 4 && row[2] == 5);
  /* readrows(ref, 3, 0): the end, nothing to read, a non-NULL empty buffer */
  CHECK_STATUS(jl_readrows(ref, 2, 0, row, 0), NPY_OK);
  CHECK(jl_readrows(ref, 1, 2, row, 2 * sizeof row) != NPY_OK);

  /* raw=true from JSON: the order is unknown before the header is read; Julia reads
   * it (jl_fortran) for the dims, then loads into Array{T}(undef, reverse(size)). */
  const char *json = NULL;
  CHECK_STATUS(npy_ref_to_json(ref, &json), NPY_OK);
  npy_ref *lazy = NULL;
  REQUIRE_STATUS(npy_ref_from_json(store, json, &lazy), NPY_OK);
  int32_t unknown = 7;
  CHECK_STATUS(npy_ref_fortran_order(lazy, &unknown), NPY_OK);
  CHECK(unknown == -1);
  CHECK(jl_fortran(lazy) == 0);
  int32_t raw[6];
  CHECK_STATUS(jl_load_into(lazy, raw, sizeof raw, NPY_ORDER_AS_STORED), NPY_OK);
  CHECK(memcmp(raw, c, sizeof c) == 0);
  npy_ref_free(lazy);

  /* mmap(ref) on a fresh reference from JSON: map, then the order for its dims. */
  REQUIRE_STATUS(npy_ref_from_json(store, json, &lazy), NPY_OK);
  npy_mapping *m = NULL;
  void *data = NULL;
  REQUIRE_STATUS(jl_mmap(lazy, "r", &m, &data), NPY_OK);
  CHECK(jl_fortran(lazy) == 0);
  CHECK(((uintptr_t)data % 16) == 0); /* Julia checks alignment for its element type */
  CHECK(memcmp(data, c, sizeof c) == 0);
  npy_ref_free(lazy);
  npy_ref_free(ref);
  npy_store_free(store);
  /* The Array's finalizer runs last: the map outlives reference and store. */
  CHECK(((int32_t *)data)[5] == 5);
  npy_mapping_free(m);
}

/* The other byte order: bytes come through as stored, Julia swaps them. */
static void test_big_endian(void) {
  npy_store *store = jl_store(NULL);
  unsigned char be[6 * 2];
  for (int k = 0; k < 6; k++) {
    be[2 * k] = 0x01;
    be[2 * k + 1] = (unsigned char)k; /* 0x0100 + k, big-endian */
  }
  uint64_t shape[2] = {2, 3};
  npy_ref *ref = np_save(store, "jl/be.npy", be, sizeof be, ">i2", shape, 2);
  const char *s = NULL;
  CHECK_STATUS(npy_ref_dtype(ref, &s), NPY_OK);
  CHECK_STR(s, ">i2");
  CHECK_STR(jl_descr(ref), "'>i2'");
  unsigned char A[12];
  CHECK_STATUS(jl_load_into(ref, A, sizeof A, NPY_ORDER_FORTRAN), NPY_OK);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) {
      int k = CM(i, j, 2);
      CHECK(A[2 * k] == 0x01 && A[2 * k + 1] == 3 * i + j);
    }
  npy_ref_free(ref);
  npy_store_free(store);
}

/* mmap modes on a Fortran-order object, as mmap(f, ref; mode) uses them. */
static void test_mmap_modes(void) {
  npy_store *store = jl_store(NULL);
  double a[12];
  for (int k = 0; k < 12; k++) a[k] = k + 1;
  uint64_t size[2] = {3, 4};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/m.npy", a, sizeof a, "<f8", size, 2, 0, &ref), NPY_OK);
  npy_mapping *m = NULL;
  double *d = NULL;
  REQUIRE_STATUS(jl_mmap(ref, "r+", &m, (void **)&d), NPY_OK);
  CHECK(jl_fortran(ref) == 1);
  d[CM(1, 2, 3)] = -1.0; /* M[2, 3] = -1 */
  npy_mapping_free(m);
  REQUIRE_STATUS(jl_mmap(ref, "c", &m, (void **)&d), NPY_OK);
  CHECK(d[CM(1, 2, 3)] == -1.0);
  d[0] = 99.0;
  npy_mapping_free(m);
  double back[12];
  CHECK_STATUS(jl_load_into(ref, back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(back[CM(1, 2, 3)] == -1.0 && back[0] == 1.0);
  m = (npy_mapping *)&m;
  CHECK_STATUS(jl_mmap(ref, "w", &m, (void **)&d), NPY_ERR_INVALID_ARGUMENT);
  CHECK(m == NULL);

  /* Twenty maps, each from its own store and reference, which the GC frees first. */
  npy_mapping *maps[20];
  double *datas[20];
  for (int k = 0; k < 20; k++) {
    npy_store *s = jl_store(NULL);
    npy_ref *r = NULL;
    REQUIRE_STATUS(npy_ref_open(s, "jl/m.npy", &r), NPY_OK);
    REQUIRE_STATUS(jl_mmap(r, "r", &maps[k], (void **)&datas[k]), NPY_OK);
    npy_store_free(s);
    npy_ref_free(r);
  }
  for (int k = 0; k < 20; k++) {
    CHECK(datas[k][CM(1, 2, 3)] == -1.0);
    npy_mapping_free(maps[k]);
  }
  npy_ref_free(ref);
  npy_store_free(store);
}

/* Finalizer orders: a store freed before its references; closing twice. */
static void test_lifetimes(void) {
  npy_store *store = jl_store(NULL);
  double a[2] = {1, 2};
  uint64_t size[1] = {2};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/life.npy", a, sizeof a, "<f8", size, 1, 0, &ref), NPY_OK);
  npy_store_free(store); /* close(store), or the GC got to it first */
  double back[2];
  CHECK_STATUS(jl_load_into(ref, back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(back[0] == 1 && back[1] == 2);
  npy_ref_free(ref);
  npy_ref_free(NULL); /* close(ref) again */

  /* 100 references from stores nobody holds, freed in the order they were made */
  npy_store *stores[100];
  npy_ref *refs[100];
  for (int k = 0; k < 100; k++) {
    stores[k] = jl_store(NULL);
    REQUIRE_STATUS(npy_ref_open(stores[k], "jl/life.npy", &refs[k]), NPY_OK);
    CHECK_STATUS(jl_load_into(refs[k], back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  }
  for (int k = 0; k < 100; k++) {
    npy_store_free(stores[k]);
    npy_ref_free(refs[k]);
  }
}

/* What becomes an NpyError, and the messages it carries. */
static void test_errors(void) {
  npy_store *store = jl_store(NULL);
  npy_ref *ref = (npy_ref *)&ref;
  CHECK_STATUS(npy_ref_open(store, "jl/missing.npy", &ref), NPY_ERR_NOT_FOUND);
  CHECK(ref == NULL);
  CHECK_STR(npy_status_name(NPY_ERR_NOT_FOUND), "not_found");
  CHECK(strstr(npy_last_error(), "missing.npy") != NULL);

  /* a numpy '<U5' object: metadata fine, no Julia element type (Julia refuses) */
  char text[20] = {0};
  uint64_t one[1] = {1};
  ref = np_save(store, "jl/u5.npy", text, sizeof text, "<U5", one, 1);
  const char *s = NULL;
  CHECK_STATUS(npy_ref_dtype(ref, &s), NPY_OK);
  CHECK_STR(s, "<U5");
  CHECK_STR(jl_descr(ref), "'<U5'");
  npy_ref_free(ref);

  /* a bad target name is an error from the target call; no target to free */
  npy_target *t = (npy_target *)&t;
  CHECK(npy_target_path("../out.npy", &t) != NPY_OK);
  CHECK(t == NULL);
  /* buffer length must match (the package always passes sizeof(A)) */
  double a[2] = {1, 2}, back[3];
  uint64_t size[1] = {2};
  REQUIRE_STATUS(jl_put_path(store, "jl/len.npy", a, sizeof a, "<f8", size, 1, 0, &ref), NPY_OK);
  CHECK_STATUS(jl_load_into(ref, back, sizeof back, NPY_ORDER_FORTRAN), NPY_ERR_LENGTH);
  npy_ref_free(ref);
  /* delete!(store, path) twice */
  CHECK_STATUS(npy_store_delete(store, "jl/len.npy"), NPY_OK);
  bool exists = true;
  CHECK_STATUS(npy_store_exists(store, "jl/len.npy", &exists), NPY_OK);
  CHECK(!exists);
  CHECK_STATUS(npy_store_delete(store, "jl/len.npy"), NPY_ERR_NOT_FOUND);
  npy_store_free(store);
}

/* ref[i, j, ...] (slice.jl): size(ref), eltype, then one _read_slice! of the
 * block spanning the index into Array{T}(undef, count) in Fortran order, 0-based
 * starts; integers are blocks of 1 (the dimension dropped afterwards), vectors
 * their lowest..highest block (picked out afterwards). */
static npy_status jl_getindex(const npy_ref *ref, size_t n, const uint64_t *start,
                              const uint64_t *count, void *B, uint64_t nbytes) {
  uint64_t dims[8];
  CHECK(jl_size(ref, dims) == n);
  (void)jl_descr(ref); /* _element(r) */
  return jl_read_slice(ref, n, start, count, B, nbytes);
}

static void test_getindex(void) {
  npy_store *store = jl_store(NULL);
  /* numpy a = arange(20).reshape(4, 5), saved in C order */
  int32_t c[20];
  for (int k = 0; k < 20; k++) c[k] = k;
  uint64_t shape[2] = {4, 5};
  npy_ref *ref = np_save(store, "jl/s.npy", c, sizeof c, "<i4", shape, 2);

  /* ref[2:3, :] -> 2 x 5, column-major */
  int32_t B[10];
  uint64_t start[2] = {1, 0}, count[2] = {2, 5};
  CHECK_STATUS(jl_getindex(ref, 2, start, count, B, sizeof B), NPY_OK);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 5; j++) CHECK(B[CM(i, j, 2)] == 5 * (i + 1) + j);
  /* ref[4, 2]: a 1 x 1 block, B[] */
  uint64_t one_start[2] = {3, 1}, ones[2] = {1, 1};
  CHECK_STATUS(jl_getindex(ref, 2, one_start, ones, B, sizeof B[0]), NPY_OK);
  CHECK(B[0] == 16);
  /* ref[:, [4, 2]]: the block of columns 2..4, then columns 3 and 1 of it */
  uint64_t span_start[2] = {0, 1}, span[2] = {4, 3};
  int32_t S[12];
  CHECK_STATUS(jl_getindex(ref, 2, span_start, span, S, sizeof S), NPY_OK);
  for (int i = 0; i < 4; i++) CHECK(S[CM(i, 2, 4)] == 5 * i + 3 && S[CM(i, 0, 4)] == 5 * i + 1);
  /* ref[2:1, :]: an empty block, Array{T}(undef, 0, 5) (a non-NULL buffer) */
  uint64_t empty[2] = {0, 5};
  CHECK_STATUS(jl_getindex(ref, 2, start, empty, B, 0), NPY_OK);
  /* Julia's BoundsError comes first; the library refuses the same block too */
  uint64_t past[2] = {3, 0}, two_rows[2] = {2, 5};
  CHECK_STATUS(jl_getindex(ref, 2, past, two_rows, B, sizeof B), NPY_ERR_INVALID_ARGUMENT);
  npy_ref_free(ref);

  /* A Fortran-order channels x samples recording put! from Julia: ref[:, 4:6] is
   * the bytes of columns 4..6, ref[2, :] a Vector */
  double rec[3 * 8];
  for (int k = 0; k < 24; k++) rec[k] = k;
  uint64_t size[2] = {3, 8};
  REQUIRE_STATUS(jl_put_path(store, "jl/rec.npy", rec, sizeof rec, "<f8", size, 2, 0, &ref), NPY_OK);
  double W[9], ch[8];
  uint64_t w_start[2] = {0, 3}, w_count[2] = {3, 3};
  CHECK_STATUS(jl_getindex(ref, 2, w_start, w_count, W, sizeof W), NPY_OK);
  CHECK(memcmp(W, rec + 9, sizeof W) == 0);
  uint64_t ch_start[2] = {1, 0}, ch_count[2] = {1, 8};
  CHECK_STATUS(jl_getindex(ref, 2, ch_start, ch_count, ch, sizeof ch), NPY_OK);
  for (int j = 0; j < 8; j++) CHECK(ch[j] == rec[CM(1, j, 3)]);
  npy_ref_free(ref);

  /* ref[] of a 0-d array: ndim 0, no starts or counts */
  double x = 2.5, got = 0;
  REQUIRE_STATUS(jl_put_path(store, "jl/x.npy", &x, sizeof x, "<f8", NULL, 0, 0, &ref), NPY_OK);
  uint64_t none[1] = {0};
  CHECK_STATUS(jl_getindex(ref, 0, none, none, &got, sizeof got), NPY_OK);
  CHECK(got == 2.5);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* load_many's _item_error(index) (bulk.jl): the message's length with a NULL buffer,
 * then the text into a buffer of length + 1, resized to length. */
static char *jl_item_error(size_t index) {
  size_t len = 99;
  CHECK_STATUS(npy_refs_item_error(index, NULL, 0, &len), NPY_OK);
  char *buf = malloc(len + 1);
  REQUIRE(buf != NULL);
  size_t again = 99;
  CHECK_STATUS(npy_refs_item_error(index, buf, len + 1, &again), NPY_OK);
  CHECK(again == len && strlen(buf) == len);
  return buf;
}

/* load_many(refs) (bulk.jl): per item the stored descr and size (an item with no
 * Julia type would fail alone here, before the call), Array{T}(undef, size(r)), then
 * one npy_refs_load_into in Fortran order with _progress_entry, and at once each failed
 * item's message (_item_errors), before anything can yield. */
static void test_load_many(void) {
  npy_store *store = jl_store(NULL);
  int16_t c[6] = {0, 1, 2, 3, 4, 5}; /* numpy arange(6).reshape(2, 3), C order */
  uint64_t shape[2] = {2, 3};
  npy_ref *cref = np_save(store, "jl/many_c.npy", c, sizeof c, "<i2", shape, 2);
  npy_ref *missing = NULL;
  REQUIRE_STATUS(npy_ref_from_json(store,
                                   "{\"path\": \"jl/many_missing.npy\", \"store\": null, "
                                   "\"dtype\": \"float64\", \"shape\": [4]}",
                                   &missing),
                 NPY_OK);
  const npy_ref *refs[3] = {cref, missing, cref};
  int16_t A[6] = {0}, C[6] = {0};
  double M[4];
  void *bufs[3] = {A, M, C};
  uint64_t lens[3];
  for (int i = 0; i < 3; i++) {
    uint64_t dims[8];
    CHECK(jl_size(refs[i], dims) >= 1);
    CHECK(strlen(jl_descr(refs[i])) > 0); /* _parse_descr(_stored_descr(r)), no I/O */
    lens[i] = jl_nbytes(refs[i]);         /* sizeof(A) of Array{T}(undef, size(r)) */
  }
  CHECK(lens[0] == sizeof A && lens[1] == sizeof M);
  int32_t statuses[3] = {7, 7, 7}; /* fill(NPY_OK, n) in Julia; Vector{Int32} */
  jl_progress progress = {0};
  npy_refs_load_into(refs, (void *const *)bufs, lens, 3, NPY_ORDER_FORTRAN, 0, jl_progress_entry,
                     &progress, (npy_status *)statuses);
  CHECK(progress.calls >= 1 && progress.last_total == sizeof A + sizeof M + sizeof C);
  CHECK(statuses[0] == NPY_OK && statuses[1] == NPY_ERR_NOT_FOUND && statuses[2] == NPY_OK);
  char *message = jl_item_error(1);
  CHECK(strncmp(message, "jl/many_missing.npy: ", strlen("jl/many_missing.npy: ")) == 0);
  free(message);
  /* Julia A[i, j] == numpy a[i-1, j-1]: column-major 2 x 3 */
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++) CHECK(A[CM(i, j, 2)] == 3 * i + j && C[CM(i, j, 2)] == 3 * i + j);
  /* load_many(NpyRef[]): n == 0, empty vectors (Julia passes their non-NULL pointers) */
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, 0, NPY_ORDER_FORTRAN, 0, NULL,
                                  NULL, (npy_status *)statuses),
               NPY_OK);
  npy_ref_free(missing);
  npy_ref_free(cref);
  npy_store_free(store);
}

/* read(ref) of a dtype with no Julia number type (dtypes.jl, _receiver): the descr
 * (parsed in Julia), then one npy_ref_load_into in Fortran order, into the final
 * Array when its memory is the stored bytes, else into bytes of prod(size) *
 * itemsize, decoded element by element (column-major) afterwards. */
static npy_status jl_read_bytes(const npy_ref *ref, const char *want_descr, void *buf,
                                uint64_t nbytes) {
  CHECK_STR(jl_descr(ref), want_descr);
  uint64_t dims[8];
  (void)jl_size(ref, dims);
  return jl_load_into(ref, buf, nbytes, NPY_ORDER_FORTRAN);
}

/* Julia's NamedTuple{(:x, :y), Tuple{Float64, Int32}}: x at 0, y at 8, sizeof 16. */
typedef struct {
  double x;
  int32_t y;
} jl_xy;

/* numpy's packed [('x', '<f8'), ('y', '<i4')]: 12 bytes, y unaligned. */
static void pack_xy(unsigned char *at, double x, int32_t y) {
  memcpy(at, &x, 8);
  memcpy(at + 8, &y, 4);
}

static void test_structured(void) {
  npy_store *store = jl_store(NULL);
  /* put! of an isbits NamedTuple vector: Julia's layout, its padding an unnamed V4
   * field (encode.jl: _record_for keeps Julia's offsets), copied with the padding
   * zeroed (_has_padding) */
  jl_xy xy[3];
  memset(xy, 0, sizeof xy);
  for (int k = 0; k < 3; k++) {
    xy[k].x = k + 0.5;
    xy[k].y = 10 * k;
  }
  uint64_t three[1] = {3};
  const char *padded = "[('x', '<f8'), ('y', '<i4'), ('', '|V4')]";
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/xy.npy", xy, sizeof xy, padded, three, 1, 0, &ref), NPY_OK);
  const char *dtype = NULL;
  CHECK_STATUS(npy_ref_dtype(ref, &dtype), NPY_OK);
  CHECK_STR(dtype, "{'names': ['x', 'y'], 'formats': ['<f8', '<i4'], 'offsets': [0, 8], "
                   "'itemsize': 16}");
  /* read(ref): the layout is the NamedTuple's, so straight into Array{NT} */
  jl_xy back[3];
  CHECK_STATUS(jl_read_bytes(ref, padded, back, sizeof back), NPY_OK);
  for (int k = 0; k < 3; k++) CHECK(back[k].x == k + 0.5 && back[k].y == 10 * k);
  /* mmap(ref): the same layout maps zero-copy; Julia checks 8-byte alignment */
  npy_mapping *m = NULL;
  void *data = NULL;
  REQUIRE_STATUS(jl_mmap(ref, "r", &m, &data), NPY_OK);
  CHECK(jl_fortran(ref) == 0); /* a 1-d array says C order; Julia's dims are the same */
  CHECK(((uintptr_t)data % 8) == 0 && ((jl_xy *)data)[2].y == 20);
  npy_mapping_free(m);
  /* The same array from DataJoint's JSON (dict form): the descr without I/O */
  const char *json = NULL;
  CHECK_STATUS(npy_ref_to_json(ref, &json), NPY_OK);
  npy_ref *lazy = NULL;
  REQUIRE_STATUS(npy_ref_from_json(store, json, &lazy), NPY_OK);
  CHECK_STR(jl_descr(lazy), padded);
  npy_ref_free(lazy);
  npy_ref_free(ref);

  /* numpy's packed 2 x 2 array in C order: bytes of 12 per element, loaded in
   * Julia's order, decoded; readrows and ref[:, 2] the same way */
  unsigned char c[4 * 12];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) pack_xy(c + 12 * (2 * i + j), 10.0 * i + j, 100 * i + j);
  uint64_t shape[2] = {2, 2};
  const char *packed = "[('x', '<f8'), ('y', '<i4')]";
  ref = np_save(store, "jl/packed.npy", c, sizeof c, packed, shape, 2);
  unsigned char f[4 * 12], want[12];
  CHECK_STATUS(jl_read_bytes(ref, packed, f, sizeof f), NPY_OK);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      pack_xy(want, 10.0 * i + j, 100 * i + j);
      CHECK(memcmp(f + 12 * CM(i, j, 2), want, 12) == 0);
    }
  unsigned char row[2 * 12];
  CHECK_STATUS(jl_readrows(ref, 1, 1, row, sizeof row), NPY_OK);
  pack_xy(want, 11.0, 101);
  CHECK(memcmp(row + 12, want, 12) == 0);
  uint64_t start[2] = {0, 1}, count[2] = {2, 1};
  CHECK_STATUS(jl_getindex(ref, 2, start, count, row, sizeof row), NPY_OK);
  CHECK(memcmp(row + 12, want, 12) == 0);
  npy_ref_free(ref);

  /* nested, sub-array and big-endian fields, as numpy writes them: bytes as stored */
  const char *nested = "[('p', [('a', '<i2'), ('b', '|u1')]), ('v', '>f4', (2, 3))]";
  unsigned char n[2 * 27];
  memset(n, 0, sizeof n);
  n[27] = 0x07;     /* element 1: p.a == 7 */
  n[27 + 3] = 0x3f; /* its v[0][0] == 1.0f, big-endian 3f 80 00 00, after p's 3 bytes */
  n[27 + 4] = 0x80;
  uint64_t two[1] = {2};
  ref = np_save(store, "jl/nested.npy", n, sizeof n, nested, two, 1);
  unsigned char nb[2 * 27];
  CHECK_STATUS(jl_read_bytes(ref, nested, nb, sizeof nb), NPY_OK);
  CHECK(memcmp(nb, n, sizeof n) == 0);
  npy_ref_free(ref);

  /* put! of an isbits NamedTuple with a nested record and an NTuple{2,NTuple{3,Float32}}
   * field: p (4 bytes, its padding a V1) at 0, v at 4, sizeof 28 */
  const char *julia_nested =
      "[('p', [('a', '<i2'), ('b', '|u1'), ('', '|V1')]), ('v', '<f4', (2, 3))]";
  unsigned char jn[28];
  memset(jn, 0, sizeof jn);
  REQUIRE_STATUS(jl_put_path(store, "jl/jnested.npy", jn, sizeof jn, julia_nested, two, 1, 0, &ref),
                 NPY_ERR_LENGTH); /* 2 elements need 56 bytes */
  unsigned char jn2[56] = {0};
  REQUIRE_STATUS(jl_put_path(store, "jl/jnested.npy", jn2, sizeof jn2, julia_nested, two, 1, 0, &ref),
                 NPY_OK);
  CHECK(jl_nbytes(ref) == 56);
  CHECK_STR(jl_descr(ref), julia_nested);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* U, S, V and datetime64 arrays: put! encodes (host order, the longest width) and
 * writes in Fortran order; read loads their bytes and decodes them. */
static void test_text_bytes_times(void) {
  npy_store *store = jl_store(NULL);
  /* numpy ['ab', 'cde'] as <U3 in C order, read into bytes of 2 * 12 */
  uint32_t u[6] = {'a', 'b', 0, 'c', 'd', 'e'};
  uint64_t two[1] = {2};
  npy_ref *ref = np_save(store, "jl/u3.npy", u, sizeof u, "<U3", two, 1);
  uint32_t ub[6];
  CHECK_STATUS(jl_read_bytes(ref, "'<U3'", ub, sizeof ub), NPY_OK);
  CHECK(memcmp(ub, u, sizeof u) == 0);
  /* ref[2]: one element's 12 bytes */
  uint64_t start[1] = {1}, one[1] = {1};
  CHECK_STATUS(jl_getindex(ref, 1, start, one, ub, 12), NPY_OK);
  CHECK(ub[0] == 'c' && ub[2] == 'e');
  npy_ref_free(ref);
  /* put!(store, ["x", "yz"]): <U2, NUL-padded */
  uint32_t w[4] = {'x', 0, 'y', 'z'};
  REQUIRE_STATUS(jl_put_path(store, "jl/w.npy", w, sizeof w, "<U2", two, 1, 0, &ref), NPY_OK);
  CHECK_STR(jl_descr(ref), "'<U2'");
  npy_ref_free(ref);
  /* put!(store, [b"ab", b"c"]): |S2 */
  REQUIRE_STATUS(jl_put_path(store, "jl/sbytes.npy", "abc\0", 4, "|S2", two, 1, 0, &ref), NPY_OK);
  unsigned char sb[4];
  CHECK_STATUS(jl_read_bytes(ref, "'|S2'", sb, sizeof sb), NPY_OK);
  CHECK(memcmp(sb, "abc\0", 4) == 0);
  npy_ref_free(ref);
  /* Array{NpyVoid{3}}: its own memory, |V3; read straight into Array{NpyVoid{3}} */
  unsigned char v[6] = {1, 2, 3, 4, 5, 6}, vb[6];
  REQUIRE_STATUS(jl_put_path(store, "jl/v.npy", v, sizeof v, "|V3", two, 1, 0, &ref), NPY_OK);
  CHECK_STATUS(jl_read_bytes(ref, "'|V3'", vb, sizeof vb), NPY_OK);
  CHECK(memcmp(vb, v, sizeof v) == 0);
  npy_ref_free(ref);
  /* [DateTime(1970, 1, 2), missing]: datetime64[ms] counts, NaT the smallest Int64 */
  int64_t t[2] = {86400000, INT64_MIN}, tb[2];
  REQUIRE_STATUS(jl_put_path(store, "jl/t.npy", t, sizeof t, "<M8[ms]", two, 1, 0, &ref), NPY_OK);
  const char *dtype = NULL;
  CHECK_STATUS(npy_ref_dtype(ref, &dtype), NPY_OK);
  CHECK_STR(dtype, "datetime64[ms]");
  CHECK_STATUS(jl_read_bytes(ref, "'<M8[ms]'", tb, sizeof tb), NPY_OK);
  CHECK(tb[0] == 86400000 && tb[1] == INT64_MIN);
  npy_ref_free(ref);
  /* [Second(5)]: timedelta64[s]; numpy's m8[10s] comes with its step in the descr */
  REQUIRE_STATUS(jl_put_path(store, "jl/d.npy", t, 8, "<m8[s]", one, 1, 0, &ref), NPY_OK);
  CHECK_STR(jl_descr(ref), "'<m8[s]'");
  npy_ref_free(ref);
  ref = np_save(store, "jl/d10.npy", t, 8, "<m8[10s]", one, 1);
  CHECK_STR(jl_descr(ref), "'<m8[10s]'");
  npy_ref_free(ref);
  npy_store_free(store);
}

/* read(ref; progress) and load_many(refs; progress) (src/progress.jl): the reports
 * reach _progress_entry on this thread; when it cancels (Ctrl+C pending, or the
 * callback threw) the call ends with NPY_ERR_CANCELLED, Julia drops the buffers and
 * rethrows, and the handles serve the next call. */
static void test_progress_and_interrupt(void) {
  npy_store *store = jl_store(NULL);
  enum { LEN = 1 << 19 }; /* 4 MiB of Float64 */
  double *a = malloc(LEN * sizeof *a), *back = malloc(LEN * sizeof *a);
  REQUIRE(a != NULL && back != NULL);
  for (int k = 0; k < LEN; k++) a[k] = k;
  uint64_t size[1] = {LEN};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/big.npy", a, LEN * sizeof *a, "<f8", size, 1, 0, &ref),
                 NPY_OK);
  jl_progress p = {0};
  CHECK_STATUS(npy_ref_load_into_progress(ref, back, LEN * sizeof *a, NPY_ORDER_FORTRAN,
                                          jl_progress_entry, &p),
               NPY_OK);
  CHECK(p.calls >= 1 && p.last_done == LEN * sizeof *a && p.last_total == LEN * sizeof *a);
  CHECK(memcmp(back, a, LEN * sizeof *a) == 0);

  /* Ctrl+C at the first report. A report comes about every 100 ms and once at the
   * end, so on a fast store the first may be the last: the library has finished
   * and says NPY_OK (Julia still rethrows and drops the buffer). Either way no
   * partial buffer is reported as loaded, and no report follows the cancelling one
   * unanswered. */
  jl_progress stop = {.cancel_at = 1};
  memset(back, 0, LEN * sizeof *a);
  npy_status st = npy_ref_load_into_progress(ref, back, LEN * sizeof *a, NPY_ORDER_FORTRAN,
                                             jl_progress_entry, &stop);
  CHECK(st == NPY_ERR_CANCELLED || (st == NPY_OK && memcmp(back, a, LEN * sizeof *a) == 0));
  CHECK(stop.thrown == 1 && stop.calls == 1);
  CHECK_STATUS(jl_load_into(ref, back, LEN * sizeof *a, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(memcmp(back, a, LEN * sizeof *a) == 0);

  /* load_many cancelled at its first report: each item cancelled or whole */
  const npy_ref *refs[2] = {ref, ref};
  double *second = malloc(LEN * sizeof *a);
  REQUIRE(second != NULL);
  memset(back, 0, LEN * sizeof *a);
  void *bufs[2] = {back, second};
  uint64_t lens[2] = {LEN * sizeof *a, LEN * sizeof *a};
  int32_t statuses[2] = {7, 7};
  jl_progress bulk = {.cancel_at = 1};
  st = npy_refs_load_into(refs, (void *const *)bufs, lens, 2, NPY_ORDER_FORTRAN, 1,
                          jl_progress_entry, &bulk, (npy_status *)statuses);
  CHECK(bulk.thrown == 1 && bulk.calls == 1);
  for (int i = 0; i < 2; i++) {
    CHECK(statuses[i] == NPY_ERR_CANCELLED ||
          (statuses[i] == NPY_OK && memcmp(bufs[i], a, LEN * sizeof *a) == 0));
    if (statuses[i] == NPY_ERR_CANCELLED) {
      CHECK(st == NPY_ERR_CANCELLED);
      char *message = jl_item_error((size_t)i);
      CHECK(strncmp(message, "jl/big.npy: ", strlen("jl/big.npy: ")) == 0);
      free(message);
    }
  }
  CHECK(st == NPY_OK || st == NPY_ERR_CANCELLED);
  free(second);
  free(a);
  free(back);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* readrows(ref, ...; progress), ref[...] with NpyStore.progress!(ref, f) and
 * mmap(ref; progress) (slice.jl, load.jl): the slice reports its bytes on this
 * thread and a cancel at the first report ends the read cancelled or whole; a
 * file-store map downloads nothing and reports nothing. */
static void test_slice_and_mmap_progress(void) {
  npy_store *store = jl_store(NULL);
  enum { ROWS = 1024, COLS = 512 }; /* 4 MiB of Float64, Julia's ROWS x COLS matrix */
  double *a = malloc(ROWS * COLS * sizeof *a), *back = malloc(ROWS * COLS * sizeof *a);
  REQUIRE(a != NULL && back != NULL);
  for (int k = 0; k < ROWS * COLS; k++) a[k] = k;
  uint64_t size[2] = {ROWS, COLS};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(jl_put_path(store, "jl/slice_big.npy", a, ROWS * COLS * sizeof *a, "<f8", size, 2,
                             0, &ref),
                 NPY_OK);
  /* readrows(ref, 11, 20; progress=f): rows 10..29 of every column */
  uint64_t start[2] = {10, 0}, count[2] = {20, COLS};
  const uint64_t rows_bytes = 20 * COLS * sizeof *a;
  jl_progress p = {0};
  CHECK_STATUS(npy_ref_read_slice_progress(ref, 2, start, count, back, rows_bytes,
                                           NPY_ORDER_FORTRAN, jl_progress_entry, &p),
               NPY_OK);
  CHECK(p.calls >= 1 && p.last_done == rows_bytes && p.last_total == rows_bytes);
  int rows_ok = 1;
  for (int i = 0; i < 20; i++)
    for (int j = 0; j < COLS; j++) rows_ok &= back[CM(i, j, 20)] == a[CM(i + 10, j, ROWS)];
  CHECK(rows_ok);
  /* ref[:, :] with a progress! callback that throws at its first report */
  uint64_t all_start[2] = {0, 0};
  jl_progress stop = {.cancel_at = 1};
  memset(back, 0, ROWS * COLS * sizeof *a);
  npy_status st = npy_ref_read_slice_progress(ref, 2, all_start, size, back,
                                              ROWS * COLS * sizeof *a, NPY_ORDER_FORTRAN,
                                              jl_progress_entry, &stop);
  CHECK(st == NPY_ERR_CANCELLED ||
        (st == NPY_OK && memcmp(back, a, ROWS * COLS * sizeof *a) == 0));
  CHECK(stop.thrown == 1 && stop.calls == 1);
  /* the reference serves the next call: ref[:, 5:6], reported as its own bytes */
  uint64_t cols_start[2] = {0, 4}, cols_count[2] = {ROWS, 2};
  jl_progress cols = {0};
  CHECK_STATUS(npy_ref_read_slice_progress(ref, 2, cols_start, cols_count, back,
                                           2 * ROWS * sizeof *a, NPY_ORDER_FORTRAN,
                                           jl_progress_entry, &cols),
               NPY_OK);
  CHECK(cols.last_done == 2 * ROWS * sizeof *a && cols.last_total == 2 * ROWS * sizeof *a);
  CHECK(memcmp(back, a + 4 * ROWS, 2 * ROWS * sizeof *a) == 0);
  CHECK_STATUS(jl_readrows(ref, 1023, 1, back, COLS * sizeof *a), NPY_OK);
  CHECK(back[0] == a[CM(1023, 0, ROWS)] && back[COLS - 1] == a[CM(1023, COLS - 1, ROWS)]);
  /* mmap(ref; progress=f) on a file store: the stored file is mapped, no report */
  jl_progress map_p = {.cancel_at = 1};
  npy_mapping *m = NULL;
  void *data = NULL;
  REQUIRE_STATUS(jl_mmap_progress(ref, "r", &map_p, &m, &data), NPY_OK);
  CHECK(map_p.calls == 0 && map_p.thrown == 0 && m != NULL);
  CHECK(memcmp(data, a, ROWS * COLS * sizeof *a) == 0);
  npy_mapping_free(m);
  free(a);
  free(back);
  npy_ref_free(ref);
  npy_store_free(store);
}

int main(void) {
  snprintf(store_dir, sizeof store_dir, "%s", check_tmpdir());
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           store_dir);
  test_open();
  test_put_and_read_fortran();
  test_types_and_shapes();
  test_schema_target_and_json();
  test_c_order_object();
  test_big_endian();
  test_mmap_modes();
  test_lifetimes();
  test_errors();
  test_getindex();
  test_load_many();
  test_structured();
  test_text_bytes_times();
  test_progress_and_interrupt();
  test_slice_and_mmap_progress();
  return check_done();
}
