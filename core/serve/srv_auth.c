/*
 * srv_auth.c: see srv_auth.h.
 */
#include "srv_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"


static void now_utc(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* n bytes from the kernel's CSPRNG: getrandom(2), else /dev/urandom. 0 or -EIO. */
static int random_bytes(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r > 0) got += (size_t)r;
        else if (r < 0 && errno == EINTR) continue;
        else break;
    }
    if (got == n) return 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -EIO;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r > 0) got += (size_t)r;
        else if (r < 0 && errno == EINTR) continue;
        else break;
    }
    close(fd);
    return got == n ? 0 : -EIO;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int is_lower_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return 0;
    return 1;
}

static int audit(store *s, const char *actor, const char *action, const char *id,
                 const char *before, const char *after, char *err, size_t errlen)
{
    char e[256];
    audit_row r = {.actor = actor, .action = action, .entity = "token", .entity_id = id,
                   .before = before, .after = after};
    if (audit_append(s, &r, e, sizeof e) < 0)
        return util_fail(err, errlen, -EIO, "%s: %s", store_path(s), e);
    return 0;
}

/* ---- roles ------------------------------------------------------------------------------ */

const char *srv_role_word(int kind)
{
    return kind == SRV_CMS ? "cms" : kind == SRV_ACO ? "aco" : kind == SRV_PROVIDER ? "provider"
                                                                                    : "anonymous";
}

static const char ROLE_FORMS[] = "expected cms, aco:ACO_ID or provider:NPI";

int srv_role_parse(store *s, const char *spec, srv_role *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->kind = SRV_ANON;
    if (!spec || !*spec) return util_fail(err, errlen, -EINVAL, "no role given (%s)", ROLE_FORMS);
    const char *colon = strchr(spec, ':');
    size_t wlen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *id = colon ? colon + 1 : "";
    if (wlen == 3 && !strncmp(spec, "cms", 3)) {
        if (colon) return util_fail(err, errlen, -EINVAL, "role \"%s\": cms takes no id (%s)", spec, ROLE_FORMS);
        out->kind = SRV_CMS;
        return 0;
    }
    int aco = wlen == 3 && !strncmp(spec, "aco", 3);
    int provider = wlen == 8 && !strncmp(spec, "provider", 8);
    if (!aco && !provider)
        return util_fail(err, errlen, -EINVAL, "unknown role \"%.*s\" (%s)", (int)(wlen > 40 ? 40 : wlen),
                    spec, ROLE_FORMS);
    if (!*id)
        return util_fail(err, errlen, -EINVAL, "role \"%s\" needs %s", spec,
                    aco ? "an ACO id (aco:ACO_ID)" : "an NPI (provider:NPI)");
    if (strlen(id) >= sizeof out->id)
        return util_fail(err, errlen, -EINVAL, "role \"%.40s...\": the id is too long", spec);
    if (provider) {
        int rc = npi_check(id, strlen(id));
        if (rc == ID_BAD_CHECK)
            return util_fail(err, errlen, -EINVAL, "role \"%s\": NPI \"%s\" fails its check digit "
                        "(expected %d as the last digit)", spec, id, npi_check_digit(id));
        if (rc < 0)
            return util_fail(err, errlen, -EINVAL, "role \"%s\": NPI \"%s\": %s", spec, id,
                        ids_explain("npi", rc));
        out->kind = SRV_PROVIDER;
    } else {
        if (!s) return util_fail(err, errlen, -EINVAL, "role \"%s\": no database to look the ACO up in", spec);
        int found;
        if (orgs_q_aco_known(s, id, &found, NULL, err, errlen) < 0) return -EINVAL;
        if (!found)
            return util_fail(err, errlen, -EINVAL, "role \"%s\": no ACO \"%s\" (cara aco add, or load "
                        "acos.csv)", spec, id);
        out->kind = SRV_ACO;
    }
    util_strlcpy(out->id, id, sizeof out->id);
    return 0;
}

/* ---- tokens ----------------------------------------------------------------------------- */

int srv_token_create(store *s, const char *spec, const char *label, const char *actor,
                     char *secret, size_t secret_len, char token_id[20], char *err,
                     size_t errlen)
{
    if (secret && secret_len) secret[0] = '\0';
    token_id[0] = '\0';
    if (!secret || secret_len < SRV_TOKEN_LEN + 1)
        return util_fail(err, errlen, -EINVAL, "the secret buffer is too small (%d bytes needed)",
                    SRV_TOKEN_LEN + 1);
    if (!actor || !*actor) return util_fail(err, errlen, -EINVAL, "who creates the token is required");
    if (!label) label = "";
    if (strlen(label) > SRV_TOKEN_LABEL_MAX)
        return util_fail(err, errlen, -EINVAL, "the label is longer than %d bytes", SRV_TOKEN_LABEL_MAX);
    srv_role role;
    int rc = srv_role_parse(s, spec, &role, err, errlen);
    if (rc < 0) return rc;

    char e[256];
    if (store_begin(s, e, sizeof e) < 0) return util_fail(err, errlen, -EIO, "%s", e);
    unsigned char raw[SRV_TOKEN_HEX / 2 + SRV_TOKEN_ID_HEX / 2];
    char id[SRV_TOKEN_ID_HEX + 1], hash[65], now[32], *after = NULL;
    /* a fresh id: 48 random bits, retried on the (unlikely) clash */
    for (int tries = 0; rc == 0; tries++) {
        if (random_bytes(raw, sizeof raw) < 0) {
            rc = util_fail(err, errlen, -EIO, "cannot read random bytes from the kernel");
            break;
        }
        to_hex(raw + SRV_TOKEN_HEX / 2, SRV_TOKEN_ID_HEX / 2, id);
        tokens_row taken;
        int found = tokens_by_id(s, id, &taken, err, errlen);
        if (found < 0) rc = found;
        if (found == 0) break;
        if (rc == 0 && tries >= 8) rc = util_fail(err, errlen, -EIO, "no free token id after %d tries", tries + 1);
    }
    if (rc == 0) {
        memcpy(secret, SRV_TOKEN_PREFIX, sizeof SRV_TOKEN_PREFIX - 1);
        to_hex(raw, SRV_TOKEN_HEX / 2, secret + sizeof SRV_TOKEN_PREFIX - 1);
        sha256_hex(secret, SRV_TOKEN_LEN, hash);
        now_utc(now);
        rc = tokens_insert(s, id, hash, srv_role_word(role.kind), role.id, label, now, actor,
                           err, errlen);
    }
    if (rc == 0) rc = tokens_json(s, id, &after, err, errlen);
    if (rc == 0) rc = audit(s, actor, "token.create", id, NULL, after, err, errlen);
    free(after);
    rc = store_finish(s, rc, err, errlen);
    memset(raw, 0, sizeof raw);
    if (rc < 0) {
        memset(secret, 0, secret_len);
        return rc;
    }
    util_strlcpy(token_id, id, 20);
    return 0;
}

