/* The system calls of small reads from a file store, counted by strace
 * (count_syscalls.sh runs this under `strace -f`, and fails when a marked section
 * makes more calls than its budget). Each section lies between two marker writes to
 * fd -1: "npy-mark-begin <name>:<budget>" and "npy-mark-end". Issue 16: a read costs
 * its preads and nothing else, no thread-count query, no reopen, no statx per run. */
#include "check.h"

#include <stdint.h>
#include <unistd.h>

static void mark(const char *text) {
  /* A write to a closed descriptor: a system call strace shows with its text. */
  ssize_t ignored = write(-1, text, strlen(text));
  (void)ignored;
}

int main(void) {
  char config[8192];
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           check_tmpdir());
  npy_store *store = NULL;
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  npy_target *small_at = NULL, *rec_at = NULL;
  REQUIRE_STATUS(npy_target_path("small.npy", &small_at), NPY_OK);
  REQUIRE_STATUS(npy_target_path("rec.npy", &rec_at), NPY_OK);

  /* 1 KiB of float64, and a 16 channel x 4096 sample int16 recording in Fortran
   * order (a channel is a 2-byte run every 32 bytes; a time window is one run). */
  static double small[128];
  static int16_t rec[16 * 4096];
  for (int i = 0; i < 128; i++) small[i] = i;
  for (int i = 0; i < 16 * 4096; i++) rec[i] = (int16_t)i; /* rec[c + 16 t] */
  const uint64_t small_shape[1] = {128}, rec_shape[2] = {16, 4096};
  npy_ref *w = NULL;
  REQUIRE_STATUS(npy_put(store, small_at, small, sizeof small, "<f8", small_shape, 1, NPY_ORDER_C, 0, &w),
                 NPY_OK);
  npy_ref_free(w);
  REQUIRE_STATUS(npy_put(store, rec_at, rec, sizeof rec, "<i2", rec_shape, 2, NPY_ORDER_FORTRAN, 0, &w),
                 NPY_OK);
  npy_ref_free(w);

  /* Open and load a small file: open beneath the location, size, one read, close;
   * twice. */
  static double back[128];
  npy_ref *r = NULL;
  mark("npy-mark-begin open and load of 1 KiB:8");
  npy_status opened = npy_ref_open(store, "small.npy", &r);
  npy_status loaded = npy_ref_load_into(r, back, sizeof back, NPY_ORDER_C);
  mark("npy-mark-end");
  CHECK_STATUS(opened, NPY_OK);
  CHECK_STATUS(loaded, NPY_OK);
  CHECK(memcmp(back, small, sizeof small) == 0);
  npy_ref_free(r);

  REQUIRE_STATUS(npy_ref_open(store, "rec.npy", &r), NPY_OK);
  /* A time window (samples 1000..3000 of every channel): one run. */
  static int16_t window[16 * 2000];
  const uint64_t w_start[2] = {0, 1000}, w_count[2] = {16, 2000};
  mark("npy-mark-begin time window of a Fortran recording:5");
  npy_status got = npy_ref_read_slice(r, 2, w_start, w_count, window, sizeof window, NPY_ORDER_FORTRAN);
  mark("npy-mark-end");
  CHECK_STATUS(got, NPY_OK);
  CHECK(memcmp(window, rec + 16 * 1000, sizeof window) == 0);

  /* One channel: 4096 runs of 2 bytes, 30 bytes apart, merged by the default merge
   * gap into one pread that brings the header too (the channel starts right after
   * it); malloc maps and unmaps that 128 KiB buffer (2 calls). */
  static int16_t channel[4096];
  const uint64_t c_start[2] = {5, 0}, c_count[2] = {1, 4096};
  mark("npy-mark-begin one channel of a Fortran recording:6");
  got = npy_ref_read_slice(r, 2, c_start, c_count, channel, sizeof channel, NPY_ORDER_C);
  mark("npy-mark-end");
  CHECK_STATUS(got, NPY_OK);
  int same = 1;
  for (int t = 0; t < 4096; t++) same &= channel[t] == rec[5 + 16 * t];
  CHECK(same);

  npy_ref_free(r);
  npy_target_free(small_at);
  npy_target_free(rec_at);
  npy_store_free(store);
  return check_done();
}
