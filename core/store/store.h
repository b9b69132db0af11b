/*
 * store: the public header of core/store/ (docs/architecture.md). Files outside
 * core/store/ include this header only; the headers below are its parts.
 */
#ifndef CARA_STORE_MODULE_H
#define CARA_STORE_MODULE_H
#include "arrangements_w.h"
#include "audit.h"
#include "bene.h"
#include "claims_w.h"
#include "claims_q.h"
#include "cclf_stage.h"
#include "contents.h"
#include "csv_group.h"
#include "diff_q.h"
#include "ebras_q.h"
#include "episodes_q.h"
#include "report.h"
#include "feed_store.h"
#include "fhir_stage.h"
#include "loads_w.h"
#include "orgs_q.h"
#include "orgs_w.h"
#include "particip_q.h"
#include "particip_lists.h"
#include "people_q.h"
#include "people_w.h"
#include "run_lease.h"
#include "runs_q.h"
#include "run_inputs_q.h"
#include "run_record_q.h"
#include "runs_w.h"
#include "store_rows.h"
#include "tokens.h"
#include "users.h"
#include "snapshots.h"
#include "template_hist_q.h"
#include "store_conn.h"
#endif
