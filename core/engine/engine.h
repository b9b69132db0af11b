/*
 * engine: the public header of core/engine/ (docs/architecture.md). Files outside
 * core/engine/ include this header only; the headers below are its parts.
 */
#ifndef CARA_ENGINE_MODULE_H
#define CARA_ENGINE_MODULE_H
#include "adt_proc.h"
#include "content_diff.h"
#include "engine_price.h"
#include "engine_run.h"
#include "episodes_check.h"
#include "network.h"
#include "particip.h"
#include "replay.h"
#include "rollback.h"
#include "risk_list.h"
#include "rules_test.h"
#include "run_diff.h"
#include "run_manifest.h"
#endif
