/*
 * srv: `cara serve`, the HTTP service on one libuv loop.
 *
 * Threads: the loop thread owns the HTTP library (libmicrohttpd in external-event mode,
 * driven by the loop), timers, file watchers and the job table; it never touches SQLite
 * or Lua. Each request that needs data runs its handler on the libuv thread pool with
 * its own store connection (srv_req.db) while the connection is suspended; background
 * runs are jobs on the pool too. A handler must not keep pointers into the request after
 * it returns.
 *
 * Roles (srv_auth.h): a bearer token is CMS (everything), an ACO (its arrangements,
 * beneficiaries and episodes), or a provider NPI (its own episodes). Handlers call
 * srv_scope_* to narrow queries and answer 403 outside the scope. A request without an
 * Authorization header but with a login session's cookie runs with its user's role
 * (srv_session.h), the same scopes and 403s.
 */
#ifndef CARA_SRV_H
#define CARA_SRV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/* The service's limits (`cara serve` options; docs/security.md lists them). */
typedef struct srv_limits {
    size_t max_body;          /* bytes of a request body */
    size_t max_header;        /* bytes of a connection's request line + headers */
    unsigned connections;     /* open connections at once */
    unsigned idle_timeout;    /* seconds a connection may stay idle */
    unsigned request_seconds; /* SQL time a request may use */
    unsigned per_ip;          /* open connections at once from one IP address */
    unsigned header_seconds;  /* a request's line and headers must arrive within this */
    unsigned body_seconds;    /* a request's body must arrive within this after its headers */
    unsigned try_workers;     /* rules/try requests evaluated at once */
    unsigned try_queue;       /* rules/try requests waiting; more are answered 503 */
    /* login sessions (srv_session.h; 0 means the default) */
    unsigned session_idle;    /* seconds a session lasts without a request */
    unsigned session_max;     /* seconds a session lasts after its login */
    unsigned login_attempts;  /* failed logins per user name and per address in a window */
    unsigned login_window;    /* seconds of that window */
    /* the MLLP listener (srv_mllp.h; 0 means the default) */
    size_t mllp_max_message;  /* bytes of one HL7 message */
    unsigned mllp_connections;/* open MLLP connections at once */
    unsigned mllp_idle_seconds; /* an idle connection, or one frame, may last this long */
    /* exports (srv_api_exports.c; 0 means the default) */
    unsigned export_max_episodes; /* episodes one GET /v1/exports/:format may hold */
} srv_limits;

/* Defaults of the limits above. */
#define SRV_DEFAULT_PER_IP 16
#define SRV_DEFAULT_HEADER_SECONDS 10
#define SRV_DEFAULT_BODY_SECONDS 30
#define SRV_TRY_WORKERS 2
#define SRV_TRY_QUEUE 8
#define SRV_DEFAULT_MLLP_MAX_MESSAGE (1u << 20)
#define SRV_DEFAULT_MLLP_CONNECTIONS 64
#define SRV_DEFAULT_MLLP_IDLE 300
#define SRV_DEFAULT_EXPORT_MAX_EPISODES 250000

/* What `cara serve` starts with (the CLI fills it from its options). */
typedef struct srv_options {
    const char *db;           /* database file (created when missing) */
    const char *episodes_dir; /* the source episodes folder the service watches */
    const char *plugins_dir;  /* plugins folder */
    const char *host;         /* address to listen on */
    int port;                 /* port; 0 picks a free one */
    srv_limits limits;
    const char *tls_cert;     /* PEM certificate file: serve HTTPS (NULL: HTTP) */
    const char *tls_key;      /* its PEM private key file (with tls_cert) */
    const char *mllp_host;    /* listen for HL7 v2 over MLLP here too (NULL: not) */
    int mllp_port;
} srv_options;

/*
 * Run the service until SIGINT or SIGTERM: open (and migrate) the database, reap runs
 * killed earlier, take a validated snapshot of the episodes folder, listen, print the
 * URL to stdout, serve, then stop gracefully (srv_main.c). Messages go to err. One
 * service per process. 0 after a clean stop, -1 when it could not start (the reason
 * printed to err).
 */
int srv_serve(const srv_options *o, FILE *err);

enum srv_role_kind { SRV_ANON, SRV_CMS, SRV_ACO, SRV_PROVIDER };

