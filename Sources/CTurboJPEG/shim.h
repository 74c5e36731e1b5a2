#ifndef FMF_CTURBOJPEG_SHIM_H
#define FMF_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
#endif
