# dcstage - see README.md.
#   make             build $(BUILD)/dcstage and the SQLite extension
#   make test        build and run every test suite
#   make test-asan   the same under AddressSanitizer + UBSan
#   make test-tsan   the threaded suites under ThreadSanitizer
#   make demo        generate, load and export a small dump (scripts/demo.sh)
#   make bench       benchmarks with their baselines (scripts/bench.sh)
#   make lint        cppcheck
#   make install     PREFIX=/usr/local DESTDIR=
# Missing libraries are installed by scripts/deps.sh (Debian's apt-get).

BUILD ?= build
PREFIX ?= /usr/local
SANITIZE ?=
CC ?= cc
OPT ?= -O2 -g

PKGS = sqlite3 zlib libcurl jansson
TEST_PKGS = libmicrohttpd jansson zlib

# Expanded when used, so that pkg-config runs after scripts/deps.sh.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS))

WARN = -Wall -Wextra -Werror
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -I$(BUILD) -MMD -MP
ifneq ($(SANITIZE),)
BASE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
SAN_LDFLAGS = -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_LDFLAGS) $(LDFLAGS)

SRC = $(filter-out src/main.c,$(wildcard src/*.c))
OBJ = $(SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/embedded.o
LIB = $(BUILD)/libdcstage.a
BIN = $(BUILD)/dcstage
# The SQL functions also build as a loadable extension for the sqlite3 shell.
EXT_SRC = src/sqlfuncs.c src/values.c src/util.c src/buf.c
EXT = $(BUILD)/dcstage.so
EMBED = $(sort $(wildcard sql/*.sql sql/*.json))

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# The server shares the tool's small helpers (sizes, allocation).
ESSERVER_SRC = $(wildcard tests/esserver/*.c) src/util.c
ESSERVER = $(BUILD)/esserver
DEPS_OK = $(BUILD)/.deps-ok
# The suites that run threads (inflating ahead, the load's reader and
# writeback, the exporter's workers), for make test-tsan.
TSAN_TESTS = test_gzin test_batch test_writeback t0300 t0410 t0600 t0700

.PHONY: all test test-asan test-tsan bench demo lint install clean deps
all: $(BIN) $(EXT)

deps: $(DEPS_OK)
$(DEPS_OK): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: src/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DSQLITE_CORE -c -o $@ $<

$(BUILD)/obj/embedded.o: $(BUILD)/embedded.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/embedded.c: $(EMBED) scripts/embed.sh | $(DEPS_OK)
	@mkdir -p $(@D)
	scripts/embed.sh $@ $(EMBED)

$(LIB): $(OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(BUILD)/ext/%.o: src/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(EXT): $(EXT_SRC:src/%.c=$(BUILD)/ext/%.o)
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ -lm

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/check.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) -lpthread -lm

$(ESSERVER): $(ESSERVER_SRC) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(TEST_CFLAGS) $(CFLAGS) -o $@ $(ESSERVER_SRC) $(ALL_LDFLAGS) $(TEST_LIBS) -lpthread -lm

test: all $(UNIT_BIN) $(ESSERVER)
	BUILD=$(BUILD) tests/run.sh $(TESTS)

# Sanitizer reports go to files that tests/run.sh counts as failures, since
# many commands in the tests have their stderr redirected.
test-asan:
	rm -rf build/asan/sanitizer
	ASAN_OPTIONS=log_path=$(CURDIR)/build/asan/sanitizer/report \
	UBSAN_OPTIONS=log_path=$(CURDIR)/build/asan/sanitizer/report:print_stacktrace=1:halt_on_error=1 \
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined OPT="-O1 -g" test

test-tsan:
	rm -rf build/tsan/sanitizer
	TSAN_OPTIONS=log_path=$(CURDIR)/build/tsan/sanitizer/report \
	$(MAKE) BUILD=build/tsan SANITIZE=thread OPT="-O1 -g" TESTS="$(TSAN_TESTS)" test

demo: all $(ESSERVER)
	BUILD=$(BUILD) scripts/demo.sh

bench: all $(ESSERVER)
	BUILD=$(BUILD) scripts/bench.sh

lint:
	cppcheck --std=c11 --enable=warning,style,performance,portability \
		--error-exitcode=1 --inline-suppr --quiet -Iinclude \
		--include=$(shell pkg-config --variable=includedir jansson)/jansson.h \
		--suppress=missingIncludeSystem src tests/unit tests/esserver

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/dcstage
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/dcstage
	install -m 644 $(EXT) $(DESTDIR)$(PREFIX)/lib/dcstage/dcstage.so

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/ext/*.d $(BUILD)/tests/*.d)
