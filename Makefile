# kinerjad — the two commands: `make run` and `make test`. See README.md.
SWIFT        ?= swift
PREFIX       ?= /usr
SYSCONFDIR   ?= /etc
DESTDIR      ?=
CONFIGURATION ?= debug
BUILD_FLAGS  ?=
BIN_DIR       = $(shell $(SWIFT) build -c $(CONFIGURATION) --show-bin-path 2>/dev/null)

APT_PACKAGES  = libsystemd-dev libsqlite3-dev pkg-config msmtp systemd strace python3-seccomp util-linux chromium libqrencode-dev zbar-tools librsvg2-bin
PIP_PACKAGES  = varlink==31.0.0 aiosmtpd playwright

.PHONY: all build release run test deps deps-apt deps-pip install man clean deb deps-deb test-system deps-system bench bench-control bench-cycles bench-flags bench-followups bench-sweep bench-preview bench-web bench-scale check-units crash load soak fuzz fuzz-build

all: build

# Install the system packages the build and the tests need, only when something is missing.
deps: deps-apt deps-pip

deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

deps-pip:
	@python3 -c 'import varlink, aiosmtpd, playwright' 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)

build: deps-apt
	$(SWIFT) build -c $(CONFIGURATION) $(BUILD_FLAGS)

# The release build: the Swift runtime linked statically (the binaries need only Debian 12's own
# libraries), in its own scratch path so it never mixes with the debug build. It is what `make install`
# and `make deb` ship, and what the benchmarks measure.
RELEASE_SCRATCH = .build-release-static
RELEASE_FLAGS   = -c release --static-swift-stdlib --disable-local-rpath --scratch-path $(RELEASE_SCRATCH)
RELEASE_BIN     = $(RELEASE_SCRATCH)/release
RELEASE_MAN     = $(RELEASE_SCRATCH)/man

# The man pages come from swift-argument-parser's generate-manual tool run on the release binaries
# (its plugin would rebuild the whole package without the static runtime).
MANUAL_TOOL     = $(RELEASE_SCRATCH)/generate-manual/release/generate-manual

release: deps-apt
	$(SWIFT) build $(RELEASE_FLAGS) $(BUILD_FLAGS)
	$(SWIFT) build -c release --package-path $(RELEASE_SCRATCH)/checkouts/swift-argument-parser --scratch-path $(RELEASE_SCRATCH)/generate-manual --product generate-manual
	@mkdir -p $(RELEASE_MAN) && for t in kinerjactl kinerjad kinerja-web; do $(MANUAL_TOOL) $(RELEASE_BIN)/$$t --output-directory $(RELEASE_MAN) || exit 1; done

# Build and run the daemon in the foreground with the development config; state goes to ./var/.
# A new ./var starts with a small demo data set (tools/run-dev.sh generates and loads it once the
# daemon listens); an existing database is used as it is.
run: build
	@echo "kinerjad: state in ./var, control socket ./var/admin.varlink; kinerja-web on http://127.0.0.1:8480"
	@echo "  talk to it from another terminal:  $(BIN_DIR)/kinerjactl --socket var/admin.varlink status"
	@echo "  stop it with Ctrl-C"
	@tools/run-dev.sh $(BIN_DIR)

# The suites that drive real daemons hard (kill -9 harness, load and soak, full disk, mail across
# kills) run after the others and one at a time: on a 2-CPU machine they would otherwise starve the
# timing-bound tests running beside them.
HEAVY_TESTS = CrashConsistencyTests|LoadSoakTests|StorageFaultTests|ReminderSweepTests
# Suites that wait on real processes with deadlines (a private journald, sendmail runners and their
# timeouts, socket activation, the mail hand-off): with the whole parallel run spawning daemons beside
# them they sometimes missed their deadlines on 2 CPUs, so they run one at a time too, before the heavy ones.
# ImportSpoolTests counts SQLite's temporary files among the test process's descriptors: no other test
# may hold one meanwhile.
TIMED_TESTS = JournalLogHandlerTests|TestSupportTests|LogOutputTests|SendmailTransportTests|SendmailRecoveryTests|DaemonLifecycleTests|MailHandOffTests|VarlinkServerRobustnessTests|SchedulerEndToEndTests|ImportSpoolTests

test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --skip '$(HEAVY_TESTS)|$(TIMED_TESTS)'
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --filter '$(TIMED_TESTS)' --no-parallel
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --filter '$(HEAVY_TESTS)' --no-parallel

# Every shipped unit verified together (so Sockets=, Requires= and Also= find the units they name),
# with the installed program paths pointed at this build's binaries (verify checks that each Exec*=
# program exists), then the exposure of both services.
UNITS = kinerjad.service kinerjad.socket kinerjad-review.socket kinerjad-mail.socket kinerjad-mail@.service \
        kinerja-web.service kinerja-web.socket
