# aif: one Makefile, no configure step.
#   make            build/aif and build/libaif.a
#   make test       sanitizer build of the test runner; replays fuzz corpora,
#                   checks exported symbols, runs every test
#   make bench      optimized build of bench/ and bench/run.sh
#   make fuzz       libFuzzer targets (clang) under build/fuzz/
#   make CUDA=1     adds the CUDA backend (nvcc)
OPT     ?= -O2 -g
CC      ?= cc
B       ?= build
PKGS    := libcurl jansson libsodium sqlite3 libpcre2-8 libutf8proc libxxhash
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CFLAGS  += $(OPT) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter -Iinclude -MMD -MP $(PKG_CFLAGS)
LDFLAGS += $(OPT)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(wildcard src/*/*.c src/*/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_SRC  := $(sort $(wildcard cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
TEST_SRC := $(sort $(wildcard tests/*.c tests/*/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:fuzz/fuzz_%.c=%)
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))

ifeq ($(CUDA),1)
CU_SRC  := $(wildcard src/backend/cuda/*.cu)
LIB_OBJ += $(CU_SRC:%.cu=$(B)/%.o)
CFLAGS  += -DAIF_CUDA
LDLIBS  += -L/usr/local/cuda/lib64 -lcudart
$(B)/%.o: %.cu ; @mkdir -p $(@D) && nvcc -O3 -arch=native -Iinclude -c $< -o $@
endif

all: $(B)/aif $(B)/libaif.a

# Per-ISA kernel folders get their own -m flags; everything else stays generic x86-64.
$(B)/src/kernels/avx2/%.o:   CFLAGS += -mavx2 -mfma -mf16c
$(B)/src/kernels/avx512/%.o: CFLAGS += -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512bf16
$(B)/src/kernels/amx/%.o:    CFLAGS += -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512bf16 -mamx-tile -mamx-bf16

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(B)/libaif.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# Generated tables: the command table from AIF_COMMAND lines, the test
# suites from AIF_TESTS lines. Rebuilt on every run (files may have been
# added or removed) but only replaced when the content changes.
$(B)/gen/commands.inc: FORCE
	@mkdir -p $(@D)
	@grep -h '^AIF_COMMAND(' $(CLI_SRC) | sort > $@.tmp && (cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@)
$(B)/gen/suites.inc: FORCE
	@mkdir -p $(@D)
	@grep -ho '^AIF_TESTS([a-z0-9_]*)' $(TEST_SRC) | sed 's/AIF_TESTS(\(.*\))/AIF_SUITE(\1)/' > $@.tmp && \
	  (cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@)

# Data compiled into the library: the bundled competitions file.
src/subnet/competitions_default.c: src/subnet/competitions.json scripts/embed-json.sh
	scripts/embed-json.sh src/subnet/competitions.json $@ aif_subnet_competitions_json

$(B)/cli/aif.o: CFLAGS += -I$(B)/gen
$(B)/cli/aif.o: $(B)/gen/commands.inc
$(B)/tests/main.o: CFLAGS += -I$(B)/gen
$(B)/tests/main.o: $(B)/gen/suites.inc
$(B)/tests/%.o: CFLAGS += -Itests
$(B)/fuzz/%.o: CFLAGS += -Itests
$(B)/cli/%.o: CFLAGS += -Icli

$(B)/aif: $(CLI_OBJ) $(B)/libaif.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/aif-test: $(TEST_OBJ) $(B)/libaif.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/fuzz/replay_%: $(B)/fuzz/fuzz_%.o $(B)/fuzz/replay.o $(B)/libaif.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

SAN := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
TB  := build/test

test:
	@$(MAKE) --no-print-directory B=$(TB) OPT='$(SAN)' $(TB)/aif-test $(TB)/aif $(FUZZ_NAMES:%=$(TB)/fuzz/replay_%)
	@scripts/check-symbols.sh $(TB)/libaif.a
	@for t in $(FUZZ_NAMES); do \
	  [ -d fuzz/corpus/$$t ] || { echo "fuzz/corpus/$$t is missing"; exit 1; }; \
	  $(TB)/fuzz/replay_$$t fuzz/corpus/$$t || exit 1; done
	@AIF_BIN=$(TB)/aif ASAN_OPTIONS=detect_leaks=1 $(TB)/aif-test $(TESTS)

# libFuzzer builds: make fuzz, then e.g. build/fuzz/fuzz_safetensors fuzz/corpus/safetensors
FB := build/fuzz
fuzz:
	@$(MAKE) --no-print-directory B=$(FB) CC=clang OPT='-O1 -g -fsanitize=fuzzer-no-link,address,undefined' $(FB)/libaif.a
	@for t in $(FUZZ_NAMES); do \
	  clang -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Itests fuzz/fuzz_$$t.c $(FB)/libaif.a $(LDLIBS) -o $(FB)/fuzz_$$t || exit 1; done
	@echo "built: $(FUZZ_NAMES:%=$(FB)/fuzz_%)"

BB := build/bench
bench:
	@$(MAKE) --no-print-directory B=$(BB) OPT='-O3 -march=native -g' $(BB)/aif $(BENCH_SRC:bench/%.c=$(BB)/bench/%)
	@bench/run.sh $(BB)

$(BB)/bench/%: $(BB)/bench/%.o $(BB)/libaif.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

clean:
	rm -rf build

.PHONY: all test bench fuzz clean FORCE
FORCE:
.SECONDARY:
-include $(shell find $(B) -name '*.d' 2>/dev/null)
