/* Bulk loads (npy_refs_load_into) with per-item statuses and each failed item's own
 * message (npy_refs_item_error), and the progress callbacks of
 * npy_ref_load_into_progress / npy_ref_load_mmap_progress, on a file store. With
 * NPYSTORE_S3_ENDPOINT etc. set (scripts/s3-server.sh), the same calls run against
 * that S3 server too. */
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 12
#define LEN 1000

typedef struct {
  pthread_t thread;
  int calls;
  int wrong_thread;
  uint64_t last_done, last_total;
  int cancel;
} progress_log;

static int32_t on_progress(uint64_t done, uint64_t total, void *user_data) {
  progress_log *log = user_data;
  log->calls++;
  if (!pthread_equal(pthread_self(), log->thread)) log->wrong_thread++;
  log->last_done = done;
  log->last_total = total;
  return log->cancel;
}

static npy_ref *put_array(npy_store *store, const char *path, const double *values, uint64_t n) {
  npy_target *target = NULL;
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_target_path(path, &target), NPY_OK);
  REQUIRE_STATUS(npy_put(store, target, values, n * sizeof(double), "<f8", &n, 1, NPY_ORDER_C,
                         NPY_PUT_OVERWRITE, &ref),
                 NPY_OK);
  npy_target_free(target);
  /* A fresh reference from the JSON, as a reader would have it. */
  const char *json = NULL;
  npy_ref *fresh = NULL;
  REQUIRE_STATUS(npy_ref_to_json(ref, &json), NPY_OK);
  REQUIRE_STATUS(npy_ref_from_json(store, json, &fresh), NPY_OK);
  npy_ref_free(ref);
  return fresh;
}

/* Item i's message from the last bulk call, through npy_refs_item_error: sized with
 * a first call of cap 0, then copied; the status must be NPY_OK. */
static const char *item_error(size_t i) {
  static char text[1024];
  size_t len = 99;
  CHECK_STATUS(npy_refs_item_error(i, NULL, 0, &len), NPY_OK);
  REQUIRE(len < sizeof text);
  size_t again = 99;
  CHECK_STATUS(npy_refs_item_error(i, text, sizeof text, &again), NPY_OK);
  CHECK(again == len && strlen(text) == len);
  return text;
}

