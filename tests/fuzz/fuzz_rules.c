/* tests/fuzz/fuzz_rules.c: arbitrary bytes as a rule file in the sandbox, with small
 * limits; whatever the script does, the process must not crash, hang or leak. */
#include <stdint.h>
#include <string.h>

#include "rules/rules_vm.h"

static void quiet(void *ud, const char *script, const char *text)
{
    (void)ud;
    (void)script;
    (void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rules_limits lim = {.memory = 4u << 20, .instructions = 200000, .pattern_cost = 1000000};
    rules_vm *vm;
    char err[256];
    if (rules_vm_new(&lim, &vm, err, sizeof err) != 0) return 0;
    rules_vm_set_print(vm, quiet, NULL);
    int script;
    rules_error e;
    if (rules_vm_load(vm, "fuzz.lua", (const char *)data, size, &script, &e) == 0 &&
        rules_vm_getfn(vm, script, "attribute")) {
        lua_pushinteger(rules_vm_state(vm), 1);
        rules_vm_call(vm, 1, 0, &e);
    }
    rules_vm_free(vm);
    return 0;
}
