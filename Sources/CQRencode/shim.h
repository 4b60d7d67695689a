#ifndef KINERJAD_CQRENCODE_SHIM_H
#define KINERJAD_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
