#ifndef FMF_CZLIB_SHIM_H
#define FMF_CZLIB_SHIM_H
#include <zlib.h>
#endif
