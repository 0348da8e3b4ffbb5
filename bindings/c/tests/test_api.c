/* Every C function on its success path, against a real file store. */
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static char config[8192];
static char store_dir[4096];

static npy_store *open_store(void) {
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  REQUIRE(store != NULL);
  return store;
}

static void test_store(void) {
  npy_store *store = open_store();
  const char *name = NULL;
  CHECK_STATUS(npy_store_name(store, &name), NPY_OK);
  CHECK_STR(name, "main");
  npy_store *named = NULL;
  CHECK_STATUS(npy_store_open(config, "main", &named), NPY_OK);
  npy_store_free(named);
  npy_store_free(store);
}

static void test_put_schema_and_getters(void) {
  npy_store *store = open_store();
  double values[6] = {1, 2, 3, 4, 5, 6};
  uint64_t shape[2] = {2, 3};
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_schema("lab", "_recording", "trace", &target), NPY_OK);
  CHECK_STATUS(npy_target_key_string(target, "subject", "m/01"), NPY_OK);
  CHECK_STATUS(npy_target_key_int(target, "session", -3), NPY_OK);
  CHECK_STATUS(npy_target_key_uint(target, "probe", 18446744073709551615ull), NPY_OK);
  CHECK_STATUS(npy_target_key_float(target, "depth", 0.1), NPY_OK);
  CHECK_STATUS(npy_target_key_bool(target, "good", true), NPY_OK);
  CHECK_STATUS(npy_target_key_date(target, "day", 2024, 5, 17), NPY_OK);
  CHECK_STATUS(npy_target_key_datetime(target, "start", 2024, 5, 17, 13, 4, 5, 999), NPY_OK);

  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_put(store, target, values, sizeof values, "float64", shape, 2, NPY_ORDER_C, 0, &ref), NPY_OK);
  npy_target_free(target);

  const char *path = NULL;
  CHECK_STATUS(npy_ref_path(ref, &path), NPY_OK);
  const char *prefix =
      "_schema/lab/_recording/subject=m%2F01/session=-3/probe=18446744073709551615/depth=0.1/"
      "good=True/day=2024-05-17/start=2024-05-17T13-04-05/trace_";
  CHECK(strncmp(path, prefix, strlen(prefix)) == 0);
  CHECK(strlen(path) == strlen(prefix) + 8 + 4);

  const char *json = NULL;
  CHECK_STATUS(npy_ref_to_json(ref, &json), NPY_OK);
  char expected[2048];
  snprintf(expected, sizeof expected,
           "{\"path\": \"%s\", \"store\": \"main\", \"dtype\": \"float64\", \"shape\": [2, 3]}", path);
  CHECK_STR(json, expected);

  const uint64_t *got_shape = NULL;
  size_t ndim = 99, n = 0;
  uint64_t size = 0, nbytes = 0, itemsize = 0;
  CHECK_STATUS(npy_ref_shape(ref, &got_shape, &ndim), NPY_OK);
  CHECK(ndim == 2 && got_shape[0] == 2 && got_shape[1] == 3);
  CHECK_STATUS(npy_ref_ndim(ref, &n), NPY_OK);
  CHECK(n == 2);
  CHECK_STATUS(npy_ref_size(ref, &size), NPY_OK);
  CHECK(size == 6);
  CHECK_STATUS(npy_ref_nbytes(ref, &nbytes), NPY_OK);
  CHECK(nbytes == 48);
  CHECK_STATUS(npy_ref_itemsize(ref, &itemsize), NPY_OK);
  CHECK(itemsize == 8);
  const char *s = NULL;
  CHECK_STATUS(npy_ref_dtype(ref, &s), NPY_OK);
  CHECK_STR(s, "float64");
  CHECK_STATUS(npy_ref_descr(ref, &s), NPY_OK);
  CHECK_STR(s, "'<f8'");
  CHECK_STATUS(npy_ref_store(ref, &s), NPY_OK);
  CHECK_STR(s, "main");
  int32_t fortran = 7;
  CHECK_STATUS(npy_ref_fortran_order(ref, &fortran), NPY_OK);
  CHECK(fortran == 0);
  bool flag = false;
  CHECK_STATUS(npy_ref_is_loaded(ref, &flag), NPY_OK);
  CHECK(flag);
  CHECK_STATUS(npy_ref_exists(ref, &flag), NPY_OK);
  CHECK(flag);
  CHECK_STATUS(npy_store_exists(store, path, &flag), NPY_OK);
  CHECK(flag);

  /* A reference from the JSON alone knows shape and dtype but not yet the order. */
  npy_ref *lazy = NULL;
  REQUIRE_STATUS(npy_ref_from_json(store, json, &lazy), NPY_OK);
  CHECK_STATUS(npy_ref_fortran_order(lazy, &fortran), NPY_OK);
  CHECK(fortran == -1);
  CHECK_STATUS(npy_ref_is_loaded(lazy, &flag), NPY_OK);
  CHECK(!flag);
  CHECK_STATUS(npy_ref_read_header(lazy), NPY_OK);
  CHECK_STATUS(npy_ref_fortran_order(lazy, &fortran), NPY_OK);
  CHECK(fortran == 0);
  CHECK_STATUS(npy_ref_is_loaded(lazy, &flag), NPY_OK);
  CHECK(flag);

  /* Library memory, C order then Fortran order. */
  npy_array *array = NULL;
  void *data = NULL;
  REQUIRE_STATUS(npy_ref_load(lazy, NPY_ORDER_C, &array), NPY_OK);
  CHECK_STATUS(npy_array_data(array, &data, &nbytes), NPY_OK);
  CHECK(nbytes == 48 && memcmp(data, values, 48) == 0);
  npy_array_free(array);
  double f[6] = {0};
  CHECK_STATUS(npy_ref_load_into(lazy, f, sizeof f, NPY_ORDER_FORTRAN), NPY_OK);
  const double f_expected[6] = {1, 4, 2, 5, 3, 6};
  CHECK(memcmp(f, f_expected, sizeof f) == 0);
  CHECK_STATUS(npy_ref_load_into(lazy, f, sizeof f, NPY_ORDER_AS_STORED), NPY_OK);
  CHECK(memcmp(f, values, sizeof f) == 0);

  /* Rows. */
  double row[3] = {0};
  CHECK_STATUS(npy_ref_read_rows(lazy, 1, 1, row, sizeof row, NPY_ORDER_C), NPY_OK);
  CHECK(row[0] == 4 && row[1] == 5 && row[2] == 6);

  /* A slice of any axes: a[0:2, 1:3] of [[1 2 3] [4 5 6]], in both orders. */
  const uint64_t start[2] = {0, 1}, count[2] = {2, 2};
  double block[5] = {0, 0, 0, 0, -7};
  CHECK_STATUS(npy_ref_read_slice(lazy, 2, start, count, block, sizeof block, NPY_ORDER_C), NPY_OK);
  CHECK(block[0] == 2 && block[1] == 3 && block[2] == 5 && block[3] == 6);
  CHECK(block[4] == -7); /* only the slice's bytes are written */
  CHECK_STATUS(npy_ref_read_slice(lazy, 2, start, count, block, 4 * sizeof(double), NPY_ORDER_FORTRAN),
               NPY_OK);
  CHECK(block[0] == 2 && block[1] == 5 && block[2] == 3 && block[3] == 6);
  const uint64_t none[2] = {1, 0};
  CHECK_STATUS(npy_ref_read_slice(lazy, 2, start, none, NULL, 0, NPY_ORDER_C), NPY_OK);
  /* The merge gap: a store setting, shared by the references made from the store. */
  uint64_t gap = 0;
  CHECK_STATUS(npy_store_merge_gap(store, &gap), NPY_OK);
  CHECK(gap == 8192);
  CHECK_STATUS(npy_store_set_merge_gap(store, 0), NPY_OK);
  CHECK_STATUS(npy_store_merge_gap(store, &gap), NPY_OK);
  CHECK(gap == 0);
  CHECK_STATUS(npy_ref_read_slice(lazy, 2, start, count, block, sizeof block, NPY_ORDER_C), NPY_OK);
  CHECK(block[0] == 2 && block[1] == 3 && block[2] == 5 && block[3] == 6);

  /* Memory map: the stored file itself, data 64-byte aligned after the header. */
  npy_mapping *map = NULL;
  uint64_t offset = 0;
  REQUIRE_STATUS(npy_ref_load_mmap(lazy, "r", &map, &data, &nbytes, &offset), NPY_OK);
  CHECK(nbytes == 48 && offset == 128 && memcmp(data, values, 48) == 0);
  void *again = NULL;
  CHECK_STATUS(npy_mapping_data(map, &again, NULL, NULL), NPY_OK);
  CHECK(again == data);
  const char *mapped_file = NULL;
  CHECK_STATUS(npy_mapping_path(map, &mapped_file), NPY_OK);
  char expected_file[8192];
  snprintf(expected_file, sizeof expected_file, "%s/%s", store_dir, path);
