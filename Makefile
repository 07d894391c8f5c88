# ScanLedger. `make demo` and `make test` install missing Debian packages
# first when run as root, and say what to install otherwise.

PREFIX   ?= /usr/local
DESTDIR  ?=
SWIFT    ?= swift
CONFIG   ?= debug
BIN       = .build/$(CONFIG)

# Debian packages the build and the tests need. Later issues append here.
DEB_PACKAGES = libusb-1.0-0-dev libserialport-dev libsqlite3-dev pkg-config openssl \
               umockdev socat python3-jsonschema systemd libpq-dev postgresql chromium \
               prometheus tmux man-db faketime

.PHONY: all deps build release demo test tsan bench fuzz install clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run as root: apt-get install$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

release: deps
	$(SWIFT) build -c release

demo: release
	./examples/demo.sh .build/release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Thread sanitizer over the tests of the modules that run threads, in their
# own build folder. The scanledgerd those tests start is built the same way;
# a race in either process ends it (exit code 66), so any report fails the run.
TSAN_SUITES ?= ServiceTests|DevicesTests|LedgerTests|ForwardingTests|PipelineTests|ScanModelTests
tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_SUITES)'

bench: release
	.build/release/scanledger-bench all

# Bounded fuzzing of every fuzz target (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
fuzz: deps
	./Tests/Fuzz/run.sh $(FUZZ_SECONDS)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/scanledgerd .build/release/scanledger $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)/lib/udev/rules.d $(DESTDIR)/lib/systemd/system
	install -m 0644 udev/*.rules $(DESTDIR)/lib/udev/rules.d/
	for unit in systemd/*.service; do \
	  sed 's|/usr/local/bin/|$(PREFIX)/bin/|g' $$unit > $(DESTDIR)/lib/systemd/system/$$(basename $$unit); \
	  chmod 0644 $(DESTDIR)/lib/systemd/system/$$(basename $$unit); \
	done
	install -m 0644 systemd/*.timer $(DESTDIR)/lib/systemd/system/
	install -d $(DESTDIR)/usr/lib/sysusers.d
	install -m 0644 systemd/scanledger.sysusers $(DESTDIR)/usr/lib/sysusers.d/scanledger.conf
	install -d $(DESTDIR)/usr/lib/tmpfiles.d
	install -m 0644 systemd/scanledger.tmpfiles $(DESTDIR)/usr/lib/tmpfiles.d/scanledger.conf
	install -d $(DESTDIR)/etc/scanledger
	install -m 0644 examples/scanledger.json $(DESTDIR)/etc/scanledger/scanledger.json.example
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 docs/man/scanledger.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/man/scanledger.json.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 docs/man/scanledgerd.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf .build
