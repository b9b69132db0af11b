/*
 * srv_dirs: the service's directories, for handlers that write templates, and the
 * shared state handlers reach through the service (tests give doubles of all of these).
 */
#ifndef CARA_SRV_DIRS_H
#define CARA_SRV_DIRS_H

#include <uv.h>

#include "srv.h"

struct srv_cache;

/* The source episodes directory the service watches (writes go here; the hot reload
 * then validates them into a new active snapshot). Borrowed, lives as long as s. */
const char *srv_source_episodes_dir(const srv *s);

/* The service's private state folder (snapshots; rules/try's temporary folders go
 * under it so that every exit removes them), or NULL outside a service. Borrowed. */
const char *srv_state_dir(const srv *s);

/* The answers the service keeps between requests (srv_cache.h), or NULL (none kept).
 * Borrowed. */
struct srv_cache *srv_cache_of(const srv *s);

/* The lock one audit write at a time takes (srv_internal.h audit_lock), or NULL (no
 * service: no lock). Borrowed. */
uv_mutex_t *srv_audit_lock_of(srv *s);

#endif
