/* Bulk loads: many references at once, through npy_refs_load_into.
 *   [values, codes, messages] = npystore_mex('load_many', ids, concurrency)
 * ids: a double array of reference ids (every one live, else the whole call is
 * npystore:invalid_argument). Each is loaded whole as 'load' does (numpy's shape,
 * Fortran order), at most `concurrency` at a time (0: the library's default). The
 * three results are cells of size(ids): values{i} the array ([] when item i
 * failed), codes{i} '' or its npystore code, messages{i} '' or why. An item that
 * fails does not stop the others. The library words only the first failure; the
 * others get their status and path. */
#include <stdio.h>
#include <string.h>

#include "nsm.h"

/* The outcome of one item, before it goes into the result cells. */
typedef struct {
  mxArray *value;
  const char *code; /* NULL: loaded */
  char message[512];
} outcome;

static const npy_ref *ref_of(double id) {
  mxArray *a = mxCreateDoubleScalar(id);
  const npy_ref *r = (const npy_ref *)nsm_lookup(a, NSM_REF);
  mxDestroyArray(a);
  return r;
}

/* Plan item i; 0 (and the refusal in o) when it cannot load as a MATLAB array. */
static int plan_item(const npy_ref *r, nsm_load_plan *p, outcome *o) {
  const char *descr = NULL;
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_descr(r, &descr));
  nsm_check(npy_ref_shape(r, &shape, &ndim));
  if (nsm_plan_block(p, descr, shape, ndim, 0)) return 1;
  o->code = p->code;
  snprintf(o->message, sizeof o->message, "%s", p->message);
  return 0;
}

/* The library's message for the first failed item, without the "item j: " and
 * "(k of m items failed)" it adds for the whole call. */
static void first_message(char *out, size_t size, const char *text, size_t j, size_t failed,
                          size_t m) {
  char head[48], tail[80];
  snprintf(head, sizeof head, "item %zu: ", j);
  snprintf(tail, sizeof tail, " (%zu of %zu items failed)", failed, m);
  size_t len = strlen(text), hl = strlen(head), tl = strlen(tail);
  if (len >= hl + tl && !strncmp(text, head, hl) && !strcmp(text + len - tl, tail))
    snprintf(out, size, "%.*s", (int)(len - hl - tl), text + hl);
  else
    snprintf(out, size, "%s", text);
}

static void failed_item(outcome *o, const npy_ref *r, npy_status st) {
  const char *path = NULL;
  if (npy_ref_path(r, &path) != NPY_OK) path = "?";
  o->code = npy_status_name(st);
  snprintf(o->message, sizeof o->message, "'%s' did not load: %s", path, o->code);
}

void nsm_cmd_load_many(mxArray *plhs[], const mxArray *prhs[]) {
  const mxArray *ids = prhs[0];
  if (!mxIsDouble(ids) || mxIsComplex(ids) || mxIsSparse(ids))
    nsm_fail("invalid_argument", "ids must be a real double array of reference ids");
  size_t n = mxGetNumberOfElements(ids);
  size_t concurrency = (size_t)nsm_count(prhs[1], "concurrency");
  const double *id = (const double *)mxGetData(ids);
  const npy_ref **all = (const npy_ref **)mxCalloc(n + 1, sizeof *all);
  for (size_t i = 0; i < n; i++) all[i] = ref_of(id[i]);

  /* the items that can load, compacted for the library */
  nsm_load_plan *plans = (nsm_load_plan *)mxCalloc(n + 1, sizeof *plans);
  outcome *outs = (outcome *)mxCalloc(n + 1, sizeof *outs);
  const npy_ref **refs = (const npy_ref **)mxCalloc(n + 1, sizeof *refs);
  void **bufs = (void **)mxCalloc(n + 1, sizeof *bufs);
  uint64_t *lens = (uint64_t *)mxCalloc(n + 1, sizeof *lens);
  size_t *at = (size_t *)mxCalloc(n + 1, sizeof *at);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!plan_item(all[i], &plans[m], &outs[i])) continue;
    refs[m] = all[i];
    bufs[m] = plans[m].buf;
    lens[m] = plans[m].len;
    at[m++] = i;
  }
  npy_status *statuses = (npy_status *)mxCalloc(m + 1, sizeof *statuses);
  npy_status st = npy_refs_load_into(refs, bufs, lens, m, NPY_ORDER_FORTRAN, concurrency, NULL,
                                     NULL, statuses);
  char first[512] = "";
  size_t failed = 0, first_at = m;
  for (size_t j = 0; j < m; j++)
    if (statuses[j] != NPY_OK) {
      if (first_at == m) first_at = j;
      failed++;
    }
  if (st != NPY_OK && first_at < m)
    first_message(first, sizeof first, npy_last_error(), first_at, failed, m);
  for (size_t j = 0; j < m; j++) {
    outcome *o = &outs[at[j]];
    if (statuses[j] != NPY_OK) {
      nsm_drop_block(&plans[j]);
      failed_item(o, refs[j], statuses[j]);
      if (j == first_at && first[0]) snprintf(o->message, sizeof o->message, "%s", first);
      continue;
    }
    o->value = nsm_finish_block(&plans[j]);
    if (!o->value) {
      o->code = plans[j].code;
      snprintf(o->message, sizeof o->message, "%s", plans[j].message);
    }
  }

  mwSize nd = mxGetNumberOfDimensions(ids);
  const mwSize *dims = mxGetDimensions(ids);
  plhs[0] = mxCreateCellArray(nd, dims);
  plhs[1] = mxCreateCellArray(nd, dims);
  plhs[2] = mxCreateCellArray(nd, dims);
  for (size_t i = 0; i < n; i++) {
    mxSetCell(plhs[0], i, outs[i].value ? outs[i].value : mxCreateDoubleMatrix(0, 0, mxREAL));
    mxSetCell(plhs[1], i, mxCreateString(outs[i].code ? outs[i].code : ""));
    mxSetCell(plhs[2], i, mxCreateString(outs[i].code ? outs[i].message : ""));
  }
  mxFree(all);
  mxFree(plans);
  mxFree(outs);
  mxFree(refs);
  mxFree(bufs);
  mxFree(lens);
  mxFree(at);
  mxFree(statuses);
}
