/*
 * tokens: the reads of table `api_tokens` (migration 6) that `cara token` and the
 * service's bearer-token checks (serve/srv_auth.c) make. Never the hashes out: a
 * token is looked up by the SHA-256 of its secret, and only its public columns come
 * back. Explicit columns; every step checked. On a store error functions return -EIO
 * with err set to "PATH: SQLite's message" (store_path), as srv_auth's messages are.
 */
#ifndef CARA_TOKENS_H
#define CARA_TOKENS_H

#include <stddef.h>

#include "store_rows.h"
#include "store_conn.h"

/* A token's public columns (copied; no ownership). */
typedef struct tokens_row {
    char token_id[20];  /* 12 hex digits */
    char role[16];      /* "cms", "aco" or "provider" */
    char scope_id[64];  /* ACO id or NPI; "" for cms (NULL in the table) */
    int revoked;        /* 1 when revoked_at is set */
    char revoked_at[40];/* UTC ISO 8601, "" when not revoked */
} tokens_row;

/*
 * The token whose secret hashes to sha256_hex (64 lowercase hex digits) into out.
 * 1 found, 0 none, -EIO (err).
 */
int tokens_by_hash(store *s, const char *sha256_hex, tokens_row *out, char *err, size_t errlen);

/* Token token_id into out: 1 found, 0 none, -EIO (err). */
int tokens_by_id(store *s, const char *token_id, tokens_row *out, char *err, size_t errlen);

/*
 * Token token_id's public columns as compact JSON text for the audit log (token_id,
 * role, scope_id, label, created_at, created_by, revoked_at; never the hash) into *out
 * (malloc'ed, caller frees; NULL when there is no such token). 0, or -EIO / -ENOMEM.
 */
int tokens_json(store *s, const char *token_id, char **out, char *err, size_t errlen);

/* The one writer of api_tokens rows: insert a token (sha256_hex: the secret's hash; the
 * secret is never stored). 0, or -EIO (a clash of token_id or hash included). */
int tokens_insert(store *s, const char *token_id, const char *sha256_hex, const char *role,
                  const char *scope_id, const char *label, const char *created_at,
                  const char *created_by, char *err, size_t errlen);

/* Set token token_id's revoked_at to at. 0, or -EIO. */
int tokens_set_revoked(store *s, const char *token_id, const char *at, char *err, size_t errlen);

/*
 * Every token (never the hashes) as generic rows for printing, columns token_id,
 * role, scope, label, created_at, created_by, revoked_at, by created_at then
 * token_id (`cara token list`). Returns store_rows's value (row count or negative; err
 * is then SQLite's message alone, as store_rows writes it).
 */
int tokens_list(store *s, store_row_fn fn, void *ud, char *err, size_t errlen);

#endif