#ifdef _WIN32
  /* Windows names it with backslashes (the windows stage runs this under Wine). */
  for (char *c = expected_file; *c != '\0'; c++)
    if (*c == '/') *c = '\\';
#endif
  CHECK_STR(mapped_file, expected_file);
  npy_mapping_free(map);
  REQUIRE_STATUS(npy_ref_load_mmap(lazy, "r+", &map, &data, NULL, NULL), NPY_OK);
  ((double *)data)[0] = 42;
  npy_mapping_free(map);
  REQUIRE_STATUS(npy_ref_load_mmap(lazy, "c", &map, &data, NULL, NULL), NPY_OK);
  CHECK(((double *)data)[0] == 42);
  ((double *)data)[0] = -1; /* private copy only */
  npy_mapping_free(map);
  CHECK_STATUS(npy_ref_read_rows(lazy, 0, 1, row, sizeof row, NPY_ORDER_C), NPY_OK);
  CHECK(row[0] == 42);

  CHECK_STATUS(npy_ref_delete(lazy), NPY_OK);
  CHECK_STATUS(npy_ref_exists(ref, &flag), NPY_OK);
  CHECK(!flag);
  npy_ref_free(lazy);
  npy_ref_free(ref);
  npy_store_free(store);
}

static void test_put_path_fortran_and_open(void) {
  npy_store *store = open_store();
  /* A 2x3 int32 array given column-major, as MATLAB and Julia hold it. */
  int32_t column_major[6] = {1, 4, 2, 5, 3, 6};
  uint64_t shape[2] = {2, 3};
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_path("explicit/a.npy", &target), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_put(store, target, column_major, sizeof column_major, "<i4", shape, 2,
                         NPY_ORDER_FORTRAN, NPY_PUT_FSYNC, &ref),
                 NPY_OK);
  npy_ref_free(ref);
  int32_t other[6] = {0};
  CHECK_STATUS(npy_put(store, target, other, sizeof other, "<i4", shape, 2, NPY_ORDER_FORTRAN,
                       NPY_PUT_OVERWRITE, &ref),
               NPY_OK);
  npy_ref_free(ref);
  CHECK_STATUS(npy_put(store, target, column_major, sizeof column_major, "int32", shape, 2,
                       NPY_ORDER_FORTRAN, NPY_PUT_OVERWRITE | NPY_PUT_FSYNC, &ref),
               NPY_OK);
  npy_ref_free(ref);
  npy_target_free(target);

  npy_ref *opened = NULL;
  REQUIRE_STATUS(npy_ref_open(store, "explicit/a.npy", &opened), NPY_OK);
  int32_t fortran = -1;
  CHECK_STATUS(npy_ref_fortran_order(opened, &fortran), NPY_OK);
  CHECK(fortran == 1);
  int32_t c_order[6] = {0};
  CHECK_STATUS(npy_ref_load_into(opened, c_order, sizeof c_order, NPY_ORDER_C), NPY_OK);
  for (int i = 0; i < 6; i++) CHECK(c_order[i] == i + 1);
  int32_t row[3] = {0};
  CHECK_STATUS(npy_ref_read_rows(opened, 1, 1, row, sizeof row, NPY_ORDER_C), NPY_OK);
  CHECK(row[0] == 4 && row[1] == 5 && row[2] == 6);
  npy_ref_free(opened);

  /* 0-d array: ndim 0, shape may be NULL. */
  double scalar = 3.5;
  REQUIRE_STATUS(npy_target_path("scalar.npy", &target), NPY_OK);
  REQUIRE_STATUS(npy_put(store, target, &scalar, sizeof scalar, "<f8", NULL, 0, NPY_ORDER_C, 0, &ref), NPY_OK);
  npy_target_free(target);
  const char *json = NULL;
  CHECK_STATUS(npy_ref_to_json(ref, &json), NPY_OK);
  CHECK_STR(json, "{\"path\": \"scalar.npy\", \"store\": \"main\", \"dtype\": \"float64\", \"shape\": []}");
  double back = 0;
  CHECK_STATUS(npy_ref_load_into(ref, &back, sizeof back, NPY_ORDER_C), NPY_OK);
  CHECK(back == 3.5);
  npy_ref_free(ref);
  CHECK_STATUS(npy_store_delete(store, "scalar.npy"), NPY_OK);
  npy_store_free(store);
}

