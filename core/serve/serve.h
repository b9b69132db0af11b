/*
 * serve: the public header of core/serve/ (docs/architecture.md). Files outside
 * core/serve/ include this header only; the headers below are its parts.
 */
#ifndef CARA_SERVE_MODULE_H
#define CARA_SERVE_MODULE_H
#include "srv.h"
#include "srv_api.h"
#include "srv_api_common.h"
#include "srv_auth.h"
#include "srv_bodies.h"
#include "srv_conn.h"
#include "srv_deny.h"
#include "srv_dirs.h"
#include "srv_session.h"
#endif
