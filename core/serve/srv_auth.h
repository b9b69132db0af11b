/*
 * srv_auth: bearer tokens and roles for `cara serve` (docs/api-tokens.md).
 *
 * A token is a random secret "cara_" + 40 lowercase hex digits (160 bits from the
 * kernel's CSPRNG), shown once when it is made. The database keeps only its SHA-256
 * (table api_tokens, migration 6) with a public token id (12 hex digits), the role and
 * its scope (an ACO id or an NPI), a label, who made it and when, and when it was
 * revoked. Creating and revoking a token each run in one transaction with an audit_log
 * row; the secret is never stored, logged or put in an error message.
 *
 * Roles (srv.h srv_role): "cms" (everything), "aco:ACO_ID" (that ACO's arrangements,
 * beneficiaries and episodes), "provider:NPI" (that provider's own episodes).
 *
 * Functions take a store connection owned by the caller (one per thread, as srv.h
 * says); they write a message for the user into err (errlen bytes, may be 0).
 */
#ifndef CARA_SRV_AUTH_H
#define CARA_SRV_AUTH_H

#include <stddef.h>

#include "srv.h"
#include "store/store.h"

#define SRV_TOKEN_PREFIX "cara_"
#define SRV_TOKEN_HEX 40        /* hex digits after the prefix */
#define SRV_TOKEN_LEN 45        /* strlen of a secret */
#define SRV_TOKEN_ID_HEX 12     /* hex digits of a token id */
#define SRV_TOKEN_LABEL_MAX 200 /* bytes of a label */

/* "cms", "aco" or "provider" for an enum srv_role_kind ("anonymous" for others). Static. */
const char *srv_role_word(int kind);

/*
 * Parse "cms" | "aco:ACO_ID" | "provider:NPI" into out (kind and id; token_id is set
 * to ""). The ACO must exist in table acos (so s is needed for "aco:"; it may be NULL
 * otherwise); the NPI must be a valid NPI (ids.h npi_check: length, digits, prefix,
 * check digit). Role words are lowercase. Returns 0, or -EINVAL with a message naming
 * the problem (unknown role word, missing id, unknown ACO, bad NPI) and what is expected.
 */
int srv_role_parse(store *s, const char *spec, srv_role *out, char *err, size_t errlen);

/*
 * Create a token for the role spec (srv_role_parse), with an optional label (NULL or
 * "" for none; at most SRV_TOKEN_LABEL_MAX bytes) made by actor (non-empty: who runs
 * the command). Writes the secret ("cara_" + 40 lowercase hex digits, NUL-terminated)
 * into secret (secret_len must be at least SRV_TOKEN_LEN + 1; 64 is customary) and the
 * new token id (12 hex digits) into token_id. Stores only the SHA-256 of the secret
 * (hex), with role, scope, label, created_at (UTC, ISO 8601) and created_by, and
 * appends an audit_log row (action 'token.create', entity 'token', entity_id the token
 * id, after = the row as JSON without hash or secret), in one transaction. The caller
 * shows the secret once and forgets it.
 * Returns 0; -EINVAL (bad role, label, actor or buffer; message), -EIO (randomness
 * or SQLite; message). On failure secret and token_id are set to "".
 */
int srv_token_create(store *s, const char *spec, const char *label, const char *actor,
                     char *secret, size_t secret_len, char token_id[20], char *err,
                     size_t errlen);

/*
 * Revoke the token token_id: sets revoked_at (UTC, ISO 8601) and appends an audit_log
 * row (action 'token.revoke', before and after as JSON) by actor, in one transaction.
 * Returns 0; -ENOENT when no such token; -EALREADY when it is already revoked (the
 * message says when); -EINVAL for a NULL/empty id or actor; -EIO (SQLite).
 */
int srv_token_revoke(store *s, const char *token_id, const char *actor, char *err,
                     size_t errlen);

/*
 * Check an HTTP Authorization header value: "Bearer <secret>" (the scheme in any case,
 * exactly one space, the secret "cara_" + 40 lowercase hex digits and nothing after
 * it). When the secret's SHA-256 matches a token that is not revoked, fills role (kind,
 * id, token_id) and returns 0. Otherwise returns -EACCES (role set to anonymous) with a
 * message for the 401 body saying which: the header is missing, is not a Bearer
 * header, the token is malformed, unknown, or revoked (naming its id and when); or
 * -EIO on a SQLite error. Reads only; never puts the secret in err.
 */
int srv_token_verify(store *s, const char *authorization, srv_role *role, char *err,
                     size_t errlen);

/* The public id of the token (revoked or not) whose secret authorization carries, into
 * token_id ("" when the header is not well formed or no token has that secret), for
 * the audit of a refused request. Reads only. Returns 0 or -EIO. */
int srv_token_id_of(store *s, const char *authorization, char token_id[20]);

/* 1 when authorization is "Bearer " + a well-formed secret (the form srv_token_verify
 * accepts), whether or not such a token exists; else 0. */
int srv_token_well_formed(const char *authorization);

#endif
