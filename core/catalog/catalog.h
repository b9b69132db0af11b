/*
 * catalog: the public header of core/catalog/ (docs/architecture.md). Files outside
 * core/catalog/ include this header only; the headers below are its parts.
 */
#ifndef CARA_CATALOG_MODULE_H
#define CARA_CATALOG_MODULE_H
#include "catalog_set.h"
#include "episode.h"
#include "hcc.h"
#include "hcc_filter.h"
#include "hcc_score.h"
#include "host.h"
#include "overlay.h"
#include "overlay_aco.h"
#include "plugin_host.h"
#include "risk.h"
#include "schema.h"
#include "template.h"
#include "template_check.h"
#include "template_schema.h"
#endif
