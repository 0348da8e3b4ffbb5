/* Errors and argument checking for the npystore MEX: every value MATLAB passes is
 * checked here before the library sees it, so no input can crash the host. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nsm.h"

/* Raised through error(struct('identifier', ..., 'message', ...)) rather than
 * mexErrMsgIdAndTxt, which in Octave puts "npystore_mex: " before the text: every
 * message of the binding starts "npystore: " whichever layer raises it (the .m
 * classes raise theirs through npystore.internal.fail). */
void nsm_fail(const char *code, const char *fmt, ...) {
  static char id[96];
  static char msg[2048];
  static const char prefix[] = "npystore: ";
  va_list ap;
  va_start(ap, fmt);
  memcpy(msg, prefix, sizeof prefix);
  vsnprintf(msg + sizeof prefix - 1, sizeof msg - sizeof prefix + 1, fmt, ap);
  va_end(ap);
  snprintf(id, sizeof id, "npystore:%s", code);
  static const char *fields[] = {"identifier", "message"};
  mxArray *err = mxCreateStructMatrix(1, 1, 2, fields);
  mxSetField(err, 0, "identifier", mxCreateString(id));
  mxSetField(err, 0, "message", mxCreateString(msg));
  mexCallMATLAB(0, NULL, 1, &err, "error");
  mexErrMsgIdAndTxt(id, "%s", msg); /* not reached: error() does not return */
}

void nsm_check(npy_status st) {
  if (st != NPY_OK) nsm_fail(npy_status_name(st), "%s", npy_last_error());
}

char *nsm_string(const mxArray *a, const char *what, int allow_empty) {
  if (!a) nsm_fail("invalid_argument", "%s is missing", what);
  if (allow_empty && mxIsEmpty(a) && !mxIsChar(a)) return NULL;
  if (!mxIsChar(a) || (mxGetM(a) > 1 && !mxIsEmpty(a)) || mxGetNumberOfDimensions(a) > 2)
    nsm_fail("invalid_argument", "%s must be a character row vector", what);
  char *s = nsm_utf8(a);
  if (!s) nsm_fail("invalid_argument", "%s is not valid text", what);
  return s;
}

double nsm_scalar(const mxArray *a, const char *what) {
  if (!a || !(mxIsNumeric(a) || mxIsLogical(a)) || mxIsComplex(a) || mxGetNumberOfElements(a) != 1 ||
      mxIsSparse(a))
    nsm_fail("invalid_argument", "%s must be a real numeric scalar", what);
  return mxGetScalar(a);
}

static uint64_t count_value(double v, const char *what) {
  if (!(v >= 0) || v != floor(v) || v > 9007199254740992.0)
    nsm_fail("invalid_argument", "%s must be a non-negative integer, not %g", what, v);
  return (uint64_t)v;
}

uint64_t nsm_count(const mxArray *a, const char *what) {
  return count_value(nsm_scalar(a, what), what);
}

uint64_t *nsm_shape(const mxArray *a, const char *what, size_t *n) {
  *n = 0;
  if (!a || !mxIsDouble(a) || mxIsComplex(a) || mxIsSparse(a) ||
      (!mxIsEmpty(a) && mxGetM(a) != 1 && mxGetN(a) != 1))
    nsm_fail("invalid_argument", "%s must be a real double vector", what);
  size_t len = mxGetNumberOfElements(a);
  if (len == 0) return NULL;
  if (len > 64) nsm_fail("shape", "%s has %zu dimensions; at most 64 are allowed", what, len);
  const double *v = (const double *)mxGetData(a);
  uint64_t *out = (uint64_t *)mxMalloc(len * sizeof *out);
  for (size_t i = 0; i < len; i++) out[i] = count_value(v[i], what);
  *n = len;
  return out;
}

mxArray *nsm_string_out(const char *s) { return mxCreateString(s ? s : ""); }

mxArray *nsm_shape_out(const uint64_t *shape, size_t n) {
  mxArray *out = mxCreateDoubleMatrix(1, n, mxREAL);
  double *v = (double *)mxGetData(out);
  for (size_t i = 0; i < n; i++) v[i] = (double)shape[i];
  return out;
}
