/*
 * Minimal assertions for the npystore C tests (bindings/c/tests/test_*.c).
 *
 *   CHECK(cond)                  record a failure and go on
 *   REQUIRE(cond)                record a failure and stop the test now
 *   CHECK_STATUS(call, expected) `call` must return `expected` (an npy_status);
 *                                a mismatch prints both names and npy_last_error()
 *   REQUIRE_STATUS(call, expected)
 *   CHECK_STR(actual, expected)  C strings equal (NULL-safe)
 *   return check_done();         at the end of main: prints a summary, 0 or 1
 *
 *   check_tmpdir()               a fresh empty directory for this test run
 *
 * Failures print file:line so the ctest log points at the line.
 */
#ifndef NPYSTORE_CHECK_H
#define NPYSTORE_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkdtemp */
#endif
#include <npystore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_count_;
static int check_failed_;

static inline void check_fail_(const char *file, int line, const char *what) {
  check_failed_++;
  fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what);
}

static inline void check_status_(const char *file, int line, const char *call,
                                 npy_status got, npy_status want, int fatal) {
  check_count_++;
  if (got == want) return;
  check_failed_++;
  fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s); last error: \"%s\"\n", file,
          line, call, (int)got, npy_status_name((int32_t)got), (int)want,
          npy_status_name((int32_t)want), npy_last_error());
  if (fatal) exit(1);
}

static inline void check_str_(const char *file, int line, const char *expr, const char *got,
                              const char *want) {
  check_count_++;
  if (got != NULL && want != NULL && strcmp(got, want) == 0) return;
  check_failed_++;
  fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", file, line, expr,
          got ? got : "(null)", want ? want : "(null)");
}

#define CHECK(cond)                                                     \
  do {                                                                  \
    check_count_++;                                                     \
    if (!(cond)) check_fail_(__FILE__, __LINE__, #cond);                \
  } while (0)

#define REQUIRE(cond)                                                   \
  do {                                                                  \
    check_count_++;                                                     \
    if (!(cond)) {                                                      \
      check_fail_(__FILE__, __LINE__, #cond);                           \
      exit(1);                                                          \
    }                                                                   \
  } while (0)

#define CHECK_STATUS(call, expected) \
  check_status_(__FILE__, __LINE__, #call, (call), (expected), 0)
#define REQUIRE_STATUS(call, expected) \
  check_status_(__FILE__, __LINE__, #call, (call), (expected), 1)
#define CHECK_STR(actual, expected) \
  check_str_(__FILE__, __LINE__, #actual, (actual), (expected))

/* Print "<checks> checks, <failed> failed" and give main's exit code. */
static inline int check_done(void) {
  fprintf(stderr, "%d checks, %d failed\n", check_count_, check_failed_);
  return check_failed_ == 0 ? 0 : 1;
}

#ifdef _WIN32
#include <direct.h>
#include <io.h>
/* mkdtemp for Windows (the windows stage builds these tests with mingw-w64, which
 * lacks it): _mktemp_s picks a name that does not exist yet, _mkdir makes it; a
 * name taken between the two is retried. */
static inline char *check_mkdtemp_(char *tmpl) {
  char name[4096];
  for (int attempt = 0; attempt < 26; attempt++) {
    snprintf(name, sizeof name, "%s", tmpl);
    if (_mktemp_s(name, strlen(name) + 1) != 0) return NULL;
    if (_mkdir(name) == 0) return strcpy(tmpl, name);
  }
  return NULL;
}
#else
#define check_mkdtemp_ mkdtemp
#endif

/* A new empty directory, unique per call, under $NPY_TEST_TMPDIR (ctest sets it to
 * a folder of the build tree per test and variant) or else $TMPDIR or /tmp. The
 * caller may leave files in it; the build tree is thrown away as a whole. */
static inline const char *check_tmpdir(void) {
  static char path[4096];
  const char *base = getenv("NPY_TEST_TMPDIR");
  if (base == NULL || *base == '\0') base = getenv("TMPDIR");
  if (base == NULL || *base == '\0') base = "/tmp";
  snprintf(path, sizeof path, "%s/npystore-XXXXXX", base);
  if (check_mkdtemp_(path) == NULL) {
    perror("check_tmpdir: mkdtemp");
    exit(1);
  }
  return path;
}

#endif /* NPYSTORE_CHECK_H */
