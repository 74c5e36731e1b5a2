// Run-time binding to Open MPI: dlopen, dlsym, and thin wrappers (see include/cmpi.h).
#include "cmpi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// Open MPI's handles are pointers to its predefined objects; only their addresses are used.
typedef void *Handle;

static int (*init_thread)(int *, char ***, int, int *);
static int (*comm_rank)(Handle, int *);
static int (*comm_size)(Handle, int *);
static int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*bcast)(void *, int, Handle, int, Handle);
static int (*barrier)(Handle);
static int (*abort_job)(Handle, int);
static int (*finalize)(void);
static int (*initialized)(int *);
static int (*finalized)(int *);
static int (*error_string)(int, char *, int *);
static int (*set_errhandler)(Handle, Handle);

static Handle comm_world, type_float, type_double, type_byte, op_sum, op_max, errors_return;

// Open MPI's MPI_IN_PLACE.
#define CMPI_IN_PLACE ((void *)1)

static int resolve(void *library, const char *name, void **slot, char *message, size_t capacity) {
    *slot = dlsym(library, name);
    if (*slot == NULL) {
        snprintf(message, capacity, "the MPI library has no symbol '%s' (Open MPI 3 to 5 is needed)", name);
        return -1;
    }
    return 0;
}

int cmpi_load(const char *path, char *message, size_t capacity) {
    // RTLD_GLOBAL: Open MPI's own plug-ins (dlopened by libmpi) resolve libmpi's symbols globally.
    void *library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(message, capacity, "cannot load %s: %s", path, reason ? reason : "unknown error");
        return -1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init_thread", (void **)&init_thread},
        {"MPI_Comm_rank", (void **)&comm_rank},
        {"MPI_Comm_size", (void **)&comm_size},
        {"MPI_Allreduce", (void **)&allreduce},
        {"MPI_Bcast", (void **)&bcast},
        {"MPI_Barrier", (void **)&barrier},
        {"MPI_Abort", (void **)&abort_job},
        {"MPI_Finalize", (void **)&finalize},
        {"MPI_Initialized", (void **)&initialized},
        {"MPI_Finalized", (void **)&finalized},
        {"MPI_Error_string", (void **)&error_string},
        {"MPI_Comm_set_errhandler", (void **)&set_errhandler},
        {"ompi_mpi_comm_world", &comm_world},
        {"ompi_mpi_float", &type_float},
        {"ompi_mpi_double", &type_double},
        {"ompi_mpi_byte", &type_byte},
        {"ompi_mpi_op_sum", &op_sum},
        {"ompi_mpi_op_max", &op_max},
        {"ompi_mpi_errors_return", &errors_return},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (resolve(library, symbols[i].name, symbols[i].slot, message, capacity) != 0) {
            init_thread = NULL;
            return -1;
        }
    }
    return 0;
}

int cmpi_initialize(int required, int *provided, int *rank, int *size) {
    if (init_thread == NULL) return -1;
    int status = init_thread(NULL, NULL, required, provided);
    if (status != 0) return status;
    // Errors come back as codes, so the caller can say which operation failed and on which rank.
    if ((status = set_errhandler(comm_world, errors_return)) != 0) return status;
    if ((status = comm_rank(comm_world, rank)) != 0) return status;
    return comm_size(comm_world, size);
}

int cmpi_allreduce_sum_float(float *buffer, int count) {
    return allreduce(CMPI_IN_PLACE, buffer, count, type_float, op_sum, comm_world);
}

int cmpi_allreduce_sum_double(double *buffer, int count) {
    return allreduce(CMPI_IN_PLACE, buffer, count, type_double, op_sum, comm_world);
}

int cmpi_allreduce_max_double(double *buffer, int count) {
    return allreduce(CMPI_IN_PLACE, buffer, count, type_double, op_max, comm_world);
}

int cmpi_broadcast_bytes(void *buffer, int count, int root) {
    return bcast(buffer, count, type_byte, root, comm_world);
}

int cmpi_barrier(void) { return barrier(comm_world); }

int cmpi_abort(int code) { return abort_job(comm_world, code); }

int cmpi_finalize(void) { return finalize(); }

int cmpi_is_active(void) {
    if (initialized == NULL) return 0;
    int started = 0, ended = 0;
    initialized(&started);
    finalized(&ended);
    return started && !ended;
}

void cmpi_error_text(int code, char *message, size_t capacity) {
    char text[512];  // MPI_MAX_ERROR_STRING is 256 in Open MPI
    int length = 0;
    if (error_string == NULL || error_string(code, text, &length) != 0) {
        snprintf(message, capacity, "MPI error %d", code);
    } else {
        snprintf(message, capacity, "%.*s", length, text);
    }
}
