/* The streaming writer: open/append/rows/finish/abort/free in both orders, the
 * partial-row and state errors, and that abort or free without finish leaves nothing
 * (no object, no temporary file). */
#include "check.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static char config[8192];
static char location[4096];

static npy_store *open_store(void) {
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  return store;
}

static npy_writer *open_writer(npy_store *store, const char *path, npy_order order) {
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_path(path, &target), NPY_OK);
  uint64_t row_shape[1] = {3};
  npy_writer *writer = NULL;
  REQUIRE_STATUS(npy_writer_open(store, target, "<i4", row_shape, 1, order, 0, &writer), NPY_OK);
  npy_target_free(target); /* the writer copied what it needs */
  REQUIRE(writer != NULL);
  return writer;
}

static bool exists(npy_store *store, const char *path) {
  bool found = true;
  CHECK_STATUS(npy_store_exists(store, path, &found), NPY_OK);
  return found;
}

/* Files in the store's top folder whose name ends in the temp suffix. */
static int temp_files(void) {
  int n = 0;
  DIR *dir = opendir(location);
  REQUIRE(dir != NULL);
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len > 13 && strcmp(e->d_name + len - 13, ".npystore-tmp") == 0) n++;
  }
  closedir(dir);
  return n;
}

/* Rows 0..9 of 3 int32 each, value = 10 * row + column, appended in blocks of 1, 4, 5. */
static void test_order(npy_order order) {
  npy_store *store = open_store();
  const char *path = order == NPY_ORDER_C ? "c.npy" : "f.npy";
  npy_writer *writer = open_writer(store, path, order);
  int32_t rows[10][3];
  for (int r = 0; r < 10; r++)
    for (int c = 0; c < 3; c++) rows[r][c] = 10 * r + c;
  /* A row of a column-major writer is one column: the same 3 contiguous values. */
  uint64_t n = 99;
  CHECK_STATUS(npy_writer_rows(writer, &n), NPY_OK);
  CHECK(n == 0);
  CHECK_STATUS(npy_writer_append(writer, rows[0], sizeof rows[0]), NPY_OK);
  CHECK_STATUS(npy_writer_append(writer, rows[1], 4 * sizeof rows[0]), NPY_OK);
  CHECK_STATUS(npy_writer_append(writer, NULL, 0), NPY_OK);
  CHECK_STATUS(npy_writer_append(writer, rows[5], 5 * sizeof rows[0]), NPY_OK);
  CHECK_STATUS(npy_writer_rows(writer, &n), NPY_OK);
  CHECK(n == 10);
  CHECK(!exists(store, path)); /* invisible until finish */

  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_writer_finish(writer, &ref), NPY_OK);
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  CHECK_STATUS(npy_ref_shape(ref, &shape, &ndim), NPY_OK);
  if (order == NPY_ORDER_C)
    CHECK(ndim == 2 && shape[0] == 10 && shape[1] == 3);
  else
    CHECK(ndim == 2 && shape[0] == 3 && shape[1] == 10);
  int32_t fortran = -1;
  CHECK_STATUS(npy_ref_fortran_order(ref, &fortran), NPY_OK);
  CHECK(fortran == (order == NPY_ORDER_FORTRAN));
  int32_t back[10][3];
  memset(back, 0, sizeof back);
  CHECK_STATUS(npy_ref_load_into(ref, back, sizeof back, order), NPY_OK);
  CHECK(memcmp(back, rows, sizeof rows) == 0);
  npy_ref_free(ref);

  /* Finished: every call but free is a state error. */
  CHECK_STATUS(npy_writer_append(writer, rows[0], sizeof rows[0]), NPY_ERR_STATE);
  CHECK_STATUS(npy_writer_rows(writer, &n), NPY_ERR_STATE);
  ref = (npy_ref *)1;
  CHECK_STATUS(npy_writer_finish(writer, &ref), NPY_ERR_STATE);
  CHECK(ref == NULL);
  CHECK_STATUS(npy_writer_abort(writer), NPY_ERR_STATE);
  npy_writer_free(writer);

  npy_ref *reopened = NULL;
  CHECK_STATUS(npy_ref_open(store, path, &reopened), NPY_OK);
  npy_ref_free(reopened);
  npy_store_free(store);
}

