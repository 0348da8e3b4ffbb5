/* Zero-byte arrays through every call that takes or gives a buffer: NULL is accepted
 * wherever the length is 0 (and refused where it is not), and the pointers the
 * library gives for 0 bytes are not NULL (npystore.h says which, and that they must
 * not be read). Runs on a file store and on the memory store. */
#include "check.h"

#include <stdint.h>
#include <sys/stat.h>

static const uint64_t empty_1d[1] = {0};     /* shape (0,) */
static const uint64_t empty_rows[2] = {3, 0}; /* shape (3, 0): 3 rows of 0 bytes */

static npy_ref *put_empty(npy_store *store, const char *path, const uint64_t *shape, size_t ndim) {
  npy_target *t = NULL;
  npy_ref *r = NULL;
  REQUIRE_STATUS(npy_target_path(path, &t), NPY_OK);
  CHECK_STATUS(npy_put(store, t, NULL, 0, "<f8", shape, ndim, NPY_ORDER_C, 0, &r), NPY_OK);
  npy_target_free(t);
  REQUIRE(r != NULL);
  uint64_t nbytes = 1;
  CHECK_STATUS(npy_ref_nbytes(r, &nbytes), NPY_OK);
  CHECK(nbytes == 0);
  return r;
}

/* Every read of an empty array into a NULL buffer of 0 bytes. */
static void check_reads(npy_ref *r, uint64_t rows) {
  CHECK_STATUS(npy_ref_load_into(r, NULL, 0, NPY_ORDER_C), NPY_OK);
  CHECK_STATUS(npy_ref_load_into(r, NULL, 0, NPY_ORDER_FORTRAN), NPY_OK);
  double spare = 0;
  CHECK_STATUS(npy_ref_load_into(r, &spare, sizeof spare, NPY_ORDER_C), NPY_ERR_LENGTH);
  CHECK_STATUS(npy_ref_read_rows(r, 0, 0, NULL, 0, NPY_ORDER_C), NPY_OK);
  CHECK_STATUS(npy_ref_read_rows(r, 0, rows, NULL, 0, NPY_ORDER_C), NPY_OK);
  CHECK_STATUS(npy_ref_read_rows(r, 0, rows + 1, NULL, 0, NPY_ORDER_C), NPY_ERR_INVALID_ARGUMENT);

  npy_array *a = NULL;
  void *data = NULL;
  uint64_t nbytes = 1;
  CHECK_STATUS(npy_ref_load(r, NPY_ORDER_C, &a), NPY_OK);
  CHECK_STATUS(npy_array_data(a, &data, &nbytes), NPY_OK);
  CHECK(data != NULL);
  CHECK(nbytes == 0);
  npy_array_free(a);

  /* Many at once: an item of 0 bytes takes a NULL buffer (or any other). */
  double one = 0;
  const npy_ref *refs[2] = {r, r};
  void *bufs[2] = {NULL, &one};
  uint64_t lens[2] = {0, 0};
  npy_status statuses[2] = {NPY_ERR_INTERNAL, NPY_ERR_INTERNAL};
  CHECK_STATUS(npy_refs_load_into(refs, bufs, lens, 2, NPY_ORDER_C, 0, NULL, NULL, statuses), NPY_OK);
  CHECK(statuses[0] == NPY_OK && statuses[1] == NPY_OK);
  /* n == 0: every array may be NULL. */
  CHECK_STATUS(npy_refs_load_into(NULL, NULL, NULL, 0, NPY_ORDER_C, 0, NULL, NULL, NULL), NPY_OK);
}

