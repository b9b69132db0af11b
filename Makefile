# cara: one Makefile for the host, the plugins, the tests and the benchmarks.
#
#   make              build build/cara and every plugin under plugins/ as build/plugins/NAME.so
#   make test         check the layers, build and run the Check suite (tests/) and the
#                     end-to-end scripts
#   make check-layers the include rules of docs/architecture.md (scripts/check-layers.sh)
#   make analyze      build everything with gcc -fanalyzer into build-an/
#   make SANITIZE=1 test   the same under ASan + UBSan (objects go to build-san/)
#   make deps         install the Debian 12 packages cara needs (apt-get, non-interactive)
#   make demo         build and run the demo (scripts/demo.sh)
#   make bench        measure load, run and the SQL peer (scripts/bench.sh; not part of test),
#                     the CCLF and FHIR loads against CSV's (bench_feeds.sh), the portal's
#                     calls (bench_portal.sh), ADT over MLLP (bench_mllp.sh) and the HTTP API
#                     under load with wrk (bench_api.sh)
#                     [BENCH_BENEFICIARIES=100000] [BENCH_RUNS=3]
#   make install PREFIX=/usr/local
#
# Dependencies are found with pkg-config; a missing one stops the build with the name of
# the Debian package to install.

# ---- dependencies --------------------------------------------------------------------
# pkg-config name -> Debian package; keep scripts/install-deps.sh in step.
DEP_PKGS      := libuv:libuv1-dev lua5.4:liblua5.4-dev sqlite3:libsqlite3-dev jansson:libjansson-dev \
                 libmicrohttpd:libmicrohttpd-dev libzip:libzip-dev libcrypto:libssl-dev \
                 libsodium:libsodium-dev xlsxwriter:libxlsxwriter-dev
TEST_DEP_PKGS := check:check
# Not libraries (no pkg-config): the portal's Chart.js, served from its installed path, and
# the browser test's chromium and firefox-esr; scripts/install-deps.sh installs them, `make deps` also runs
# npm ci in tests/browser (puppeteer-core, pinned in its package-lock.json).
PORTAL_PKGS   := libjs-chart.js chromium firefox-esr
# Not a library either: wrk, the HTTP load generator of scripts/bench_api.sh (make bench).
BENCH_PKGS    := wrk

NO_DEP_GOALS := deps clean distclean help
ifneq ($(filter-out $(NO_DEP_GOALS),$(or $(MAKECMDGOALS),all)),)
  ifeq ($(shell command -v pkg-config 2>/dev/null),)
    $(error pkg-config is missing: install the Debian package 'pkg-config' (or run 'make deps'))
  endif
  define cara_need
    $(if $(shell pkg-config --exists $(word 1,$(subst :, ,$(1))) && echo ok),,\
      $(error missing library '$(word 1,$(subst :, ,$(1)))': install the Debian package '$(word 2,$(subst :, ,$(1)))' (or run 'make deps')))
  endef
  $(foreach d,$(DEP_PKGS),$(eval $(call cara_need,$(d))))
  ifneq ($(filter test check-build fuzz,$(MAKECMDGOALS)),)
    $(foreach d,$(TEST_DEP_PKGS),$(eval $(call cara_need,$(d))))
  endif
endif

PC_NAMES   := $(foreach d,$(DEP_PKGS),$(word 1,$(subst :, ,$(d))))
DEP_CFLAGS := $(shell pkg-config --cflags $(PC_NAMES) 2>/dev/null)
DEP_LIBS   := $(shell pkg-config --libs $(PC_NAMES) 2>/dev/null)

# ---- flags ---------------------------------------------------------------------------
CC      ?= cc
VERSION := 0.1.0
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT     ?= -O2
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -g -fno-strict-aliasing -Icore/include -Icore $(DEP_CFLAGS) \
             -DCARA_VERSION='"$(VERSION)"' -DCARA_GIT_REV='"$(GIT_REV)"' $(SAN_FLAGS) $(CFLAGS)

ifeq ($(FUZZING),1)
  OPT       := -O1
  SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer \
               -DCARA_NO_DLCLOSE
else ifeq ($(SANITIZE),1)
  BUILD     ?= build-san
  OPT       := -O1
  SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DCARA_NO_DLCLOSE
else
  BUILD     ?= build
  SAN_FLAGS :=
