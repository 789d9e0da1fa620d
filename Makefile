# luks2box — plain GNU make. See README (layout, targets) and doc/.
#   make [WERROR=1]            build build/luks2box and the applet links
#   make SAN=1                 the same with ASan+UBSan, in build/san
#   make check                 every test tier (installs missing packages)
#   make lint                  cppcheck, clang-tidy (.clang-tidy), file sizes,
#                              include and call cycles, warnings as errors
#                              (scripts/lint.sh)
#   make demo                  the main job on a demo image
#   make install PREFIX=/usr/local DESTDIR=

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
ifeq ($(SAN),1)
B        := build/san
else
B        := build
endif

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. \
	    -DLUKS2BOX_VERSION='"$(VERSION)"' -MMD -MP
ifeq ($(WERROR),1)
WARN     += -Werror
endif
# --- sanitizer build (SAN=1, own build directory) and valgrind tiers -------
# ASan+UBSan; any UBSan finding aborts (no recovery), so it fails the test.
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
endif
# make check also builds build/san and runs the tiers san (unit, cli and a
# sample of interop on the sanitizer binaries) and valgrind (tests/valgrind:
# full offline flows, every applet under memcheck); make check SAN=1 runs
# san-full (all of unit, cli and interop that do not LD_PRELOAD) instead of
# every tier. See tests/run-all.sh.
ifeq ($(SAN),1)
CHECK_TIERS := san-full
else
CHECK_TIERS := lint unit cli interop crash vm fuzz san valgrind
endif
# --- end of the sanitizer/valgrind block -----------------------------------
LDLIBS   += -ljson-c -lcrypto -lkcapi -largon2 -luuid -lblkid -lpthread -ldevmapper

COMMON_SRC := \
	common/log.c common/exitcode.c common/opt.c common/io.c common/clock.c \
	common/safemem.c common/passphrase.c common/lock.c \
	common/dm.c common/keyring.c \
	common/crypto_backend/backend.c common/crypto_backend/backend_util.c \
	common/crypto_backend/crypto_openssl.c \
	common/crypto_backend/crypto_kcapi.c \
	common/crypto_backend/storage.c
LUKS2_SRC := \
	luks2/hdr.c luks2/hdr_util.c luks2/json.c luks2/validate.c luks2/validate_keyslots.c \
	luks2/validate_util.c \
	luks2/af.c \
	luks2/keyslot.c luks2/keyslot_create.c luks2/digest.c luks2/reenc_digest.c \
	luks2/segment.c luks2/reenc_status.c \
	luks2/reenc_segs.c luks2/reenc_meta.c luks2/reenc_ctx.c luks2/hotzone.c \
	luks2/reenc_init.c luks2/reenc_names.c luks2/reenc_dev.c luks2/reenc_run.c luks2/reenc_par.c \
	luks2/reenc_repair.c luks2/reenc_resilience.c luks2/reenc_describe.c luks2/reenc_test_pass.c \
	luks2/reenc_init_params.c luks2/reenc_init_common.c luks2/reenc_init_reencrypt.c \
	luks2/reenc_init_encrypt.c luks2/reenc_init_decrypt.c luks2/reenc_init_online.c \
	luks2/dm_table.c luks2/dm_names.c \
	luks2/reenc_dm.c luks2/reenc_dm_status.c luks2/reenc_dm_close.c \
	luks2/reenc_online.c luks2/reenc_online_dm.c luks2/reenc_online_recover.c
APPLET_SRC := applets/main.c applets/luks2-status.c applets/status_kv.c \
	applets/hotzone-step.c applets/luks2-recover.c applets/luks2-init-reencrypt.c \
	applets/dm-remap.c
# The applet names, from the applet list (one APPLET("name", ...) line each;
# braces, since the sed program holds an unbalanced parenthesis):
# adding an applet there adds its link in build/ and in make install.
APPLETS    := ${shell sed -n 's/^APPLET("\([^"]*\)".*/\1/p' applets/applets.h}

UNIT_TESTS := crypto_vectors luks2_unit validate_rules
TEST_HELPERS := cs_reenc helpers/luks2_edit helpers/oracle_decrypt helpers/dm_probe \
	helpers/kdf_bench helpers/pattern_io

LIB_OBJ    := $(patsubst %.c,$(B)/obj/%.o,$(COMMON_SRC) $(LUKS2_SRC))
APPLET_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(APPLET_SRC))

all: $(B)/luks2box $(addprefix $(B)/,$(APPLETS))

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# Before the first compile: name a missing library's package, not a
# compiler error (scripts/install-deps.sh check).
$(B)/obj/.deps-ok: scripts/install-deps.sh
	@CC='$(CC)' scripts/install-deps.sh check
	@mkdir -p $(dir $@) && touch $@
$(LIB_OBJ) $(APPLET_OBJ): | $(B)/obj/.deps-ok

$(B)/libluks2box.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/luks2box: $(APPLET_OBJ) $(B)/libluks2box.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(addprefix $(B)/,$(APPLETS)): $(B)/luks2box
	ln -sf luks2box $@