int srv_token_revoke(store *s, const char *token_id, const char *actor, char *err, size_t errlen)
{
    if (!token_id || !*token_id) return util_fail(err, errlen, -EINVAL, "a token id is required");
    if (!actor || !*actor) return util_fail(err, errlen, -EINVAL, "who revokes the token is required");
    char e[256], now[32], *before = NULL, *after = NULL;
    tokens_row t;
    if (store_begin(s, e, sizeof e) < 0) return util_fail(err, errlen, -EIO, "%s", e);
    int rc = tokens_json(s, token_id, &before, err, errlen);
    if (rc == 0 && !before) rc = util_fail(err, errlen, -ENOENT, "no token \"%s\" (cara token list)", token_id);
    if (rc == 0) {
        int found = tokens_by_id(s, token_id, &t, err, errlen);
        if (found < 0) rc = found;
        else if (found && t.revoked)
            rc = util_fail(err, errlen, -EALREADY, "token %s was already revoked at %s", token_id,
                           t.revoked_at);
    }
    if (rc == 0) {
        now_utc(now);
        rc = tokens_set_revoked(s, token_id, now, err, errlen);
    }
    if (rc == 0) rc = tokens_json(s, token_id, &after, err, errlen);
    if (rc == 0) rc = audit(s, actor, "token.revoke", token_id, before, after, err, errlen);
    free(before);
    free(after);
    return store_finish(s, rc, err, errlen);
}

int srv_token_well_formed(const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "bearer ", 7) != 0) return 0;
    const char *tok = authorization + 7;
    return strlen(tok) == SRV_TOKEN_LEN &&
           !strncmp(tok, SRV_TOKEN_PREFIX, sizeof SRV_TOKEN_PREFIX - 1) &&
           is_lower_hex(tok + sizeof SRV_TOKEN_PREFIX - 1, SRV_TOKEN_HEX);
}

int srv_token_id_of(store *s, const char *authorization, char token_id[20])
{
    token_id[0] = '\0';
    if (!srv_token_well_formed(authorization)) return 0;
    char hash[65];
    sha256_hex(authorization + 7, SRV_TOKEN_LEN, hash);
    tokens_row t;
    int found = tokens_by_hash(s, hash, &t, NULL, 0);
    if (found < 0) return -EIO;
    if (found) util_strlcpy(token_id, t.token_id, 20);
    return 0;
}

int srv_token_verify(store *s, const char *authorization, srv_role *role, char *err, size_t errlen)
{
    memset(role, 0, sizeof *role);
    role->kind = SRV_ANON;
    if (!authorization || !*authorization)
        return util_fail(err, errlen, -EACCES, "no Authorization header: send 'Authorization: Bearer "
                    "<token>' (cara token create)");
    if (strncasecmp(authorization, "bearer ", 7) != 0)
        return util_fail(err, errlen, -EACCES, "the Authorization header is not 'Bearer <token>'");
    const char *tok = authorization + 7;
    if (!srv_token_well_formed(authorization))
        return util_fail(err, errlen, -EACCES, "the bearer token is malformed (expected 'Bearer cara_' "
                    "and 40 lowercase hex digits, one space after Bearer)");
    char hash[65];
    sha256_hex(tok, SRV_TOKEN_LEN, hash);
    tokens_row t;
    int found = tokens_by_hash(s, hash, &t, err, errlen), rc;
    if (found < 0) {
        rc = found;
    } else if (!found) {
        rc = util_fail(err, errlen, -EACCES, "unknown bearer token");
    } else if (t.revoked) {
        rc = util_fail(err, errlen, -EACCES, "token %s was revoked at %s", t.token_id, t.revoked_at);
    } else {
        rc = 0;
        role->kind = !strcmp(t.role, "cms") ? SRV_CMS : !strcmp(t.role, "aco") ? SRV_ACO
                                                                             : SRV_PROVIDER;
        if (role->kind != SRV_CMS) util_strlcpy(role->id, t.scope_id, sizeof role->id);
        util_strlcpy(role->token_id, t.token_id, sizeof role->token_id);
    }
    return rc;
}