check-units: build
	@units=$$(mktemp -d) && bin=$$(cd "$(BIN_DIR)" && pwd) && \
	for u in $(UNITS); do sed -e "s|/usr/bin/|$$bin/|g" -e "s|/usr/libexec/kinerjad/|$$bin/|g" systemd/$$u > $$units/$$u; done && \
	echo "systemd-analyze verify $(UNITS) (programs from $$bin)" && \
	systemd-analyze verify $$(for u in $(UNITS); do echo $$units/$$u; done); rc=$$?; rm -rf $$units; exit $$rc
	systemd-analyze security --offline=true systemd/kinerjad.service
	systemd-analyze security --offline=true systemd/kinerja-web.service

# The man page, generated from kinerjactl's argument parser (swift-argument-parser's plugin).
man:
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual
	@mkdir -p .build/man && for t in kinerjactl kinerjad kinerja-web; do cp "$$(find .build/plugins -name "$$t.1" | head -1)" .build/man/$$t.1; done

# Installs what `make release` built (run that first, as yourself); builds nothing and installs no
# packages. The list of files is tools/package.py's, the same the Debian package holds. An existing
# /etc/kinerjad/kinerjad.yaml is kept. Then: systemd-sysusers, systemd-tmpfiles --create (see README).
install:
	@test -x $(RELEASE_BIN)/kinerjad -a -x $(RELEASE_BIN)/kinerjactl -a -x $(RELEASE_BIN)/kinerja-web || { echo "no release build in $(RELEASE_BIN): run make release first"; exit 1; }
	python3 tools/package.py stage --bin $(RELEASE_BIN) --man $(RELEASE_MAN) --prefix $(PREFIX) --destdir "$(DESTDIR)"

# dist/kinerjad_<version>_<arch>.deb from the release build, checked by lintian (errors fail).
DEB_PACKAGES = dpkg-dev lintian binutils
deps-deb:
	@$(MAKE) --no-print-directory deps-apt APT_PACKAGES="$(DEB_PACKAGES)"

deb: release deps-deb
	@rm -f dist/kinerjad_*.deb
	python3 tools/package.py deb --bin $(RELEASE_BIN) --man $(RELEASE_MAN) --out dist
	lintian --fail-on error --info dist/kinerjad_*.deb

# The package on a real systemd: a cached Debian 12 tree booted with systemd-nspawn (see
# docs/packaging.md). Needs root. TREE_CACHE keeps the tree and the upgrade test's old package.
TREE_CACHE ?= /var/cache/kinerjad-test-system
SYSTEM_PACKAGES = debootstrap systemd-container
deps-system:
	@$(MAKE) --no-print-directory deps-apt APT_PACKAGES="$(SYSTEM_PACKAGES)"

test-system: deb deps-system
	python3 tools/system-test.py --deb "$$(ls dist/kinerjad_*.deb)" --cache $(TREE_CACHE)

# Benchmarks print figures from a release build; they are not tests.
bench: bench-control bench-cycles bench-flags bench-sweep bench-preview

bench-control: release
	$(RELEASE_BIN)/kinerja-bench control

# 25,000 employees x 8 closed periods: motivation analysis against set-based SQL, peak RSS.
bench-flags: release
	$(RELEASE_BIN)/kinerja-bench flags

# 25,000 employees × 8 periods (the flags benchmark's data set), planted outcomes: the follow-up pass
# and the effect report, each against the same work as set-based SQL (target ≤ 1.5x), and RSS.
bench-followups: release
	$(RELEASE_BIN)/kinerja-bench followups

# 25,000 employees, one open cycle, 30% of assignments overdue: the reminder sweep against
# the same selection and outbox writes as set-based SQL, peak RSS.
bench-sweep: release
	$(RELEASE_BIN)/kinerja-bench sweep

# PREVIEW_EMPLOYEES with an open cycle, every review overdue: PREVIEW_CLIENTS concurrent
# PreviewReminders (streamed) while Ping runs every 10 ms: the daemon's idle and peak RSS (target:
# peak within 100 MiB of idle) and Ping p50/p99 (target: p99 under 100 ms).
PREVIEW_EMPLOYEES ?= 25000
PREVIEW_CLIENTS   ?= 16
bench-preview: release
	$(RELEASE_BIN)/kinerja-bench preview --employees $(PREVIEW_EMPLOYEES) --clients $(PREVIEW_CLIENTS)

