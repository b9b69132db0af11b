/*
 * episodes_check: is an episodes folder usable by a run? The check the hot reload makes
 * of every snapshot and a rollback makes before it changes anything.
 */
#ifndef CARA_EPISODES_CHECK_H
#define CARA_EPISODES_CHECK_H

#include <stddef.h>

/* Size of the message buffer episodes_check_dir writes. */
#define EPISODES_CHECK_MSG 2048

/*
 * Every template and overlay of dir loads and validates with the plugins of plugins_dir
 * (a plugin that fails to load, or a template that does not, is a failure, not a skip),
 * every rule file compiles in the sandbox, and the CMS-HCC tables of dir/common load.
 * 0 when usable, else -1 with the reasons in msg (EPISODES_CHECK_MSG bytes).
 */
int episodes_check_dir(const char *dir, const char *plugins_dir, char *msg);

#endif
