/*
 * synth: the public header of core/synth/ (docs/architecture.md). Files outside
 * core/synth/ include this header only; the headers below are its parts.
 */
#ifndef CARA_SYNTH_MODULE_H
#define CARA_SYNTH_MODULE_H
#include "synthdata.h"
#include "synthdata_adt.h"
#include "synthdata_conv.h"
#endif
