/*
 * cli: the public header of core/cli/ (docs/architecture.md). Files outside
 * core/cli/ include this header only; the headers below are its parts.
 */
#ifndef CARA_CLI_MODULE_H
#define CARA_CLI_MODULE_H
#include "audit_cli.h"
#include "cli_cmds.h"
#include "diff_components.h"
#endif
