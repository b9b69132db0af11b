/*
 * tests/test_rules_bind.c: what rules see: claims, beneficiary, episode, candidates
 * and template parameters as read-only tables, pushed under rules_vm_invoke.
 */
#include <check.h>
#include <string.h>

#include "base/date.h"
#include "catalog/episode.h"
#include "rules/rules_vm.h"
#include "rules/rules_bind.h"
#include "suites.h"
#include "catalog/template.h"

typedef struct fixture {
    cara_claim_line lines[2];
    cara_icd dx[2];
    cara_enrollment enr[1];
    cara_alignment al[1];
    cara_beneficiary bene;
    rules_candidate cand[2];
    episode_ctx ctx;
    cara_template *tmpl;
} fixture;

static fixture fx;

static void fixture_setup(void)
{
    memset(&fx, 0, sizeof fx);
    strcpy(fx.dx[0], "S72001A");
    strcpy(fx.dx[1], "W010XXA");
    cara_claim_line *l = &fx.lines[0];
    l->claim_id = "C1";
    l->line_number = 1;
    l->claim_type = CARA_CLAIM_PROFESSIONAL;
    l->service_date = l->line_start = l->claim_start = date_from_ymd(2027, 3, 1);
    l->line_end = l->claim_end = l->service_date;
    l->admission = l->discharge = CARA_DATE_NONE;
    strcpy(l->hcpcs, "97161");
    strcpy(l->modifiers[0], "GP");
    strcpy(l->place_of_service, "11");
    strcpy(l->rendering_npi, "1234567893");
    strcpy(l->rendering_tin, "123456789");
    l->paid = 12345;
    l->allowed = 15000;
    l->n_dx = 2;
    l->dx = (const cara_icd *)fx.dx;
    fx.lines[1] = fx.lines[0];
    fx.lines[1].line_number = 2;
    strcpy(fx.lines[1].hcpcs, "97110");
    fx.lines[1].paid = 5000;
    fx.enr[0] = (cara_enrollment){.start = date_from_ymd(2027, 1, 1), .end = CARA_DATE_NONE,
                                  .dual_status = "00", .medicare_status = "10"};
    fx.al[0] = (cara_alignment){.aco_id = "A1234", .start = date_from_ymd(2027, 1, 1),
                                .end = date_from_ymd(2027, 12, 31)};
    fx.bene = (cara_beneficiary){.struct_size = sizeof(cara_beneficiary),
                                 .person_id = "1EG4TE5MK73", .gender = 'F',
                                 .birth = date_from_ymd(1950, 3, 2), .death = CARA_DATE_NONE,
                                 .enrollment = CARA_ARRAY_INIT(fx.enr, 1),
                                 .alignment = CARA_ARRAY_INIT(fx.al, 1)};
    fx.cand[0] = (rules_candidate){"E1", "A1234", "1234567893", "123456789", "65",
                                   date_from_ymd(2027, 1, 1), CARA_DATE_NONE};
    fx.cand[1] = (rules_candidate){"E2", "A1234", "1993999998", "123456789", "67",
                                   date_from_ymd(2027, 2, 1), date_from_ymd(2027, 6, 30)};
    static const char t[] = "{\"id\": \"falls\", \"version\": \"1.0\", \"episode_type\": \"x\","
                            " \"prices\": {\"A\": 200000}, \"codes\": [\"97161\", \"97162\"]}";
    char err[256];
    ck_assert_int_eq(template_parse("t.json", t, sizeof t - 1, &fx.tmpl, err, sizeof err), 0);
    episode_ctx_init(&fx.ctx, fx.tmpl, fx.lines, 2);
    cara_episode *ep = episode_open(&fx.ctx, "A", fx.lines[0].service_date, 0);
    episode_include(ep, 0);
    episode_include(ep, 1);
}

static void fixture_teardown(void)
{
    episode_ctx_free(&fx.ctx);
    template_free(fx.tmpl);
}

/* Pushes the five arguments a rule gets. */
static int push_all(lua_State *L, void *ud)
{
    (void)ud;
    rules_push_episode(L, fx.ctx.eps[0], "falls", fx.lines, 2);
    rules_push_claims(L, fx.lines, 2);
    rules_push_beneficiary(L, &fx.bene);
    rules_push_candidates(L, fx.cand, 2);
    rules_push_json(L, template_root(fx.tmpl));
    return 5;
}

static rules_vm *vm_with(const char *src, int *script)
{
    rules_vm *vm;
    char err[256];
    rules_error e;
    ck_assert_int_eq(rules_vm_new(NULL, &vm, err, sizeof err), 0);
    ck_assert_msg(rules_vm_load(vm, "t/bind.lua", src, strlen(src), script, &e) == 0, "%s", e.message);
    return vm;
}

