/*
 * The streaming-writer call sequences of the Julia package's `Writer`
 * (bindings/julia/NpyStore/src/writer.jl): Fortran order, rows appended along the
 * last axis, final shape [row_size..., n], and the orders its `close`, finalizer and
 * do-block free handles in.
 */
#include "check.h"

#include <stdint.h>
#include <string.h>

static char config[8192];

static npy_store *jl_store(void) {
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  return store;
}

/* Writer(store, T, rowsize; path, overwrite): target freed right after the open. */
static npy_status jl_writer(const npy_store *store, const char *path, const char *descr,
                            const uint64_t *rowsize, size_t ndim, npy_writer **w) {
  npy_target *t = NULL;
  REQUIRE_STATUS(npy_target_path(path, &t), NPY_OK);
  npy_status st = npy_writer_open(store, t, descr, rowsize, ndim, NPY_ORDER_FORTRAN, 0, w);
  npy_target_free(t);
  return st;
}

static uint64_t jl_length(const npy_writer *w) {
  uint64_t rows = 99;
  CHECK_STATUS(npy_writer_rows(w, &rows), NPY_OK);
  return rows;
}

static bool jl_haskey(const npy_store *store, const char *path) {
  bool exists = true;
  CHECK_STATUS(npy_store_exists(store, path, &exists), NPY_OK);
  return exists;
}

/* append! of a 3x4 block, push! of one row, append! of a 3x2 block, finish!,
 * then close(w); read(ref) is hcat of them all. */
static void test_append_finish(void) {
  npy_store *store = jl_store();
  uint64_t rowsize[1] = {3};
  npy_writer *w = NULL;
  REQUIRE_STATUS(jl_writer(store, "jlw/a.npy", "<f4", rowsize, 1, &w), NPY_OK);
  CHECK(jl_length(w) == 0);
  float all[3 * 7];
  for (int k = 0; k < 21; k++) all[k] = (float)k * 0.5f;
  CHECK_STATUS(npy_writer_append(w, all, 3 * 4 * sizeof(float)), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, all + 12, 3 * sizeof(float)), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, all + 15, 3 * 2 * sizeof(float)), NPY_OK);
  CHECK(jl_length(w) == 7);
  /* Julia checks sizes first (DimensionMismatch); the library refuses a partial row */
  CHECK_STATUS(npy_writer_append(w, all, 2 * sizeof(float)), NPY_ERR_LENGTH);
  CHECK(jl_length(w) == 7);
  CHECK(!jl_haskey(store, "jlw/a.npy")); /* nothing visible before finish! */

  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_writer_finish(w, &ref), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, all, 3 * sizeof(float)), NPY_ERR_STATE);
  CHECK_STR(npy_status_name(NPY_ERR_STATE), "state");
  npy_writer_free(w); /* close(w) after finish! */

  const uint64_t *shape = NULL;
  size_t ndim = 0;
  CHECK_STATUS(npy_ref_shape(ref, &shape, &ndim), NPY_OK);
  CHECK(ndim == 2 && shape[0] == 3 && shape[1] == 7);
  int32_t fortran = -1;
  CHECK_STATUS(npy_ref_fortran_order(ref, &fortran), NPY_OK);
  CHECK(fortran == 1);
  float back[21];
  CHECK_STATUS(npy_ref_load_into(ref, back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  CHECK(memcmp(all, back, sizeof all) == 0);
  npy_ref_free(ref);
  npy_store_free(store);
}

/* abort!(w), then append! is an error, close(w); nothing published. */
static void test_abort(void) {
  npy_store *store = jl_store();
  uint64_t rowsize[1] = {3};
  float row[3] = {1, 2, 3};
  npy_writer *w = NULL;
  REQUIRE_STATUS(jl_writer(store, "jlw/b.npy", "<f4", rowsize, 1, &w), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, row, sizeof row), NPY_OK);
  CHECK_STATUS(npy_writer_abort(w), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, row, sizeof row), NPY_ERR_STATE);
  npy_writer_free(w);
  CHECK(!jl_haskey(store, "jlw/b.npy"));
  npy_store_free(store);
}

/* Writer(f, ...) do-block with 0-d rows and a schema target: push! of five Int64,
 * finish!, close; and one where f throws: close without finish publishes nothing. */
static void test_do_block(void) {
  npy_store *store = jl_store();
  npy_target *t = NULL;
  REQUIRE_STATUS(npy_target_schema("lab", "_rec", "t", &t), NPY_OK);
  CHECK_STATUS(npy_target_key_int(t, "id", 1), NPY_OK);
  uint64_t no_rows[1] = {0}; /* an empty Julia UInt64[] still has a pointer */
  npy_writer *w = NULL;
  REQUIRE_STATUS(npy_writer_open(store, t, "<i8", no_rows, 0, NPY_ORDER_FORTRAN, 0, &w), NPY_OK);
  npy_target_free(t);
  for (int64_t i = 1; i <= 5; i++) CHECK_STATUS(npy_writer_append(w, &i, sizeof i), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_writer_finish(w, &ref), NPY_OK);
  npy_writer_free(w);
  int64_t back[5];
  CHECK_STATUS(npy_ref_load_into(ref, back, sizeof back, NPY_ORDER_FORTRAN), NPY_OK);
  for (int i = 0; i < 5; i++) CHECK(back[i] == i + 1);
  npy_ref_free(ref);

  REQUIRE_STATUS(jl_writer(store, "jlw/c.npy", "<i8", no_rows, 0, &w), NPY_OK);
  int64_t one = 1;
  CHECK_STATUS(npy_writer_append(w, &one, sizeof one), NPY_OK);
  npy_writer_free(w); /* `finally close(w)` after the exception */
  CHECK(!jl_haskey(store, "jlw/c.npy"));
  npy_store_free(store);
}

/* GC orders: the store freed before the writer is used and finished; the writer
 * freed after its reference; an unfinished writer left to its finalizer. */
static void test_lifetimes(void) {
  npy_store *store = jl_store();
  uint64_t rowsize[2] = {2, 2};
  double block[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  npy_writer *w = NULL;
  REQUIRE_STATUS(jl_writer(store, "jlw/d.npy", "<f8", rowsize, 2, &w), NPY_OK);
  npy_store_free(store);
  CHECK_STATUS(npy_writer_append(w, block, sizeof block), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_writer_finish(w, &ref), NPY_OK);
  npy_ref_free(ref);
  npy_writer_free(w);

  store = jl_store();
  CHECK(jl_haskey(store, "jlw/d.npy"));
  /* an existing path without overwrite fails at open already */
  w = (npy_writer *)&w;
  CHECK_STATUS(jl_writer(store, "jlw/d.npy", "<f8", rowsize, 2, &w), NPY_ERR_ALREADY_EXISTS);
  CHECK(w == NULL);
  REQUIRE_STATUS(jl_writer(store, "jlw/e.npy", "<f8", rowsize, 2, &w), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, block, sizeof block), NPY_OK);
  npy_store_free(store);
  npy_writer_free(w); /* finalizer of a writer nobody finished */
}

int main(void) {
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           check_tmpdir());
  test_append_finish();
  test_abort();
  test_do_block();
  test_lifetimes();
  return check_done();
}