/* A store's empty arrays, then a writer that appends 0 bytes. */
static void check_store(npy_store *store, const char *file_dir) {
  npy_ref *r1 = put_empty(store, "empty1.npy", empty_1d, 1);
  npy_ref *r2 = put_empty(store, "empty_rows.npy", empty_rows, 2);
  check_reads(r1, 0);
  check_reads(r2, 3);

  if (file_dir != NULL) {
    /* The map of an empty array: 0 bytes at the end of the header, not NULL. */
    char path[4200];
    snprintf(path, sizeof path, "%s/empty1.npy", file_dir);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    npy_mapping *m = NULL;
    void *data = NULL;
    uint64_t nbytes = 1, offset = 0;
    CHECK_STATUS(npy_ref_load_mmap(r1, "r", &m, &data, &nbytes, &offset), NPY_OK);
    CHECK(data != NULL);
    CHECK(nbytes == 0);
    CHECK(offset == (uint64_t)st.st_size); /* the header is the whole file */
    npy_mapping_free(m);
  }

  /* npy_put: NULL data is accepted for 0 bytes only. */
  npy_target *t = NULL;
  npy_ref *r = NULL;
  REQUIRE_STATUS(npy_target_path("refused.npy", &t), NPY_OK);
  uint64_t two[1] = {2};
  CHECK_STATUS(npy_put(store, t, NULL, 16, "<f8", two, 1, NPY_ORDER_C, 0, &r), NPY_ERR_INVALID_ARGUMENT);
  CHECK(r == NULL);
  npy_target_free(t);

  /* A writer: appending 0 bytes (NULL data) adds no row; NULL with bytes is refused. */
  npy_writer *w = NULL;
  uint64_t rows = 9;
  REQUIRE_STATUS(npy_target_path("written.npy", &t), NPY_OK);
  REQUIRE_STATUS(npy_writer_open(store, t, "<f8", two, 1, NPY_ORDER_C, 0, &w), NPY_OK);
  npy_target_free(t);
  CHECK_STATUS(npy_writer_append(w, NULL, 0), NPY_OK);
  CHECK_STATUS(npy_writer_rows(w, &rows), NPY_OK);
  CHECK(rows == 0);
  CHECK_STATUS(npy_writer_append(w, NULL, 16), NPY_ERR_INVALID_ARGUMENT);
  double row[2] = {1, 2};
  CHECK_STATUS(npy_writer_append(w, row, sizeof row), NPY_OK);
  CHECK_STATUS(npy_writer_append(w, NULL, 0), NPY_OK);
  CHECK_STATUS(npy_writer_rows(w, &rows), NPY_OK);
  CHECK(rows == 1);
  npy_ref *written = NULL;
  CHECK_STATUS(npy_writer_finish(w, &written), NPY_OK);
  double back[2] = {0, 0};
  CHECK_STATUS(npy_ref_load_into(written, back, sizeof back, NPY_ORDER_C), NPY_OK);
  CHECK(back[0] == 1 && back[1] == 2);
  /* NULL buffers with bytes to read are refused: alone, and per item in a bulk load. */
  CHECK_STATUS(npy_ref_load_into(written, NULL, sizeof back, NPY_ORDER_C), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_read_rows(written, 0, 1, NULL, sizeof back, NPY_ORDER_C), NPY_ERR_INVALID_ARGUMENT);
  const npy_ref *refs[2] = {written, r1};
  void *bufs[2] = {NULL, NULL};
  uint64_t lens[2] = {sizeof back, 0};
  npy_status statuses[2] = {NPY_OK, NPY_ERR_INTERNAL};
  CHECK_STATUS(npy_refs_load_into(refs, bufs, lens, 2, NPY_ORDER_C, 0, NULL, NULL, statuses),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK(statuses[0] == NPY_ERR_INVALID_ARGUMENT && statuses[1] == NPY_OK);
  npy_ref_free(written);
  npy_writer_free(w);

  /* A writer finished with no rows: an empty array, read back with NULL buffers. */
  REQUIRE_STATUS(npy_target_path("no_rows.npy", &t), NPY_OK);
  REQUIRE_STATUS(npy_writer_open(store, t, "<f8", two, 1, NPY_ORDER_C, 0, &w), NPY_OK);
  npy_target_free(t);
  CHECK_STATUS(npy_writer_append(w, NULL, 0), NPY_OK);
  CHECK_STATUS(npy_writer_finish(w, &written), NPY_OK);
  check_reads(written, 0);
  npy_ref_free(written);
  npy_writer_free(w);

  npy_ref_free(r1);
  npy_ref_free(r2);
}

int main(void) {
  char dir[4096], config[8192];
  snprintf(dir, sizeof dir, "%s", check_tmpdir());
  snprintf(config, sizeof config, "{\"stores\": {\"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}", dir);
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, "main", &store), NPY_OK);
  check_store(store, dir);
  npy_store_free(store);

  REQUIRE_STATUS(npy_store_open("{\"stores\": {\"m\": {\"protocol\": \"memory\"}}}", "m", &store), NPY_OK);
  check_store(store, NULL);
  npy_store_free(store);
  return check_done();
}