/* Every documented field arrives with its value; dates as day numbers, money in cents. */
START_TEST(test_fields)
{
    static const char src[] =
        "function probe(ep, claims, bene, cands, params)\n"
        "  local c = claims[1]\n"
        "  assert(#claims == 2 and claims[2].hcpcs_code == '97110')\n"
        "  assert(c.index == 1 and c.claim_id == 'C1' and c.claim_line_number == 1)\n"
        "  assert(c.claim_type == 'professional' and c.hcpcs_code == '97161')\n"
        "  assert(cara.date_str(c.service_date) == '2027-03-01')\n"
        "  assert(c.admission_date == nil and c.bill_type_code == '')\n"
        "  assert(c.paid_cents == 12345 and c.allowed_cents == 15000)\n"
        "  assert(math.type(c.paid_cents) == 'integer')\n"
        "  assert(#c.diagnosis_codes == 2 and c.diagnosis_codes[1] == 'S72001A')\n"
        "  assert(#c.hcpcs_modifiers == 1 and c.hcpcs_modifiers[1] == 'GP')\n"
        "  assert(c.rendering_npi == '1234567893' and c.rendering_tin == '123456789')\n"
        "  assert(bene.person_id == '1EG4TE5MK73' and bene.gender == 'female')\n"
        "  assert(cara.age(bene.birth_date, ep.trigger_date) == 76)\n" /* day before birthday */
        "  assert(bene.death_date == nil and #bene.enrollment == 1)\n"
        "  assert(bene.enrollment[1].dual_status_code == '00' and bene.enrollment[1].end_date == nil)\n"
        "  assert(bene.alignment[1].aco_id == 'A1234')\n"
        "  assert(ep.template_id == 'falls' and ep.trigger_type == 'A' and ep.trigger_line == 1)\n"
        "  assert(ep.end_date - ep.trigger_date == 179 and not ep.died)\n"
        "  assert(#ep.lines == 2 and ep.lines[2] == 2)\n"
        "  assert(ep.actual_cents == 17345 and ep.hcc_count == 2)\n" /* 12345 + 5000 */
        "  assert(#cands == 2 and cands[2].npi == '1993999998' and cands[2].specialty_code == '67')\n"
        "  assert(cands[1].end_date == nil)\n"
        "  assert(params.prices.A == 200000 and params.codes[2] == '97162' and params.id == 'falls')\n"
        "  local n = 0 for _ in pairs(params.prices) do n = n + 1 end assert(n == 1)\n"
        "  local m = 0 for _, v in ipairs(claims) do m = m + v.paid_cents end\n"
        "  return m\n"
        "end\n";
    int script;
    rules_vm *vm = vm_with(src, &script);
    rules_error e;
    ck_assert_msg(rules_vm_invoke(vm, script, "probe", push_all, NULL, 1, &e) == 0, "%s\n%s",
                  e.message, e.traceback);
    lua_State *L = rules_vm_state(vm);
    ck_assert_int_eq(lua_tointeger(L, -1), 17345);
    lua_pop(L, 1);
    rules_vm_free(vm);
}
END_TEST

/* Writes to any of the data fail, naming the table; the C data is untouched. */
static const char *const writes[] = {
    "ep.target_cents = 1",         "claims[1] = {}",
    "claims[1].paid_cents = 0",    "claims[1].diagnosis_codes[1] = 'X'",
    "bene.death_date = 1",         "bene.enrollment[1].hospice = true",
    "cands[1].npi = '1'",          "params.prices.A = 1",
    "table.insert(claims, {})",
};