endif

# ---- sources -------------------------------------------------------------------------
CORE_SRC  := $(filter-out core/cli/main.c,$(wildcard core/*.c core/*/*.c))
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/scaffold_data.o $(BUILD)/gen/portal_data.o

# Files `cara template new` and `cara plugin new` write, embedded in the binary.
SCAFFOLD := scaffold_template_json=episodes/common/scaffold/template.json \
            scaffold_example=episodes/common/scaffold/tests/example.json \
            scaffold_attribution=episodes/falls_prevention/attribution.lua \
            scaffold_savings=episodes/falls_prevention/savings.lua \
            scaffold_plugin=plugins/common/new_plugin.c.in \
            rules_library_builtin=episodes/common/cms_default.lua
# The browser portal's pages, served by `cara serve` (core/serve/srv_portal.c lists the same).
P := core/serve/portal
PORTAL := portal_index_html=$(P)/index.html portal_css=$(P)/portal.css portal_app_js=$(P)/app.js \
          portal_api_js=$(P)/api.js portal_router_js=$(P)/router.js portal_format_js=$(P)/format.js \
          portal_dom_js=$(P)/dom.js portal_charts_js=$(P)/charts.js portal_login_js=$(P)/login.js \
          portal_provider_js=$(P)/provider.js portal_aco_js=$(P)/aco.js portal_cms_js=$(P)/cms.js \
          portal_episodes_js=$(P)/episodes.js portal_tasks_js=$(P)/tasks.js portal_exports_js=$(P)/exports.js \
          portal_provisional_js=$(P)/provisional.js portal_risk_js=$(P)/risk.js
MAIN_OBJ  := $(BUILD)/core/cli/main.o
LIBCARA   := $(BUILD)/libcara.a
CARA_BIN  := $(BUILD)/cara