/* Whether `text` starts with `prefix`. */
static int starts_with(const char *text, const char *prefix) {
  return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Each failed item of a bulk load keeps its own message, naming its path, until the
 * next bulk call on the thread replaces them all. Items: 0 loads, 1 is missing, 2 has
 * a short buffer, 3 claims the wrong dtype (its JSON says int32), 4 is NULL. */
static void check_item_errors(npy_store *store, const npy_ref *good) {
  npy_ref *missing = NULL, *wrong_dtype = NULL;
  REQUIRE_STATUS(npy_ref_from_json(store,
                                   "{\"path\": \"bulk/missing.npy\", \"store\": null, "
                                   "\"dtype\": \"float64\", \"shape\": [1000]}",
                                   &missing),
                 NPY_OK);
  REQUIRE_STATUS(npy_ref_from_json(store,
                                   "{\"path\": \"bulk/2.npy\", \"store\": null, "
                                   "\"dtype\": \"int32\", \"shape\": [1000]}",
                                   &wrong_dtype),
                 NPY_OK);
  static double out[5][LEN];
  const npy_ref *refs[5] = {good, missing, good, wrong_dtype, NULL};
  void *bufs[5] = {out[0], out[1], out[2], out[3], out[4]};
  uint64_t lens[5] = {sizeof out[0], sizeof out[1], 8, LEN * 4, sizeof out[4]};
  npy_status statuses[5];
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, 5, NPY_ORDER_C, 2, NULL, NULL,
                                  statuses),
               NPY_ERR_NOT_FOUND);
  CHECK(statuses[0] == NPY_OK && statuses[1] == NPY_ERR_NOT_FOUND &&
        statuses[2] == NPY_ERR_LENGTH && statuses[3] == NPY_ERR_MISMATCH &&
        statuses[4] == NPY_ERR_INVALID_ARGUMENT);
  char last[1024];
  snprintf(last, sizeof last, "%s", npy_last_error());
  CHECK(starts_with(last, "item 1: bulk/missing.npy: "));
  CHECK(strstr(last, "(4 of 5 items failed)") != NULL);

  CHECK_STR(item_error(0), "");
  const char *text = item_error(1);
  CHECK(starts_with(text, "bulk/missing.npy: "));
  CHECK(strstr(last, text) != NULL); /* the call's message words item 1 the same */
  CHECK(starts_with(item_error(2), "bulk/5.npy: lens[2] is 8 but the array has 8000 bytes"));
  text = item_error(3);
  CHECK(starts_with(text, "bulk/2.npy: "));
  CHECK(strstr(text, "holds dtype float64 but the metadata says int32") != NULL);
  CHECK_STR(item_error(4), "refs[4] is NULL");
  const char *secret = getenv("NPYSTORE_S3_SECRET_KEY");
  for (size_t i = 0; i < 5; i++) CHECK(!secret || strstr(item_error(i), secret) == NULL);

  /* A short buffer gets the message truncated and NUL-terminated, and the full
   * length; `len` may be NULL. */
  char small[11];
  size_t len = 0;
  CHECK_STATUS(npy_refs_item_error(2, small, sizeof small, &len), NPY_OK);
  CHECK_STR(small, "bulk/5.npy");
  CHECK(len == strlen("bulk/5.npy: lens[2] is 8 but the array has 8000 bytes"));
  CHECK_STATUS(npy_refs_item_error(4, small, sizeof small, NULL), NPY_OK);
  CHECK_STR(small, "refs[4] is");

  /* No item 5: a status, an empty message, and the last error says so; reading
   * messages leaves the kept ones alone. */
  len = 99;
  CHECK_STATUS(npy_refs_item_error(5, small, sizeof small, &len), NPY_ERR_INVALID_ARGUMENT);
  CHECK(len == 0 && small[0] == '\0');
  CHECK(strstr(npy_last_error(), "item 5 is out of range") != NULL);
  CHECK(strstr(npy_last_error(), "had 5 items") != NULL);
  CHECK_STATUS(npy_refs_item_error(SIZE_MAX, NULL, 0, &len), NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_refs_item_error(0, NULL, 4, &len), NPY_ERR_INVALID_ARGUMENT);
  CHECK(len == 0);
  CHECK(starts_with(item_error(2), "bulk/5.npy: lens[2]"));

  /* A later bulk call replaces them all: two good items, then the call's own error
   * (every item has it), then a count no array holds (no item kept). */
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, 1, NPY_ORDER_C, 0, NULL, NULL,
                                  NULL),
               NPY_OK);
  CHECK_STR(item_error(0), "");
  CHECK_STATUS(npy_refs_item_error(1, NULL, 0, &len), NPY_ERR_INVALID_ARGUMENT);
  CHECK(strstr(npy_last_error(), "had 1 items") != NULL);
  CHECK_STATUS(npy_refs_load_into(NULL, NULL, NULL, 2, NPY_ORDER_C, 0, NULL, NULL, NULL),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK_STR(item_error(0), "argument `refs` is NULL");
  CHECK_STR(item_error(1), "argument `refs` is NULL");
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, SIZE_MAX, NPY_ORDER_C, 0, NULL,
                                  NULL, NULL),
               NPY_ERR_LENGTH);
  CHECK_STATUS(npy_refs_item_error(0, NULL, 0, &len), NPY_ERR_INVALID_ARGUMENT);
  CHECK(strstr(npy_last_error(), "had 0 items") != NULL);

  npy_ref_free(missing);
  npy_ref_free(wrong_dtype);
}

