/* Every C function's error paths: the specific status, a message naming the
 * problem, out-parameters reset, and nothing written to the store. */
#include "check.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char dir[4096];
static char config[8192];

/* The last error must mention `needle`. */
#define CHECK_MESSAGE(needle)                                                    \
  do {                                                                           \
    check_count_++;                                                              \
    if (strstr(npy_last_error(), (needle)) == NULL) {                            \
      check_failed_++;                                                           \
      fprintf(stderr, "%s:%d: last error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
              npy_last_error(), (needle));                                       \
    }                                                                            \
  } while (0)

static int entries_in(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

static void test_open_errors(void) {
  npy_store *store = (npy_store *)1;
  CHECK_STATUS(npy_store_open(config, NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("out");
  CHECK_STATUS(npy_store_open("{not json", NULL, &store), NPY_ERR_CONFIG);
  CHECK(store == NULL);
  CHECK_STATUS(npy_store_open(config, "archive", &store), NPY_ERR_STORE_NOT_CONFIGURED);
  CHECK_MESSAGE("archive");
  CHECK_MESSAGE("main");
  CHECK_STATUS(npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"file\"}}}", "main", &store), NPY_ERR_CONFIG);
  CHECK_MESSAGE("location");
  CHECK_STATUS(npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"file\", \"location\": \"/x\", \"foo\": 1}}}",
                              "main", &store),
               NPY_ERR_CONFIG);
  CHECK_MESSAGE("foo");
  CHECK_STATUS(npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"ftp\", \"location\": \"/x\"}}}", "main", &store),
               NPY_ERR_CONFIG);
  CHECK_MESSAGE("ftp");
  CHECK_STATUS(npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"file\", \"location\": \"/no/such/dir\"}}}",
                              "main", &store),
               NPY_ERR_NOT_FOUND);
  CHECK_MESSAGE("/no/such/dir");
  CHECK_STATUS(npy_store_open("/no/such/datajoint.json", NULL, &store), NPY_ERR_NOT_FOUND);
  CHECK_MESSAGE("/no/such/datajoint.json");
  const char bad_utf8[] = {(char)0xff, (char)0xfe, 0};
  CHECK_STATUS(npy_store_open(config, bad_utf8, &store), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("UTF-8");
  CHECK_STATUS(npy_store_name(NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
}

static void test_target_errors(npy_store *store) {
  npy_target *target = (npy_target *)1;
  CHECK_STATUS(npy_target_schema(NULL, "t", "a", &target), NPY_ERR_INVALID_ARGUMENT);
  CHECK(target == NULL);
  CHECK_MESSAGE("schema");
  CHECK_STATUS(npy_target_schema("lab", "t/../x", "a", &target), NPY_ERR_PATH);
  CHECK_STATUS(npy_target_schema("lab", "t", "..", &target), NPY_ERR_PATH);
  CHECK_STATUS(npy_target_schema("", "t", "a", &target), NPY_ERR_PATH);
  const char *bad_paths[] = {"../x.npy", "/etc/x.npy", "a//b.npy", "a/./b.npy", "a/", "a\\b.npy", ""};
  for (size_t i = 0; i < sizeof bad_paths / sizeof *bad_paths; i++)
    CHECK_STATUS(npy_target_path(bad_paths[i], &target), NPY_ERR_PATH);
  CHECK_STATUS(npy_target_path(NULL, &target), NPY_ERR_INVALID_ARGUMENT);

  REQUIRE_STATUS(npy_target_path("p.npy", &target), NPY_OK);
  CHECK_STATUS(npy_target_key_int(target, "k", 1), NPY_ERR_STATE);
  CHECK_MESSAGE("path target");
  npy_target_free(target);

  REQUIRE_STATUS(npy_target_schema("lab", "t", "a", &target), NPY_OK);
  CHECK_STATUS(npy_target_key_int(target, "k", 1), NPY_OK);
  CHECK_STATUS(npy_target_key_int(target, "k", 2), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("already");
  CHECK_STATUS(npy_target_key_int(target, "a/b", 2), NPY_ERR_PATH);
  CHECK_STATUS(npy_target_key_int(NULL, "k", 2), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_target_key_string(target, "s", NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_target_key_date(target, "d", 2024, 13, 1), NPY_OK); /* checked at put */
  double x = 1;
  npy_ref *ref = (npy_ref *)1;
  CHECK_STATUS(npy_put(store, target, &x, 8, "<f8", NULL, 0, NPY_ORDER_C, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("13");
  CHECK(ref == NULL);
  npy_target_free(target);
  CHECK(entries_in(dir) == 0);
}

static void test_put_errors(npy_store *store) {
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_path("x.npy", &target), NPY_OK);
  double data[4] = {1, 2, 3, 4};
  uint64_t shape[2] = {2, 2};
  npy_ref *ref = (npy_ref *)1;
  CHECK_STATUS(npy_put(store, target, data, 24, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_LENGTH);
  CHECK(ref == NULL);
  CHECK_MESSAGE("24 bytes");
  CHECK_STATUS(npy_put(store, target, data, 32, "float99", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_DTYPE);
  CHECK_MESSAGE("float99");
  CHECK_STATUS(npy_put(store, target, data, 32, "|O", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_OBJECT_DTYPE);
  CHECK_STATUS(npy_put(store, target, data, 32, "[('a', '<f8'), ('b', '|O')]", shape, 2, NPY_ORDER_C, 0, &ref),
               NPY_ERR_OBJECT_DTYPE);
  uint64_t huge[3] = {UINT64_C(1) << 40, UINT64_C(1) << 40, 16};
  CHECK_STATUS(npy_put(store, target, data, 32, "<f8", huge, 3, NPY_ORDER_C, 0, &ref), NPY_ERR_SHAPE);
  CHECK_STATUS(npy_put(store, target, data, 32, "<f8", shape, 2, 7, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("order");
  CHECK_STATUS(npy_put(store, target, data, 32, "<f8", shape, 2, NPY_ORDER_AS_STORED, 0, &ref),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_put(store, target, data, 32, "<f8", shape, 2, NPY_ORDER_C, 64, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("flags");
  CHECK_STATUS(npy_put(store, target, NULL, 32, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_put(store, target, data, 32, "<f8", NULL, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_put(store, target, data, 32, NULL, shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_put(NULL, target, data, 32, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_put(store, NULL, data, 32, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_put(store, target, data, 32, "<f8", shape, 2, NPY_ORDER_C, 0, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK(entries_in(dir) == 0);

  REQUIRE_STATUS(npy_put(store, target, data, 32, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_OK);
  npy_ref_free(ref);
  double other[4] = {9, 9, 9, 9};
  CHECK_STATUS(npy_put(store, target, other, 32, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_ERR_ALREADY_EXISTS);
  CHECK_MESSAGE("x.npy");
  npy_target_free(target);
  CHECK(entries_in(dir) == 1);
}

static void test_ref_errors(npy_store *store) {
  const char *s_unused = NULL;
  npy_ref *ref = (npy_ref *)1;
  CHECK_STATUS(npy_ref_from_json(store, "{\"path\": \"x.npy\"", &ref), NPY_ERR_JSON);
  CHECK(ref == NULL);
  CHECK_STATUS(npy_ref_from_json(store, "{\"path\": \"x.npy\", \"dtype\": \"float64\"}", &ref), NPY_ERR_JSON);
  CHECK_MESSAGE("shape");
  CHECK_STATUS(npy_ref_from_json(store, "{\"path\": \"x.npy\", \"dtype\": \"nope\", \"shape\": [2, 2]}", &ref),
               NPY_ERR_DTYPE);
  CHECK_STATUS(npy_ref_from_json(store, "{\"path\": \"../x.npy\", \"dtype\": \"float64\", \"shape\": [2, 2]}", &ref),
               NPY_ERR_PATH);
  CHECK_STATUS(npy_ref_from_json(store, "{\"path\": \"x.npy\", \"store\": \"other\", \"dtype\": \"float64\", \"shape\": [2, 2]}", &ref),
               NPY_ERR_MISMATCH);
  CHECK_STATUS(npy_ref_from_json(NULL, "{}", &ref), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_open(store, "missing.npy", &ref), NPY_ERR_NOT_FOUND);
  CHECK_MESSAGE("missing.npy");

  /* Metadata that disagrees with the stored header is refused at first read. */
  REQUIRE_STATUS(npy_ref_from_json(store, "{\"path\": \"x.npy\", \"dtype\": \"float32\", \"shape\": [2, 2]}", &ref),
                 NPY_OK);
  double buf[4];
  CHECK_STATUS(npy_ref_load_into(ref, buf, 16, NPY_ORDER_C), NPY_ERR_MISMATCH);
  CHECK_MESSAGE("float32");
  CHECK_STATUS(npy_ref_read_header(ref), NPY_ERR_MISMATCH);
  CHECK_STATUS(npy_ref_read_header(NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_mapping_path(NULL, &s_unused), NPY_ERR_INVALID_ARGUMENT);
  npy_mapping *map = (npy_mapping *)1;
  CHECK_STATUS(npy_ref_load_mmap(ref, "r", &map, NULL, NULL, NULL), NPY_ERR_MISMATCH);
  CHECK(map == NULL);
  npy_ref_free(ref);

  REQUIRE_STATUS(npy_ref_open(store, "x.npy", &ref), NPY_OK);
  CHECK_STATUS(npy_ref_load_into(ref, buf, 24, NPY_ORDER_C), NPY_ERR_LENGTH);
  CHECK_STATUS(npy_ref_load_into(ref, NULL, 32, NPY_ORDER_C), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_load_into(ref, buf, 32, -1), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_read_rows(ref, 1, 2, buf, 32, NPY_ORDER_C), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("out of range");
  CHECK_STATUS(npy_ref_read_rows(ref, 0, 1, buf, 8, NPY_ORDER_C), NPY_ERR_LENGTH);
  CHECK_STATUS(npy_ref_load_mmap(ref, "w", &map, NULL, NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_MESSAGE("mmap mode");
  CHECK_STATUS(npy_ref_load_mmap(ref, NULL, &map, NULL, NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_load_mmap(ref, "r", NULL, NULL, NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
  npy_array *array = (npy_array *)1;
  CHECK_STATUS(npy_ref_load(ref, 9, &array), NPY_ERR_INVALID_ARGUMENT);
  CHECK(array == NULL);
  CHECK_STATUS(npy_ref_load(NULL, NPY_ORDER_C, &array), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_array_data(NULL, NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_mapping_data(NULL, NULL, NULL, NULL), NPY_ERR_INVALID_ARGUMENT);

  /* Every getter refuses a NULL handle and a NULL out-parameter. */
  const char *s;
  const uint64_t *shape;
  size_t n;
  uint64_t u;
  int32_t i;
  bool b;
  CHECK_STATUS(npy_ref_to_json(NULL, &s), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_to_json(ref, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_shape(ref, &shape, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_shape(NULL, &shape, &n), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_ndim(NULL, &n), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_size(NULL, &u), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_nbytes(NULL, &u), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_itemsize(ref, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_dtype(NULL, &s), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_descr(NULL, &s), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_fortran_order(NULL, &i), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_path(NULL, &s), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_store(NULL, &s), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_is_loaded(NULL, &b), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_exists(NULL, &b), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_delete(NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_store_exists(store, "../x", &b), NPY_ERR_PATH);
  CHECK_STATUS(npy_store_delete(store, "missing.npy"), NPY_ERR_NOT_FOUND);

  /* A truncated object: same header, half the data. */
  FILE *f;
  char path[8192];
  snprintf(path, sizeof path, "%s/x.npy", dir);
  REQUIRE((f = fopen(path, "r+b")) != NULL);
  fclose(f);
  REQUIRE(truncate(path, 128 + 16) == 0);
  CHECK_STATUS(npy_ref_load_into(ref, buf, 32, NPY_ORDER_C), NPY_ERR_FORMAT);
  CHECK_MESSAGE("truncated");
  npy_ref *reopened = (npy_ref *)1;
  CHECK_STATUS(npy_ref_open(store, "x.npy", &reopened), NPY_ERR_FORMAT);
  CHECK(reopened == NULL);
  npy_ref_free(ref);
}

static void test_last_error_copy(void) {
  npy_store *store;
  CHECK_STATUS(npy_store_open(config, "nope", &store), NPY_ERR_STORE_NOT_CONFIGURED);
  size_t full = strlen(npy_last_error());
  char small[8];
  CHECK(npy_last_error_copy(small, sizeof small) == full);
  CHECK(strlen(small) == sizeof small - 1 && strncmp(small, npy_last_error(), 7) == 0);
  CHECK(npy_last_error_copy(NULL, 0) == full);
  CHECK_STR(npy_status_name(-5), "unknown");
}

int main(void) {
  snprintf(dir, sizeof dir, "%s", check_tmpdir());
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}", dir);
  CHECK_STR(npy_last_error(), "");
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, "", &store), NPY_OK);
  test_open_errors();
  test_target_errors(store);
  test_put_errors(store);
  test_ref_errors(store);
  test_last_error_copy();
  /* free(NULL) is a no-op for every handle. */
  npy_store_free(NULL);
  npy_target_free(NULL);
  npy_ref_free(NULL);
  npy_array_free(NULL);
  npy_mapping_free(NULL);
  npy_store_free(store);
  return check_done();
}