static void test_partial_row_and_arguments(void) {
  npy_store *store = open_store();
  npy_writer *writer = open_writer(store, "partial.npy", NPY_ORDER_C);
  int32_t data[7] = {1, 2, 3, 4, 5, 6, 7};
  CHECK_STATUS(npy_writer_append(writer, data, 7 * sizeof(int32_t)), NPY_ERR_LENGTH);
  CHECK_STATUS(npy_writer_append(writer, data, 5), NPY_ERR_LENGTH);
  CHECK_STATUS(npy_writer_append(writer, NULL, 12), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_writer_append(NULL, data, 12), NPY_ERR_INVALID_ARGUMENT);
  uint64_t n = 99;
  CHECK_STATUS(npy_writer_rows(writer, &n), NPY_OK);
  CHECK(n == 0); /* nothing of a partial row was written */
  CHECK_STATUS(npy_writer_rows(writer, NULL), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_writer_append(writer, data, 6 * sizeof(int32_t)), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_writer_finish(writer, &ref), NPY_OK);
  uint64_t nbytes = 0;
  CHECK_STATUS(npy_ref_nbytes(ref, &nbytes), NPY_OK);
  CHECK(nbytes == 24);
  npy_ref_free(ref);
  npy_writer_free(writer);

  /* Open errors: bad order, unknown flags, bad dtype, existing path, zero-byte rows. */
  npy_target *target = NULL;
  REQUIRE_STATUS(npy_target_path("partial.npy", &target), NPY_OK);
  uint64_t row_shape[1] = {3};
  npy_writer *w = (npy_writer *)1;
  CHECK_STATUS(npy_writer_open(store, target, "<i4", row_shape, 1, NPY_ORDER_AS_STORED, 0, &w),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK(w == NULL);
  CHECK_STATUS(npy_writer_open(store, target, "<i4", row_shape, 1, NPY_ORDER_C, 64, &w),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_writer_open(store, target, "<q9", row_shape, 1, NPY_ORDER_C, 0, &w), NPY_ERR_DTYPE);
  CHECK_STATUS(npy_writer_open(store, target, "<i4", row_shape, 1, NPY_ORDER_C, 0, &w),
               NPY_ERR_ALREADY_EXISTS);
  uint64_t empty_row[1] = {0};
  CHECK_STATUS(npy_writer_open(store, target, "<i4", empty_row, 1, NPY_ORDER_C, NPY_PUT_OVERWRITE, &w),
               NPY_ERR_SHAPE);
  CHECK_STATUS(npy_writer_open(NULL, target, "<i4", row_shape, 1, NPY_ORDER_C, 0, &w),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_writer_open(store, target, "<i4", row_shape, 1, NPY_ORDER_C, 0, NULL),
               NPY_ERR_INVALID_ARGUMENT);
  /* Overwrite with 0 rows of scalars: shape (0,). */
  REQUIRE_STATUS(npy_writer_open(store, target, "float64", NULL, 0, NPY_ORDER_FORTRAN,
                                 NPY_PUT_OVERWRITE | NPY_PUT_FSYNC, &w), NPY_OK);
  REQUIRE_STATUS(npy_writer_finish(w, &ref), NPY_OK);
  const uint64_t *shape = NULL;
  size_t ndim = 9;
  CHECK_STATUS(npy_ref_shape(ref, &shape, &ndim), NPY_OK);
  CHECK(ndim == 1 && shape[0] == 0);
  npy_ref_free(ref);
  npy_writer_free(w);
  npy_target_free(target);
  npy_store_free(store);
}

static void test_abort_and_free_leave_nothing(void) {
  npy_store *store = open_store();
  int32_t data[3000];
  for (int i = 0; i < 3000; i++) data[i] = i;

  npy_writer *writer = open_writer(store, "aborted.npy", NPY_ORDER_C);
  CHECK_STATUS(npy_writer_append(writer, data, sizeof data), NPY_OK);
  CHECK(temp_files() == 1);
  CHECK_STATUS(npy_writer_abort(writer), NPY_OK);
  CHECK_STATUS(npy_writer_append(writer, data, 12), NPY_ERR_STATE);
  CHECK_STATUS(npy_writer_abort(writer), NPY_ERR_STATE);
  npy_ref *ref = NULL;
  CHECK_STATUS(npy_writer_finish(writer, &ref), NPY_ERR_STATE);
  npy_writer_free(writer);
  CHECK(!exists(store, "aborted.npy"));
  CHECK(temp_files() == 0);

  writer = open_writer(store, "freed.npy", NPY_ORDER_FORTRAN);
  CHECK_STATUS(npy_writer_append(writer, data, sizeof data), NPY_OK);
  npy_writer_free(writer); /* without finish: aborted */
  CHECK(!exists(store, "freed.npy"));
  CHECK(temp_files() == 0);
  npy_writer_free(NULL);
  npy_store_free(store);
}

int main(void) {
  snprintf(location, sizeof location, "%s", check_tmpdir());
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           location);
  test_order(NPY_ORDER_C);
  test_order(NPY_ORDER_FORTRAN);
  test_partial_row_and_arguments();
  test_abort_and_free_leave_nothing();
  return check_done();
}
