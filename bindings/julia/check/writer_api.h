/*
 * Stand-in for the streaming writer's C API while it is not yet in include/npystore.h:
 * the declarations agreed for npy_writer_*, copied from the writer branch's header.
 * check_ccalls.py reads it after include/npystore.h; once that header declares the
 * writer too, the checker requires both declarations to agree, and this file can go.
 */
#include <stddef.h>
#include <stdint.h>

typedef struct npy_writer npy_writer;

npy_status npy_writer_open(const npy_store *store,
                           const npy_target *target,
                           const char *dtype,
                           const uint64_t *row_shape,
                           size_t row_ndim,
                           npy_order order,
                           uint32_t flags,
                           npy_writer **out);

npy_status npy_writer_append(npy_writer *writer, const void *data, uint64_t nbytes);

npy_status npy_writer_rows(const npy_writer *writer, uint64_t *rows);

npy_status npy_writer_finish(npy_writer *writer, npy_ref **out);

npy_status npy_writer_abort(npy_writer *writer);

void npy_writer_free(npy_writer *writer);
