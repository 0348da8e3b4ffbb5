/* The bad-input table: one row per bad input across the whole C API. Each row is a
 * call, the status it must return, and a word its npy_last_error() message must
 * contain. For every row the harness also checks that a failed call's
 * out-parameters are NULL (never a stale or half-built handle) and that the call
 * wrote nothing: the recursive listing (names, kinds, sizes) of the store and of a
 * directory outside it is the same before and after.
 *
 * Fixtures made before the table runs: numpy-exact objects put through the API,
 * hand-made malformed objects, an object-dtype (pickled) object, symbolic links
 * pointing out of the store, an open writer and a finished one.
 *
 * On Windows (scripts/windows.sh builds it with mingw and runs it under Wine) the
 * table is the same; the link rows run only where CreateSymbolicLinkA makes real
 * links, which Wine 8.0 does not (it reports success and makes nothing).
 *
 * With an S3 server configured (NPYSTORE_S3_*, scripts/s3-server.sh; test.sh's c
 * stage starts moto), as in test_bulk.c, a second table runs the remote failures:
 * an endpoint that refuses connections, one that never answers, wrong credentials
 * and a missing bucket, each under short timeouts. Those rows must also fail within
 * REMOTE_DEADLINE_S seconds and their messages must contain neither secret key.
 *
 * Freeing a handle twice is undefined behaviour (documented in npystore.h); freeing
 * NULL is a no-op for every handle type (checked at the end). */
#ifndef _WIN32
#define _XOPEN_SOURCE 700
#endif
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The OS-specific parts (sockets, links, folders, the recursive listing, a clock)
 * have a Windows branch (Winsock, CreateSymbolicLinkA, FindFirstFileA) and the POSIX
 * one; the table is the same on both, but for the link rows (see link_table). */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <direct.h>
typedef SOCKET socket_fd;
#define NO_SOCKET INVALID_SOCKET
#define close_socket closesocket
#else
#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
typedef int socket_fd;
#define NO_SOCKET (-1)
#define close_socket close
#endif

static char dir[4096], outside[4096], config[8192];
static npy_store *store;
static npy_ref *good, *zero_d, *missing;
static npy_target *path_target, *schema_target, *escape_target;
static npy_writer *w_open, *w_done;
static double data[4] = {1, 2, 3, 4};
static double buf[8];
static uint64_t shape22[2] = {2, 2};

/* Out-parameters the calls write; the harness sets each to SENTINEL first. */
#define SENTINEL ((void *)1)
static npy_store *o_store;
static npy_ref *o_ref;
static npy_target *o_target;
static npy_array *o_array;
static npy_mapping *o_map;
static npy_writer *o_writer;

/* ---- OS-specific helpers ---------------------------------------------------------- */

#ifdef _WIN32
static int make_dir(const char *path) { return _mkdir(path); }
static double now_s(void) { return (double)GetTickCount64() / 1e3; }
/* Winsock must be started before the first socket call. */
static void sockets_start(void) {
  WSADATA wsa;
  REQUIRE(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
}
static void sockets_stop(void) { WSACleanup(); }
#else
static int make_dir(const char *path) { return mkdir(path, 0777); }
static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static void sockets_start(void) {}
static void sockets_stop(void) {}
#endif

/* Whether make_fixtures made the three links (always on POSIX; on Windows only where
 * CreateSymbolicLinkA makes real ones: with developer mode or the privilege, and not
 * under Wine 8.0, whose CreateSymbolicLinkA succeeds without making anything). */
static bool links_made;

/* A symbolic link `name` in the store pointing at `target` (a folder when `is_dir`).
 * Returns false on Windows when no link could be made; on POSIX it must work. */
static bool make_link(const char *target, const char *name, bool is_dir) {
  char link[8192];
  snprintf(link, sizeof link, "%s/%s", dir, name);
#ifdef _WIN32
  /* Windows link targets take backslashes. */
  char native[8192];
  snprintf(native, sizeof native, "%s", target);
  for (char *c = native; *c; c++)
    if (*c == '/') *c = '\\';
  DWORD flags = SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE | (is_dir ? SYMBOLIC_LINK_FLAG_DIRECTORY : 0);
  if (!CreateSymbolicLinkA(link, native, flags)) return false;
  DWORD attrs = GetFileAttributesA(link);
  return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
#else
  (void)is_dir;
  REQUIRE(symlink(target, link) == 0);
  return true;
#endif
}

/* ---- fixtures ---------------------------------------------------------------- */

static void write_file(const char *name, const void *bytes, size_t n) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  REQUIRE(f != NULL);
  REQUIRE(fwrite(bytes, 1, n, f) == n);
  fclose(f);
}

/* A format 1.0 .npy preamble for `dict` (padded as numpy pads), then `tail`. */
static void write_npy(const char *name, const char *dict, const void *tail, size_t tail_len) {
  unsigned char out[512];
  size_t dict_len = strlen(dict);
  size_t total = (10 + dict_len + 1 + 63) / 64 * 64;
  REQUIRE(total + tail_len <= sizeof out);
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (unsigned char)((total - 10) & 0xff);
  out[9] = (unsigned char)((total - 10) >> 8);
  memcpy(out + 10, dict, dict_len);
  memset(out + 10 + dict_len, ' ', total - 10 - dict_len - 1);
  out[total - 1] = '\n';
  memcpy(out + total, tail, tail_len);
  write_file(name, out, total + tail_len);
}

/* A file holding a string literal's bytes (without its terminating NUL). */
#define WRITE_LITERAL(name, literal) write_file((name), (literal), sizeof(literal) - 1)

static void make_fixtures(void) {
  REQUIRE_STATUS(npy_target_path("good.npy", &path_target), NPY_OK);
  REQUIRE_STATUS(npy_put(store, path_target, data, sizeof data, "<f8", shape22, 2, NPY_ORDER_C, 0, &good), NPY_OK);
  npy_target *t = NULL;
  REQUIRE_STATUS(npy_target_path("zero.npy", &t), NPY_OK);
  REQUIRE_STATUS(npy_put(store, t, data, 8, "<f8", NULL, 0, NPY_ORDER_C, 0, &zero_d), NPY_OK);
  npy_target_free(t);
  REQUIRE_STATUS(npy_ref_from_json(store, "{\"path\": \"missing.npy\", \"dtype\": \"float64\", \"shape\": [1]}",
                                   &missing),
                 NPY_OK);
  REQUIRE_STATUS(npy_target_schema("lab", "rec", "a", &schema_target), NPY_OK);
  REQUIRE_STATUS(npy_target_path("escape/new.npy", &escape_target), NPY_OK);

  const char *f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  write_npy("trunc.npy", f8, data, 16);
  double five[5] = {0};
  write_npy("overlong.npy", f8, five, sizeof five);
  write_npy("baddict.npy", "{'descr': <f8, 'shape': (2, 2)}", data, sizeof data);
  write_npy("badshape.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -2), }", data, sizeof data);
  write_npy("hugeshape.npy",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 1099511627776, 16), }", data,
            sizeof data);
  write_npy("object.npy", "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "\x80\x04N.", 4);
  WRITE_LITERAL("pickle.pkl", "\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01K\x02\x86\x94.");
  WRITE_LITERAL("badmagic.npy", "\x93NUMPX\x01\x00\x10\x00{}              ");
  WRITE_LITERAL("badversion.npy", "\x93NUMPY\x09\x00\x10\x00{}              ");
  WRITE_LITERAL("hugeheader.npy", "\x93NUMPY\x02\x00\xf0\xff\xff\xff{");
  WRITE_LITERAL("empty.npy", "");

  char sub[8192];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  REQUIRE(make_dir(sub) == 0);

  /* Links out of the store: a folder and a file, and one that stays inside. */
  char target[8192];
  snprintf(target, sizeof target, "%s/secret.npy", outside);
  FILE *f = fopen(target, "wb");
  REQUIRE(f != NULL);
  fclose(f);
  links_made = make_link(outside, "escape", true) && make_link(target, "link.npy", false) &&
               make_link("good.npy", "inside.npy", false);

  /* An open writer (its temporary file exists from here on) and a finished one. */
  uint64_t row[1] = {2};
  REQUIRE_STATUS(npy_target_path("w_open.npy", &t), NPY_OK);
  REQUIRE_STATUS(npy_writer_open(store, t, "<f8", row, 1, NPY_ORDER_C, 0, &w_open), NPY_OK);
  npy_target_free(t);
  REQUIRE_STATUS(npy_target_path("w_done.npy", &t), NPY_OK);
  REQUIRE_STATUS(npy_writer_open(store, t, "<f8", row, 1, NPY_ORDER_C, 0, &w_done), NPY_OK);
  npy_target_free(t);
  REQUIRE_STATUS(npy_writer_append(w_done, data, 16), NPY_OK);
  npy_ref *done = NULL;
  REQUIRE_STATUS(npy_writer_finish(w_done, &done), NPY_OK);
  npy_ref_free(done);
}

