/* npystore MEX gateway: declarations shared by its source files.
 *
 * One MEX (npystore_mex) serves the +npystore classes: npystore_mex(command, ...).
 * Library handles never cross into MATLAB as pointers: they live in a registry
 * (nsm_registry.c) and MATLAB holds numeric ids. Every error leaves through
 * nsm_fail/nsm_check as error('npystore:<code>', 'npystore: <message>') with the library's
 * stable status names as codes.
 */
#ifndef NSM_H
#define NSM_H

#include <stddef.h>
#include <stdint.h>

#include "mex.h"
#include "npystore.h"

/* Octave's char is UTF-8 already, so mxArrayToString is its UTF-8 conversion. */
#ifdef HAVE_OCTAVE
#define nsm_utf8(a) mxArrayToString(a)
#else
#define nsm_utf8(a) mxArrayToUTF8String(a)
#endif

/* ---- errors (nsm_args.c) --------------------------------------------------- */

/* Raise error('npystore:<code>', ...). Never returns. Free library handles first. */
void nsm_fail(const char *code, const char *fmt, ...);
/* Raise the library's last error as npystore:<status name> unless st is NPY_OK. */
void nsm_check(npy_status st);

/* ---- arguments (nsm_args.c) ------------------------------------------------ */

/* A char row argument as a NUL-terminated UTF-8 string (mxMalloc'd); `what` names
 * it in errors. Empty [] gives NULL when allow_empty, else an error. */
char *nsm_string(const mxArray *a, const char *what, int allow_empty);
/* A real numeric scalar argument as a double. */
double nsm_scalar(const mxArray *a, const char *what);
/* A real numeric scalar that is a non-negative integer below 2^53. */
uint64_t nsm_count(const mxArray *a, const char *what);
/* A real numeric vector of non-negative integers (numpy shape); *n receives its
 * length. Returns an mxMalloc'd array (NULL when empty). */
uint64_t *nsm_shape(const mxArray *a, const char *what, size_t *n);
/* mxArray helpers for results. */
mxArray *nsm_string_out(const char *s);
mxArray *nsm_shape_out(const uint64_t *shape, size_t n);

/* ---- handle registry (nsm_registry.c) ------------------------------------- */

typedef enum { NSM_STORE = 1, NSM_REF, NSM_WRITER, NSM_MAPPING } nsm_kind;

/* Register a live handle; returns its id (the MEX is locked while any is alive). */
double nsm_register(nsm_kind kind, void *handle);
/* The handle behind id, which must be of `kind`; raises npystore:invalid_argument. */
void *nsm_lookup(const mxArray *id, nsm_kind kind);
/* Drop id from the registry and free its handle; unknown ids are ignored. */
void nsm_release(const mxArray *id);
/* Drop id without freeing (the handle was consumed, e.g. by npy_writer_finish). */
void nsm_forget(const mxArray *id);
/* Number of live handles. */
size_t nsm_live(void);

/* ---- mapping handles (nsm_mapping.c) -------------------------------------- */

/* A live map in the registry (made by nsm_mmap.c). */
typedef struct {
  npy_mapping *m;
  mxClassID cls;      /* element class of the data */
  char cls_name[16];  /* its name, for messages */
  size_t elsize;      /* bytes of one element */
  int writable;       /* mapped "r+" */
} nsm_map;

/* Free a mapping handle of the registry: the library's map, then the struct. Its own
 * file, so that the registry (which frees) and nsm_mmap.c (which registers) do not
 * call each other. */
void nsm_mapping_free(void *mapping);

/* ---- progress and Ctrl+C (nsm_progress.c, nsm_feval.cc) ------------------- */

/* One transfer's progress state: the user_data of nsm_on_progress. */
typedef struct {
  const mxArray *fn; /* the progress function f(done, total), or NULL */
  int interrupted;   /* the host's Ctrl+C stopped the transfer */
  int failed;        /* the progress function failed (or did not answer) */
  uint64_t nbytes;   /* of the transfer */
} nsm_progress;

/* Transfers of more bytes than this get the Ctrl+C check without a progress
 * function: the library runs a transfer with a callback on a helper thread, which
 * costs more than a small load (one GET on object stores). npystore_oct.cc has the
 * same limit. */
#define NSM_INTERRUPTIBLE_BYTES ((uint64_t)1 << 20)

/* Set up p for progress function fn ([] or missing: none) and a transfer of nbytes. */
void nsm_progress_init(nsm_progress *p, const mxArray *fn, uint64_t nbytes);
/* The callback to give the library with p as user_data: nsm_on_progress, or NULL
 * for a small transfer without a progress function. */
npy_progress_fn nsm_progress_fn(const nsm_progress *p);
/* The npy_progress_fn of the MEX's transfers: non-zero (cancel) on a pending
 * Ctrl+C, when the function returns true, or when it fails. */
int32_t nsm_on_progress(uint64_t done, uint64_t total, void *user_data);
/* Raise st (as nsm_check), naming Ctrl+C or the failed function for a cancel. */
void nsm_progress_check(const nsm_progress *p, npy_status st);
/* Call fn = args[0] as fn(args[1], args[2]) into *out, trapping every error and
 * interrupt; 1 when it ran, and *interrupted set when a Ctrl+C is pending. */
#ifdef __cplusplus
extern "C"
#endif
int nsm_trapped_feval(mxArray **out, mxArray *args[3], int *interrupted);

/* ---- element types (nsm_dtype.c) ------------------------------------------ */

/* How a numpy dtype becomes a MATLAB array. */
typedef enum {
  NSM_COPY,    /* the bytes are MATLAB's own (maybe byte-swapped) */
  NSM_HALF,    /* float16 -> single */
  NSM_UNICODE, /* numpy U (UCS-4) -> char */
} nsm_conv;

