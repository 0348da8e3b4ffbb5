// Octave's trapped call of a progress function (nsm_progress.c). C++ because a
// Ctrl+C inside the function is an octave::interrupt_exception, which
// mexCallMATLABWithTrap lets through: it is caught here, so that it never unwinds
// through the library's frames, and made pending again, for nsm_progress_check to
// raise once the library has returned. Built in Octave only (npystore_build); MATLAB's version is in
// nsm_progress.c.
#include <octave/quit.h>

#include "nsm.h"

int nsm_trapped_feval(mxArray **out, mxArray *args[3], int *interrupted) {
  try {
    mxArray *err = mexCallMATLABWithTrap(1, out, 3, args, "feval");
    if (err) mxDestroyArray(err);
    *interrupted = octave_interrupt_state > 0;
    return err == nullptr;
  } catch (const octave::interrupt_exception &) {
    *interrupted = 1;
    octave_interrupt_state = 1;  // pending again
    octave_signal_caught = 1;
    return 0;
  } catch (...) {
    return 0;
  }
}