# WEB_EMPLOYEES with the current quarter open, a release kinerjad and kinerja-web on loopback: wrk
# on the reviewer's page (GET) and on review submissions (POST, each with the page's anti-forgery
# value and one of the link's own assignments) from WEB_REVIEWERS links, while `kinerjactl report
# cycle` runs in a loop; throughput, p50/p90/p99 and both processes' RSS. Targets: page p99 <= 50 ms;
# submissions >= 300/s with p99 <= 100 ms. Not part of `make bench` (it waits for fresh rate-limit
# windows, a few minutes in all). WEB_FLAGS passes more options, e.g. --no-report-loop (the request
# path alone, without the report competing for the CPUs) or --connections N.
WEB_EMPLOYEES ?= 25000
WEB_REVIEWERS ?= 4000
WEB_SECONDS   ?= 30
WEB_FLAGS     ?=
bench-web: release
	@$(MAKE) --no-print-directory deps-apt APT_PACKAGES="wrk"
	python3 Benchmarks/web_bench.py --bin $(RELEASE_BIN) --employees $(WEB_EMPLOYEES) --reviewers $(WEB_REVIEWERS) --seconds $(WEB_SECONDS) $(WEB_FLAGS)

# A full quarter (import, open, reminder preview, reviews, close, report, then a second quarter) at
# each of BENCH_SCALE_SIZES employees: wall and CPU seconds per step, daemon peak RSS, database size
# and growth, the growth ratios, cycle open against lean set-based SQL, reviews import rows/s, and
# Ping/GetStatus/ListFlags p50/p99 during the open and the close; the table goes into docs/benchmarks.md.
# Each size runs BENCH_SCALE_REPEAT times, the sizes in turn; each step's median run is reported (about
# 13 minutes for the three sizes on a quiet 2-core machine).
BENCH_SCALE_SIZES ?= 25000,100000,250000
BENCH_SCALE_REPEAT ?= 3
bench-scale: release
	@$(MAKE) --no-print-directory deps-apt APT_PACKAGES="time"
	python3 Benchmarks/scale_bench.py --bin $(RELEASE_BIN) --sizes $(BENCH_SCALE_SIZES) --repeat $(BENCH_SCALE_REPEAT) --write docs/benchmarks.md

# Concurrent control clients (Varlink + kinerjactl) while a cycle of LOAD_EMPLOYEES opens and the
# reminder sweep, delivery and a backup run: per-method p50/p99, errors (must be 0), daemon RSS and fds.
LOAD_EMPLOYEES ?= 25000
LOAD_CLIENTS   ?= 16
LOAD_SECONDS   ?= 60
load: release
	$(RELEASE_BIN)/kinerja-bench load --employees $(LOAD_EMPLOYEES) --clients $(LOAD_CLIENTS) --seconds $(LOAD_SECONDS)

# The load mix for SOAK_SECONDS with SIGHUP reloads, backups, maintenance and reminder runs;
# fails when the daemon's fds grow or its RSS grows by more than 16 MiB after the warm-up.
SOAK_SECONDS ?= 600
soak: release
	$(RELEASE_BIN)/kinerja-bench soak --seconds $(SOAK_SECONDS)

# 25,000 employees: import, cycle open against set-based SQL, close, report, daemon RSS.
bench-cycles:
	$(SWIFT) build -c release --scratch-path .build-release
	python3 Benchmarks/cycles_bench.py --bin "$$($(SWIFT) build -c release --scratch-path .build-release --show-bin-path)"

# The crash-consistency harness, long version: kill -9 at pause points (at random hits) and at
# random times until KILLS kills, checking the invariants after each restart. Needs a debug build (the
# pause points exist only there); `make test` runs the short version (every point once).
KILLS ?= 500
crash: deps
	$(SWIFT) build $(BUILD_FLAGS)
	python3 tools/crash-harness.py --bin "$$($(SWIFT) build --show-bin-path)" --kills $(KILLS) $(if $(SEED),--seed $(SEED),)

# libFuzzer + AddressSanitizer on every parser that takes outside input, FUZZ_SECONDS per
# target, then a table of executions, exec/s, coverage (cov/ft) and crashes. Seeds: Fuzz/corpus;
# crashers to keep: Fuzz/regressions (both replayed by `make test`). New inputs go to fuzz-out/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= varlink-framing json idl varlink-parameters csv-employees csv-reviews csv-skm csv-training config calendar web-form web-token
FUZZ_SCRATCH  = .build-fuzz
FUZZ_FLAGS    = --scratch-path $(FUZZ_SCRATCH) --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -DKINERJA_LIBFUZZER

fuzz-build:
	$(SWIFT) build $(FUZZ_FLAGS) --product kinerja-fuzz

fuzz: fuzz-build
	Fuzz/run-fuzz.sh "$$($(SWIFT) build $(FUZZ_FLAGS) --show-bin-path)/kinerja-fuzz" $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build .build-release .build-release-static .build-fuzz fuzz-out var dist
