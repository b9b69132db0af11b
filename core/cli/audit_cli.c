/*
 * audit_cli.c: see audit_cli.h.
 */
#include "audit_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

const char *audit_cli_actor(const char *as)
{
    if (as && *as) return as;
    const char *user = getenv("USER");
    return user && *user ? user : "cli";
}

int audit_cli_open(const char *path, store **out, char *err, size_t errlen)
{
    *out = NULL;
    store *s;
    int rc = store_open(path, 0, &s, err, errlen);
    if (rc < 0) return rc;
    if (store_is_readonly(s)) {
        snprintf(err, errlen, "%s: the store is read-only for this user; a read of beneficiary "
                 "data is recorded in its audit log, so it is refused", path);
        store_close(s);
        return -EROFS;
    }
    store_busy_timeout(s, 5000);
    *out = s;
    return 0;
}

int audit_cli_phi_read(store *s, const char *actor, const char *command, const char *entity,
                       const char *entity_id, json_t *filters, long long rows, char *err,
                       size_t errlen)
{
    json_t *after = json_pack("{s:s, s:o, s:I}", "command", command, "filters",
                              filters ? filters : json_object(), "rows", (json_int_t)rows);
    char *text = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(after);
    char e[256];
    int rc = -EIO;
    if (text) {
        audit_row r = {.actor = actor, .action = "phi.read", .entity = entity,
                       .entity_id = entity_id, .after = text};
        rc = audit_append(s, &r, e, sizeof e) < 0 ? -EIO : 0;
    }
    if (rc < 0)
        snprintf(err, errlen, "%s: the audit log row could not be written: %s", store_path(s),
                 text ? e : "out of memory");
    free(text);
    return rc;
}
