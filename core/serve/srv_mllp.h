/*
 * srv_mllp: the MLLP listener of `cara serve --mllp` (srv_mllp.c; docs/adt.md). Loop
 * thread only.
 */
#ifndef CARA_SRV_MLLP_H
#define CARA_SRV_MLLP_H

#include <jansson.h>

#include "srv.h"

#define SRV_MLLP_BATCH 512            /* messages committed together at most */
#define SRV_MLLP_PENDING 1024         /* unacknowledged messages per connection before
                                       * reading pauses */

typedef struct srv_mllp srv_mllp;

/* Listen on host:port (port 0: a free one) and print "mllp://HOST:PORT" to stdout. 0, or
 * a negative code with err. */
int srv__mllp_start(srv *s, const char *host, int port, char *err, size_t errlen);
/* At the start of a stop: stop listening and reading; the batch on the pool and the
 * messages already read are committed and answered. */
void srv__mllp_stop(srv *s);
/* At the end of a stop: close the connections and the timer. */
void srv__mllp_close(srv *s);
/* 1 while a batch is on the pool or messages wait. */
int srv__mllp_busy(srv *s);
/* Free what is left after the loop ended. */
void srv__mllp_free(srv *s);
/* Append the listener's Prometheus lines to buf (len bytes); their length (0 without
 * --mllp). Loop thread (GET /metrics). */
size_t srv__mllp_metrics(srv *s, char *buf, size_t len);

/* New care tasks were committed: wake the task feeds waiting (srv_http.c). */
void srv__tasks_notify(srv *s);

#endif
