/*
 * srv_dirs: the service's directories, for handlers that write templates.
 */
#ifndef CARA_SRV_DIRS_H
#define CARA_SRV_DIRS_H

#include "srv.h"

/* The source episodes directory the service watches (writes go here; the hot reload
 * then validates them into a new active snapshot). Borrowed, lives as long as s. */
const char *srv_source_episodes_dir(const srv *s);

/* The service's private state folder (snapshots; rules/try's temporary folders go
 * under it so that every exit removes them), or NULL outside a service. Borrowed. */
const char *srv_state_dir(const srv *s);

#endif
