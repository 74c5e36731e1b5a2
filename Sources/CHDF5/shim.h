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
static inline hid_t fmf_h5p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t fmf_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t fmf_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t fmf_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t fmf_h5s_all(void) { return H5S_ALL; }
static inline hsize_t fmf_h5s_unlimited(void) { return H5S_UNLIMITED; }

/* File types with an explicit byte order, so files are identical on any host. */
static inline hid_t fmf_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t fmf_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t fmf_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t fmf_h5t_std_i16le(void) { return H5T_STD_I16LE; }
static inline hid_t fmf_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t fmf_h5t_std_i64le(void) { return H5T_STD_I64LE; }
/* H5T_VARIABLE is ((size_t)-1): the size of a variable-length string type. */
static inline size_t fmf_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t fmf_h5e_default(void) { return H5E_DEFAULT; }

/* Frees the strings HDF5 allocated while reading variable-length data; the function was
   renamed in HDF5 1.12. */
static inline herr_t fmf_h5_vlen_reclaim(hid_t type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}

/* Silence HDF5's automatic error-stack printing: errors are reported as Swift errors. */
static inline void fmf_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
