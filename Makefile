# gomod-tools — build, test and install.
#
#   make                      build the five tools (release); `make release-dir` says where
#   make test                 run every test (what CI runs); its last line counts the tests
#                             skipped on this machine (no go1.27+ on PATH, not root, ...)
#   make install PREFIX=/usr DESTDIR=/tmp/pkg
#                             copy what `make` built, the man pages and the shell
#                             completions; never builds (see below)
#   make docs                 regenerate man/ and completions/ after a CLI change
#   make bench                compare with the go command (needs go on PATH)
#   make bench-net            the same over TLS on a link with 50 ms RTT, next to the
#                             floor (bench/net.sh; needs root)
#   make fuzz                 fuzz every parser for a while (needs cargo-fuzz)
#
# For packagers:
#   make && sudo make install
#             `make install` only copies: it does not run cargo (as root the Rust toolchain
#             may not be on PATH) and fails with a message when `make` has not built the
#             tools. It installs what the last `make` built, whatever its switches.
#   STATIC=0  ordinary dynamically linked binaries. The default, STATIC=1, links them
#             statically (static-pie) on glibc Linux; elsewhere they are always dynamic.
#   PROFILE=release-debug
#             keep the debug info (no stripping) for -dbgsym/-debuginfo packages; the
#             default profile, release, strips the symbols.
#   PREFIX, DESTDIR, BINDIR, MANDIR, BASHDIR, ZSHDIR, FISHDIR
#             where things go. Debian's zsh reads packages' completions from
#             ZSHDIR=/usr/share/zsh/vendor-completions; the default, PREFIX/share/zsh/
#             site-functions, is on zsh's fpath for PREFIX=/usr/local only.
#   e.g. make STATIC=0 PROFILE=release-debug && make install PREFIX=/usr DESTDIR=debian/tmp \
#            ZSHDIR=/usr/share/zsh/vendor-completions

CARGO     ?= cargo
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASHDIR   ?= $(PREFIX)/share/bash-completion/completions
ZSHDIR    ?= $(PREFIX)/share/zsh/site-functions
FISHDIR   ?= $(PREFIX)/share/fish/vendor_completions.d
INSTALL   ?= install
STATIC    ?= 1
PROFILE   ?= release

TOOLS = gomod-resolve gomod-dnscheck gomod-tlscheck gomod-fetch gomod-sumverify gomod-doctor

# On glibc Linux the release binaries are static-pie, self-contained as the go command's
# own binaries are: no dynamic loader and no shared-library relocations at every start,
# which were most of a short run's time (bench/resolve.sh). Nothing is lost: the tools
# resolve names as Go does, by themselves, and never use glibc's NSS. `--target` keeps
# the flag away from build scripts and proc-macros, which must stay dynamic. STATIC=0
# leaves the linking to the toolchain's defaults.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
ifneq ($(STATIC),0)
HOST := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
endif
ifneq ($(filter %-linux-gnu,$(HOST)),)
RELEASE_FLAGS = --target $(HOST)
RELEASE_ENV   = RUSTFLAGS="$(strip $(RUSTFLAGS) -C target-feature=+crt-static)"
RELEASE_DIR   = $(TARGET_DIR)/$(HOST)/$(PROFILE)
else
RELEASE_DIR   = $(TARGET_DIR)/$(PROFILE)
endif

# `make` writes here where it put the binaries (an absolute path); `make install` copies
# from there. Always in ./target, so that `sudo make install` finds it even when sudo
# drops CARGO_TARGET_DIR.
BUILT = target/gomod-tools-built
# The tests note here what they skipped (see tests/support/src/skip.rs).
SKIP_LOG = $(TARGET_DIR)/test-skips.tsv

.PHONY: all build release-dir test lint docs install uninstall bench bench-net fuzz clean

all: build

build:
	$(RELEASE_ENV) $(CARGO) build --locked --profile $(PROFILE) $(RELEASE_FLAGS)
	@mkdir -p $(dir $(BUILT)) && echo "$(abspath $(RELEASE_DIR))" > $(BUILT)

# Where `make build` puts the binaries (for bench/).
release-dir:
	@echo $(RELEASE_DIR)

test:
	@mkdir -p $(TARGET_DIR) && rm -f $(SKIP_LOG)
	GOMOD_SKIP_LOG="$(abspath $(SKIP_LOG))" $(CARGO) test --workspace --locked; \
		status=$$?; tools/test-skips $(SKIP_LOG); exit $$status

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

docs:
	UPDATE_GENERATED=1 $(CARGO) test --locked --test cli docs::man_pages_and_completions_are_fresh

install:
	@dir=$$(cat $(BUILT) 2>/dev/null) || { \
		echo "make install: nothing to install: run \`make\` first (as yourself; install only copies what it built)" >&2; \
		exit 1; }; \
	for t in $(TOOLS); do \
		[ -x "$$dir/$$t" ] || { \
			echo "make install: $$dir/$$t is missing: run \`make\` again first" >&2; \
			exit 1; }; \
	done
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR)
	dir=$$(cat $(BUILT)); \
	for t in $(TOOLS); do \
		$(INSTALL) -m 755 "$$dir/$$t" $(DESTDIR)$(BINDIR)/$$t && \
		$(INSTALL) -m 644 man/$$t.1 $(DESTDIR)$(MANDIR)/man1/$$t.1 && \
		$(INSTALL) -m 644 completions/$$t.bash $(DESTDIR)$(BASHDIR)/$$t && \
		$(INSTALL) -m 644 completions/_$$t $(DESTDIR)$(ZSHDIR)/_$$t && \
		$(INSTALL) -m 644 completions/$$t.fish $(DESTDIR)$(FISHDIR)/$$t.fish || exit 1; \
	done
	$(INSTALL) -m 644 man/gomod-tools.7 $(DESTDIR)$(MANDIR)/man7/gomod-tools.7

uninstall:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/man1/$$t.1 $(DESTDIR)$(BASHDIR)/$$t \
			$(DESTDIR)$(ZSHDIR)/_$$t $(DESTDIR)$(FISHDIR)/$$t.fish; \
	done
	rm -f $(DESTDIR)$(MANDIR)/man7/gomod-tools.7

bench: build
	bench/resolve.sh
	bench/dns.sh
	bench/fetch.sh
	bench/hash.sh
	bench/sumverify.sh
	bench/doctor.sh
	bench/fetch-sumverify.sh

bench-net:
	bench/net.sh

fuzz:
	fuzz/run.sh

clean:
	$(CARGO) clean
