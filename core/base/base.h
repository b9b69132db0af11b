/*
 * base: the public header of core/base/ (docs/architecture.md). Files outside
 * core/base/ include this header only; the headers below are its parts.
 */
#ifndef CARA_BASE_MODULE_H
#define CARA_BASE_MODULE_H
#include "codes.h"
#include "csv_scan.h"
#include "date.h"
#include "eligibility.h"
#include "file_hash.h"
#include "ids.h"
#include "log.h"
#include "money.h"
#include "msort.h"
#include "packed_lines.h"
#include "sha256.h"
#include "bloom.h"
#include "util.h"
#include "work.h"
#include "work_ahead.h"
#include "xsort.h"
#include "fs.h"
#include "setting.h"
#endif
