/*
 * srv_conn.c: the header and body deadlines of `cara serve`'s connections (see
 * srv_conn.h). libmicrohttpd's own timeout (--idle-timeout) only counts silence, so a
 * client sending one header line every few seconds would keep a connection forever;
 * here every connection is on a list with the phase of its current request and when
 * that phase began, and a 1-second timer on the loop closes (shutdown(2), which
 * libmicrohttpd sees as the client going away) the ones past their deadline. Loop
 * thread only: libmicrohttpd calls back from MHD_run, which only the loop calls.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "srv_conn.h"
#include "srv_internal.h"

enum { PHASE_HEADERS, PHASE_BODY, PHASE_BUSY, PHASE_CLOSING };

struct srv_conn {
    struct srv_conn *prev, *next;
    struct MHD_Connection *conn;
    int phase;
    uint64_t since;              /* uv_now when the phase began */
};

void srv_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe)
{
    srv *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct srv_conn *c = calloc(1, sizeof *c);
        *socket_context = c;
        if (!c) return; /* untracked: only libmicrohttpd's idle timeout applies */
        c->conn = conn;
        c->phase = PHASE_HEADERS;
        c->since = uv_now(s->loop);
        c->next = s->conns;
        if (s->conns) s->conns->prev = c;
        s->conns = c;
        s->n_conns++;
        return;
    }
    struct srv_conn *c = *socket_context;
    if (!c) return;
    if (c->prev) c->prev->next = c->next;
    else s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    s->n_conns--;
    free(c);
    *socket_context = NULL;
}

static struct srv_conn *of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

static void set_phase(srv *s, struct MHD_Connection *conn, int phase)
{
    struct srv_conn *c = of(conn);
    if (!c || c->phase == PHASE_CLOSING) return;
    c->phase = phase;
    c->since = uv_now(s->loop);
}

void srv_conn_headers_in(srv *s, struct MHD_Connection *conn) { set_phase(s, conn, PHASE_BODY); }
void srv_conn_request_in(srv *s, struct MHD_Connection *conn) { set_phase(s, conn, PHASE_BUSY); }
void srv_conn_answered(srv *s, struct MHD_Connection *conn) { set_phase(s, conn, PHASE_HEADERS); }

unsigned srv_conn_sweep(srv *s)
{
    uint64_t now = uv_now(s->loop);
    unsigned closed = 0;
    for (struct srv_conn *c = s->conns; c; c = c->next) {
        uint64_t limit = c->phase == PHASE_HEADERS ? (uint64_t)s->limits.header_seconds * 1000
                         : c->phase == PHASE_BODY  ? (uint64_t)s->limits.body_seconds * 1000
                                                   : 0;
        if (!limit || now - c->since < limit) continue;
        const union MHD_ConnectionInfo *i =
            MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!i) continue;
        shutdown(i->connect_fd, SHUT_RDWR); /* libmicrohttpd reads the end and closes it */
        c->phase = PHASE_CLOSING;
        closed++;
    }
    s->conns_closed_slow += closed;
    return closed;
}
