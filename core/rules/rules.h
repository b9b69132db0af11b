/*
 * rules: the public header of core/rules/ (docs/architecture.md). Files outside
 * core/rules/ include this header only; the headers below are its parts.
 */
#ifndef CARA_RULES_MODULE_H
#define CARA_RULES_MODULE_H
#include "rules_vm.h"
#include "rules_bind.h"
#endif