typedef struct srv_role {
    int kind;               /* enum srv_role_kind */
    char id[32];            /* ACO id or NPI; "" for CMS */
    char token_id[20];      /* the token's public id (for the audit log); "" for a session */
    char user[65];          /* the logged-in user's name (a session); "" for a token */
} srv_role;

typedef struct srv srv;     /* the service (srv_main.c); opaque to handlers */

/* One request, as a handler sees it (on a pool thread). Everything is borrowed. */
typedef struct srv_req {
    srv *s;
    const char *method;     /* "GET", "POST", ... */
    const char *path;       /* "/v1/runs/12" (no query string) */
    const char *params[4];  /* path captures, in pattern order (":id" segments) */
    int n_params;
    const char *body;       /* request body ("" when none), NUL-terminated */
    size_t body_len;
    srv_role role;
    store *db;              /* this request's store connection (NULL for no-db routes) */
    const char *episodes_dir; /* the active, validated episodes snapshot */
    const char *plugins_dir;
    unsigned export_max_episodes; /* limits.export_max_episodes */
    /* query parameters (decoded), looked up with srv_query */
    const char *const *qkeys, *const *qvals;
    int n_query;
    /* request headers (copies made on the loop), looked up with srv_header */
    const char *const *hkeys, *const *hvals;
    int n_headers;
    const char *client;     /* the client's IP address ("" when unknown) */
    int64_t waited_ms;      /* a parked request (srv_resp.park_ms): how long it has waited */
} srv_req;

#define SRV_RESP_HEADERS 4   /* extra response headers a handler may add */

/* The response a handler fills. */
typedef struct srv_resp {
    int status;             /* HTTP status (default 200) */
    json_t *json;           /* body as JSON (owned; serialized compact), or NULL */
    char *text;             /* body as text (malloc'ed, owned), when json is NULL */
    size_t text_len;        /* > 0: text is binary data of this length (sent as it is:
                             * no strlen, no path scrubbing) */
    const char *content_type; /* for text (default "text/plain; charset=utf-8") */
    char *hnames[SRV_RESP_HEADERS], *hvals[SRV_RESP_HEADERS]; /* extra headers (owned) */
    int n_headers;
    /* A long poll: with park_ms > 0 the answer is not sent; the request runs again when
     * new care tasks are committed or park_ms have passed (rq.waited_ms then tells how
     * long it waited). Only for routes marked SRV_PARK. */
    int64_t park_ms;
} srv_resp;

typedef void (*srv_handler)(srv_req *rq, srv_resp *rs);

/* A query parameter's value, or NULL. */
const char *srv_query(const srv_req *rq, const char *key);

/* A request header's value (name in any case), or NULL. */
const char *srv_header(const srv_req *rq, const char *name);

/* Add a response header (Set-Cookie, Retry-After, ...; name and value copied). 0, or -1
 * when SRV_RESP_HEADERS are already set or out of memory. */
int srv_resp_header(srv_resp *rs, const char *name, const char *value);

/* Set an error response: {"error": {"status": N, "code": code, "message": "..."}}. */
void srv_error(srv_resp *rs, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set a JSON response (takes the reference). */
void srv_json(srv_resp *rs, int status, json_t *body);
/* body as the service sends it: compact JSON, non-ASCII escaped, a final newline.
 * malloc'ed ("{}" when body cannot be written; NULL when out of memory), its length in
 * *len (when len is not NULL). */
char *srv_json_text(const json_t *body, size_t *len);

/* Parse the request body as a JSON object; on failure sets a 400 response naming the
 * line, column and reason, and returns NULL. New reference. */
json_t *srv_body_object(const srv_req *rq, srv_resp *rs);

/* Append an audit-log row for this request (actor = role + token id). detail may be
 * NULL (stolen otherwise). Returns 0 or -EIO. Every write and every read of
 * beneficiary-level data calls it. */
int srv_audit(const srv_req *rq, const char *action, const char *entity, const char *entity_id,
              json_t *detail);

/* Scope: the ACO id an ACO token is limited to (NULL for others). */
const char *srv_scope_aco(const srv_req *rq);
/* Scope: the NPI a provider token is limited to (NULL for others). */
const char *srv_scope_npi(const srv_req *rq);
/* 1 when the role is CMS. */
int srv_is_cms(const srv_req *rq);

#endif
