# gomod-tools — build, test and install.
#
#   make                      build the five tools (release)
#   make test                 run every test (what CI runs); its last line counts the tests
#                             skipped on this machine (no go1.27+ on PATH, not root, ...)
#   make install PREFIX=/usr DESTDIR=/tmp/pkg
#                             binaries, man pages and shell completions
#   make docs                 regenerate man/ and completions/ after a CLI change
#   make bench                compare with the go command (needs go on PATH)
#   make fuzz                 fuzz every parser for a while (needs cargo-fuzz)

CARGO     ?= cargo
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASHDIR   ?= $(PREFIX)/share/bash-completion/completions
ZSHDIR    ?= $(PREFIX)/share/zsh/site-functions
FISHDIR   ?= $(PREFIX)/share/fish/vendor_completions.d
INSTALL   ?= install

TOOLS = gomod-resolve gomod-dnscheck gomod-tlscheck gomod-fetch gomod-sumverify

# On glibc Linux the release binaries are static-pie, self-contained as the go command's
# own binaries are: no dynamic loader and no shared-library relocations at every start,
# which were most of a short run's time (bench/resolve.sh). Nothing is lost: the tools
# resolve names as Go does, by themselves, and never use glibc's NSS. `--target` keeps
# the flag away from build scripts and proc-macros, which must stay dynamic.
HOST       := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
ifneq ($(filter %-linux-gnu,$(HOST)),)
RELEASE_FLAGS = --target $(HOST)
RELEASE_ENV   = RUSTFLAGS="$(strip $(RUSTFLAGS) -C target-feature=+crt-static)"
RELEASE_DIR   = $(TARGET_DIR)/$(HOST)/release
else
RELEASE_DIR   = $(TARGET_DIR)/release
endif

# The tests note here what they skipped (see tests/support/src/skip.rs).
SKIP_LOG = $(TARGET_DIR)/test-skips.tsv

.PHONY: all build release-dir test lint docs install uninstall bench fuzz clean

all: build

build:
	$(RELEASE_ENV) $(CARGO) build --release --locked $(RELEASE_FLAGS)

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

install: build
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR)
	for t in $(TOOLS); do \
		$(INSTALL) -m 755 $(RELEASE_DIR)/$$t $(DESTDIR)$(BINDIR)/$$t && \
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
	bench/fetch-sumverify.sh

fuzz:
	fuzz/run.sh

clean:
	$(CARGO) clean
