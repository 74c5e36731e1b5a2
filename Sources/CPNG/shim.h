#ifndef FMF_CPNG_SHIM_H
#define FMF_CPNG_SHIM_H
#include <png.h>
#endif