# Unit tests and test-only helper programs.
$(B)/tests/%: tests/unit/%.c $(B)/libluks2box.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/tests/cs_reenc: tests/helpers/cs_reenc.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< -lcryptsetup
$(B)/tests/helpers/oracle_decrypt: tests/helpers/oracle_decrypt.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< -lcrypto
$(B)/tests/helpers/%: tests/helpers/%.c $(B)/libluks2box.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# LD_PRELOAD crash injector for tests/crash (no CPPFLAGS: it defines pwrite
# and pwrite64 side by side, which _FILE_OFFSET_BITS=64 would merge). Not
# executable, so the unit tier does not run it.
$(B)/tests/killwrite.so: tests/crash/killwrite.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(LDFLAGS) -shared -fPIC -o $@ $< -ldl
	chmod a-x $@

# LD_PRELOAD probe (read errors, dumpability): same flags as killwrite.so.
$(B)/tests/ioprobe.so: tests/helpers/ioprobe.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(LDFLAGS) -shared -fPIC -o $@ $< -ldl
	chmod a-x $@

# The example program: the public engine header alone (tests/example,
# run by tests/cli/example.test). -I luks2 only: no other project header.
$(B)/example/reencrypt-image: tests/example/reencrypt-image.c $(B)/libluks2box.a
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_FILE_OFFSET_BITS=64 -iquote . $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# LD_PRELOAD counter of OpenSSL crypto calls (kernel backend proof).
$(B)/tests/ossl_trap.so: tests/helpers/ossl_trap.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(LDFLAGS) -shared -fPIC -o $@ $< -ldl
	chmod a-x $@

test-progs: all $(addprefix $(B)/tests/,$(UNIT_TESTS) $(TEST_HELPERS)) $(B)/tests/killwrite.so \
	$(B)/tests/ioprobe.so $(B)/tests/ossl_trap.so \
	$(B)/example/reencrypt-image

deps:
	@scripts/install-deps.sh

demo:
	@scripts/install-deps.sh build
	$(MAKE) all
	scripts/demo.sh

bench: deps
	$(MAKE) all
	bench/bench.sh

check: deps
	$(MAKE) test-progs
	$(MAKE) SAN=1 test-progs
	tests/run-all.sh $(CHECK_TIERS)

# The lint tier of make check (tests/run-all.sh lint runs the same script,
# after make check built build/).
# It reads the object files for the call cycles (scripts/check-includes.sh).
lint: $(LIB_OBJ) $(APPLET_OBJ)
	LINT_OBJDIR=$(B)/obj scripts/lint.sh

check-%: deps
	$(MAKE) test-progs
	$(if $(filter san%,$*),$(MAKE) SAN=1 test-progs)
	tests/run-all.sh $*

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(B)/luks2box $(DESTDIR)$(PREFIX)/bin/luks2box
	for a in $(APPLETS); do ln -sf luks2box $(DESTDIR)$(PREFIX)/bin/$$a; done
	install -m 755 scripts/luks2-reencrypt $(DESTDIR)$(PREFIX)/bin/luks2-reencrypt
	install -m 644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	rm -rf $(B)/obj $(B)/tests $(B)/luks2box $(B)/libluks2box.a \
		$(addprefix $(B)/,$(APPLETS)) $(B)/t $(B)/san

# ---------------------------------------------------------------------------
# Fuzzing (tests/fuzz/README): libFuzzer targets built by clang with
# AddressSanitizer and UBSan, from objects of their own under build/fuzz.
#   make fuzz [FUZZ_TIME=60]  build, make the seed corpus (cryptsetup), run
#                             each target FUZZ_TIME seconds (the fuzz tier)
#   make fuzz-progs           only build the targets and the corpus
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FB           := $(B)/fuzz
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined
FUZZ_TARGETS := fuzz_hdr fuzz_reenc
FUZZ_OBJ     := $(patsubst %.c,$(FB)/obj/%.o,$(COMMON_SRC) $(LUKS2_SRC) \
		applets/status_kv.c tests/fuzz/fuzz_common.c)

$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(WARN) -c -o $@ $<
$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(WARN) -o $@ $^ $(LDLIBS)
$(FB)/corpus/.stamp: tests/fuzz/make-seeds.sh $(B)/tests/cs_reenc
	tests/fuzz/make-seeds.sh $(FB) $(B)/tests/cs_reenc && touch $@

fuzz-progs: $(addprefix $(FB)/,$(FUZZ_TARGETS)) $(FB)/corpus/.stamp

fuzz: deps
	$(MAKE) test-progs fuzz-progs
	FUZZ_TIME=$(FUZZ_TIME) tests/run-all.sh fuzz

clean-fuzz:
	rm -rf $(FB)
clean: clean-fuzz

.PHONY: fuzz fuzz-progs clean-fuzz
-include $(FUZZ_OBJ:.o=.d)
# ---------------------------------------------------------------------------

.PHONY: all bench check demo deps install clean lint test-progs
-include $(LIB_OBJ:.o=.d) $(APPLET_OBJ:.o=.d)
