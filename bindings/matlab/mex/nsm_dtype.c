/* numpy dtypes <-> MATLAB classes.
 *
 * Loads: b1 -> logical; i1..i8, u1..u8 -> int8..uint64; f2 -> single (converted);
 * f4 -> single; f8 -> double; c8/c16 -> complex single/double; M8/m8 -> int64
 * (numpy's raw counts, unit in ref.dtype); U -> char. Non-native byte orders are
 * swapped after loading. Structured, bytes, void, long double: npystore:dtype here;
 * the .m layer loads all but long double from their bytes (nsm_bytes.c).
 * Puts: the same classes back, in native byte order. */
#include <stdio.h>
#include <string.h>

#include "nsm.h"

static int host_little(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}

char nsm_native_order(void) { return host_little() ? '<' : '>'; }

static mxClassID int_class(char kind, uint64_t size) {
  static const mxClassID s[] = {mxINT8_CLASS, mxINT16_CLASS, mxINT32_CLASS, mxINT64_CLASS};
  static const mxClassID u[] = {mxUINT8_CLASS, mxUINT16_CLASS, mxUINT32_CLASS, mxUINT64_CLASS};
  int k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
  if (k < 0) return mxUNKNOWN_CLASS;
  return kind == 'i' ? s[k] : u[k];
}

static mxClassID float_class(uint64_t size, nsm_conv *conv) {
  if (size == 2) *conv = NSM_HALF;
  return size == 2 || size == 4 ? mxSINGLE_CLASS : size == 8 ? mxDOUBLE_CLASS : mxUNKNOWN_CLASS;
}

int nsm_type_lookup(const char *descr, nsm_type *t) {
  memset(t, 0, sizeof *t);
  t->cls = mxUNKNOWN_CLASS;
  /* The descr is a Python literal: '<f8' (quoted) or a structured list. */
  size_t len = strlen(descr);
  if (len >= 4 && descr[0] == '\'' && descr[len - 1] == '\'') {
    char order = descr[1], kind = descr[2];
    uint64_t size = 0;
    const char *p = descr + 3;
    while (*p >= '0' && *p <= '9') size = size * 10 + (uint64_t)(*p++ - '0');
    int native = order == '|' || order == '=' || (order == '<') == host_little();
    t->itemsize = size;
    switch (kind) {
    case 'b': t->cls = size == 1 ? mxLOGICAL_CLASS : mxUNKNOWN_CLASS; break;
    case 'i':
    case 'u': t->cls = int_class(kind, size); break;
    case 'f': t->cls = float_class(size, &t->conv); break;
    case 'c':
      t->complex = 1;
      t->cls = float_class(size / 2, &t->conv);
      if (t->conv == NSM_HALF) t->cls = mxUNKNOWN_CLASS; /* numpy has no complex32 */
      break;
    case 'M':
    case 'm': t->cls = size == 8 ? mxINT64_CLASS : mxUNKNOWN_CLASS; break;
    case 'U': /* the size counts characters of 4 bytes */
      t->itemsize = size * 4;
      t->cls = mxCHAR_CLASS;
      t->conv = NSM_UNICODE;
      break;
    default: break;
    }
    t->swap = !native && t->cls != mxUNKNOWN_CLASS;
  }
  return t->cls != mxUNKNOWN_CLASS;
}

int nsm_byte_elements(const char *descr) {
  return descr[0] == '[' ||
         (descr[0] == '\'' && descr[1] && (descr[2] == 'S' || descr[2] == 'V' || descr[2] == 'U'));
}

void nsm_type_refusal(const char *descr, char *buf, size_t size) {
  snprintf(buf, size,
           "dtype %s has no MATLAB equivalent (supported: bool, int8..uint64, float16/32/64, "
           "complex64/128, datetime64/timedelta64 as int64, unicode as char; structured, "
           "bytes and void dtypes are not)",
           descr);
}

void nsm_type_from_descr(const char *descr, nsm_type *t) {
  if (nsm_type_lookup(descr, t)) return;
  char msg[512];
  nsm_type_refusal(descr, msg, sizeof msg);
  nsm_fail("dtype", "%s", msg);
}

const char *nsm_descr_for(const mxArray *a) {
  static char out[8];
  const char *code = NULL;
  int cplx = mxIsComplex(a);
  switch (mxGetClassID(a)) {
  case mxDOUBLE_CLASS: code = cplx ? "c16" : "f8"; break;
  case mxSINGLE_CLASS: code = cplx ? "c8" : "f4"; break;
  case mxINT8_CLASS: code = "i1"; break;
  case mxUINT8_CLASS: code = "u1"; break;
  case mxINT16_CLASS: code = "i2"; break;
  case mxUINT16_CLASS: code = "u2"; break;
  case mxINT32_CLASS: code = "i4"; break;
  case mxUINT32_CLASS: code = "u4"; break;
  case mxINT64_CLASS: code = "i8"; break;
  case mxUINT64_CLASS: code = "u8"; break;
  case mxLOGICAL_CLASS: return "|b1";
  default: break;
  }
  if (!code || (cplx && code[0] != 'c'))
    nsm_fail("dtype",
             "cannot store a %s%s array: supported are double, single, int8..uint64, logical, "
             "char and complex double/single",
             cplx ? "complex " : "", mxGetClassName(a));
  out[0] = nsm_native_order();
  strcpy(out + 1, code);
  return out;
}

void nsm_swap(void *data, uint64_t n, uint64_t size) {
  uint8_t *p = (uint8_t *)data;
  for (uint64_t i = 0; i < n; i++, p += size)
    for (uint64_t a = 0, b = size - 1; a < b; a++, b--) {
      uint8_t tmp = p[a];
      p[a] = p[b];
      p[b] = tmp;
    }
}
