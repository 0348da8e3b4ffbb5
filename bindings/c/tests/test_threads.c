/* One store handle shared by 8 threads doing put, load, mmap and row reads. */
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

enum { THREADS = 8, ROUNDS = 20, ROWS = 16, COLS = 32 };

static npy_store *store;
static int failures[THREADS];

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
