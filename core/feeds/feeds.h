/*
 * feeds: the public header of core/feeds/ (docs/architecture.md). Files outside
 * core/feeds/ include this header only; the headers below are its parts.
 */
#ifndef CARA_FEEDS_MODULE_H
#define CARA_FEEDS_MODULE_H
#include "adt.h"
#include "cclf.h"
#include "cclf_bundle.h"
#include "cclf_feed.h"
#include "feed.h"
#include "fhir.h"
#include "hl7.h"
#include "load_fields.h"
#include "mllp.h"
#endif
