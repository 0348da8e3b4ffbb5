/* Bulk loads: many references at once, through npy_refs_load_into.
 *   [values, codes, messages, bytes] = npystore_mex('load_many', ids, concurrency, text_bytes,
 *                                                   progress)
 * ids: a double array of reference ids (every one live, else the whole call is
 * npystore:invalid_argument). Each is loaded whole as 'load' does (numpy's shape,
 * Fortran order), at most `concurrency` at a time (0: the library's default). The
 * results are cells of size(ids): values{i} the array ([] when item i failed),
 * codes{i} '' or its npystore code, messages{i} '' or why, and a logical array
 * bytes: values{i} is the element bytes (uint8 [itemsize, numel], as 'load_bytes'
 * gives them) for the .m layer to split: structured, S and V items, and unicode
 * ones when text_bytes is true. An item that fails does not stop the others; its
 * message is the library's own for it (npy_refs_item_error), naming its path.
 * progress as for 'load', over the bytes of all items; a cancel (the function or
 * Ctrl+C) fails the whole call with npystore:cancelled and returns nothing. */
#include <stdio.h>
#include <string.h>

#include "nsm.h"

/* The outcome of one item, before it goes into the result cells. */
typedef struct {
  mxArray *value;
  int bytes;        /* value is element bytes */
  const char *code; /* NULL: loaded */
  char message[512];
} outcome;

static const npy_ref *ref_of(double id) {
  mxArray *a = mxCreateDoubleScalar(id);
  const npy_ref *r = (const npy_ref *)nsm_lookup(a, NSM_REF);
  mxDestroyArray(a);
  return r;
}

/* Whether the .m layer splits descr's elements itself: structured, S, V, and
 * unicode when asked. */
static int bytes_form(const char *descr, int text_bytes) {
  size_t len = strlen(descr);
  if (descr[0] == '[') return 1;
  if (len < 4 || descr[0] != '\'') return 0;
  return descr[2] == 'S' || descr[2] == 'V' || (text_bytes && descr[2] == 'U');
}

/* A plan for the element bytes of r: uint8 [itemsize, numel]. */
static void plan_bytes(const npy_ref *r, nsm_load_plan *p) {
  uint64_t itemsize = 0, n = 0;
  nsm_check(npy_ref_itemsize(r, &itemsize));
  nsm_check(npy_ref_size(r, &n));
  memset(p, 0, sizeof *p);
  p->t.cls = mxUINT8_CLASS;
  p->t.conv = NSM_COPY;
  p->t.itemsize = 1;
  p->n = n * itemsize;
  p->len = n * itemsize;
  p->out = mxCreateNumericMatrix((mwSize)itemsize, (mwSize)n, mxUINT8_CLASS, mxREAL);
  p->buf = mxGetData(p->out);
  p->bytes = 1;
}

/* Plan item i; 0 (and the refusal in o) when it cannot load as a MATLAB array. */
static int plan_item(const npy_ref *r, nsm_load_plan *p, outcome *o, int text_bytes) {
  const char *descr = NULL;
  const uint64_t *shape = NULL;
  size_t ndim = 0;
  nsm_check(npy_ref_descr(r, &descr));
  nsm_check(npy_ref_shape(r, &shape, &ndim));
  if (bytes_form(descr, text_bytes)) {
    plan_bytes(r, p);
    return 1;
  }
  if (nsm_plan_block(p, descr, shape, ndim, 0)) return 1;
  o->code = p->code;
  snprintf(o->message, sizeof o->message, "%s", p->message);
  return 0;
}

/* Item j's failure: its npystore code, and the library's own message for it
 * (npy_refs_item_error), which names its path and says why. */
static void failed_item(outcome *o, size_t j, npy_status st) {
  o->code = npy_status_name(st);
  if (npy_refs_item_error(j, o->message, sizeof o->message, NULL) != NPY_OK || !o->message[0])
    snprintf(o->message, sizeof o->message, "item %zu did not load: %s", j + 1, o->code);
}

/* Whether the progress function cancelled the call (some item stopped by it). */
static int cancelled(const npy_status *statuses, size_t m) {
  for (size_t j = 0; j < m; j++)
    if (statuses[j] == NPY_ERR_CANCELLED) return 1;
  return 0;
}

void nsm_cmd_load_many(mxArray *plhs[], const mxArray *prhs[]) {
  const mxArray *ids = prhs[0];
  if (!mxIsDouble(ids) || mxIsComplex(ids) || mxIsSparse(ids))
    nsm_fail("invalid_argument", "ids must be a real double array of reference ids");
  size_t n = mxGetNumberOfElements(ids);
  size_t concurrency = (size_t)nsm_count(prhs[1], "concurrency");
  int text_bytes = nsm_scalar(prhs[2], "text_bytes") != 0;
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
    if (!plan_item(all[i], &plans[m], &outs[i], text_bytes)) continue;
    refs[m] = all[i];
    bufs[m] = plans[m].buf;
    lens[m] = plans[m].len;
    at[m++] = i;
  }
  uint64_t total = 0;
  for (size_t j = 0; j < m; j++) total += lens[j];
  nsm_progress progress;
  nsm_progress_init(&progress, prhs[3], total);
  npy_status *statuses = (npy_status *)mxCalloc(m + 1, sizeof *statuses);
  /* The call's own status sums up the items'; each item's is in statuses. */
  (void)npy_refs_load_into(refs, bufs, lens, m, NPY_ORDER_FORTRAN, concurrency,
                           nsm_progress_fn(&progress), &progress, statuses);
  if (progress.interrupted || progress.failed || cancelled(statuses, m)) {
    for (size_t j = 0; j < m; j++) nsm_drop_block(&plans[j]);
    if (progress.interrupted || progress.failed) nsm_progress_check(&progress, NPY_ERR_CANCELLED);
    nsm_fail("cancelled", "the progress function cancelled the loads: nothing was loaded");
  }
  for (size_t j = 0; j < m; j++) {
    outcome *o = &outs[at[j]];
    if (statuses[j] != NPY_OK) {
      nsm_drop_block(&plans[j]);
      failed_item(o, j, statuses[j]);
      continue;
    }
    o->bytes = plans[j].bytes;
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
  plhs[3] = mxCreateLogicalArray(nd, dims);
  mxLogical *bytes = mxGetLogicals(plhs[3]);
  for (size_t i = 0; i < n; i++) {
    bytes[i] = outs[i].value && outs[i].bytes;
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