/* A mapping (and a loaded array) outlive the reference and store they came from, as
 * the README promises and garbage-collected bindings rely on. */
static void test_handles_outlive_their_parents(void) {
  npy_store *store = open_store();
  int16_t values[4] = {-1, 2, -3, 4};
  uint64_t shape[1] = {4};
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_path("outlive.npy", &target), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_put(store, target, values, sizeof values, "<i2", shape, 1, NPY_ORDER_C, 0, &ref), NPY_OK);
  npy_target_free(target);
  npy_mapping *map = NULL;
  npy_array *array = NULL;
  void *mapped = NULL, *loaded = NULL;
  uint64_t nbytes = 0;
  REQUIRE_STATUS(npy_ref_load_mmap(ref, "r", &map, &mapped, NULL, NULL), NPY_OK);
  REQUIRE_STATUS(npy_ref_load(ref, NPY_ORDER_AS_STORED, &array), NPY_OK);
  npy_ref_free(ref);
  npy_store_free(store);
  CHECK(memcmp(mapped, values, sizeof values) == 0);
  CHECK_STATUS(npy_array_data(array, &loaded, &nbytes), NPY_OK);
  CHECK(nbytes == sizeof values && memcmp(loaded, values, sizeof values) == 0);
  npy_array_free(array);
  npy_mapping_free(map);
}

static void test_info(void) {
  CHECK(npy_version() != NULL);
  CHECK_STR(npy_status_name(NPY_ERR_MISMATCH), "mismatch");
}

int main(void) {
  snprintf(store_dir, sizeof store_dir, "%s", check_tmpdir());
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           store_dir);
  test_info();
  test_store();
  test_put_schema_and_getters();
  test_put_path_fortran_and_open();
  test_handles_outlive_their_parents();
  return check_done();
}
