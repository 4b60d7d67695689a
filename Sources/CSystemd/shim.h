#ifndef KINERJAD_CSYSTEMD_SHIM_H
#define KINERJAD_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#endif