START_TEST(test_read_only)
{
    char src[256];
    snprintf(src, sizeof src, "function w(ep, claims, bene, cands, params)\n  %s\nend\n",
             writes[_i]);
    int script;
    rules_vm *vm = vm_with(src, &script);
    rules_error e;
    ck_assert_int_eq(rules_vm_invoke(vm, script, "w", push_all, NULL, 0, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_RUNTIME);
    ck_assert_msg(strstr(e.message, "read-only") || strstr(e.message, "wrong number"),
                  "'%s' gave: %s", writes[_i], e.message);
    ck_assert_str_eq(e.file, "t/bind.lua");
    ck_assert_int_eq(e.line, 2);
    ck_assert_int_eq(fx.lines[0].paid, 12345);
    rules_vm_free(vm);
}
END_TEST

/* A missing entry point is reported by name. */
START_TEST(test_missing_function)
{
    int script;
    rules_vm *vm = vm_with("x = 1\n", &script);
    rules_error e;
    ck_assert_int_eq(rules_vm_invoke(vm, script, "attribute", push_all, NULL, 1, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_MISSING);
    ck_assert_str_eq(e.message, "t/bind.lua: the rule defines no function 'attribute'");
    rules_vm_free(vm);
}
END_TEST

static int push_many(lua_State *L, void *ud)
{
    rules_push_claims(L, ud, 4000);
    return 1;
}

static int push_two(lua_State *L, void *ud)
{
    (void)ud;
    rules_push_claims(L, fx.lines, 2);
    return 1;
}

/* Pushing 4000 claims (about 1 KiB of tables each) under a 256 KiB cap fails as a
 * memory error inside the protected call, and the vm keeps working. */
START_TEST(test_push_claims_memory_limit)
{
    rules_vm *vm;
    char err[256];
    rules_error e;
    rules_limits lim = {.memory = 256 * 1024};
    ck_assert_int_eq(rules_vm_new(&lim, &vm, err, sizeof err), 0);
    static const char src[] = "function f(c) return #c end\n";
    int script;
    ck_assert_int_eq(rules_vm_load(vm, "t/m.lua", src, sizeof src - 1, &script, &e), 0);
    static cara_claim_line many[4000];
    for (size_t i = 0; i < 4000; i++) many[i] = fx.lines[i % 2];
    ck_assert_int_eq(rules_vm_invoke(vm, script, "f", push_many, many, 1, &e), -1);
    ck_assert_int_eq(e.kind, RULES_ERR_MEMORY);
    /* the vm still works for smaller input */
    ck_assert_int_eq(rules_vm_invoke(vm, script, "f", push_two, NULL, 1, &e), 0);
    ck_assert_int_eq(lua_tointeger(rules_vm_state(vm), -1), 2);
    lua_pop(rules_vm_state(vm), 1);
    rules_vm_free(vm);
}
END_TEST

/* The lazy claims list: the same values as the eager one, the same table for the same
 * line, ipairs/pairs/# work, read-only, and after release a kept list errors. */
static rules_lazy_claims *lazy_st;

static int push_lazy(lua_State *L, void *ud)
{
    (void)ud;
    rules_push_claims_lazy(L, fx.lines, 2, &lazy_st);
    return 1;
}

START_TEST(test_lazy_claims)
{
    int script;
    rules_vm *vm = vm_with(
        "local keep = {} -- globals are frozen after loading: keep it in an upvalue table\n"
        "function f(c)\n"
        "  keep.c = c\n"
        "  local n, sum = 0, 0\n"
        "  for i, l in ipairs(c) do n = n + 1; sum = sum + l.paid_cents end\n"
        "  local m = 0\n"
        "  for k, l in pairs(c) do m = m + k end\n"
        "  assert(c[1] == c[1], 'identity')\n"
        "  assert(c[3] == nil and c.x == nil and c[0] == nil)\n"
        "  assert(c[2].hcpcs_code == '97110' and c[1].hcpcs_modifiers[1] == 'GP')\n"
        "  assert(not pcall(function() c[1] = 1 end), 'read-only list')\n"
        "  assert(not pcall(function() c[1].paid_cents = 1 end), 'read-only line')\n"
        "  local fields = 0\n"
        "  for k, v in pairs(c[1]) do fields = fields + 1; assert(c[1][k] == v) end\n"
        "  assert(fields == 23, 'fields ' .. fields) -- 25 less admission and discharge (nil)\n"
        "  assert(c[1].admission_date == nil and c[1].nonsense == nil and c[1][1] == nil)\n"
        "  assert(c[1].service_date == c[1].claim_start_date and c[1].index == 1)\n"
        "  assert(tostring(c[2]) == 'claim line C1/2')\n"
        "  assert(c[1].diagnosis_codes == c[1].diagnosis_codes and #c[1].diagnosis_codes == 2)\n"
        "  return #c * 1000000 + n * 100000 + m * 10000 + sum\n"
        "end\n"
        "function g() return keep.c[1].paid_cents end\n"
        "function h() return keep.c[2] end\n",
        &script);
    rules_error e;
    ck_assert_msg(rules_vm_invoke(vm, script, "f", push_lazy, NULL, 1, &e) == 0, "%s", e.message);
    /* #c 2, ipairs 2 lines, pairs keys 1+2, paid 12345 + 5000 */
    ck_assert_int_eq(lua_tointeger(rules_vm_state(vm), -1), 2000000 + 200000 + 30000 + 17345);
    lua_pop(rules_vm_state(vm), 1);
    /* after release, any use of a kept list is an error (no read of freed lines) */
    rules_claims_release(lazy_st);
    ck_assert_int_eq(rules_vm_invoke(vm, script, "g", NULL, NULL, 1, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.message, "no longer available"));
    rules_vm_free(vm);
}
END_TEST

Suite *suite_rules_bind(void)
{
    Suite *s = suite_create("rules_bind");
    TCase *tc = tcase_create("bind");
    tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
    tcase_add_test(tc, test_fields);
    tcase_add_loop_test(tc, test_read_only, 0, (int)(sizeof writes / sizeof writes[0]));
    tcase_add_test(tc, test_missing_function);
    tcase_add_test(tc, test_push_claims_memory_limit);
    tcase_add_test(tc, test_lazy_claims);
    suite_add_tcase(s, tc);
    return s;
}