typedef struct {
  mxClassID cls;     /* MATLAB class */
  int complex;       /* 1 for complex */
  nsm_conv conv;     /* element conversion */
  uint64_t itemsize; /* bytes of one numpy element */
  int swap;          /* 1 when stored in non-native byte order */
} nsm_type;

/* The MATLAB type for a stored array's descr ('<f8', '>i2', '<U5', ...);
 * npystore:dtype for descrs without one. */
void nsm_type_from_descr(const char *descr, nsm_type *t);
/* Whether descr is structured, S, V or U: dtypes whose element bytes the .m layer
 * decodes (load_bytes), and which map and load('raw') as uint8 [itemsize, ...]. */
int nsm_byte_elements(const char *descr);
/* Whether r's stored file is C order (ndim >= 2 only: fewer dims have one layout). */
int nsm_stored_c_order(const npy_ref *r, size_t ndim);
/* The same without raising: 0 when descr has no MATLAB type. */
int nsm_type_lookup(const char *descr, nsm_type *t);
/* The message nsm_type_from_descr raises for descr, into buf. */
void nsm_type_refusal(const char *descr, char *buf, size_t size);
/* The native numpy descr for a MATLAB array of class cls (complex or not). */
const char *nsm_descr_for(const mxArray *a);
/* '<' on little-endian hosts, '>' on big-endian ones. */
char nsm_native_order(void);
/* Reverse the byte order of n items of `size` bytes in place. */
void nsm_swap(void *data, uint64_t n, uint64_t size);

/* ---- loads (nsm_load.c) ---------------------------------------------------- */

/* One block (a whole array or rows of it) planned for loading: the MATLAB array
 * made for it and the buffer the library fills (the array's own memory, or a
 * temporary for float16 and unicode, which nsm_finish_block converts). */
typedef struct {
  nsm_type t;
  mxArray *out;  /* the result (numeric); NULL for unicode until finished */
  void *buf;     /* where the library writes len bytes */
  uint64_t len;
  uint64_t n;    /* elements */
  size_t rows;   /* unicode: strings */
  int bytes;     /* out is the element bytes, uint8 [itemsize, n], for the .m layer */
  const char *code;   /* why not, when planning or finishing fails */
  char message[512];
} nsm_load_plan;

/* Plan a block of numpy shape `shape` stored as descr (reverse: the dimensions of
 * a C-order file reversed, as load('raw') gives them). 0, with p->code and
 * p->message, when it cannot be loaded as a MATLAB array. */
int nsm_plan_block(nsm_load_plan *p, const char *descr, const uint64_t *shape, size_t ndim,
                   int reverse);
/* The MATLAB array of a filled plan (byte-swapped, converted); NULL, with p->code
 * and p->message, when the data has no MATLAB form (text beyond one char element). */
mxArray *nsm_finish_block(nsm_load_plan *p);
/* Free a plan that will not be finished. */
void nsm_drop_block(nsm_load_plan *p);

/* ---- targets (nsm_target.c) ------------------------------------------------ */

/* A write target from MATLAB's spec: {'path', p} or
 * {'schema', schema, table, attribute, keys} with keys an n-by-3 cell
 * {name, kind, value}. The caller frees it with npy_target_free. */
npy_target *nsm_target(const mxArray *spec);

/* ---- commands -------------------------------------------------------------- */

typedef void (*nsm_command)(mxArray *plhs[], const mxArray *prhs[]);

void nsm_cmd_store_open(mxArray *[], const mxArray *[]);
void nsm_cmd_store_name(mxArray *[], const mxArray *[]);
void nsm_cmd_store_exists(mxArray *[], const mxArray *[]);
void nsm_cmd_store_delete(mxArray *[], const mxArray *[]);
void nsm_cmd_put(mxArray *[], const mxArray *[]);
void nsm_cmd_ref_json(mxArray *[], const mxArray *[]);
void nsm_cmd_ref_open(mxArray *[], const mxArray *[]);
void nsm_cmd_ref_info(mxArray *[], const mxArray *[]);
void nsm_cmd_ref_exists(mxArray *[], const mxArray *[]);
void nsm_cmd_load(mxArray *[], const mxArray *[]);
void nsm_cmd_read_rows(mxArray *[], const mxArray *[]);
void nsm_cmd_read_slice(mxArray *[], const mxArray *[]);
void nsm_cmd_read_slice_bytes(mxArray *[], const mxArray *[]);
void nsm_cmd_load_many(mxArray *[], const mxArray *[]);
void nsm_cmd_load_bytes(mxArray *[], const mxArray *[]);
void nsm_cmd_put_bytes(mxArray *[], const mxArray *[]);
void nsm_cmd_mmap(mxArray *[], const mxArray *[]);
void nsm_cmd_mapping_check(mxArray *[], const mxArray *[]);
void nsm_cmd_mapping_read(mxArray *[], const mxArray *[]);
void nsm_cmd_mapping_write(mxArray *[], const mxArray *[]);
void nsm_cmd_mapping_read_block(mxArray *[], const mxArray *[]);
void nsm_cmd_mapping_write_at(mxArray *[], const mxArray *[]);
void nsm_cmd_writer_open(mxArray *[], const mxArray *[]);
void nsm_cmd_writer_append(mxArray *[], const mxArray *[]);
void nsm_cmd_writer_rows(mxArray *[], const mxArray *[]);
void nsm_cmd_writer_finish(mxArray *[], const mxArray *[]);
void nsm_cmd_writer_abort(mxArray *[], const mxArray *[]);

#endif
