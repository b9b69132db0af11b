/*
 * tests/suites.h: every Check suite of the cara test binary. One line per suite; each
 * tests/test_NAME.c defines Suite *suite_NAME(void).
 */
#ifndef CARA_TESTS_SUITES_H
#define CARA_TESTS_SUITES_H
#include <check.h>

#define CARA_SUITES(X) \
    X(date)            \
    X(money)           \
    X(packed_lines)    \
    X(lag)             \
    X(setting)         \
    X(report_stats)    \
    X(ids)             \
    X(codes)           \
    X(hcc)             \
    X(plugin_host)     \
    X(declarative)     \
    X(overlay)         \
    X(catalog)         \
    X(template_validate) \
    X(rules)           \
    X(rules_bind)      \
    X(rules_native)    \
    X(hostile_rules)   \
    X(store)           \
    X(store_writers)   \
    X(store_engsql)    \
    X(bene)            \
    X(alloc_sort)      \
    X(changes)         \
    X(store_queries)   \
    X(store_restsql)   \
    X(store_csv_group) \
    X(store_fhir_stage) \
    X(store_cclf_stage) \
    X(load)            \
    X(tuva)            \
    X(cclf)            \
    X(fhir)            \
    X(hl7)             \
    X(mllp)            \
    X(adt)             \
    X(export)          \
    X(export_xlsx)     \
    X(export_fhir)     \
    X(feed_cclf)       \
    X(cclf_packet)     \
    X(feed_fhir)       \
    X(feed_behind)     \
    X(fhir_reader)     \
    X(feed_equiv)      \
    X(particip)        \
    X(network)         \
    X(cand_index)      \
    X(ep_spill)        \
    X(people_log)      \
    X(work_ahead)      \
    X(xsort)           \
    X(srv_auth)        \
    X(srv_routes)      \
    X(srv_api)         \
    X(srv_bodies)      \
    X(srv_portal)      \
    X(synth)           \
    X(synth_formats)   \
    X(synth_adt)       \
    X(cli)             \
    X(cli_table)       \
    X(claims_cmd)      \
    X(content_diff)    \
    X(report_cmd)      \
    X(srv_deny)        \
    X(users)           \
    X(adt_proc)        \
    X(srv_session)     \
    X(e2e)             \
    X(risk_e2e)        \
    X(risk)            \
    X(hardening)       \
    X(failinject)

#define CARA_DECLARE_SUITE(name) Suite *suite_##name(void);
CARA_SUITES(CARA_DECLARE_SUITE)

#endif
