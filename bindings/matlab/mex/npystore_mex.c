/* npystore_mex: the one MEX behind the +npystore classes.
 *   out = npystore_mex(command, args...)
 * Each command takes a fixed number of arguments (the long transfers a trailing
 * progress function that may be left out), checked here before its handler runs; the handlers check the arguments' types. See nsm.h for the conventions and
 * each nsm_*.c file for its commands. Not meant to be called directly: use
 * npystore.Store, npystore.Ref and npystore.Writer. */
#include <string.h>

#include "nsm.h"

static void cmd_free(mxArray *plhs[], const mxArray *prhs[]) {
  (void)plhs;
  nsm_release(prhs[0]);
}

static void cmd_live(mxArray *plhs[], const mxArray *prhs[]) {
  (void)prhs;
  plhs[0] = mxCreateDoubleScalar((double)nsm_live());
}

static void cmd_version(mxArray *plhs[], const mxArray *prhs[]) {
  (void)prhs;
  plhs[0] = nsm_string_out(npy_version());
}

static void cmd_has_writer(mxArray *plhs[], const mxArray *prhs[]) {
  (void)prhs;
#ifdef NPYSTORE_HAVE_WRITER
  plhs[0] = mxCreateLogicalScalar(true);
#else
  plhs[0] = mxCreateLogicalScalar(false);
#endif
}

typedef struct {
  const char *name;
  nsm_command run;
  int args;     /* number of arguments after the command */
  int results;  /* at most this many */
  int optional; /* of which this many trailing ones may be left out (progress) */
} command;

static const command commands[] = {
    {"version", cmd_version, 0, 1, 0},
    {"has_writer", cmd_has_writer, 0, 1, 0},
    {"live", cmd_live, 0, 1, 0},
    {"free", cmd_free, 1, 0, 0},
    {"store_open", nsm_cmd_store_open, 2, 1, 0},
    {"store_name", nsm_cmd_store_name, 1, 1, 0},
    {"store_exists", nsm_cmd_store_exists, 2, 1, 0},
    {"store_delete", nsm_cmd_store_delete, 2, 0, 0},
    {"put", nsm_cmd_put, 6, 1, 0},
    {"ref_json", nsm_cmd_ref_json, 2, 1, 0},
    {"ref_open", nsm_cmd_ref_open, 2, 1, 0},
    {"ref_info", nsm_cmd_ref_info, 1, 1, 0},
    {"ref_exists", nsm_cmd_ref_exists, 1, 1, 0},
    {"load", nsm_cmd_load, 3, 1, 1},
    {"read_rows", nsm_cmd_read_rows, 4, 1, 1},
    {"read_slice", nsm_cmd_read_slice, 4, 1, 1},
    {"read_slice_bytes", nsm_cmd_read_slice_bytes, 4, 1, 1},
    {"load_many", nsm_cmd_load_many, 4, 4, 1},
    {"load_bytes", nsm_cmd_load_bytes, 3, 1, 2},
    {"put_bytes", nsm_cmd_put_bytes, 6, 1, 0},
    {"mmap", nsm_cmd_mmap, 3, 1, 1},
    {"mapping_check", nsm_cmd_mapping_check, 1, 0, 0},
    {"mapping_read", nsm_cmd_mapping_read, 1, 1, 0},
    {"mapping_write", nsm_cmd_mapping_write, 2, 0, 0},
    {"mapping_read_block", nsm_cmd_mapping_read_block, 4, 1, 0},
    {"mapping_write_at", nsm_cmd_mapping_write_at, 3, 0, 0},
    {"writer_open", nsm_cmd_writer_open, 6, 1, 0},
    {"writer_append", nsm_cmd_writer_append, 2, 0, 0},
    {"writer_rows", nsm_cmd_writer_rows, 1, 1, 0},
    {"writer_finish", nsm_cmd_writer_finish, 1, 1, 0},
    {"writer_abort", nsm_cmd_writer_abort, 1, 0, 0},
};

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[]) {
  char name[32] = "";
  if (nrhs < 1 || !mxIsChar(prhs[0]) || mxGetString(prhs[0], name, sizeof name) != 0)
    nsm_fail("invalid_argument", "usage: npystore_mex(command, ...)");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    const command *c = &commands[i];
    if (strcmp(c->name, name) != 0) continue;
    if (nrhs - 1 > c->args || nrhs - 1 < c->args - c->optional)
      nsm_fail("invalid_argument", "npystore_mex('%s', ...) takes %d arguments, not %d", name,
               c->args, nrhs - 1);
    if (nlhs > c->results)
      nsm_fail("invalid_argument", "npystore_mex('%s', ...) returns %d values", name, c->results);
    /* a left-out trailing argument reaches the handler as NULL */
    const mxArray *args[8] = {NULL};
    for (int i = 1; i < nrhs; i++) args[i - 1] = prhs[i];
    c->run(plhs, args);
    return;
  }
  nsm_fail("invalid_argument", "unknown npystore_mex command '%s'", name);
}