/* ---- the rows ------------------------------------------------------------------ */

static const char *s_out;
static bool b_out;
static uint64_t u_out;
static void *p_out;

/* NULL handles and out-pointers */
static npy_status open_null_out(void) { return npy_store_open(config, NULL, NULL); }
static npy_status store_name_null(void) { return npy_store_name(NULL, &s_out); }
static npy_status store_exists_null_out(void) { return npy_store_exists(store, "good.npy", NULL); }
static npy_status store_exists_null_path(void) { return npy_store_exists(store, NULL, &b_out); }
static npy_status store_delete_null_store(void) { return npy_store_delete(NULL, "good.npy"); }
static npy_status from_json_null_json(void) { return npy_ref_from_json(store, NULL, &o_ref); }
static npy_status from_json_null_store(void) { return npy_ref_from_json(NULL, "{}", &o_ref); }
static npy_status ref_open_null_out(void) { return npy_ref_open(store, "good.npy", NULL); }
static npy_status load_null_out(void) { return npy_ref_load(good, NPY_ORDER_C, NULL); }
static npy_status load_null_ref(void) { return npy_ref_load(NULL, NPY_ORDER_C, &o_array); }
static npy_status load_into_null_buf(void) { return npy_ref_load_into(good, NULL, 32, NPY_ORDER_C); }
static npy_status load_into_null_ref(void) { return npy_ref_load_into(NULL, buf, 32, NPY_ORDER_C); }
static npy_status rows_null_buf(void) { return npy_ref_read_rows(good, 0, 1, NULL, 16, NPY_ORDER_C); }
static npy_status mmap_null_out(void) { return npy_ref_load_mmap(good, "r", NULL, &p_out, NULL, NULL); }
static npy_status mmap_null_mode(void) { return npy_ref_load_mmap(good, NULL, &o_map, NULL, NULL, NULL); }
static npy_status array_data_null(void) { return npy_array_data(NULL, &p_out, &u_out); }
static npy_status mapping_data_null(void) { return npy_mapping_data(NULL, &p_out, &u_out, NULL); }
static npy_status mapping_path_null(void) { return npy_mapping_path(NULL, &s_out); }
static npy_status read_header_null(void) { return npy_ref_read_header(NULL); }
static npy_status read_header_mismatch(void) {
  npy_ref *r = NULL;
  npy_status s = npy_ref_from_json(store, "{\"path\": \"good.npy\", \"dtype\": \"int64\", \"shape\": [2, 2]}", &r);
  if (s == NPY_OK) s = npy_ref_read_header(r);
  npy_ref_free(r);
  return s;
}
static npy_status put_null_store(void) {
  return npy_put(NULL, path_target, data, 32, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_null_target(void) {
  return npy_put(store, NULL, data, 32, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_null_data(void) {
  return npy_put(store, schema_target, NULL, 32, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_null_shape(void) {
  return npy_put(store, schema_target, data, 32, "<f8", NULL, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_null_dtype(void) {
  return npy_put(store, schema_target, data, 32, NULL, shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_null_out(void) {
  return npy_put(store, schema_target, data, 32, "<f8", shape22, 2, NPY_ORDER_C, 0, NULL);
}
static npy_status target_null_schema(void) { return npy_target_schema(NULL, "t", "a", &o_target); }
static npy_status target_null_path(void) { return npy_target_path(NULL, &o_target); }
static npy_status key_null_target(void) { return npy_target_key_int(NULL, "k", 1); }
static npy_status key_null_name(void) { return npy_target_key_int(schema_target, NULL, 1); }
static npy_status key_null_value(void) { return npy_target_key_string(schema_target, "s", NULL); }
static npy_status writer_open_null_target(void) {
  uint64_t row[1] = {2};
  return npy_writer_open(store, NULL, "<f8", row, 1, NPY_ORDER_C, 0, &o_writer);
}
static npy_status writer_append_null(void) { return npy_writer_append(NULL, data, 16); }
static npy_status writer_append_null_data(void) { return npy_writer_append(w_open, NULL, 16); }
static npy_status writer_rows_null_out(void) { return npy_writer_rows(w_open, NULL); }
static npy_status getter_null_out(void) { return npy_ref_nbytes(good, NULL); }

/* wrong lengths */
static npy_status put_short_data(void) {
  return npy_put(store, schema_target, data, 24, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_huge_nbytes(void) {
  return npy_put(store, schema_target, data, UINT64_MAX, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_huge_ndim(void) {
  return npy_put(store, schema_target, data, 32, "<f8", shape22, SIZE_MAX, NPY_ORDER_C, 0, &o_ref);
}
static npy_status load_into_short(void) { return npy_ref_load_into(good, buf, 31, NPY_ORDER_C); }
static npy_status rows_short_buf(void) { return npy_ref_read_rows(good, 0, 1, buf, 8, NPY_ORDER_C); }
static npy_status writer_partial_row(void) { return npy_writer_append(w_open, data, 12); }

/* huge counts: refused before any array is read or anything allocated or written */
#define UNTOUCHED ((npy_status)77)
static npy_status bulk_statuses[4];
static npy_status bulk_count(size_t n, npy_status *statuses) {
  const npy_ref *refs[1] = {good};
  void *bufs[1] = {buf};
  uint64_t lens[1] = {32};
  for (size_t i = 0; i < 4; i++) bulk_statuses[i] = UNTOUCHED;
  npy_status s = npy_refs_load_into(refs, bufs, lens, n, NPY_ORDER_C, 0, NULL, NULL, statuses);
  for (size_t i = 0; i < 4; i++) CHECK(bulk_statuses[i] == UNTOUCHED);
  return s;
}
static npy_status bulk_n_size_max(void) { return bulk_count(SIZE_MAX, bulk_statuses); }
static npy_status bulk_n_size_max_no_statuses(void) { return bulk_count(SIZE_MAX, NULL); }
static npy_status bulk_n_pointers_overflow(void) { return bulk_count(SIZE_MAX / sizeof(void *) + 1, bulk_statuses); }
static npy_status bulk_n_over_ptrdiff(void) {
  return bulk_count((size_t)PTRDIFF_MAX / sizeof(void *) + 1, bulk_statuses);
}
static npy_status bulk_n_statuses_overflow(void) { return bulk_count(SIZE_MAX / sizeof(npy_status) + 1, bulk_statuses); }
static uint64_t ones[65] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static npy_status put_ndim_65(void) {
  return npy_put(store, schema_target, data, 8, "<f8", ones, 65, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_ndim_pointers_overflow(void) {
  return npy_put(store, schema_target, data, 32, "<f8", shape22, SIZE_MAX / sizeof(uint64_t) + 1, NPY_ORDER_C, 0,
                 &o_ref);
}
static npy_status writer_row_ndim_64(void) {
  return npy_writer_open(store, schema_target, "<f8", ones, 64, NPY_ORDER_C, 0, &o_writer);
}
static npy_status writer_row_ndim_huge(void) {
  return npy_writer_open(store, schema_target, "<f8", ones, SIZE_MAX, NPY_ORDER_FORTRAN, 0, &o_writer);
}
static npy_status rows_huge_count(void) { return npy_ref_read_rows(good, 0, UINT64_MAX, buf, 32, NPY_ORDER_C); }
static npy_status rows_end_overflows(void) {
  return npy_ref_read_rows(good, 2, UINT64_MAX - 1, buf, 32, NPY_ORDER_C);
}
static npy_status rows_huge_buf_len(void) { return npy_ref_read_rows(good, 0, 1, buf, UINT64_MAX, NPY_ORDER_C); }
static npy_status put_elements_2_64(void) {
  uint64_t s2[2] = {UINT64_C(1) << 32, UINT64_C(1) << 32};
  return npy_put(store, schema_target, data, 32, "<f8", s2, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_bytes_2_64(void) {
  uint64_t s1[1] = {UINT64_C(1) << 61};
  return npy_put(store, schema_target, data, 32, "<f8", s1, 1, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_struct_bytes_2_64(void) {
  uint64_t s1[1] = {UINT64_C(1) << 60};
  return npy_put(store, schema_target, data, 32, "[('a', '<f8'), ('b', '<f8')]", s1, 1, NPY_ORDER_C, 0, &o_ref);
}
static npy_status writer_row_bytes_2_64(void) {
  uint64_t r1[1] = {UINT64_C(1) << 61};
  return npy_writer_open(store, schema_target, "<f8", r1, 1, NPY_ORDER_C, 0, &o_writer);
}
static npy_status json_bytes_2_64(void) {
  return npy_ref_from_json(store, "{\"path\": \"good.npy\", \"dtype\": \"float64\", \"shape\": [2305843009213693952]}",
                           &o_ref);
}

/* dtypes and shapes */
static npy_status put_unknown_dtype(void) {
  return npy_put(store, schema_target, data, 32, "float99", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_empty_dtype(void) {
  return npy_put(store, schema_target, data, 32, " ", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_malformed_struct(void) {
  return npy_put(store, schema_target, data, 32, "[('x', '<f8')", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_object_dtype(void) {
  return npy_put(store, schema_target, data, 32, "|O", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status put_object_field(void) {
  return npy_put(store, schema_target, data, 32, "[('a', '<f8'), ('b', '|O')]", shape22, 2, NPY_ORDER_C, 0,
                 &o_ref);
}
static npy_status put_overflowing_shape(void) {
  uint64_t huge[3] = {UINT64_C(1) << 40, UINT64_C(1) << 40, 16};
  return npy_put(store, schema_target, data, 32, "<f8", huge, 3, NPY_ORDER_C, 0, &o_ref);
}
static npy_status writer_overflowing_row(void) {
  uint64_t huge[2] = {UINT64_MAX, 4};
  return npy_writer_open(store, schema_target, "<f8", huge, 2, NPY_ORDER_C, 0, &o_writer);
}
static npy_status writer_empty_row(void) {
  uint64_t none[1] = {0};
  return npy_writer_open(store, schema_target, "<f8", none, 1, NPY_ORDER_C, 0, &o_writer);
}
static npy_status json_overflowing_shape(void) {
  return npy_ref_from_json(
      store, "{\"path\": \"good.npy\", \"dtype\": \"float64\", \"shape\": [1099511627776, 1099511627776, 16]}",
      &o_ref);
}
static npy_status json_object_dtype(void) {
  return npy_ref_from_json(store, "{\"path\": \"object.npy\", \"dtype\": \"object\", \"shape\": [1]}", &o_ref);
}
static npy_status rows_of_0d(void) { return npy_ref_read_rows(zero_d, 0, 1, buf, 8, NPY_ORDER_C); }
static npy_status mismatch_dtype(void) {
  npy_ref *r = NULL;
  npy_status s = npy_ref_from_json(store, "{\"path\": \"good.npy\", \"dtype\": \"float32\", \"shape\": [2, 2]}", &r);
  if (s == NPY_OK) s = npy_ref_load_into(r, buf, 16, NPY_ORDER_C);
  npy_ref_free(r);
  return s;
}
static npy_status mismatch_shape_mmap(void) {
  npy_ref *r = NULL;
  npy_status s = npy_ref_from_json(store, "{\"path\": \"good.npy\", \"dtype\": \"float64\", \"shape\": [4]}", &r);
  if (s == NPY_OK) s = npy_ref_load_mmap(r, "r", &o_map, NULL, NULL, NULL);
  npy_ref_free(r);
  return s;
}

/* malformed and truncated objects, object dtype, pickles */
static npy_status open_truncated(void) { return npy_ref_open(store, "trunc.npy", &o_ref); }
static npy_status open_overlong(void) { return npy_ref_open(store, "overlong.npy", &o_ref); }
static npy_status open_bad_dict(void) { return npy_ref_open(store, "baddict.npy", &o_ref); }
static npy_status open_negative_dim(void) { return npy_ref_open(store, "badshape.npy", &o_ref); }
static npy_status open_huge_shape(void) { return npy_ref_open(store, "hugeshape.npy", &o_ref); }
static npy_status open_bad_magic(void) { return npy_ref_open(store, "badmagic.npy", &o_ref); }
static npy_status open_bad_version(void) { return npy_ref_open(store, "badversion.npy", &o_ref); }
static npy_status open_huge_header(void) { return npy_ref_open(store, "hugeheader.npy", &o_ref); }
static npy_status open_empty_file(void) { return npy_ref_open(store, "empty.npy", &o_ref); }
static npy_status open_object_array(void) { return npy_ref_open(store, "object.npy", &o_ref); }
static npy_status open_raw_pickle(void) { return npy_ref_open(store, "pickle.pkl", &o_ref); }
static npy_status mmap_truncated(void) {
  npy_ref *r = NULL;
  npy_status s = npy_ref_from_json(store, "{\"path\": \"trunc.npy\", \"dtype\": \"float64\", \"shape\": [2, 2]}", &r);
  if (s == NPY_OK) s = npy_ref_load_mmap(r, "r", &o_map, NULL, NULL, NULL);
  npy_ref_free(r);
  return s;
}

/* traversal, absolute paths, NUL, links out of the store */
static npy_status schema_dotdot(void) { return npy_target_schema("..", "t", "a", &o_target); }
static npy_status table_slash(void) { return npy_target_schema("lab", "t/../x", "a", &o_target); }
static npy_status attribute_dotdot(void) { return npy_target_schema("lab", "t", "..", &o_target); }
static npy_status schema_empty(void) { return npy_target_schema("", "t", "a", &o_target); }
static npy_status key_name_slash(void) { return npy_target_key_int(schema_target, "a/b", 1); }
static npy_status key_name_backslash(void) { return npy_target_key_int(schema_target, "a\\b", 1); }
static npy_status path_dotdot(void) { return npy_target_path("../x.npy", &o_target); }
static npy_status path_absolute(void) { return npy_target_path("/etc/x.npy", &o_target); }
static npy_status path_empty_component(void) { return npy_target_path("a//b.npy", &o_target); }
static npy_status path_dot(void) { return npy_target_path("a/./b.npy", &o_target); }
static npy_status path_trailing_slash(void) { return npy_target_path("a/", &o_target); }
static npy_status path_backslash(void) { return npy_target_path("a\\b.npy", &o_target); }
static npy_status path_empty(void) { return npy_target_path("", &o_target); }
static npy_status exists_dotdot(void) { return npy_store_exists(store, "../x", &b_out); }
static npy_status delete_absolute(void) { return npy_store_delete(store, "/etc/passwd"); }
static npy_status ref_open_dotdot(void) { return npy_ref_open(store, "a/../../x.npy", &o_ref); }
static npy_status json_path_dotdot(void) {
  return npy_ref_from_json(store, "{\"path\": \"../../etc/passwd\", \"dtype\": \"uint8\", \"shape\": [1]}", &o_ref);
}
static npy_status json_path_nul(void) {
  return npy_ref_from_json(store, "{\"path\": \"good.npy\\u0000x\", \"dtype\": \"float64\", \"shape\": [2, 2]}",
                           &o_ref);
}
static npy_status open_through_dir_link(void) { return npy_ref_open(store, "escape/secret.npy", &o_ref); }
static npy_status open_file_link(void) { return npy_ref_open(store, "link.npy", &o_ref); }
static npy_status exists_through_dir_link(void) { return npy_store_exists(store, "escape/secret.npy", &b_out); }
static npy_status delete_through_dir_link(void) { return npy_store_delete(store, "escape/secret.npy"); }
static npy_status put_through_dir_link(void) {
  return npy_put(store, escape_target, data, 32, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status writer_through_dir_link(void) {
  uint64_t row[1] = {2};
  return npy_writer_open(store, escape_target, "<f8", row, 1, NPY_ORDER_C, 0, &o_writer);
}
static npy_status mmap_file_link(void) {
  npy_ref *r = NULL;
  npy_status s = npy_ref_from_json(store, "{\"path\": \"link.npy\", \"dtype\": \"float64\", \"shape\": [2, 2]}", &r);
  if (s == NPY_OK) s = npy_ref_load_mmap(r, "r+", &o_map, NULL, NULL, NULL);
  npy_ref_free(r);
  return s;
}

/* configuration and store names */
static npy_status config_not_json(void) { return npy_store_open("{not json", NULL, &o_store); }
static npy_status config_top_not_object(void) { return npy_store_open("{\"stores\": [1]}", NULL, &o_store); }
static npy_status config_no_location(void) {
  return npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"file\"}}}", "main", &o_store);
}
static npy_status config_unknown_key(void) {
  return npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"file\", \"location\": \"/x\", \"foo\": 1}}}", "main",
                        &o_store);
}
static npy_status config_unknown_protocol(void) {
  return npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"ftp\", \"location\": \"/x\"}}}", "main", &o_store);
}
static npy_status config_default_not_string(void) {
  return npy_store_open("{\"stores\": {\"default\": 3, \"main\": {\"protocol\": \"memory\"}}}", NULL, &o_store);
}
static npy_status config_bad_token_length(void) {
  return npy_store_open("{\"stores\": {\"m\": {\"protocol\": \"memory\", \"token_length\": \"x\"}}}", "m", &o_store);
}
static npy_status config_location_missing(void) {
  return npy_store_open("{\"stores\": {\"main\": {\"protocol\": \"file\", \"location\": \"/no/such/dir\"}}}", "main",
                        &o_store);
}
static char file_location_config[8192];
static npy_status config_location_is_file(void) { return npy_store_open(file_location_config, "main", &o_store); }
static npy_status config_file_missing(void) { return npy_store_open("/no/such/datajoint.json", NULL, &o_store); }
static npy_status store_unknown(void) { return npy_store_open(config, "archive", &o_store); }
static npy_status store_name_bad_utf8(void) {
  static const char bad[] = {(char)0xff, (char)0xfe, 0};
  return npy_store_open(config, bad, &o_store);
}
static npy_status json_other_store(void) {
  return npy_ref_from_json(store, "{\"path\": \"good.npy\", \"store\": \"other\", \"dtype\": \"float64\", \"shape\": [2, 2]}",
                           &o_ref);
}

/* DataJoint JSON */
static npy_status json_truncated(void) { return npy_ref_from_json(store, "{\"path\": \"x.npy\"", &o_ref); }
static npy_status json_no_shape(void) {
  return npy_ref_from_json(store, "{\"path\": \"x.npy\", \"dtype\": \"float64\"}", &o_ref);
}
static npy_status json_negative_dim(void) {
  return npy_ref_from_json(store, "{\"path\": \"x.npy\", \"dtype\": \"float64\", \"shape\": [-1]}", &o_ref);
}
static npy_status json_bad_dtype(void) {
  return npy_ref_from_json(store, "{\"path\": \"x.npy\", \"dtype\": \"nope\", \"shape\": [2]}", &o_ref);
}
static npy_status json_deep_nesting(void) {
  static char deep[2000];
  memset(deep, '[', sizeof deep - 1);
  return npy_ref_from_json(store, deep, &o_ref);
}

/* keys */
static npy_status key_twice(void) {
  npy_target *t = NULL;
  npy_status s = npy_target_schema("lab", "t", "a", &t);
  if (s == NPY_OK) s = npy_target_key_int(t, "k", 1);
  if (s == NPY_OK) s = npy_target_key_int(t, "k", 2);
  npy_target_free(t);
  return s;
}
static npy_status key_on_path_target(void) { return npy_target_key_int(path_target, "k", 1); }
static npy_status key_bad_date(void) {
  npy_target *t = NULL;
  npy_status s = npy_target_schema("lab", "t", "a", &t);
  if (s == NPY_OK) s = npy_target_key_date(t, "d", 2024, 13, 1);
  if (s == NPY_OK) s = npy_put(store, t, data, 8, "<f8", NULL, 0, NPY_ORDER_C, 0, &o_ref);
  npy_target_free(t);
  return s;
}
static npy_status key_bad_datetime(void) {
  npy_target *t = NULL;
  npy_status s = npy_target_schema("lab", "t", "a", &t);
  if (s == NPY_OK) s = npy_target_key_datetime(t, "d", 2024, 2, 30, 1, 2, 3, 0);
  if (s == NPY_OK) s = npy_put(store, t, data, 8, "<f8", NULL, 0, NPY_ORDER_C, 0, &o_ref);
  npy_target_free(t);
  return s;
}

/* missing objects */
static npy_status open_missing(void) { return npy_ref_open(store, "missing.npy", &o_ref); }
static npy_status delete_missing(void) { return npy_store_delete(store, "missing.npy"); }
static npy_status ref_delete_missing(void) { return npy_ref_delete(missing); }
static npy_status load_missing(void) { return npy_ref_load(missing, NPY_ORDER_C, &o_array); }
static npy_status mmap_missing(void) { return npy_ref_load_mmap(missing, "r", &o_map, NULL, NULL, NULL); }
static npy_status open_directory(void) { return npy_ref_open(store, "sub", &o_ref); }

/* arguments out of range */
static npy_status put_unknown_order(void) {
  return npy_put(store, schema_target, data, 32, "<f8", shape22, 2, 7, 0, &o_ref);
}
static npy_status put_as_stored_order(void) {
  return npy_put(store, schema_target, data, 32, "<f8", shape22, 2, NPY_ORDER_AS_STORED, 0, &o_ref);
}
static npy_status put_unknown_flags(void) {
  return npy_put(store, schema_target, data, 32, "<f8", shape22, 2, NPY_ORDER_C, 64, &o_ref);
}
static npy_status put_existing(void) {
  return npy_put(store, path_target, data, 32, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status load_unknown_order(void) { return npy_ref_load(good, 9, &o_array); }
static npy_status rows_out_of_range(void) { return npy_ref_read_rows(good, 1, 2, buf, 32, NPY_ORDER_C); }
static npy_status rows_overflowing(void) { return npy_ref_read_rows(good, UINT64_MAX, 2, buf, 32, NPY_ORDER_C); }
/* npy_ref_read_slice of `good` (2 x 2 float64) */
static uint64_t s_start[2] = {0, 1}, s_count[2] = {2, 1};
static uint64_t s_past[2] = {1, 2}, s_huge[2] = {UINT64_MAX, 1}, s_one[1] = {1};
static npy_status slice_ndim_mismatch(void) {
  return npy_ref_read_slice(good, 1, s_start, s_count, buf, 64, NPY_ORDER_C);
}
static npy_status slice_past_the_end(void) {
  return npy_ref_read_slice(good, 2, s_start, s_past, buf, 64, NPY_ORDER_C);
}
static npy_status slice_overflowing(void) {
  return npy_ref_read_slice(good, 2, s_huge, s_count, buf, 64, NPY_ORDER_C);
}
static npy_status slice_short_cap(void) {
  return npy_ref_read_slice(good, 2, s_start, s_count, buf, 15, NPY_ORDER_C);
}
static npy_status slice_null_start(void) {
  return npy_ref_read_slice(good, 2, NULL, s_count, buf, 64, NPY_ORDER_C);
}
static npy_status slice_null_count(void) {
  return npy_ref_read_slice(good, 2, s_start, NULL, buf, 64, NPY_ORDER_C);
}
static npy_status slice_null_buf(void) {
  return npy_ref_read_slice(good, 2, s_start, s_count, NULL, 16, NPY_ORDER_C);
}
static npy_status slice_null_ref(void) {
  return npy_ref_read_slice(NULL, 2, s_start, s_count, buf, 64, NPY_ORDER_C);
}
static npy_status slice_unknown_order(void) {
  return npy_ref_read_slice(good, 2, s_start, s_count, buf, 64, 9);
}
static npy_status slice_of_missing(void) {
  return npy_ref_read_slice(missing, 1, s_start, s_one, buf, 64, NPY_ORDER_C);
}
static npy_status merge_gap_null_out(void) { return npy_store_merge_gap(store, NULL); }
static npy_status merge_gap_null_store(void) { return npy_store_merge_gap(NULL, &u_out); }
static npy_status set_merge_gap_null_store(void) { return npy_store_set_merge_gap(NULL, 0); }
static npy_status mmap_unknown_mode(void) { return npy_ref_load_mmap(good, "w", &o_map, NULL, NULL, NULL); }

/* writer misuse */
static npy_status writer_append_finished(void) { return npy_writer_append(w_done, data, 16); }
static npy_status writer_finish_twice(void) { return npy_writer_finish(w_done, &o_ref); }
static npy_status writer_abort_finished(void) { return npy_writer_abort(w_done); }
static npy_status writer_rows_finished(void) { return npy_writer_rows(w_done, &u_out); }
static npy_status writer_existing_path(void) {
  uint64_t row[1] = {2};
  return npy_writer_open(store, path_target, "<f8", row, 1, NPY_ORDER_C, 0, &o_writer);
}
static npy_status writer_as_stored_order(void) {
  uint64_t row[1] = {2};
  return npy_writer_open(store, schema_target, "<f8", row, 1, NPY_ORDER_AS_STORED, 0, &o_writer);
}
static npy_status writer_object_dtype(void) {
  uint64_t row[1] = {2};
  return npy_writer_open(store, schema_target, "|O", row, 1, NPY_ORDER_C, 0, &o_writer);
}

struct bad_case {
  const char *name;
  npy_status (*call)(void);
  npy_status want;
  const char *needle; /* a word the message must contain */
};

#define ROW(fn, status, needle) {#fn, fn, status, needle}

static const struct bad_case table[] = {
    /* NULL handles and out-pointers */
    ROW(open_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(store_name_null, NPY_ERR_INVALID_ARGUMENT, "store"),
    ROW(store_exists_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(store_exists_null_path, NPY_ERR_INVALID_ARGUMENT, "path"),
    ROW(store_delete_null_store, NPY_ERR_INVALID_ARGUMENT, "store"),
    ROW(from_json_null_json, NPY_ERR_INVALID_ARGUMENT, "json"),
    ROW(from_json_null_store, NPY_ERR_INVALID_ARGUMENT, "store"),
    ROW(ref_open_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(load_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(load_null_ref, NPY_ERR_INVALID_ARGUMENT, "NULL"),
    ROW(load_into_null_buf, NPY_ERR_INVALID_ARGUMENT, "buf"),
    ROW(load_into_null_ref, NPY_ERR_INVALID_ARGUMENT, "NULL"),
    ROW(rows_null_buf, NPY_ERR_INVALID_ARGUMENT, "buf"),
    ROW(mmap_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(mmap_null_mode, NPY_ERR_INVALID_ARGUMENT, "mode"),
    ROW(array_data_null, NPY_ERR_INVALID_ARGUMENT, "array"),
    ROW(mapping_data_null, NPY_ERR_INVALID_ARGUMENT, "mapping"),
    ROW(mapping_path_null, NPY_ERR_INVALID_ARGUMENT, "mapping"),
    ROW(read_header_null, NPY_ERR_INVALID_ARGUMENT, "ref"),
    ROW(read_header_mismatch, NPY_ERR_MISMATCH, "int64"),
    ROW(put_null_store, NPY_ERR_INVALID_ARGUMENT, "store"),
    ROW(put_null_target, NPY_ERR_INVALID_ARGUMENT, "target"),
    ROW(put_null_data, NPY_ERR_INVALID_ARGUMENT, "data"),
    ROW(put_null_shape, NPY_ERR_INVALID_ARGUMENT, "shape"),
    ROW(put_null_dtype, NPY_ERR_INVALID_ARGUMENT, "dtype"),
    ROW(put_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(target_null_schema, NPY_ERR_INVALID_ARGUMENT, "schema"),
    ROW(target_null_path, NPY_ERR_INVALID_ARGUMENT, "path"),
    ROW(key_null_target, NPY_ERR_INVALID_ARGUMENT, "target"),
    ROW(key_null_name, NPY_ERR_INVALID_ARGUMENT, "name"),
    ROW(key_null_value, NPY_ERR_INVALID_ARGUMENT, "value"),
    ROW(writer_open_null_target, NPY_ERR_INVALID_ARGUMENT, "target"),
    ROW(writer_append_null, NPY_ERR_INVALID_ARGUMENT, "writer"),
    ROW(writer_append_null_data, NPY_ERR_INVALID_ARGUMENT, "data"),
    ROW(writer_rows_null_out, NPY_ERR_INVALID_ARGUMENT, "rows"),
    ROW(getter_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    /* wrong lengths */
    ROW(put_short_data, NPY_ERR_LENGTH, "24 bytes"),
    ROW(put_huge_nbytes, NPY_ERR_LENGTH, "address space"),
    ROW(put_huge_ndim, NPY_ERR_SHAPE, "at most 64"),
    ROW(load_into_short, NPY_ERR_LENGTH, "31"),
    ROW(rows_short_buf, NPY_ERR_LENGTH, "8 bytes"),
    ROW(writer_partial_row, NPY_ERR_LENGTH, "12"),
    /* huge counts */
    ROW(bulk_n_size_max, NPY_ERR_LENGTH, "address space"),
    ROW(bulk_n_size_max_no_statuses, NPY_ERR_LENGTH, "address space"),
    ROW(bulk_n_pointers_overflow, NPY_ERR_LENGTH, "address space"),
    ROW(bulk_n_over_ptrdiff, NPY_ERR_LENGTH, "address space"),
    ROW(bulk_n_statuses_overflow, NPY_ERR_LENGTH, "address space"),
    ROW(put_ndim_65, NPY_ERR_SHAPE, "at most 64"),
    ROW(put_ndim_pointers_overflow, NPY_ERR_SHAPE, "at most 64"),
    ROW(writer_row_ndim_64, NPY_ERR_SHAPE, "at most 63"),
    ROW(writer_row_ndim_huge, NPY_ERR_SHAPE, "at most 63"),
    ROW(rows_huge_count, NPY_ERR_INVALID_ARGUMENT, "out of range"),
    ROW(rows_end_overflows, NPY_ERR_INVALID_ARGUMENT, "out of range"),
    ROW(rows_huge_buf_len, NPY_ERR_LENGTH, "address space"),
    ROW(put_elements_2_64, NPY_ERR_SHAPE, "overflow"),
    ROW(put_bytes_2_64, NPY_ERR_SHAPE, "overflow"),
    ROW(put_struct_bytes_2_64, NPY_ERR_SHAPE, "overflow"),
    ROW(writer_row_bytes_2_64, NPY_ERR_SHAPE, "overflow"),
    ROW(json_bytes_2_64, NPY_ERR_SHAPE, "overflow"),
    /* dtypes and shapes */
    ROW(put_unknown_dtype, NPY_ERR_DTYPE, "float99"),
    ROW(put_empty_dtype, NPY_ERR_DTYPE, "empty"),
    ROW(put_malformed_struct, NPY_ERR_DTYPE, "malformed"),
    ROW(put_object_dtype, NPY_ERR_OBJECT_DTYPE, "object"),
    ROW(put_object_field, NPY_ERR_OBJECT_DTYPE, "object"),
    ROW(put_overflowing_shape, NPY_ERR_SHAPE, "overflow"),
    ROW(writer_overflowing_row, NPY_ERR_SHAPE, "overflow"),
    ROW(writer_empty_row, NPY_ERR_SHAPE, "no bytes"),
    ROW(json_overflowing_shape, NPY_ERR_SHAPE, "overflow"),
    ROW(json_object_dtype, NPY_ERR_OBJECT_DTYPE, "object"),
    ROW(rows_of_0d, NPY_ERR_SHAPE, "0-d"),
    ROW(mismatch_dtype, NPY_ERR_MISMATCH, "float32"),
    ROW(mismatch_shape_mmap, NPY_ERR_MISMATCH, "shape"),
    /* malformed and truncated objects, object dtype, pickles */
    ROW(open_truncated, NPY_ERR_FORMAT, "truncated"),
    ROW(open_overlong, NPY_ERR_FORMAT, "longer"),
    ROW(open_bad_dict, NPY_ERR_FORMAT, "baddict.npy"),
    ROW(open_negative_dim, NPY_ERR_SHAPE, "negative"),
    ROW(open_huge_shape, NPY_ERR_SHAPE, "overflow"),
    ROW(open_bad_magic, NPY_ERR_FORMAT, "magic"),
    ROW(open_bad_version, NPY_ERR_FORMAT, "version"),
    ROW(open_huge_header, NPY_ERR_FORMAT, "header"),
    ROW(open_empty_file, NPY_ERR_FORMAT, "truncated"),
    ROW(open_object_array, NPY_ERR_OBJECT_DTYPE, "object"),
    ROW(open_raw_pickle, NPY_ERR_OBJECT_DTYPE, "pickle"),
    ROW(mmap_truncated, NPY_ERR_FORMAT, "truncated"),
    /* traversal, absolute paths, NUL, links out of the store */
    ROW(schema_dotdot, NPY_ERR_PATH, ".."),
    ROW(table_slash, NPY_ERR_PATH, "table"),
    ROW(attribute_dotdot, NPY_ERR_PATH, "attribute"),
    ROW(schema_empty, NPY_ERR_PATH, "empty"),
    ROW(key_name_slash, NPY_ERR_PATH, "key"),
    ROW(key_name_backslash, NPY_ERR_PATH, "key"),
    ROW(path_dotdot, NPY_ERR_PATH, ".."),
    ROW(path_absolute, NPY_ERR_PATH, "absolute"),
    ROW(path_empty_component, NPY_ERR_PATH, "empty component"),
    ROW(path_dot, NPY_ERR_PATH, "'.'"),
    ROW(path_trailing_slash, NPY_ERR_PATH, "ends with"),
    ROW(path_backslash, NPY_ERR_PATH, "backslash"),
    ROW(path_empty, NPY_ERR_PATH, "empty"),
    ROW(exists_dotdot, NPY_ERR_PATH, ".."),
    ROW(delete_absolute, NPY_ERR_PATH, "absolute"),
    ROW(ref_open_dotdot, NPY_ERR_PATH, ".."),
    ROW(json_path_dotdot, NPY_ERR_PATH, ".."),
    ROW(json_path_nul, NPY_ERR_PATH, "NUL"),
    /* configuration and store names */
    ROW(config_not_json, NPY_ERR_CONFIG, "inline JSON"),
    ROW(config_top_not_object, NPY_ERR_CONFIG, "stores"),
    ROW(config_no_location, NPY_ERR_CONFIG, "location"),
    ROW(config_unknown_key, NPY_ERR_CONFIG, "foo"),
    ROW(config_unknown_protocol, NPY_ERR_CONFIG, "ftp"),
    ROW(config_default_not_string, NPY_ERR_CONFIG, "default"),
    ROW(config_bad_token_length, NPY_ERR_CONFIG, "token_length"),
    ROW(config_location_missing, NPY_ERR_NOT_FOUND, "/no/such/dir"),
    ROW(config_location_is_file, NPY_ERR_NOT_FOUND, "directory"),
    ROW(config_file_missing, NPY_ERR_NOT_FOUND, "/no/such/datajoint.json"),
    ROW(store_unknown, NPY_ERR_STORE_NOT_CONFIGURED, "archive"),
    ROW(store_name_bad_utf8, NPY_ERR_INVALID_ARGUMENT, "UTF-8"),
    ROW(json_other_store, NPY_ERR_MISMATCH, "other"),
    /* DataJoint JSON */
    ROW(json_truncated, NPY_ERR_JSON, "JSON"),
    ROW(json_no_shape, NPY_ERR_JSON, "shape"),
    ROW(json_negative_dim, NPY_ERR_JSON, "-1"),
    ROW(json_bad_dtype, NPY_ERR_DTYPE, "nope"),
    ROW(json_deep_nesting, NPY_ERR_JSON, "JSON"),
    /* keys */
    ROW(key_twice, NPY_ERR_INVALID_ARGUMENT, "already"),
    ROW(key_on_path_target, NPY_ERR_STATE, "path target"),
    ROW(key_bad_date, NPY_ERR_INVALID_ARGUMENT, "13"),
    ROW(key_bad_datetime, NPY_ERR_INVALID_ARGUMENT, "30"),
    /* missing objects */
    ROW(open_missing, NPY_ERR_NOT_FOUND, "missing.npy"),
    ROW(delete_missing, NPY_ERR_NOT_FOUND, "missing.npy"),
    ROW(ref_delete_missing, NPY_ERR_NOT_FOUND, "missing.npy"),
    ROW(load_missing, NPY_ERR_NOT_FOUND, "missing.npy"),
    ROW(mmap_missing, NPY_ERR_NOT_FOUND, "missing.npy"),
    ROW(open_directory, NPY_ERR_IO, "directory"),
    /* arguments out of range */
    ROW(put_unknown_order, NPY_ERR_INVALID_ARGUMENT, "order"),
    ROW(put_as_stored_order, NPY_ERR_INVALID_ARGUMENT, "order"),
    ROW(put_unknown_flags, NPY_ERR_INVALID_ARGUMENT, "flags"),
    ROW(put_existing, NPY_ERR_ALREADY_EXISTS, "good.npy"),
    ROW(load_unknown_order, NPY_ERR_INVALID_ARGUMENT, "order"),
    ROW(rows_out_of_range, NPY_ERR_INVALID_ARGUMENT, "out of range"),
    ROW(slice_ndim_mismatch, NPY_ERR_INVALID_ARGUMENT, "the array has 2 axes"),
    ROW(slice_past_the_end, NPY_ERR_INVALID_ARGUMENT, "axis 1: 1..3 is out of range"),
    ROW(slice_overflowing, NPY_ERR_INVALID_ARGUMENT, "overflows"),
    ROW(slice_short_cap, NPY_ERR_LENGTH, "15 bytes"),
    ROW(slice_null_start, NPY_ERR_INVALID_ARGUMENT, "start"),
    ROW(slice_null_count, NPY_ERR_INVALID_ARGUMENT, "count"),
    ROW(slice_null_buf, NPY_ERR_INVALID_ARGUMENT, "buf"),
    ROW(slice_null_ref, NPY_ERR_INVALID_ARGUMENT, "ref"),
    ROW(slice_unknown_order, NPY_ERR_INVALID_ARGUMENT, "order"),
    ROW(slice_of_missing, NPY_ERR_NOT_FOUND, "missing.npy"),
    ROW(merge_gap_null_out, NPY_ERR_INVALID_ARGUMENT, "out"),
    ROW(merge_gap_null_store, NPY_ERR_INVALID_ARGUMENT, "store"),
    ROW(set_merge_gap_null_store, NPY_ERR_INVALID_ARGUMENT, "store"),
    ROW(rows_overflowing, NPY_ERR_INVALID_ARGUMENT, "out of range"),
    ROW(mmap_unknown_mode, NPY_ERR_INVALID_ARGUMENT, "mmap mode"),
    /* writer misuse */
    ROW(writer_append_finished, NPY_ERR_STATE, "finished"),
    ROW(writer_finish_twice, NPY_ERR_STATE, "finished"),
    ROW(writer_abort_finished, NPY_ERR_STATE, "finished"),
    ROW(writer_rows_finished, NPY_ERR_STATE, "finished"),
    ROW(writer_existing_path, NPY_ERR_ALREADY_EXISTS, "good.npy"),
    ROW(writer_as_stored_order, NPY_ERR_INVALID_ARGUMENT, "order"),
    ROW(writer_object_dtype, NPY_ERR_OBJECT_DTYPE, "object"),
};

/* Links out of the store, run when make_fixtures could make them. On POSIX the store
 * refuses a link that leads outside; on Windows it follows no link at all. */
#ifdef _WIN32
#define LINK_REFUSED "symbolic link"
#else
#define LINK_REFUSED "outside"
#endif
static const struct bad_case link_table[] = {
    ROW(open_through_dir_link, NPY_ERR_PATH, LINK_REFUSED),
    ROW(open_file_link, NPY_ERR_PATH, LINK_REFUSED),
    ROW(exists_through_dir_link, NPY_ERR_PATH, LINK_REFUSED),
    ROW(delete_through_dir_link, NPY_ERR_PATH, LINK_REFUSED),
    ROW(put_through_dir_link, NPY_ERR_PATH, LINK_REFUSED),
    ROW(writer_through_dir_link, NPY_ERR_PATH, LINK_REFUSED),
    ROW(mmap_file_link, NPY_ERR_PATH, LINK_REFUSED),
};

/* ---- remote rows (S3) ------------------------------------------------------------ */

/* Short timeouts, so an unreachable endpoint fails fast; the deadline allows for the
 * retry's backoff and for valgrind. */
#define REMOTE_SETTINGS "\"connect_timeout_ms\": 500, \"request_timeout_ms\": 1000, \"retries\": 1"
#define REMOTE_DEADLINE_S 15.0
static const char wrong_secret[] = "WrongSecretKey0123456789abcdefNotThisOne";
static const char *s3_secret;
static npy_store *s3_refused, *s3_silent, *s3_wrong_key, *s3_no_bucket;
static socket_fd silent_fd = NO_SOCKET;

static npy_store *open_s3(const char *endpoint, const char *bucket, const char *access, const char *secret) {
  char cfg[4096];
  snprintf(cfg, sizeof cfg,
           "{\"stores\": {\"r\": {\"protocol\": \"s3\", \"endpoint\": \"%s\", \"bucket\": \"%s\", "
           "\"location\": \"c-bad-inputs\", \"access_key\": \"%s\", \"secret_key\": \"%s\"}}, "
           "\"npystore\": {\"defaults\": {" REMOTE_SETTINGS "}}}",
           endpoint, bucket, access, secret);
  npy_store *s = NULL;
  REQUIRE_STATUS(npy_store_open(cfg, "r", &s), NPY_OK); /* opening sends nothing */
  return s;
}

/* A loopback TCP socket on a free port: listening (accepts connections, never
 * answers) or closed again (connections refused). Returns the port. */
static int loopback_port(socket_fd *keep_listening_fd) {
  socket_fd fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd != NO_SOCKET);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  REQUIRE(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  if (keep_listening_fd) {
    REQUIRE(listen(fd, 16) == 0);
    *keep_listening_fd = fd;
  } else {
    close_socket(fd);
  }
  return ntohs(a.sin_port);
}

static npy_status s3_refused_open(void) { return npy_ref_open(s3_refused, "a.npy", &o_ref); }
static npy_status s3_refused_put(void) {
  return npy_put(s3_refused, path_target, data, sizeof data, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status s3_silent_open(void) { return npy_ref_open(s3_silent, "a.npy", &o_ref); }
static npy_status s3_silent_exists(void) { return npy_store_exists(s3_silent, "a.npy", &b_out); }
static npy_status s3_wrong_key_open(void) { return npy_ref_open(s3_wrong_key, "a.npy", &o_ref); }
static npy_status s3_wrong_key_put(void) {
  return npy_put(s3_wrong_key, path_target, data, sizeof data, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}
static npy_status s3_no_bucket_open(void) { return npy_ref_open(s3_no_bucket, "a.npy", &o_ref); }
static npy_status s3_no_bucket_exists(void) { return npy_store_exists(s3_no_bucket, "a.npy", &b_out); }
static npy_status s3_no_bucket_put(void) {
  return npy_put(s3_no_bucket, path_target, data, sizeof data, "<f8", shape22, 2, NPY_ORDER_C, 0, &o_ref);
}

static const struct bad_case remote_table[] = {
    ROW(s3_refused_open, NPY_ERR_NETWORK, "127.0.0.1"),
    ROW(s3_refused_put, NPY_ERR_NETWORK, "127.0.0.1"),
    ROW(s3_silent_open, NPY_ERR_TIMEOUT, "timed out"),
    ROW(s3_silent_exists, NPY_ERR_TIMEOUT, "timed out"),
    ROW(s3_wrong_key_open, NPY_ERR_PERMISSION_DENIED, "privileges"),
    ROW(s3_wrong_key_put, NPY_ERR_PERMISSION_DENIED, "privileges"),
    ROW(s3_no_bucket_open, NPY_ERR_BUCKET_NOT_FOUND, "s3://npystore-no-such-bucket"),
    ROW(s3_no_bucket_exists, NPY_ERR_BUCKET_NOT_FOUND, "s3://npystore-no-such-bucket"),
    ROW(s3_no_bucket_put, NPY_ERR_BUCKET_NOT_FOUND, "s3://npystore-no-such-bucket"),
};

/* ---- the harness --------------------------------------------------------------- */

/* The recursive listing of a folder: path, kind and size per entry, links not followed. */
static char listing[65536];
static size_t listing_len;
static void list_add(const char *path, unsigned kind, long long size) {
  int n = snprintf(listing + listing_len, sizeof listing - listing_len, "%s %o %lld\n", path, kind, size);
  if (n > 0 && (size_t)n < sizeof listing - listing_len) listing_len += (size_t)n;
}
#ifdef _WIN32
/* Kind: the directory and reparse-point attributes; a reparse point (link, junction)
 * is listed, not entered. Returns 0, or -1 when `path` cannot be listed. */
static int list_tree(const char *path) {
  char pattern[8192];
  snprintf(pattern, sizeof pattern, "%s/*", path);
  WIN32_FIND_DATAA e;
  HANDLE h = FindFirstFileA(pattern, &e);
  if (h == INVALID_HANDLE_VALUE) return -1;
  int rc = 0;
  do {
    if (strcmp(e.cFileName, ".") == 0 || strcmp(e.cFileName, "..") == 0) continue;
    char child[8192];
    snprintf(child, sizeof child, "%s/%s", path, e.cFileName);
    unsigned kind = (unsigned)(e.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT));
    bool is_dir = (e.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    long long size = is_dir ? 0LL : (long long)(((unsigned long long)e.nFileSizeHigh << 32) | e.nFileSizeLow);
    list_add(child, kind, size);
    if (kind == FILE_ATTRIBUTE_DIRECTORY && list_tree(child) != 0) rc = -1;
  } while (FindNextFileA(h, &e));
  if (GetLastError() != ERROR_NO_MORE_FILES) rc = -1;
  FindClose(h);
  return rc;
}
#else
/* Kind: the file-type bits of st_mode. */
static int list_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)flag;
  (void)ftw;
  list_add(path, (unsigned)(st->st_mode & S_IFMT), S_ISDIR(st->st_mode) ? 0LL : (long long)st->st_size);
  return 0;
}
static int list_tree(const char *path) { return nftw(path, list_entry, 16, FTW_PHYS); }
#endif
static char *snapshot(void) {
  listing_len = 0;
  listing[0] = 0;
  REQUIRE(list_tree(dir) == 0);
  REQUIRE(list_tree(outside) == 0);
  return strdup(listing);
}

/* `remote`: the rows also fail within REMOTE_DEADLINE_S and leak no secret key. */
static void run_table(const struct bad_case *rows_of, size_t rows, bool remote) {
  for (size_t i = 0; i < rows; i++) {
    const struct bad_case *c = &rows_of[i];
    char *before = snapshot();
    o_store = SENTINEL, o_ref = SENTINEL, o_target = SENTINEL;
    o_array = SENTINEL, o_map = SENTINEL, o_writer = SENTINEL;
    double start = now_s();
    npy_status got = c->call();
    double took = now_s() - start;
    if (remote) {
      const char *message = npy_last_error();
      check_count_++;
      if (took > REMOTE_DEADLINE_S) {
        check_failed_++;
        fprintf(stderr, "%s: took %.1f s, over the %.0f s deadline\n", c->name, took, REMOTE_DEADLINE_S);
      }
      check_count_++;
      if (strstr(message, s3_secret) != NULL || strstr(message, wrong_secret) != NULL) {
        check_failed_++;
        fprintf(stderr, "%s: the message holds a secret key\n", c->name);
      }
    }
    check_count_++;
    if (got != c->want) {
      check_failed_++;
      fprintf(stderr, "%s: returned %s, expected %s; last error: \"%s\"\n", c->name, npy_status_name(got),
              npy_status_name(c->want), npy_last_error());
    }
    check_count_++;
    if (strstr(npy_last_error(), c->needle) == NULL) {
      check_failed_++;
      fprintf(stderr, "%s: last error \"%s\" lacks \"%s\"\n", c->name, npy_last_error(), c->needle);
    }
    /* A failed call leaves every out-parameter it was given NULL, never a handle. */
    check_count_++;
    void *outs[] = {o_store, o_ref, o_target, o_array, o_map, o_writer};
    for (size_t k = 0; k < sizeof outs / sizeof *outs; k++) {
      if (outs[k] != SENTINEL && outs[k] != NULL) {
        check_failed_++;
        fprintf(stderr, "%s: out-parameter %zu holds %p after a failure\n", c->name, k, outs[k]);
        break;
      }
    }
    char *after = snapshot();
    check_count_++;
    if (strcmp(before, after) != 0) {
      check_failed_++;
      fprintf(stderr, "%s: the store changed.\nbefore:\n%safter:\n%s", c->name, before, after);
    }
    free(before);
    free(after);
  }
  fprintf(stderr, "%zu bad inputs%s\n", rows, remote ? " on S3" : "");
}

static void run_remote_if_configured(void) {
  const char *endpoint = getenv("NPYSTORE_S3_ENDPOINT");
  const char *bucket = getenv("NPYSTORE_S3_BUCKET");
  const char *access = getenv("NPYSTORE_S3_ACCESS_KEY");
  s3_secret = getenv("NPYSTORE_S3_SECRET_KEY");
  if (!endpoint || !bucket || !access || !s3_secret) {
    printf("test_bad_inputs: no S3 server configured; file store only\n");
    return;
  }
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", loopback_port(NULL));
  s3_refused = open_s3(url, bucket, access, s3_secret);
  snprintf(url, sizeof url, "http://127.0.0.1:%d", loopback_port(&silent_fd));
  s3_silent = open_s3(url, bucket, access, s3_secret);
  s3_wrong_key = open_s3(endpoint, bucket, access, wrong_secret);
  s3_no_bucket = open_s3(endpoint, "npystore-no-such-bucket", access, s3_secret);
  /* A server that takes any key (not moto as s3-server.sh starts it): no wrong-key rows. */
  bool checks_auth = getenv("NPYSTORE_S3_CHECKS_AUTH") != NULL;
  struct bad_case rows[sizeof remote_table / sizeof *remote_table];
  size_t n = 0;
  for (size_t i = 0; i < sizeof remote_table / sizeof *remote_table; i++) {
    if (checks_auth || strncmp(remote_table[i].name, "s3_wrong_key", 12) != 0) rows[n++] = remote_table[i];
  }
  run_table(rows, n, true);
  npy_store_free(s3_refused);
  npy_store_free(s3_silent);
  npy_store_free(s3_wrong_key);
  npy_store_free(s3_no_bucket);
  close_socket(silent_fd);
}

int main(void) {
  snprintf(dir, sizeof dir, "%s", check_tmpdir());
  snprintf(outside, sizeof outside, "%s", check_tmpdir());
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}", dir);
  snprintf(file_location_config, sizeof file_location_config,
           "{\"stores\": {\"main\": {\"protocol\": \"file\", \"location\": \"%s/good.npy\"}}}", dir);
  REQUIRE_STATUS(npy_store_open(config, NULL, &store), NPY_OK);
  make_fixtures();

  if (links_made) {
    /* A link that stays inside the store is followed on POSIX; Windows follows none. */
    npy_ref *inside = NULL;
#ifdef _WIN32
    CHECK_STATUS(npy_ref_open(store, "inside.npy", &inside), NPY_ERR_PATH);
    CHECK(inside == NULL);
#else
    CHECK_STATUS(npy_ref_open(store, "inside.npy", &inside), NPY_OK);
    CHECK_STATUS(npy_ref_load_into(inside, buf, 32, NPY_ORDER_C), NPY_OK);
    CHECK(memcmp(buf, data, 32) == 0);
#endif
    npy_ref_free(inside);
  }

  /* 64 dimensions, numpy's limit, are fine (the rows refuse 65). */
  npy_ref *dims64 = NULL;
  CHECK_STATUS(npy_put(store, schema_target, data, 8, "<f8", ones, 64, NPY_ORDER_C, 0, &dims64), NPY_OK);
  npy_ref_free(dims64);

  run_table(table, sizeof table / sizeof *table, false);
  if (links_made) {
    run_table(link_table, sizeof link_table / sizeof *link_table, false);
  } else {
    printf("test_bad_inputs: no symbolic links can be made here; %zu link rows not run\n",
           sizeof link_table / sizeof *link_table);
  }
  sockets_start();
  run_remote_if_configured();
  sockets_stop();

  npy_writer_free(w_open); /* aborts: its temporary file goes */
  npy_writer_free(w_done);
  npy_ref_free(good);
  npy_ref_free(zero_d);
  npy_ref_free(missing);
  npy_target_free(path_target);
  npy_target_free(schema_target);
  npy_target_free(escape_target);
  /* free(NULL) is a no-op for every handle type. */
  npy_store_free(NULL);
  npy_target_free(NULL);
  npy_ref_free(NULL);
  npy_array_free(NULL);
  npy_mapping_free(NULL);
  npy_writer_free(NULL);
  npy_store_free(store);
  return check_done();
}
