/*
 * load: the public header of core/load/ (docs/architecture.md). Files outside
 * core/load/ include this header only; the headers below are its parts.
 */
#ifndef CARA_LOAD_MODULE_H
#define CARA_LOAD_MODULE_H
#include "load_csv.h"
#include "load_feed.h"
#endif
