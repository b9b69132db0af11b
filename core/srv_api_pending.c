/* srv_api_pending.c: 501 answers for the resource handlers until they land (replaced next). */
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include "srv_api.h"
#include "srv_auth.h"
#define STUB(n) void n(srv_req *rq, srv_resp *rs) { (void)rq; srv_error(rs, 501, "todo", "not yet"); }
STUB(api_templates_list) STUB(api_template_get) STUB(api_template_validate) STUB(api_overlay_put)
STUB(api_providers_list) STUB(api_ebras_list) STUB(api_ebra_offer) STUB(api_ebra_accept)
STUB(api_ebra_end) STUB(api_ebra_history) STUB(api_episodes_list) STUB(api_episode_get)
STUB(api_report) STUB(api_rules_try)
