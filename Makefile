# fieldbook -- plain GNU make, Debian 12.
#
#   make            build ./fieldbook
#   make check      unit + end-to-end tests under prove (installs missing packages first)
#   make sanitize   the same suite against an ASan+UBSan build
#   make demo       build, then run the main job on the demo data (ends with the summary)
#   make fuzz       each libFuzzer target for FUZZ_TIME seconds (default 10)
#   make bench      benchmarks (tests/bench/README)
#   make install    PREFIX=/usr/local DESTDIR=
#
# WERROR=1 turns warnings into errors (CI does).

PREFIX ?= /usr/local
BUILD ?= build/default
CC ?= cc
OPT ?= -O2 -g
PKGS := libgit2 yaml-0.1 libpcre2-8 zlib

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Werror=implicit-function-declaration
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 -pthread $(WARN) $(OPT) -Iinclude $(PKG_CFLAGS) \
	$(SAN_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN_CFLAGS) $(LDFLAGS) -pthread

CORE_SRC := $(sort $(wildcard src/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/shipped.o
# what `fieldbook init` writes: the project's own schemas and settings
SHIPPED := $(sort $(wildcard schemas/*.yaml)) fieldbook.yaml .gitattributes .vscode/settings.json \
	src/cli/records-README.md:records/README.md
LIB := $(BUILD)/libfieldbook.a
BIN := $(BUILD)/fieldbook

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
CLI_TESTS := $(sort $(wildcard tests/cli/t[0-9]*.sh))

.PHONY: bench-tools all check sanitize demo fuzz bench install clean deps deps-test \
	_check _demo _sanitize units
.DEFAULT_GOAL := all

all: fieldbook

# The top-level ./fieldbook is the default build's binary.
fieldbook: $(BIN)
	@if [ "$(BUILD)" = build/default ]; then cp -f $(BIN) fieldbook; fi

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS) -lm -lpthread

$(LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/shipped.c: src/cli/embed.sh $(foreach f,$(SHIPPED),$(firstword $(subst :, ,$(f))))
	@mkdir -p $(dir $@)
	sh src/cli/embed.sh $@ $(SHIPPED)

$(BUILD)/gen/shipped.o: $(BUILD)/gen/shipped.c
	$(CC) $(ALL_CFLAGS) -Isrc/cli -c -o $@ $<

# every unit test links tests/unit/testdata.c, the helpers they share
$(BUILD)/tests/testdata.o: tests/unit/testdata.c tests/unit/testdata.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/tests/testdata.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/tests/testdata.o $(LIB) $(PKG_LIBS) \
		$(shell pkg-config --libs cmocka) -lm

units: $(UNIT_BIN)

# Benchmark tools (tests/bench/*.c) link the core library like any other client.
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lm

bench-tools: $(BENCH_BIN)

deps:
	@sh .ci/deps.sh build

deps-test:
	@sh .ci/deps.sh test

# prove runs every unit binary (TAP from cmocka) and every end-to-end script.
# FIELDBOOK is the binary under test, SHARED the read-only ../shared folder.
_check: fieldbook units
	@CMOCKA_MESSAGE_OUTPUT=TAP FIELDBOOK="$(CURDIR)/$(BIN)" FB_SRCDIR="$(CURDIR)" \
	FB_SANITIZE="$(SAN_CFLAGS)" \
	FB_BUILD="$(CURDIR)/$(BUILD)" \
	prove $(PROVE_FLAGS) --exec '' $(UNIT_BIN) $(addprefix ./,$(CLI_TESTS))

check: deps-test
	@$(MAKE) --no-print-directory _check

sanitize: deps-test
	@$(MAKE) --no-print-directory _check BUILD=build/asan OPT="-O1 -g" \
		SAN_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1

demo: deps
	@$(MAKE) --no-print-directory fieldbook
	./fieldbook validate
	./fieldbook fmt --check
	./fieldbook query contacts -g county -s -count
	./fieldbook query visits 'follow_ups.status = open' -f id,date,county -s -date -n 10
	./fieldbook plan --today 1403/12/20 --weeks 1
	@echo
	./fieldbook summary --today 1403/12/20

# libFuzzer targets need clang; each runs FUZZ_TIME seconds on its seed corpus.
FUZZ_TIME ?= 10
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
fuzz:
	@sh .ci/deps.sh fuzz
	@$(MAKE) --no-print-directory _fuzz CC=clang BUILD=build/fuzz OPT="-O1 -g" \
		SAN_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined"

_fuzz: $(LIB)
	@set -e; for src in $(FUZZ_SRC); do \
		name=$$(basename $$src .c); \
		clang $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $(BUILD)/$$name $$src \
			$(LIB) $(PKG_LIBS) -lm; \
		mkdir -p $(BUILD)/corpus-$$name; \
		echo "== $$name: $(FUZZ_TIME) s"; \
		if ! $(BUILD)/$$name -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/ $(BUILD)/corpus-$$name tests/fuzz/seeds/$${name#fuzz_} \
			> $(BUILD)/$$name.log 2>&1; then tail -40 $(BUILD)/$$name.log; exit 1; fi; \
		grep -E 'stat::number_of_executed_units' $(BUILD)/$$name.log; \
	done

bench: deps
	@$(MAKE) --no-print-directory fieldbook bench-tools
	@sh tests/bench/run.sh

install: fieldbook
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 fieldbook $(DESTDIR)$(PREFIX)/bin/fieldbook
	install -m 644 fieldbook.1 $(DESTDIR)$(PREFIX)/share/man/man1/fieldbook.1
	install -m 644 src/cli/completion.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/fieldbook

clean:
	rm -rf build fieldbook

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
