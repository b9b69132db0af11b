/*
 * episodes_check.c: see episodes_check.h.
 */
#include "episodes_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "engine_internal.h"
#include "base/base.h"

static void collect_warning(void *ud, const char *path, const char *reason)
{
    char *msg = ud;
    size_t n = strlen(msg);
    if (n < EPISODES_CHECK_MSG - 548)
        snprintf(msg + n, EPISODES_CHECK_MSG - n, "%s%s: %s", n ? "; " : "", path, reason);
}

int episodes_check_dir(const char *dir, const char *plugins_dir, char *msg)
{
    catalog cat;
    char warnings[EPISODES_CHECK_MSG] = "";
    msg[0] = '\0';
    if (catalog_open(&cat, dir, plugins_dir, NULL, collect_warning, warnings, msg,
                     EPISODES_CHECK_MSG) < 0)
        return -1;
    int rc = 0;
    if (warnings[0]) {
        snprintf(msg, EPISODES_CHECK_MSG, "%s", warnings);
        rc = -1;
    }
    rule_set rs;
    if (rc == 0 && engine__rule_set_open(&rs, &cat, &(rules_limits){0}, msg, EPISODES_CHECK_MSG) < 0) rc = -1;
    else if (rc == 0) engine__rule_set_close(&rs);
    catalog_free(&cat);
    if (rc < 0) return -1;
    char *common = util_path_join(dir, "common");
    hcc_model *h = NULL;
    if (!common || hcc_model_load(common, &h, msg, EPISODES_CHECK_MSG) < 0) rc = -1;
    hcc_model_free(h);
    free(common);
    return rc;
}
