/* One store handle shared by 8 threads doing put, load, mmap, row reads, delete and
 * streaming writes. Also built with ThreadSanitizer (the `tsan` variant). */
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

enum { THREADS = 8, ROUNDS = 20, ROWS = 16, COLS = 32 };

static npy_store *store;
static int failures[THREADS];

/* Stream the rows of `data` through a writer in blocks of 3, finish, read back. */
static int write_rows(int t, int round) {
  static __thread double rows[ROWS * COLS], back[ROWS * COLS];
  for (int i = 0; i < ROWS * COLS; i++) rows[i] = -(t * 1e6 + round * 1e3 + i);
  char path[64];
  snprintf(path, sizeof path, "w/t%d/r%d.npy", t, round);
  npy_target *target = NULL;
  npy_writer *writer = NULL;
  npy_ref *ref = NULL;
  uint64_t row_shape[1] = {COLS};
  int ok = npy_target_path(path, &target) == NPY_OK &&
           npy_writer_open(store, target, "<f8", row_shape, 1, NPY_ORDER_C, 0, &writer) == NPY_OK;
  for (int r = 0; ok && r < ROWS; r += 3) {
    int n = ROWS - r < 3 ? ROWS - r : 3;
    ok = npy_writer_append(writer, rows + r * COLS, (uint64_t)n * COLS * sizeof(double)) == NPY_OK;
  }
  ok = ok && npy_writer_finish(writer, &ref) == NPY_OK &&
       npy_ref_load_into(ref, back, sizeof back, NPY_ORDER_C) == NPY_OK && memcmp(back, rows, sizeof rows) == 0 &&
       npy_ref_delete(ref) == NPY_OK;
  npy_ref_free(ref);
  npy_writer_free(writer);
  npy_target_free(target);
  return ok;
}

static void *worker(void *arg) {
  int t = (int)(intptr_t)arg;
  static __thread double data[ROWS * COLS], back[ROWS * COLS];
  uint64_t shape[2] = {ROWS, COLS};
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < ROWS * COLS; i++) data[i] = t * 1e6 + round * 1e3 + i;
    npy_target *target = NULL;
    npy_ref *ref = NULL, *lazy = NULL;
    npy_mapping *map = NULL;
    void *mapped = NULL;
    const char *json = NULL;
    int ok = npy_target_schema("lab", "stress", "a", &target) == NPY_OK &&
             npy_target_key_int(target, "thread", t) == NPY_OK &&
             npy_target_key_int(target, "round", round) == NPY_OK &&
             npy_put(store, target, data, sizeof data, "float64", shape, 2, NPY_ORDER_C, 0, &ref) == NPY_OK &&
             npy_ref_to_json(ref, &json) == NPY_OK && npy_ref_from_json(store, json, &lazy) == NPY_OK &&
             npy_ref_load_into(lazy, back, sizeof back, NPY_ORDER_C) == NPY_OK &&
             memcmp(back, data, sizeof data) == 0 &&
             npy_ref_load_mmap(lazy, "r", &map, &mapped, NULL, NULL) == NPY_OK &&
             memcmp(mapped, data, sizeof data) == 0 &&
             npy_ref_read_rows(lazy, ROWS - 1, 1, back, COLS * sizeof(double), NPY_ORDER_C) == NPY_OK &&
             memcmp(back, data + (ROWS - 1) * COLS, COLS * sizeof(double)) == 0 && npy_ref_delete(lazy) == NPY_OK;
    ok = ok && write_rows(t, round);
    if (!ok) {
      fprintf(stderr, "thread %d round %d: %s\n", t, round, npy_last_error());
      failures[t]++;
    }
    npy_mapping_free(map);
    npy_ref_free(lazy);
    npy_ref_free(ref);
    npy_target_free(target);
  }
  return NULL;
}

int main(void) {
  char config[8192];
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           check_tmpdir());
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; t++) REQUIRE(pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) == 0);
  for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
  for (int t = 0; t < THREADS; t++) CHECK(failures[t] == 0);
  npy_store_free(store);
  return check_done();
}
