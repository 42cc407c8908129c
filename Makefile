# carrel: one non-recursive GNU make file. Every output goes to build/.
#
#   make              build build/pam_carrel.so, build/carrel-launch, build/carrel
#   make check        install missing build/test packages (as root), run every test
#   make check-unit   the quick loop: cmocka unit tests only
#   make demo         install missing packages, then a real sandboxed ssh login on loopback
#   make install      PREFIX, DESTDIR, PAMDIR, SBINDIR, LIBEXECDIR, MANDIR

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/carrel
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
MULTIARCH  := $(shell $(CC) -print-multiarch 2>/dev/null)
PAMDIR     ?= /lib/$(MULTIARCH)/security

VERSION    := 0.1.0

CPPFLAGS += -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -I. \
	-DCARREL_VERSION='"$(VERSION)"' \
	-DCARREL_LAUNCHER_PATH='"$(LIBEXECDIR)/carrel-launch"' \
	-DCARREL_IMAGE_HELPER_PATH='"$(LIBEXECDIR)/carrel-image"' \
	-DCARREL_CONFIG_PATH='"$(SYSCONFDIR)/carrel/carrel.conf"'
WARN      = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wno-unused-parameter
CFLAGS   ?= -O2 -g
BASE      = -std=gnu11 -fPIC -fvisibility=hidden -MMD -MP -fstack-protector-strong $(WARN)
HARDEN_LD = -Wl,-z,relro,-z,now -Wl,--as-needed
# make SANITIZE=1 ...: AddressSanitizer and UBSan, in build/san/ (BUILD overrides). Code that
# runs inside other programs or must be static is never instrumented, and is built a second
# time without sanitizers in $(PLAIN): the PAM module (ASan cannot be loaded into an sshd not
# built with it) and carrel-init (static; ASan cannot be linked statically).
ifeq ($(SANITIZE),1)
BUILD    ?= build/san
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer
PLAIN    := $(BUILD)/plain
else
BUILD    ?= build
SAN       =
PLAIN    := $(BUILD)
endif
B := $(BUILD)

# Libraries are looked up when a recipe runs, not when make parses this file, so that
# "make check" on a fresh machine can install them first.
LIBS_CONFIG   = $$(pkg-config --libs libconfig)
LIBS_PAM      = $$(pkg-config --libs pam)
LIBS_CAP      = $$(pkg-config --libs libcap)
LIBS_JSON     = $$(pkg-config --libs json-c)
LIBS_CMOCKA   = $$(pkg-config --libs cmocka)
LIBS_SECCOMP  = $$(pkg-config --libs libseccomp)
LIBS_ARCHIVE  = $$(pkg-config --libs libarchive)
LIBS_CRYPTO   = $$(pkg-config --libs libcrypto)

# "make V=1" shows the commands.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-6s %s\n'
endif

obj = $(patsubst %.c,$(B)/%.o,$(1))
plain_obj = $(patsubst %.c,$(PLAIN)/%.o,$(1))

