/* The handle registry: library handles live here and MATLAB holds ids.
 *
 * An id is slot + generation * 2^24 (exact in a double), so a stale id of a freed
 * slot never reaches a newer handle. The MEX is locked (mexLock) while any handle is
 * alive, so `clear mex` cannot unload code that live handles need; at exit every
 * handle still alive is freed. */
#include <stdlib.h>

#include "nsm.h"

#define SLOT_BITS 24
#define SLOT_LIMIT (1u << SLOT_BITS)

typedef struct {
  nsm_kind kind; /* 0 when the slot is free */
  uint32_t generation;
  void *handle;
} slot;

static slot *slots;
static size_t capacity;
static size_t live;

static void free_handle(nsm_kind kind, void *handle) {
  switch (kind) {
  case NSM_STORE: npy_store_free((npy_store *)handle); break;
  case NSM_REF: npy_ref_free((npy_ref *)handle); break;
  case NSM_MAPPING: nsm_mapping_free(handle); break;
#ifdef NPYSTORE_HAVE_WRITER
  case NSM_WRITER: npy_writer_free((npy_writer *)handle); break;
#endif
  default: break;
  }
}

static void free_all(void) {
  for (size_t i = 0; i < capacity; i++)
    if (slots[i].kind) free_handle(slots[i].kind, slots[i].handle);
  free(slots);
  slots = NULL;
  capacity = live = 0;
}

static void grow(void) {
  size_t next = capacity ? capacity * 2 : 64;
  if (next > SLOT_LIMIT) next = SLOT_LIMIT;
  slot *bigger = next > capacity ? (slot *)realloc(slots, next * sizeof *slots) : NULL;
  if (!bigger) nsm_fail("internal", "the handle registry is full (%zu handles)", live);
  for (size_t i = capacity; i < next; i++) bigger[i] = (slot){0, 0, NULL};
  slots = bigger;
  capacity = next;
}

double nsm_register(nsm_kind kind, void *handle) {
  static int at_exit;
  if (!at_exit) {
    mexAtExit(free_all);
    at_exit = 1;
  }
  size_t i = 0;
  while (i < capacity && slots[i].kind) i++;
  if (i == capacity) {
    /* Free the handle before failing so a full registry leaks nothing. */
    if (capacity == SLOT_LIMIT) free_handle(kind, handle);
    grow();
  }
  slots[i].kind = kind;
  slots[i].generation++;
  slots[i].handle = handle;
  if (live++ == 0) mexLock();
  return (double)i + (double)slots[i].generation * SLOT_LIMIT;
}

/* The slot the id value v names, or NULL when it names no live handle. */
static slot *find_value(double v) {
  if (!(v >= 0) || v > 9007199254740992.0 || v != (double)(uint64_t)v) return NULL;
  uint64_t n = (uint64_t)v;
  size_t i = (size_t)(n % SLOT_LIMIT);
  if (i >= capacity || !slots[i].kind || slots[i].generation != (uint32_t)(n / SLOT_LIMIT))
    return NULL;
  return &slots[i];
}

/* The slot an id argument names, or NULL when it names no live handle. */
static slot *find(const mxArray *id) {
  if (!mxIsDouble(id) || mxIsComplex(id) || mxGetNumberOfElements(id) != 1) return NULL;
  return find_value(mxGetScalar(id));
}

#ifdef HAVE_OCTAVE
/* For Octave's in-place loader (oct/npystore_oct_load.cc), which finds it by name
 * with dlsym: the reference behind the id value v, or NULL when v names no live
 * reference. Ids stay the only thing that crosses into the interpreter. */
__attribute__((visibility("default"))) const npy_ref *nsm_octave_ref(double v) {
  slot *s = find_value(v);
  return s && s->kind == NSM_REF ? (const npy_ref *)s->handle : NULL;
}
#endif

static const char *kind_name(nsm_kind kind) {
  switch (kind) {
  case NSM_STORE: return "store";
  case NSM_REF: return "reference";
  case NSM_WRITER: return "writer";
  case NSM_MAPPING: return "mapping";
  default: return "handle";
  }
}

void *nsm_lookup(const mxArray *id, nsm_kind kind) {
  slot *s = find(id);
  if (!s || s->kind != kind)
    nsm_fail("invalid_argument", "not a live npystore %s (it was freed or never existed)",
             kind_name(kind));
  return s->handle;
}

static void drop(const mxArray *id, int free_it) {
  slot *s = find(id);
  if (!s) return;
  if (free_it) free_handle(s->kind, s->handle);
  s->kind = 0;
  s->handle = NULL;
  if (--live == 0) mexUnlock();
}

void nsm_release(const mxArray *id) { drop(id, 1); }
void nsm_forget(const mxArray *id) { drop(id, 0); }
size_t nsm_live(void) { return live; }
