#ifndef CMPI_H
#define CMPI_H

// A minimal, run-time-loaded binding to Open MPI's libmpi (see docs/distributed.md).
//
// Nothing here includes <mpi.h> and nothing links libmpi: `cmpi_load` opens the library with
// dlopen when the process finds itself under an MPI launcher, so the `pipeline` binary builds,
// runs and is tested on machines without MPI. The price is that the handles (MPI_COMM_WORLD,
// MPI_FLOAT, MPI_SUM…) are looked up as Open MPI's exported objects, i.e. this speaks Open MPI's
// ABI (libmpi.so.40, Open MPI 3.x to 5.x), not MPICH's.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// MPI's thread-support levels (the same numbers in every MPI implementation).
enum {
    CMPI_THREAD_SINGLE = 0,
    CMPI_THREAD_FUNNELED = 1,
    CMPI_THREAD_SERIALIZED = 2,
    CMPI_THREAD_MULTIPLE = 3,
};

/// Opens `path` (a file name or path of libmpi) and resolves every function and handle used
/// below. Returns 0, or -1 with a message in `message` (at most `capacity` bytes).
int cmpi_load(const char *path, char *message, size_t capacity);

/// MPI_Init_thread with `required`; stores the level granted in `provided`, this process's rank
/// and the world size. Errors on the communicator are returned, not fatal, from then on.
int cmpi_initialize(int required, int *provided, int *rank, int *size);

/// Sums `count` floats (or doubles) over all ranks, in place; every rank gets the sum.
int cmpi_allreduce_sum_float(float *buffer, int count);
int cmpi_allreduce_sum_double(double *buffer, int count);
/// The element-wise maximum over all ranks, in place.
int cmpi_allreduce_max_double(double *buffer, int count);
/// Rank `root`'s `count` bytes to every rank.
int cmpi_broadcast_bytes(void *buffer, int count, int root);
int cmpi_barrier(void);
/// Ends every process of the job (MPI_Abort on MPI_COMM_WORLD).
int cmpi_abort(int code);
int cmpi_finalize(void);
/// Whether MPI_Init has run and MPI_Finalize has not.
int cmpi_is_active(void);
/// MPI's text for an error code, into `message`.
void cmpi_error_text(int code, char *message, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
