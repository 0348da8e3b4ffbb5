/* Progress reports and cancellation (Ctrl+C) of the library's long transfers.
 *
 * The library calls nsm_on_progress on the thread that made the call (the
 * interpreter's), about every 100 ms and once at the end (npy_progress_fn). It reads
 * the host's interrupt flag and, when the caller gave a progress function, calls it
 * with (done, total) through a trapped call, so that no interpreter error ever
 * unwinds through the library's frames: a failure or a Ctrl+C inside that function
 * only records why and returns "cancel". Once the library has returned,
 * nsm_progress_check turns NPY_ERR_CANCELLED into the host's interrupt (Ctrl+C in
 * Octave, below) or npystore:cancelled (the function asked, or failed; Ctrl+C in
 * MATLAB).
 *
 * Host interrupt flags: Octave's octave_interrupt_state (liboctave quit.h, > 0 while
 * an interrupt is pending), MATLAB's utIsInterruptPending (libut, undocumented but
 * long used by MEX files).
 *
 * After a Ctrl+C, once the library has returned and nothing of the load is kept,
 * Octave gets its interrupt back (octave_handle_signal throws Octave's own
 * interrupt exception, as any Ctrl+C does), so that it stops the whole run:
 * a try/catch does not see it, as it would an error. MATLAB gets
 * npystore:cancelled with its interrupt still pending (not run here). */
#include "nsm.h"

#ifdef HAVE_OCTAVE
#include <octave/quit.h>
static int interrupt_pending(void) { return octave_interrupt_state > 0; }
#elif defined(MATLAB_MEX_FILE)
#include <stdbool.h>
extern bool utIsInterruptPending(void);
static int interrupt_pending(void) { return utIsInterruptPending(); }
#else
static int interrupt_pending(void) { return 0; }
#endif

#ifndef HAVE_OCTAVE
/* MATLAB: mexCallMATLABWithTrap returns the MException instead of throwing it. */
int nsm_trapped_feval(mxArray **out, mxArray *args[3], int *interrupted) {
  mxArray *err = mexCallMATLABWithTrap(1, out, 3, args, "feval");
  if (err) mxDestroyArray(err);
  *interrupted = interrupt_pending();
  return err == NULL;
}
#endif

void nsm_progress_init(nsm_progress *p, const mxArray *fn, uint64_t nbytes) {
  if (fn && !mxIsEmpty(fn) && mxGetClassID(fn) != mxFUNCTION_CLASS)
    nsm_fail("invalid_argument", "progress must be [] or a function handle f(done, total)");
  p->fn = fn && !mxIsEmpty(fn) ? fn : NULL;
  p->interrupted = 0;
  p->failed = 0;
  p->nbytes = nbytes;
}

npy_progress_fn nsm_progress_fn(const nsm_progress *p) {
  return p->fn || p->nbytes > NSM_INTERRUPTIBLE_BYTES ? nsm_on_progress : NULL;
}

/* Whether the function's answer asks to stop: a true logical scalar. */
static int asks_to_stop(const mxArray *out) {
  return out && mxIsLogical(out) && mxGetNumberOfElements(out) == 1 && *mxGetLogicals(out);
}

int32_t nsm_on_progress(uint64_t done, uint64_t total, void *user_data) {
  nsm_progress *p = (nsm_progress *)user_data;
  if (interrupt_pending()) {
    p->interrupted = 1;
    return 1;
  }
  if (!p->fn) return 0;
  mxArray *args[3] = {(mxArray *)p->fn, mxCreateDoubleScalar((double)done),
                      mxCreateDoubleScalar((double)total)};
  mxArray *out = NULL;
  int ok = nsm_trapped_feval(&out, args, &p->interrupted);
  mxDestroyArray(args[1]);
  mxDestroyArray(args[2]);
  int stop = !ok || p->interrupted || asks_to_stop(out);
  if (!ok) p->failed = 1;
  if (out) mxDestroyArray(out);
  return stop;
}

/* Octave: the pending Ctrl+C, thrown as Octave's interrupt. Returns only when none
 * is pending any more. */
static void raise_host_interrupt(void) {
#ifdef HAVE_OCTAVE
  if (octave_interrupt_state > 0) {
    octave_signal_caught = 0;
    octave_handle_signal();
  }
#endif
}

void nsm_progress_check(const nsm_progress *p, npy_status st) {
  if (st == NPY_ERR_CANCELLED && p->interrupted) raise_host_interrupt();
  if (st == NPY_ERR_CANCELLED && p->interrupted)
    nsm_fail("cancelled", "interrupted (Ctrl+C): the transfer was stopped, nothing was loaded");
  if (st == NPY_ERR_CANCELLED && p->failed)
    nsm_fail("cancelled", "the progress function failed, so the transfer was stopped");
  nsm_check(st);
}