COMMON_OBJ   := $(call obj,$(wildcard common/*.c config/*.c))
MODULE_OBJ   := $(call plain_obj,$(wildcard pam_module/*.c))
LAUNCHER_OBJ := $(call obj,$(filter-out launcher/main.c launcher/init_main.c,$(wildcard launcher/*.c)))
ADMIN_OBJ    := $(call obj,$(filter-out admin/main.c admin/image_main.c,$(wildcard admin/*.c)))
IMAGE_OBJ    := $(call obj,$(wildcard image/*.c))
UNIT_TESTS   := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
PAM_HARNESS  := $(B)/tests/pam/pam_harness
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAYS := $(patsubst %,$(B)/tests/fuzz/replay_%,$(FUZZ_TARGETS))
# The escape suite's probe runs inside sessions on any image, busybox ones too: static.
SECURITY_PROBE := $(B)/tests/security/probe

PROGRAMS := $(B)/pam_carrel.so $(B)/carrel-launch $(B)/carrel-init $(B)/carrel $(B)/carrel-image

.PHONY: all check check-all check-unit check-pam check-integration check-security check-images \
	check-sanitize check-docs check-package deb rpm bench \
	demo install \
	clean format fuzz \
	lint lint-deps check-valgrind check-load deps demo-deps test-deps
.DEFAULT_GOAL := all

all: $(PROGRAMS)

# The install paths are compiled in: when they change, everything is rebuilt, so that
# "make" then "make install PREFIX=/usr" can never install a module pointing elsewhere.
PATHS_STAMP := $(B)/.paths
PATHS_NOW   := $(LIBEXECDIR) $(SYSCONFDIR)
$(PATHS_STAMP): FORCE
	@mkdir -p $(B)
	@echo '$(PATHS_NOW)' | cmp -s - $@ || echo '$(PATHS_NOW)' >$@
.PHONY: FORCE
FORCE:

$(B)/%.o: %.c $(PATHS_STAMP)
	$(say) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(BASE) $(SAN) $(CFLAGS) -c -o $@ $<

ifneq ($(PLAIN),$(B))
$(PLAIN)/%.o: %.c $(PATHS_STAMP)
	$(say) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(BASE) $(CFLAGS) -c -o $@ $<

$(PLAIN)/libcarrel-common.a: $(call plain_obj,$(wildcard common/*.c config/*.c))
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^
endif

$(B)/libcarrel-common.a: $(COMMON_OBJ)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(B)/libcarrel-launcher.a: $(LAUNCHER_OBJ)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(B)/libcarrel-admin.a: $(ADMIN_OBJ)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(B)/libcarrel-image.a: $(IMAGE_OBJ)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(B)/pam_carrel.so: $(MODULE_OBJ) $(PLAIN)/libcarrel-common.a pam_module/module.map
	$(say) LD $@
	$(Q)$(CC) -shared -Wl,--version-script=pam_module/module.map -Wl,--no-undefined $(HARDEN_LD) \
		$(LDFLAGS) -o $@ $(MODULE_OBJ) $(PLAIN)/libcarrel-common.a $(LIBS_PAM) $(LIBS_CONFIG) \
		$(LIBS_CAP) $(LIBS_SECCOMP)

$(B)/carrel-launch: $(B)/launcher/main.o $(B)/libcarrel-launcher.a $(B)/libcarrel-common.a
	$(say) LD $@
	$(Q)$(CC) -pie $(SAN) $(HARDEN_LD) $(LDFLAGS) -o $@ $^ $(LIBS_CONFIG) $(LIBS_CAP) $(LIBS_JSON)

# The session's init: static, so that what an idle session keeps in memory is a few pages of
# its own and not relocated shared libraries (see launcher/init_handoff.h).
INIT_OBJ := $(call plain_obj,launcher/init_main.c launcher/init.c launcher/init_handoff.c)
$(B)/carrel-init: $(INIT_OBJ) $(PLAIN)/libcarrel-common.a
	$(say) LD $@
	$(Q)$(CC) -static-pie $(HARDEN_LD) $(LDFLAGS) -o $@ $^

# carrel links only what its commands use: of the image library, the read-only layer view
# (diff). libarchive and libcrypto are for carrel-image (admin/cmd_image.c says why): not on
# this line, so that a call into them from carrel fails to link rather than slowing its start.
$(B)/carrel: $(B)/admin/main.o $(B)/libcarrel-admin.a $(B)/libcarrel-image.a \
		$(B)/libcarrel-common.a
	$(say) LD $@
	$(Q)$(CC) -pie $(SAN) $(HARDEN_LD) $(LDFLAGS) -o $@ $^ $(LIBS_CONFIG) $(LIBS_JSON) $(LIBS_CAP) \
		$(LIBS_SECCOMP)

$(B)/carrel-image: $(B)/admin/image_main.o $(B)/libcarrel-admin.a $(B)/libcarrel-image.a \
		$(B)/libcarrel-common.a
	$(say) LD $@
	$(Q)$(CC) -pie $(SAN) $(HARDEN_LD) $(LDFLAGS) -o $@ $^ $(LIBS_CONFIG) $(LIBS_JSON) $(LIBS_CAP) \
		$(LIBS_SECCOMP) $(LIBS_ARCHIVE) $(LIBS_CRYPTO)

$(B)/tests/unit/%: tests/unit/%.c $(B)/libcarrel-launcher.a $(B)/libcarrel-admin.a \
		$(B)/libcarrel-image.a $(B)/libcarrel-common.a
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(BASE) $(SAN) $(CFLAGS) -Wno-missing-prototypes -pie $(HARDEN_LD) -o $@ $< \
		$(B)/libcarrel-launcher.a $(B)/libcarrel-admin.a $(B)/libcarrel-image.a \
		$(B)/libcarrel-common.a $(LIBS_CMOCKA) $(LIBS_CONFIG) $(LIBS_CAP) $(LIBS_JSON) \
		$(LIBS_SECCOMP) $(LIBS_ARCHIVE) $(LIBS_CRYPTO)

# A fuzz target without libFuzzer: replays the corpus (seeds and past crashes) in check-unit.
$(B)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(B)/libcarrel-image.a \
		$(B)/libcarrel-common.a
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(BASE) $(SAN) $(CFLAGS) -pie $(HARDEN_LD) -o $@ $^ $(LIBS_CONFIG) \
		$(LIBS_CAP) $(LIBS_JSON) $(LIBS_SECCOMP) $(LIBS_ARCHIVE) $(LIBS_CRYPTO)

# make fuzz [FUZZ_SECONDS=N]: each target under libFuzzer with AddressSanitizer and UBSan,
# built by clang from the sources (instrumented), on a copy of its corpus. A crash leaves
# its input in build/fuzz/<target>/: add it to tests/fuzz/corpus/<target>/ with the fix.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(B)/fuzz/$$t/corpus; \
		cp -n tests/fuzz/corpus/$$t/* $(B)/fuzz/$$t/corpus/ 2>/dev/null || true; \
		$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
			-o $(B)/fuzz/$$t/fuzz_$$t tests/fuzz/fuzz_$$t.c common/*.c config/*.c image/*.c \
			$(LIBS_CONFIG) $(LIBS_CAP) $(LIBS_JSON) $(LIBS_SECCOMP) $(LIBS_ARCHIVE) \
			$(LIBS_CRYPTO); \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		(cd $(B)/fuzz/$$t && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
			./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 corpus) || \
			{ echo "fuzz_$$t found a crash: see $(B)/fuzz/$$t/"; exit 1; }; \
	done

$(PAM_HARNESS): tests/pam/pam_harness.c
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(BASE) $(CFLAGS) -pie $(HARDEN_LD) -o $@ $< $(LIBS_PAM)

$(SECURITY_PROBE): tests/security/probe.c
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

# The two quick-start commands install what they need first (apt-get, as root).
deps:
	@scripts/install-deps.sh build
demo-deps:
	@scripts/install-deps.sh build test
test-deps:
	@scripts/install-deps.sh build test suite

check: test-deps
	@$(MAKE) --no-print-directory check-all

check-all: lint check-unit check-pam check-docs check-integration check-security check-images \
	check-load check-package check-sanitize check-valgrind

check-unit: $(UNIT_TESTS) $(FUZZ_REPLAYS)
	@tests/run-unit.sh $(UNIT_TESTS)
	@for t in $(FUZZ_TARGETS); do $(B)/tests/fuzz/replay_$$t tests/fuzz/corpus/$$t/* || exit 1; done

check-pam: all $(PAM_HARNESS)
	@CARREL_BUILD=$(CURDIR)/$(B) tests/pam/run.sh

check-integration: all
	@CARREL_BUILD=$(CURDIR)/$(B) tests/integration/run.sh

check-security: all $(SECURITY_PROBE)
	@CARREL_BUILD=$(CURDIR)/$(B) tests/security/run.sh

# The unit, PAM and integration tests again, with AddressSanitizer and UBSan (build/san/).
check-sanitize:
	@$(MAKE) --no-print-directory SANITIZE=1 all check-unit check-pam check-integration

check-docs: all
	@tests/docs/run.sh

# The admin tool under valgrind memcheck, command by command, a session too: no error, no
# definite or indirect leak (root; a few minutes). Not with SANITIZE=1: ASan and valgrind
# do not mix.
check-valgrind: all
	@CARREL_BUILD=$(CURDIR)/$(B) tests/valgrind/run.sh

# 200 ssh logins per session mode and a 1,000-cycle soak through PAM (root; minutes).
check-load: all
	@tests/load/run.sh

check-package:
	@tests/package/run.sh

# make bench: bench/run.sh, the timings and memory of docs/performance.md (root; minutes).
bench: all
	@bench/run.sh

# make deb: build/carrel_$(VERSION)_<arch>.deb (dpkg-buildpackage -us -uc -b on a copy of the
# working tree, packaging/debian as debian/). make rpm: build/carrel-$(VERSION)-1.<arch>.rpm.
deb:
	@packaging/build-deb.sh build

rpm:
	@packaging/build-rpm.sh build

check-images: all
	@CARREL_BUILD=$(CURDIR)/$(B) tests/images/run.sh

demo: demo-deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/carrel
	install -m 0644 $(B)/pam_carrel.so $(DESTDIR)$(PAMDIR)/pam_carrel.so
	install -m 0755 $(B)/carrel-launch $(DESTDIR)$(LIBEXECDIR)/carrel-launch
	install -m 0755 $(B)/carrel-init $(DESTDIR)$(LIBEXECDIR)/carrel-init
	install -m 0755 $(B)/carrel-image $(DESTDIR)$(LIBEXECDIR)/carrel-image
	install -m 0755 $(B)/carrel $(DESTDIR)$(SBINDIR)/carrel
	install -m 0644 docs/man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 docs/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	test -e $(DESTDIR)$(SYSCONFDIR)/carrel/carrel.conf || \
		install -m 0644 packaging/carrel.conf $(DESTDIR)$(SYSCONFDIR)/carrel/carrel.conf

clean:
	rm -rf build

SOURCES = $(wildcard common/*.[ch] config/*.[ch] pam_module/*.[ch] launcher/*.[ch] admin/*.[ch] \
	image/*.[ch] tests/unit/*.[ch] tests/pam/*.[ch])

format:
	clang-format -i $(SOURCES)

# make lint: clang-format (enforced: "make format" fixes it), cppcheck, clang-tidy and mandoc,
# each clean or the target fails. It installs them first (scripts/install-deps.sh build lint).
#
# clang-tidy runs on every C file with the build's own flags (the libraries need no cflags
# from pkg-config: their headers are in /usr/include) and the checks of .clang-tidy, every
# finding an error: bugprone-*, cert-*, clang-analyzer-*, misc-*, performance-*, portability-*
# and readability-*, less these, off because they do not fit this code:
#   bugprone-easily-swappable-parameters  (fd, fd) and (buf, size) pairs are the C API style
#   bugprone-implicit-widening-of-multiplication-result  fires on constant sizes such as
#       64 * 1024, computed at compile time (an overflow there is a GCC -Woverflow error)
#   cert-err33-c  every unchecked fprintf/snprintf/close; results that matter are checked
#   clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling  wants the Annex K
#       _s functions (memcpy_s, snprintf_s), which glibc does not have
#   clang-analyzer-security.insecureAPI.strcpy  flags every strcpy/strcat, length-checked
#       or not (each one here is checked first, and _FORTIFY_SOURCE checks again)
#   clang-analyzer-unix.Malloc  LLVM 14's analyzer does not run cleanup attributes, so every
#       early return past an autofree variable is a "leak"; leaks are the job of valgrind
#       (make check-valgrind) and LeakSanitizer (make check-sanitize)
#   clang-analyzer-valist.Uninitialized  LLVM 14 takes a va_list passed on to a v*printf
#       for uninitialized (x86-64's va_list is an array): a false positive at each one
#   misc-no-recursion  the tree walks (layer tar, COPY) and the Dockerfile word expansion
#       recurse by design, bounded by PATH_MAX and the size of the Dockerfile
#   misc-unused-parameters  callbacks keep their signature (the build has
#       -Wno-unused-parameter for the same reason)
#   readability-braces-around-statements, -identifier-length, -isolate-declaration,
#   -magic-numbers, -uppercase-literal-suffix, -function-cognitive-complexity  the house
#       style (Linux kernel-like: see .clang-format), not defects; cert-dcl16-c still wants
#       "LL" over "ll"
# A false positive in one place gets a NOLINT(check) comment there, with the reason.
#
# cppcheck: memleak is off as it does not understand the cleanup attribute behind autofree.
TIDY_SOURCES := $(filter %.c,$(SOURCES))
TIDY_RUNS    := $(patsubst %,tidy/%,$(TIDY_SOURCES))
TIDY_FLAGS    = $(CPPFLAGS) -std=gnu11 $(filter-out -Werror,$(WARN))
# The files in parallel, on every core unless make was given its own -j.
TIDY_JOBS     = $(if $(filter -j%,$(MAKEFLAGS)),,-j$$(nproc))

lint: lint-deps
	clang-format --dry-run -Werror $(SOURCES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance --std=c11 \
		-D_GNU_SOURCE -I. --suppress=missingIncludeSystem --suppress=memleak \
		common config pam_module launcher admin image tests/unit tests/pam
	mandoc -T lint -W warning docs/man/*
	@echo "clang-tidy: $(words $(TIDY_SOURCES)) files"
	@$(MAKE) --no-print-directory -k $(TIDY_JOBS) lint-tidy
	@echo "lint: clean"

lint-deps:
	@scripts/install-deps.sh build lint

.PHONY: lint-tidy $(TIDY_RUNS)
lint-tidy: $(TIDY_RUNS)

# clang-tidy says "N warnings generated." for the ones it filtered out: shown only on failure.
$(TIDY_RUNS): tidy/%:
	$(say) TIDY $*
	$(Q)out=$$(clang-tidy --quiet $* -- $(TIDY_FLAGS) \
		$(if $(filter tests/unit/%,$*),-Wno-missing-prototypes) 2>&1) || \
		{ printf '%s\n' "$$out" | grep -v 'warnings\{0,1\} generated\.$$'; exit 1; }

-include $(shell find $(B) -type f -name '*.d' 2>/dev/null)
