/* Write targets from MATLAB specs: {'path', p} or
 * {'schema', schema, table, attribute, keys}; keys is an n-by-3 cell of
 * {name, kind, value} rows built by npystore.Store (kinds: int, uint, float, bool,
 * string, date [y m d], datetime [y m d H M S us]). */
#include <math.h>
#include <string.h>

#include "nsm.h"

/* A target under construction is freed before any error leaves. */
static npy_target *building;

static void check_key(npy_status st) {
  if (st == NPY_OK) return;
  npy_target_free(building);
  building = NULL;
  nsm_check(st);
}

static void bad_key(const char *name, const char *why) {
  npy_target_free(building);
  building = NULL;
  nsm_fail("invalid_argument", "key field '%s': %s", name, why);
}

static double key_scalar(const char *name, const mxArray *v) {
  if (!(mxIsNumeric(v) || mxIsLogical(v)) || mxIsComplex(v) || mxGetNumberOfElements(v) != 1)
    bad_key(name, "must be a real scalar");
  return mxGetScalar(v);
}

static void key_int(const char *name, const mxArray *v) {
  if (mxGetClassID(v) == mxINT64_CLASS && mxGetNumberOfElements(v) == 1 && !mxIsComplex(v)) {
    check_key(npy_target_key_int(building, name, *(const int64_t *)mxGetData(v)));
    return;
  }
  double d = key_scalar(name, v);
  if (d != floor(d) || fabs(d) > 9007199254740992.0) bad_key(name, "is not an integer");
  check_key(npy_target_key_int(building, name, (int64_t)d));
}

static void key_uint(const char *name, const mxArray *v) {
  if (mxGetClassID(v) == mxUINT64_CLASS && mxGetNumberOfElements(v) == 1 && !mxIsComplex(v)) {
    check_key(npy_target_key_uint(building, name, *(const uint64_t *)mxGetData(v)));
    return;
  }
  double d = key_scalar(name, v);
  if (d != floor(d) || d < 0 || d > 9007199254740992.0)
    bad_key(name, "is not a non-negative integer");
  check_key(npy_target_key_uint(building, name, (uint64_t)d));
}

/* The fields of a date or datetime key: a real double vector of `n` values. */
static const double *key_parts(const char *name, const mxArray *v, size_t n) {
  if (!mxIsDouble(v) || mxIsComplex(v) || mxGetNumberOfElements(v) != n)
    bad_key(name, n == 3 ? "a date must be [year month day]"
                         : "a datetime must be [year month day hour minute second microsecond]");
  const double *p = (const double *)mxGetData(v);
  for (size_t i = 0; i < n; i++)
    if (p[i] != floor(p[i]) || (i > 0 && p[i] < 0) || fabs(p[i]) > 2147483647.0)
      bad_key(name, "date and time parts must be integers in range");
  return p;
}

static void add_key(const mxArray *keys, size_t row, size_t rows) {
  const mxArray *n = mxGetCell(keys, row), *k = mxGetCell(keys, row + rows),
                *v = mxGetCell(keys, row + 2 * rows);
  if (!n || !k || !v || !mxIsChar(n) || !mxIsChar(k)) bad_key("?", "malformed key row");
  char *name = nsm_utf8(n), *kind = nsm_utf8(k);
  if (!name || !kind) bad_key("?", "names must be text");
  if (!strcmp(kind, "int")) key_int(name, v);
  else if (!strcmp(kind, "uint")) key_uint(name, v);
  else if (!strcmp(kind, "float"))
    check_key(npy_target_key_float(building, name, key_scalar(name, v)));
  else if (!strcmp(kind, "bool"))
    check_key(npy_target_key_bool(building, name, key_scalar(name, v) != 0));
  else if (!strcmp(kind, "string")) {
    if (!mxIsChar(v) || mxGetM(v) > 1) bad_key(name, "a string key must be a character row");
    char *s = nsm_utf8(v);
    if (!s) bad_key(name, "is not valid text");
    check_key(npy_target_key_string(building, name, s));
    mxFree(s);
  } else if (!strcmp(kind, "date")) {
    const double *p = key_parts(name, v, 3);
    check_key(npy_target_key_date(building, name, (int32_t)p[0], (uint32_t)p[1], (uint32_t)p[2]));
  } else if (!strcmp(kind, "datetime")) {
    const double *p = key_parts(name, v, 7);
    check_key(npy_target_key_datetime(building, name, (int32_t)p[0], (uint32_t)p[1],
                                        (uint32_t)p[2], (uint32_t)p[3], (uint32_t)p[4],
                                        (uint32_t)p[5], (uint32_t)p[6]));
  } else
    bad_key(name, "unknown key kind");
  mxFree(name);
  mxFree(kind);
}

static npy_target *schema_target(const mxArray *spec) {
  char *schema = nsm_string(mxGetCell(spec, 1), "schema", 0);
  char *table = nsm_string(mxGetCell(spec, 2), "table", 0);
  char *attribute = nsm_string(mxGetCell(spec, 3), "attribute", 0);
  const mxArray *keys = mxGetCell(spec, 4);
  if (!keys || !mxIsCell(keys) || (!mxIsEmpty(keys) && mxGetN(keys) != 3))
    nsm_fail("invalid_argument", "key must be an n-by-3 cell {name, kind, value}");
  nsm_check(npy_target_schema(schema, table, attribute, &building));
  size_t rows = mxIsEmpty(keys) ? 0 : mxGetM(keys);
  for (size_t r = 0; r < rows; r++) add_key(keys, r, rows);
  npy_target *t = building;
  building = NULL;
  return t;
}

npy_target *nsm_target(const mxArray *spec) {
  size_t n = mxIsCell(spec) ? mxGetNumberOfElements(spec) : 0;
  char *kind = n ? nsm_string(mxGetCell(spec, 0), "target kind", 0) : NULL;
  if (kind && !strcmp(kind, "path") && n == 2) {
    npy_target *t = NULL;
    nsm_check(npy_target_path(nsm_string(mxGetCell(spec, 1), "path", 0), &t));
    return t;
  }
  if (kind && !strcmp(kind, "schema") && n == 5) return schema_target(spec);
  nsm_fail("invalid_argument", "a target is {'path', p} or {'schema', s, table, attribute, keys}");
  return NULL;
}
