/*
 * srv_conn: deadlines for a connection's request headers and body (srv_conn.c), so that
 * slow clients (slowloris) cannot hold connections. Loop thread only.
 *
 * A connection is in one phase at a time: reading a request's line and headers (from
 * its opening, or from its previous answer; --header-seconds), reading the body (from
 * the end of the headers; --body-seconds), or busy (the request is complete: being
 * handled or answered; no deadline). A connection past its phase's deadline is shut
 * down by srv_conn_sweep, which the service calls every second.
 */
#ifndef CARA_SRV_CONN_H
#define CARA_SRV_CONN_H

#include <microhttpd.h>

#include "srv.h"

/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls: the srv): track the connection from
 * its opening (phase headers) to its closing; the record is the socket context. */
void srv_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe);

/* A request's headers are in (phase body). */
void srv_conn_headers_in(srv *s, struct MHD_Connection *conn);
/* A request is complete, body included (phase busy: no deadline). */
void srv_conn_request_in(srv *s, struct MHD_Connection *conn);
/* A request was answered: the connection waits for the next one (phase headers). */
void srv_conn_answered(srv *s, struct MHD_Connection *conn);

/* Shut down every connection past its deadline; returns how many. */
unsigned srv_conn_sweep(srv *s);

#endif
