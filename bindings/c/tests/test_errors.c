/* Error paths the bad-input table (test_bad_inputs.c) does not hold: every getter
 * with a NULL handle and a NULL out-parameter, an object truncated after its
 * reference has read its header, and npy_last_error_copy / npy_status_name. */
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char dir[4096];
static char config[8192];

static void test_getters(npy_ref *ref) {
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
  CHECK_STATUS(npy_store_name(NULL, NULL), NPY_ERR_INVALID_ARGUMENT);
}

/* A truncated object: same header, half the data, cut after the header was read. */
static void test_truncated_after_open(npy_store *store, npy_ref *ref) {
  double buf[4];
  char path[8192];
  snprintf(path, sizeof path, "%s/x.npy", dir);
  REQUIRE(truncate(path, 128 + 16) == 0);
  CHECK_STATUS(npy_ref_load_into(ref, buf, 32, NPY_ORDER_C), NPY_ERR_FORMAT);
  CHECK(strstr(npy_last_error(), "truncated") != NULL);
  npy_ref *reopened = (npy_ref *)1;
  CHECK_STATUS(npy_ref_open(store, "x.npy", &reopened), NPY_ERR_FORMAT);
  CHECK(reopened == NULL);
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
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_path("x.npy", &target), NPY_OK);
  double data[4] = {1, 2, 3, 4};
  uint64_t shape[2] = {2, 2};
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_put(store, target, data, 32, "<f8", shape, 2, NPY_ORDER_C, 0, &ref), NPY_OK);
  npy_target_free(target);
  npy_ref_free(ref);
  REQUIRE_STATUS(npy_ref_open(store, "x.npy", &ref), NPY_OK);
  test_getters(ref);
  test_truncated_after_open(store, ref);
  test_last_error_copy();
  npy_ref_free(ref);
  npy_store_free(store);
  return check_done();
}
