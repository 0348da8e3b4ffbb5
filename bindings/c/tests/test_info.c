/* Library-wide calls: version, status names, the thread-local last error. */
#include "check.h"

#include <pthread.h>

static void check_version(void) {
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", NPYSTORE_VERSION_MAJOR, NPYSTORE_VERSION_MINOR,
           NPYSTORE_VERSION_PATCH);
  CHECK_STR(npy_version(), want);
  CHECK(npy_version() == npy_version()); /* static storage */
}

static void check_status_names(void) {
  CHECK_STR(npy_status_name(NPY_OK), "ok");
  CHECK_STR(npy_status_name(NPY_ERR_INVALID_ARGUMENT), "invalid_argument");
  CHECK_STR(npy_status_name(NPY_ERR_NOT_FOUND), "not_found");
  CHECK_STR(npy_status_name(NPY_ERR_OBJECT_DTYPE), "object_dtype");
  CHECK_STR(npy_status_name(NPY_ERR_NETWORK), "network");
  CHECK_STR(npy_status_name(NPY_ERR_INTERNAL), "internal");
  CHECK_STR(npy_status_name(-1), "unknown");
  CHECK_STR(npy_status_name(22), "unknown"); /* first unused value */
  CHECK_STR(npy_status_name(98), "unknown");
  CHECK_STR(npy_status_name(INT32_MAX), "unknown");
  CHECK_STR(npy_status_name(INT32_MIN), "unknown");
}

/* npy_last_error_copy behaves like snprintf for whatever the current message is:
 * returns the full length, writes at most cap bytes, always NUL-terminates when
 * cap > 0, and accepts (NULL, 0). */
static void check_last_error_copy(void) {
  const char *msg = npy_last_error();
  REQUIRE(msg != NULL);
  size_t len = strlen(msg);

  CHECK(npy_last_error_copy(NULL, 0) == len);

  char buf[300];
  size_t caps[] = {1, 2, len / 2 + 1, len, len + 1, len + 2, sizeof buf - 1};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    size_t cap = caps[i];
    if (cap == 0 || cap >= sizeof buf) continue;
    memset(buf, 'x', sizeof buf);
    CHECK(npy_last_error_copy(buf, cap) == len);
    size_t kept = len < cap - 1 ? len : cap - 1;
    CHECK(buf[kept] == '\0');
    CHECK(strncmp(buf, msg, kept) == 0);
    CHECK(buf[cap] == 'x'); /* nothing written past cap */
  }
  memset(buf, 'x', sizeof buf);
  CHECK(npy_last_error_copy(buf, 0) == len);
  CHECK(buf[0] == 'x'); /* cap 0 writes nothing, even with a buffer */
}

static void *other_thread(void *arg) {
  (void)arg;
  CHECK_STR(npy_last_error(), ""); /* thread-local: fresh on a new thread */
  check_last_error_copy();
  return NULL;
}

int main(void) {
  /* Before any failure the message is empty, not NULL. */
  CHECK_STR(npy_last_error(), "");
  CHECK(npy_last_error_copy(NULL, 0) == 0);

  check_version();
  check_status_names();
  check_last_error_copy();

  pthread_t thread;
  REQUIRE(pthread_create(&thread, NULL, other_thread, NULL) == 0);
  REQUIRE(pthread_join(thread, NULL) == 0);

  /* Successful calls leave the message unchanged. */
  CHECK_STR(npy_last_error(), "");
  return check_done();
}