# plugins/common/ holds helpers compiled into every plugin (not a plugin itself).
PLUGIN_DIRS := $(patsubst %/,%,$(dir $(wildcard plugins/*/*.c)))
PLUGIN_DIRS := $(filter-out plugins/common,$(sort $(PLUGIN_DIRS)))
PLUGIN_COMMON := $(wildcard plugins/common/*.c)
PLUGIN_SOS  := $(PLUGIN_DIRS:plugins/%=$(BUILD)/plugins/%.so)

TEST_SRC  := $(wildcard tests/*.c)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(BUILD)/tests/cara-tests
TPLUG_SRC := $(wildcard tests/plugins/*.c)
TPLUG_SOS := $(TPLUG_SRC:tests/plugins/%.c=$(BUILD)/tests/plugins/%.so)

.SECONDEXPANSION:
.PHONY: all test check-layers check-build deps demo clean distclean install help bench fuzz fuzz-run
all: $(CARA_BIN) $(PLUGIN_SOS) | $(BUILD)/plugins

$(BUILD)/plugins:
	mkdir -p $@

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/gen/scaffold_data.c: scripts/embed.sh $(foreach f,$(SCAFFOLD),$(word 2,$(subst =, ,$(f))))
	@mkdir -p $(@D)
	sh scripts/embed.sh $@ $(SCAFFOLD)

$(BUILD)/gen/scaffold_data.o: $(BUILD)/gen/scaffold_data.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/gen/portal_data.c: scripts/embed.sh $(foreach f,$(PORTAL),$(word 2,$(subst =, ,$(f))))
	@mkdir -p $(@D)
	sh scripts/embed.sh $@ $(PORTAL)

$(BUILD)/gen/portal_data.o: $(BUILD)/gen/portal_data.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIBCARA): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(CARA_BIN): $(MAIN_OBJ) $(LIBCARA)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(DEP_LIBS) -ldl -lm $(LDFLAGS)

# Plugins see only the public headers and the host-services table: no host symbols,
# so they link with -z defs and hidden visibility.
PLUGIN_CFLAGS = $(CSTD) $(WARN) $(OPT) -g -Icore/include -fPIC -fvisibility=hidden $(SAN_FLAGS) $(CFLAGS)
$(BUILD)/plugins/%.so: $$(wildcard plugins/%/*.c plugins/%/*.h) $(PLUGIN_COMMON) \
                       $(wildcard plugins/common/*.h core/include/cara/*.h)
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) -Iplugins/common -shared -Wl,-z,defs -o $@ $(filter %.c,$^) $(LDFLAGS)
# Test plugins: good and deliberately broken ones, loaded through the real loader.
# 'unresolved' must link without -z defs so that dlopen(RTLD_NOW) is what fails.
$(BUILD)/tests/plugins/unresolved.so: tests/plugins/unresolved.c tests/plugins/skeleton.h $(wildcard core/include/cara/*.h)
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) -shared -o $@ $<
$(BUILD)/tests/plugins/%.so: tests/plugins/%.c tests/plugins/skeleton.h $(wildcard core/include/cara/*.h)
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_CFLAGS) -shared -Wl,-z,defs -o $@ $<

TEST_LIBS = $(shell pkg-config --libs check 2>/dev/null)
# tests/failinject.h: the test binary's allocations and SQLite calls go through wrappers
# that can make the N-th one fail (cara itself is linked without them).
FAILINJECT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup \
                   -Wl,--wrap=sqlite3_prepare_v2,--wrap=sqlite3_step,--wrap=sqlite3_exec
$(TEST_BIN): $(TEST_OBJ) $(LIBCARA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(FAILINJECT_WRAP) -o $@ $^ $(TEST_LIBS) $(DEP_LIBS) -ldl -lm $(LDFLAGS)

check-build: all $(TEST_BIN) $(TPLUG_SOS)

# The suite finds the binary, the plugins and the fixtures through these variables.
# The layer rules of docs/architecture.md (scripts/check-layers.sh); tests/layers_it.sh
# proves the check fails on planted bad includes.
check-layers:
	sh scripts/check-layers.sh
	sh tests/layers_it.sh

test: check-layers check-build
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_TEST_PLUGINS=$(abspath $(BUILD)/tests/plugins) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) CARA_EPISODES=$(abspath episodes) \
	CARA_SRC=$(CURDIR) $(TEST_BIN)
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/serve_it.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/browser_it.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/serve_hostile.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/crash_it.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/adt_it.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/export_it.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/interim_it.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_EPISODES=$(abspath episodes) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) sh tests/incremental_it.sh
	$(MAKE) --no-print-directory $(BUILD)/mllp_load && sh tests/mllp_load_it.sh $(BUILD)/mllp_load

deps:
	sh scripts/install-deps.sh
	cd tests/browser && npm ci --no-audit --no-fund
	cd tests/fhir && npm ci --no-audit --no-fund

demo: all
	sh scripts/demo.sh $(CARA_BIN)

# Benchmarks (not part of make test): scripts/bench.sh on a generated dataset of
# BENCH_BENEFICIARIES beneficiaries, each step BENCH_RUNS times; it prints the figures and
# writes them into docs/performance.md. bench_scan is plain C with no cara code (the raw
# scan limit), built with plain gcc -O2.
BENCH_BENEFICIARIES ?= 100000
BENCH_RUNS          ?= 3
# the feed loaders' bench (scripts/bench_feeds.sh): smaller, as FHIR is 11 times CSV's size
BENCH_FEEDS_BENEFICIARIES ?= 10000
BENCH_CC            ?= gcc
BENCH_SCAN          := $(BUILD)/bench_scan
$(BENCH_SCAN): scripts/bench_scan.c
	@mkdir -p $(@D)
	$(BENCH_CC) -O2 -o $@ $<

# mllp_load: the MLLP load generator of scripts/bench_mllp.sh (plain C, libc only;
# tests/mllp_load_it.sh tests it against tests/mllp_fake.py).
MLLP_LOAD           := $(BUILD)/mllp_load
$(MLLP_LOAD): scripts/mllp_load.c
	@mkdir -p $(@D)
	$(BENCH_CC) -std=c11 -O2 $(WARN) -o $@ $<

bench: all $(BENCH_SCAN) $(MLLP_LOAD)
	CARA_BIN=$(abspath $(CARA_BIN)) BENCH_SCAN=$(abspath $(BENCH_SCAN)) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) CARA_EPISODES=$(abspath episodes) \
	BENCH_BENEFICIARIES=$(BENCH_BENEFICIARIES) BENCH_RUNS=$(BENCH_RUNS) sh scripts/bench.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_PLUGINS=$(abspath $(BUILD)/plugins) \
	CARA_EPISODES=$(abspath episodes) BENCH_FEEDS_BENEFICIARIES=$(BENCH_FEEDS_BENEFICIARIES) \
	BENCH_RUNS=$(BENCH_RUNS) sh scripts/bench_feeds.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_PLUGINS=$(abspath $(BUILD)/plugins) \
	CARA_EPISODES=$(abspath episodes) BENCH_BENEFICIARIES=$(BENCH_BENEFICIARIES) \
	sh scripts/bench_portal.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_PLUGINS=$(abspath $(BUILD)/plugins) \
	CARA_EPISODES=$(abspath episodes) BENCH_BENEFICIARIES=$(BENCH_BENEFICIARIES) \
	BENCH_RUNS=$(BENCH_RUNS) sh scripts/bench_incr.sh
	CARA_BIN=$(abspath $(CARA_BIN)) MLLP_LOAD=$(abspath $(MLLP_LOAD)) \
	CARA_PLUGINS=$(abspath $(BUILD)/plugins) CARA_EPISODES=$(abspath episodes) \
	sh scripts/bench_mllp.sh
	CARA_BIN=$(abspath $(CARA_BIN)) CARA_PLUGINS=$(abspath $(BUILD)/plugins) \
	CARA_EPISODES=$(abspath episodes) BENCH_BENEFICIARIES=$(BENCH_BENEFICIARIES) \
	sh scripts/bench_api.sh

# Fuzzing (not part of make test): every pure parser and the Lua sandbox under libFuzzer
# with ASan + UBSan, FUZZ_SECONDS each (default 20). Needs clang (apt-get install clang).
FUZZ_SECONDS ?= 20
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# FUZZ_ONLY="fuzz_csv fuzz_http": run only these targets (every target is still built)
FUZZ_RUN  := $(if $(FUZZ_ONLY),$(filter $(addprefix $(BUILD)/fuzz/,$(FUZZ_ONLY)),$(FUZZ_BINS)),$(FUZZ_BINS))
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang: install the Debian package 'clang'"; exit 1; }
	$(MAKE) CC=clang BUILD=build-fuzz FUZZING=1 fuzz-run

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_files.h $(LIBCARA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(LIBCARA) $(DEP_LIBS) -ldl -lm

fuzz-run: $(FUZZ_BINS) $(CARA_BIN)
	@set -e; for b in $(FUZZ_RUN); do \
	  n=$$(basename $$b); c=$(BUILD)/corpus/$$n; log=$(BUILD)/$$n.log; mkdir -p $$c; \
	  CARA_BIN=$(CARA_BIN) sh scripts/fuzz-seeds.sh $$n $$c; \
	  echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  if (cd $(BUILD) && ../$$b -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	        -print_final_stats=1 corpus/$$n) > $$log 2>&1; then \
	    grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)' $$log || true; \
	  else \
	    tail -40 $$log; echo "$$n: FAILED (log $$log; the input is $(BUILD)/crash-* or oom-* or timeout-*)"; \
	    exit 1; \
	  fi; \
	done

PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/cara/plugins \
	  $(DESTDIR)$(PREFIX)/share/cara $(DESTDIR)$(PREFIX)/include/cara
	install -m 755 $(CARA_BIN) $(DESTDIR)$(PREFIX)/bin/cara
	install -m 644 $(PLUGIN_SOS) $(DESTDIR)$(PREFIX)/lib/cara/plugins/
	install -m 644 core/include/cara/*.h $(DESTDIR)$(PREFIX)/include/cara/
	cp -R episodes $(DESTDIR)$(PREFIX)/share/cara/

clean:
	rm -rf build build-san build-fuzz build-an

distclean: clean
	rm -f cara.db cara.db-wal cara.db-shm

help:
	@sed -n '2,14p' Makefile

-include $(CORE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# Static analysis (not part of make test): every core file and plugin built with gcc's
# -fanalyzer into build-an/, its reports errors (-Werror). The leak checker is off: gcc 12's
# cannot follow a pointer stored into an array that realloc grows and reports dozens of
# false leaks there; leaks are LeakSanitizer's job in make SANITIZE=1 test, where
# tests/test_failinject.c walks the error paths.
.PHONY: analyze
analyze:
	$(MAKE) BUILD=build-an OPT=-O1 CFLAGS="-fanalyzer -Wno-analyzer-malloc-leak" all
