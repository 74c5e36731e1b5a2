#ifndef FMF_CHDF5_SHIM_H
#define FMF_CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5 exposes its native types, file-access flags and property-list classes as macros
   that expand to global ids initialised at library load; Swift cannot import them,
   so each one used by the project is wrapped in a static inline function here. */
static inline hid_t fmf_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t fmf_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t fmf_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t fmf_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t fmf_h5t_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t fmf_h5t_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t fmf_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t fmf_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t fmf_h5t_c_s1(void) { return H5T_C_S1; }
static inline unsigned fmf_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned fmf_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned fmf_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned fmf_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hid_t fmf_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t fmf_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t fmf_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t fmf_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t fmf_h5s_all(void) { return H5S_ALL; }
static inline hsize_t fmf_h5s_unlimited(void) { return H5S_UNLIMITED; }

/* Silence HDF5's automatic error-stack printing: errors are reported as Swift errors. */
static inline void fmf_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
