/* npystore quickstart: store an array the way DataJoint's <npy@main> does, get the
 * JSON DataJoint keeps in its table, and read the array back three ways.
 *
 *   quickstart STORE_DIR      (scripts/quickstart.sh builds and runs it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <npystore.h>

/* `text` as the body of a JSON string (no quotes) in `out`: backslashes (as in a
 * Windows location, C:\data or \\server\share), quotes and control characters are
 * escaped. Leaves when it does not fit. */
static void json_escape(const char *text, char *out, size_t size) {
  size_t n = 0;
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    char piece[8];
    if (*c == '\\' || *c == '"') {
      snprintf(piece, sizeof piece, "\\%c", *c);
    } else if (*c < 0x20) {
      snprintf(piece, sizeof piece, "\\u%04x", *c);
    } else {
      snprintf(piece, sizeof piece, "%c", *c);
    }
    size_t len = strlen(piece);
    if (n + len >= size) {
      fprintf(stderr, "store location too long: %s\n", text);
      exit(2);
    }
    memcpy(out + n, piece, len);
    n += len;
  }
  out[n] = '\0';
}

/* Print the failing call and the library's explanation, then leave. */
static void check(npy_status status, const char *what) {
  if (status != NPY_OK) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, npy_last_error(), npy_status_name(status));
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s STORE_DIR\n", argv[0]);
    return 2;
  }

  /* 1. Open the store. NULL config would discover datajoint.json like DataJoint;
   *    here the config is inline JSON naming a local file store, its location
   *    escaped as a JSON string. */
  char location[2048], config[4096];
  json_escape(argv[1], location, sizeof location);
  snprintf(config, sizeof config,
           "{\"stores\": {\"default\": \"main\", \"main\": {\"protocol\": \"file\", \"location\": \"%s\"}}}",
           location);
  npy_store *store = NULL;
  check(npy_store_open(config, NULL, &store), "npy_store_open");

  /* 2. Put a 2x3 float32 array for the row (subject="m01", session=3) of table
   *    lab.recording, attribute waveform: DataJoint's schema-addressed path. */
  float waveform[2][3] = {{0.5f, 1.5f, 2.5f}, {3.5f, 4.5f, 5.5f}};
  uint64_t shape[2] = {2, 3};
  npy_target *target = NULL;
  check(npy_target_schema("lab", "recording", "waveform", &target), "npy_target_schema");
  check(npy_target_key_string(target, "subject", "m01"), "npy_target_key_string");
  check(npy_target_key_int(target, "session", 3), "npy_target_key_int");
  npy_ref *written = NULL;
  check(npy_put(store, target, waveform, sizeof waveform, "float32", shape, 2, NPY_ORDER_C, 0, &written),
        "npy_put");
  npy_target_free(target);

  /* 3. The JSON DataJoint stores in its table row. */
  const char *json = NULL;
  check(npy_ref_to_json(written, &json), "npy_ref_to_json");
  printf("stored: %s\n", json);

  /* 4. A lazy reference from that JSON: shape and dtype with no I/O. */
  npy_ref *ref = NULL;
  check(npy_ref_from_json(store, json, &ref), "npy_ref_from_json");
  const uint64_t *dims = NULL;
  size_t ndim = 0;
  const char *dtype = NULL;
  check(npy_ref_shape(ref, &dims, &ndim), "npy_ref_shape");
  check(npy_ref_dtype(ref, &dtype), "npy_ref_dtype");
  printf("shape: (%llu, %llu), dtype: %s\n", (unsigned long long)dims[0], (unsigned long long)dims[1], dtype);

  /* 5a. Load into our own buffer, converted to column-major (as MATLAB wants it). */
  float column_major[6];
  check(npy_ref_load_into(ref, column_major, sizeof column_major, NPY_ORDER_FORTRAN), "npy_ref_load_into");
  printf("column-major:");
  for (int i = 0; i < 6; i++) printf(" %g", column_major[i]);
  printf("\n");

  /* 5b. Or into library memory. */
  npy_array *array = NULL;
  void *data = NULL;
  uint64_t nbytes = 0;
  check(npy_ref_load(ref, NPY_ORDER_C, &array), "npy_ref_load");
  check(npy_array_data(array, &data, &nbytes), "npy_array_data");
  printf("loaded %llu bytes, last value %g\n", (unsigned long long)nbytes, ((float *)data)[5]);
  npy_array_free(array);

  /* 5c. Or memory-map the stored file itself (read-only). */
  npy_mapping *map = NULL;
  uint64_t offset = 0;
  check(npy_ref_load_mmap(ref, "r", &map, &data, &nbytes, &offset), "npy_ref_load_mmap");
  printf("mapped %llu bytes at file offset %llu, first value %g\n", (unsigned long long)nbytes,
         (unsigned long long)offset, ((const float *)data)[0]);
  npy_mapping_free(map);

  npy_ref_free(ref);
  npy_ref_free(written);
  npy_store_free(store);
  return 0;
}