/* `remote`: the store downloads what it maps (into the cache), which is reported. */
static void run_bulk(const char *config, int remote) {
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  static double values[N][LEN];
  static double out[N + 2][LEN];
  const npy_ref *refs[N + 2];
  void *bufs[N + 2];
  uint64_t lens[N + 2];
  npy_ref *owned[N + 1];
  for (int i = 0; i < N; i++) {
    char path[64];
    for (int j = 0; j < LEN; j++) values[i][j] = i * 1000.0 + j;
    snprintf(path, sizeof path, "bulk/%d.npy", i);
    owned[i] = put_array(store, path, values[i], LEN);
    refs[i] = owned[i];
    bufs[i] = out[i];
    lens[i] = sizeof out[i];
  }
  /* Item N: a missing object; item N+1: a NULL reference. */
  REQUIRE_STATUS(npy_ref_from_json(store,
                                   "{\"path\": \"bulk/missing.npy\", \"store\": null, "
                                   "\"dtype\": \"float64\", \"shape\": [1000]}",
                                   &owned[N]),
                 NPY_OK);
  refs[N] = owned[N];
  bufs[N] = out[N];
  lens[N] = sizeof out[N];
  refs[N + 1] = NULL;
  bufs[N + 1] = out[N + 1];
  lens[N + 1] = sizeof out[N + 1];
  lens[3] = 8; /* wrong length: item 3 fails alone */

  npy_status statuses[N + 2];
  progress_log log = {.thread = pthread_self()};
  npy_status st = npy_refs_load_into(refs, (void *const *)bufs, lens, N + 2, NPY_ORDER_C, 4,
                                     on_progress, &log, statuses);
  CHECK_STATUS(st, NPY_ERR_LENGTH);
  CHECK(strstr(npy_last_error(), "item 3") != NULL);
  CHECK(strstr(npy_last_error(), "3 of 14 items failed") != NULL);
  CHECK(statuses[3] == NPY_ERR_LENGTH);
  CHECK(statuses[N] == NPY_ERR_NOT_FOUND);
  CHECK(statuses[N + 1] == NPY_ERR_INVALID_ARGUMENT);
  for (int i = 0; i < N; i++) {
    if (i == 3) continue;
    CHECK(statuses[i] == NPY_OK);
    CHECK(memcmp(out[i], values[i], sizeof out[i]) == 0);
  }
  CHECK(log.calls >= 1 && log.wrong_thread == 0);
  CHECK(log.last_total == (uint64_t)(N) * LEN * 8);
  CHECK(log.last_done == (uint64_t)(N - 1) * LEN * 8);

  /* All good: NPY_OK everywhere; NULL statuses and NULL callback are fine. */
  lens[3] = sizeof out[3];
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, N, NPY_ORDER_FORTRAN, 0, NULL,
                                  NULL, statuses),
               NPY_OK);
  for (int i = 0; i < N; i++) CHECK(statuses[i] == NPY_OK);
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, N, NPY_ORDER_C, 2, NULL, NULL,
                                  NULL),
               NPY_OK);
  CHECK_STATUS(npy_refs_load_into(NULL, NULL, NULL, 0, NPY_ORDER_C, 0, NULL, NULL, NULL), NPY_OK);
  CHECK_STATUS(npy_refs_load_into(NULL, NULL, NULL, 2, NPY_ORDER_C, 0, NULL, NULL, statuses),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK(statuses[0] == NPY_ERR_INVALID_ARGUMENT && statuses[1] == NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_refs_load_into(refs, (void *const *)bufs, lens, 1, 7, 0, NULL, NULL, NULL),
               NPY_ERR_INVALID_ARGUMENT);

  /* One load with progress: the last report is the whole array. */
  progress_log one = {.thread = pthread_self()};
  CHECK_STATUS(npy_ref_load_into_progress(refs[5], out[0], sizeof out[0], NPY_ORDER_C,
                                          on_progress, &one),
               NPY_OK);
  CHECK(memcmp(out[0], values[5], sizeof out[0]) == 0);
  CHECK(one.calls >= 1 && one.wrong_thread == 0 && one.last_done == sizeof out[0]);
  /* A slice with progress: reported on this thread, the last report is its bytes. */
  progress_log part = {.thread = pthread_self()};
  const uint64_t from[1] = {100}, take[1] = {250};
  CHECK_STATUS(npy_ref_read_slice_progress(refs[6], 1, from, take, out[0], sizeof out[0],
                                           NPY_ORDER_C, on_progress, &part),
               NPY_OK);
  CHECK(memcmp(out[0], values[6] + 100, 250 * 8) == 0);
  CHECK(part.calls >= 1 && part.wrong_thread == 0);
  CHECK(part.last_done == 250 * 8 && part.last_total == 250 * 8);
  const uint64_t past[1] = {900};
  CHECK_STATUS(npy_ref_read_slice_progress(refs[6], 1, past, take, out[0], sizeof out[0],
                                           NPY_ORDER_C, NULL, NULL),
               NPY_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(npy_ref_load_into_progress(refs[5], out[0], 8, NPY_ORDER_C, NULL, NULL),
               NPY_ERR_LENGTH);

  /* A map with progress; r+ is allowed on file stores only. */
  npy_mapping *map = NULL;
  void *data = NULL;
  uint64_t nbytes = 0;
  progress_log mlog = {.thread = pthread_self()};
  CHECK_STATUS(npy_ref_load_mmap_progress(refs[7], "r", on_progress, &mlog, &map, &data, &nbytes,
                                          NULL),
               NPY_OK);
  CHECK(nbytes == LEN * 8 && data != NULL && memcmp(data, values[7], nbytes) == 0);
  CHECK(mlog.wrong_thread == 0);
  if (remote)
    CHECK(mlog.calls >= 1 && mlog.last_done == LEN * 8);
  else
    CHECK(mlog.calls == 0); /* a file store maps the file itself: nothing to report */
  npy_mapping_free(map);

  check_item_errors(store, refs[5]);

  for (int i = 0; i <= N; i++) npy_ref_free(owned[i]);
  npy_store_free(store);
}

static void run_remote_if_configured(void) {
  const char *endpoint = getenv("NPYSTORE_S3_ENDPOINT");
  const char *bucket = getenv("NPYSTORE_S3_BUCKET");
  const char *access = getenv("NPYSTORE_S3_ACCESS_KEY");
  const char *secret = getenv("NPYSTORE_S3_SECRET_KEY");
  if (!endpoint || !bucket || !access || !secret) {
    printf("test_bulk: no S3 server configured; file store only\n");
    return;
  }
  char config[2048], cache[1024];
  snprintf(cache, sizeof cache, "%s", check_tmpdir());
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"r\", \"r\": {\"protocol\": \"s3\", \"endpoint\": \"%s\", "
           "\"bucket\": \"%s\", \"location\": \"c-tests\", \"access_key\": \"%s\", "
           "\"secret_key\": \"%s\"}}, \"npystore\": {\"defaults\": {\"cache_dir\": \"%s\"}}}",
           endpoint, bucket, access, secret, cache);
  run_bulk(config, 1);
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  npy_ref *ref = NULL;
  REQUIRE_STATUS(npy_ref_open(store, "bulk/1.npy", &ref), NPY_OK);
  npy_mapping *map = NULL;
  CHECK_STATUS(npy_ref_load_mmap_progress(ref, "r+", NULL, NULL, &map, NULL, NULL, NULL),
               NPY_ERR_UNSUPPORTED);
  CHECK(map == NULL);
  npy_ref_free(ref);
  npy_store_free(store);
}

int main(void) {
  char config[8192];
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           check_tmpdir());
  run_bulk(config, 0);
  run_remote_if_configured();
  CHECK_STR(npy_status_name(NPY_ERR_BUCKET_NOT_FOUND), "bucket_not_found");
  CHECK_STR(npy_status_name(NPY_ERR_CANCELLED), "cancelled");
  return check_done();
}
