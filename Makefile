# netrt — the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# Per-step time limits: a hang fails the step instead of eating CI's 90 minutes.
RUST_TEST_TIMEOUT ?= 2700

.PHONY: all build deps demo demo-c demo-cpp test lint doc gen gen-check header header-check header-tool ffi test-rust test-c \
	test-cpp test-python bench bench-rust bench-caps bench-c bench-c-cost bench-c-accept-memory bench-read-floor bench-python bench-syndication bench-transfer clean install fuzz fuzz-smoke fuzz-corpus \
	package-check wheel-check soak-broker bench-broker

CBINDGEN_VERSION := 0.29.4

all: build

deps:
	@bash tests/install-deps.sh

build: deps
	$(CARGO) build --workspace

## demo: build and run the loopback tour (sockets, DataWriter/DataReader, UDP, TLS, a wss://
## WebSocket with a credential and a subprotocol, error codes, an app-manifest denial in a child
## process), the socket broker hand-off (an app transfers its connection and exits; the broker
## starts its task on traffic), a background download's progress lines, then the C and C++
## examples.
demo: deps
	$(CARGO) run -q -p netrt --example tour
	$(CARGO) build -q -p netrt-broker --bin netrt-brokerd --example broker_task
	$(CARGO) run -q -p netrt-broker --example broker_demo
	$(CARGO) run -q -p netrt-broker --example transfer_demo
	@$(MAKE) -s demo-c
	@$(MAKE) -s demo-cpp

ffi:
	$(CARGO) build -q -p netrt-ffi

C_EXAMPLES := listener_echo udp_sender_receiver tls_connect starttls_upgrade epoll_echo websocket_echo

demo-c: ffi
	@mkdir -p target/c-examples
	@ln -sf libnetrt.so target/debug/libnetrt.so.0
	@for e in $(C_EXAMPLES); do \
		gcc -std=c11 -Wall -Wextra -Werror -Iinclude examples/c/$$e.c -Ltarget/debug -lnetrt \
			-Wl,-rpath,$(CURDIR)/target/debug -o target/c-examples/$$e; done
	target/c-examples/listener_echo
	target/c-examples/udp_sender_receiver
	target/c-examples/epoll_echo
	target/c-examples/websocket_echo

demo-cpp: ffi
	@mkdir -p target/cpp-examples
	@ln -sf libnetrt.so target/debug/libnetrt.so.0
	g++ -std=c++20 -Wall -Wextra -Werror -pthread -Iinclude -Ibindings/cpp/include examples/cpp/listener_echo.cpp \
		-Ltarget/debug -lnetrt -Wl,-rpath,$(CURDIR)/target/debug -o target/cpp-examples/listener_echo
	target/cpp-examples/listener_echo

## install: libnetrt.so(.0)/libnetrt.a, netrt.h, netrt.pc and the CMake package (netrt::netrt),
## the `netrt` command with its man pages and bash/zsh/fish completions (cli/install.sh), and the
## socket broker: bin/netrt-brokerd and its systemd user units
## (lib/systemd/user/netrt-brokerd.{socket,service}), into $(DESTDIR)$(PREFIX).
## INSTALL_PROFILE=debug installs the debug build instead.
PREFIX ?= /usr/local
INSTALL_PROFILE ?= release
install:
	$(CARGO) build -q -p netrt-ffi -p netrt-cli $(if $(filter release,$(INSTALL_PROFILE)),--release)
	ffi/install.sh "$(DESTDIR)$(PREFIX)" target/$(INSTALL_PROFILE) "$(PREFIX)"
	cli/install.sh "$(DESTDIR)$(PREFIX)" target/$(INSTALL_PROFILE)
	$(CARGO) build -q -p netrt-broker --bin netrt-brokerd $(if $(filter release,$(INSTALL_PROFILE)),--release)
	install -D -m 0755 target/$(INSTALL_PROFILE)/netrt-brokerd "$(DESTDIR)$(PREFIX)/bin/netrt-brokerd"
	install -D -m 0644 broker/systemd/netrt-brokerd.socket "$(DESTDIR)$(PREFIX)/lib/systemd/user/netrt-brokerd.socket"
	sed 's|@PREFIX@|$(PREFIX)|g' broker/systemd/netrt-brokerd.service.in >"$(DESTDIR)$(PREFIX)/lib/systemd/user/netrt-brokerd.service"

## header: regenerate include/netrt.h with the pinned cbindgen (never from build.rs).
header-tool:
	@cbindgen --version 2>/dev/null | grep -qx "cbindgen $(CBINDGEN_VERSION)" || \
		$(CARGO) install -q cbindgen --version =$(CBINDGEN_VERSION) --locked

## gen: write what core's registry (netrt::projection) declares once — the C enums
## (ffi/src/enums_generated.rs), the NETRT_* HRESULT defines (ffi/cbindgen.toml), the C++ enums
## (bindings/cpp/include/netrt/impl/enums.hpp) and Python's _enums.py; `make header` runs it first.
gen:
	$(CARGO) run -q -p xtask -- gen

## gen-check: fails ("stale: run make header") when a generated file differs from the generator's output.
gen-check:
	$(CARGO) run -q -p xtask -- gen --check

header: header-tool gen
	cbindgen --quiet --config ffi/cbindgen.toml --crate netrt-ffi --output include/netrt.h ffi

header-check: header-tool gen-check
	@mkdir -p target
	cbindgen --quiet --config ffi/cbindgen.toml --crate netrt-ffi --output target/netrt.h.check ffi
	@diff -u include/netrt.h target/netrt.h.check || { echo "include/netrt.h is stale: run make header"; exit 1; }

## test: install what the tests need, then lint and run every suite.
test: deps lint doc header-check package-check test-rust test-c test-cpp test-python
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## doc: the Rust API documentation (rustdoc) of crate netrt; any rustdoc warning fails.
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p netrt

test-rust:
	timeout $(RUST_TEST_TIMEOUT) $(CARGO) test --workspace --no-fail-fast

## package-check: `cargo package` of the crates meant for crates.io (netrt-broker-protocol, netrt, netrt-broker, netrt-cli, in dependency order), offline and
## without verification (that would build them against crates.io, where netrt is not published);
## any warning (a missing metadata field, a file left out) fails it.
package-check:
	@mkdir -p target
	$(CARGO) package --offline --no-verify --allow-dirty -p netrt-broker-protocol -p netrt -p netrt-broker -p netrt-cli 2>&1 | tee target/package-check.log
	@! grep -q '^warning' target/package-check.log || { echo "cargo package warned (above)"; exit 1; }

## wheel-check: the Python extension as one abi3 wheel (maturin build --release), installed into a
## clean venv of every CPython 3.9-3.13 on the machine and smoke-tested there; then the sdist, built
## into a wheel by pip on its own and smoke-tested too (tests/packaging/). Release builds take
## minutes, so this is not part of `make test`.
wheel-check:
	timeout 3000 bash tests/packaging/wheel_check.sh

## test-c: the C suite against libnetrt, plain, under ASan+UBSan, and under valgrind; also builds
## and runs the completion-queue examples (examples/c/epoll_echo.c, glib_echo.c).
test-c: ffi
	$(CARGO) build -q -p netrt-broker --bin netrt-brokerd
	timeout 2400 tests/c/run.sh all
	timeout 600 tests/c/install_test.sh

## test-cpp: the C++ projection's suite (C++17 + C++20, -Wall -Wextra -Werror), plain and ASan/UBSan.
test-cpp: ffi
	$(CARGO) build -q -p netrt-broker --bin netrt-brokerd
	timeout 2400 tests/cpp/run.sh all

## test-python: builds the wheel into .venv (pip wheel ./bindings/python) and runs pytest;
## collecting no tests is a failure. Then the async and cancellation tests run again on each
## other CPython >= 3.12 found (python3.12, python3.13, ... on PATH or in pyenv; .venv-<ver>).
test-python:
	timeout 1500 bash tests/python/run.sh

## fuzz: coverage-guided fuzzing (cargo-fuzz, libFuzzer + ASan) of core's parsers, each target
## for FUZZ_SECONDS (docs/fuzzing.md); installs cargo-fuzz when missing. FUZZ_TARGETS picks some.
## The first build takes minutes (its own target dir, fuzz/target), so `make test` does not run
## libFuzzer: test-rust runs the committed corpora and 1,000 fixed mutants of them per target
## through the same harnesses instead (core/tests/fuzz_corpus.rs, broker/tests/fuzz_corpus.rs,
## fuzz/src/smoke.rs; also `make fuzz-corpus`).
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_TARGETS ?=
fuzz:
	nice -n 10 fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	nice -n 10 fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

fuzz-corpus:
	$(CARGO) test -p netrt --test fuzz_corpus
	$(CARGO) test -p netrt-broker --test fuzz_corpus

## soak-broker: the socket broker hand-off (an app transfers a connection and exits, the peer
## sends a random number of bytes, the broker starts the task, which reclaims the socket and
## answers with their checksum) ROUNDS times, 1,000 by default; `make test` runs 24 rounds.
soak-broker:
	NETRT_BROKER_SOAK_ROUNDS=$(or $(ROUNDS),1000) timeout 3600 $(CARGO) test -p netrt-broker --test handoff \
		-- --exact a_transferred_socket_wakes_a_spawned_task_that_reads_every_byte

## bench: every figure of BENCHMARKS.md, each an interleaved netrt-vs-baseline run in one go:
## Rust (raw tokio / tokio-rustls / tokio-tungstenite), C (POSIX sockets), Python (asyncio,
## websockets). PAIRS=n sets the pairs.
bench: deps bench-rust bench-c bench-python bench-syndication

## bench-broker: the socket broker's figures (BENCHMARKS.md): daemon memory per idle held socket
## (HELD=10000), notification latency and reclaim round trip (SAMPLES=1000), cold activation.
bench-broker:
	$(CARGO) build -q --release -p netrt-broker --bin netrt-brokerd --example broker_task --example broker_bench
	target/release/examples/broker_bench $(or $(HELD),10000) $(or $(SAMPLES),1000)

bench-rust:
	NETRT_BENCH_PAIRS=$(or $(PAIRS),7) $(CARGO) run -q --release -p netrt-bench

## bench-read-floor: the fastest read another thread can still cancel, without netrt: 64-byte
## ping-pong split across two CPUs, blocking recv against poll-first, io_uring and blocking recv
## again (the A/A spread). The floor under `make bench-c`'s split RTT row. Not part of `make bench`.
bench-read-floor:
	$(CARGO) run -q --release -p netrt-bench --bin read-floor -- $(or $(PAIRS),7)

## bench-caps: what the app-manifest check costs (loopback connect with and without a manifest,
## each run in its own process, interleaved; the check in ns). Not part of `make bench`.
bench-caps:
	NETRT_BENCH_PAIRS=$(or $(PAIRS),7) $(CARGO) run -q --release -p netrt-bench -- caps

## bench-c: the C API vs plain POSIX sockets (release libnetrt), interleaved pairs; free, on one CPU, split over two;
## then a completion-queue echo vs a hand-written epoll echo, both in one thread's loop.
bench-c:
	$(CARGO) build -q --release -p netrt-ffi
	@mkdir -p target/c-bench
	@ln -sf libnetrt.so target/release/libnetrt.so.0
	gcc -std=c11 -O2 -Wall -Wextra -Werror -pthread -Iinclude bench/c/bench_c.c -Ltarget/release -lnetrt \
		-Wl,-rpath,$(CURDIR)/target/release -o target/c-bench/bench_c
	@# Certificates for the TLS ping-pong (the test PKI; openssl).
	@tests/peers/launch pki target/c-bench/pki
	NETRT_BENCH_PKI=target/c-bench/pki target/c-bench/bench_c $(or $(PAIRS),5)
	@# Pinned to one CPU: wake-ups become plain context switches; what remains is per-call cost.
	NETRT_BENCH_PKI=target/c-bench/pki taskset -c 0 target/c-bench/bench_c $(or $(PAIRS),5)
	@# Split: each connection's two threads on two CPUs; every wake-up crosses vCPUs.
	NETRT_BENCH_PKI=target/c-bench/pki target/c-bench/bench_c $(or $(PAIRS),5) split
	@# One thread's event loop: a completion-queue echo against a hand-written epoll echo.
	gcc -std=c11 -O2 -Wall -Wextra -Werror -pthread -Iinclude bench/c/bench_cq.c -Ltarget/release -lnetrt \
		-Wl,-rpath,$(CURDIR)/target/release -o target/c-bench/bench_cq
	target/c-bench/bench_cq $(or $(PAIRS),5)
	@$(MAKE) -s bench-c-accept-memory
	@$(MAKE) -s bench-c-cost

## bench-c-accept-memory: memory per accepted connection (10,000, each with a read pending), a
## netrt listener through the C API vs a plain epoll echo server, each in its own process.
bench-c-accept-memory:
	$(CARGO) build -q --release -p netrt-ffi
	@mkdir -p target/c-bench
	@ln -sf libnetrt.so target/release/libnetrt.so.0
	gcc -std=c11 -O2 -Wall -Wextra -Werror -pthread -Iinclude bench/c/accept_memory.c -Ltarget/release -lnetrt \
		-Wl,-rpath,$(CURDIR)/target/release -o target/c-bench/accept_memory
	target/c-bench/accept_memory $(or $(PAIRS),5)

## bench-c-cost: instructions (calling thread) and heap allocations per C round trip, WinRT-shaped
## and through the one-call forms, counted under valgrind: figures that do not move with the
## machine's load.
bench-c-cost:
	$(CARGO) build -q --release -p netrt-ffi
	@mkdir -p target/c-bench
	@ln -sf libnetrt.so target/release/libnetrt.so.0
	gcc -std=c11 -O2 -Wall -Wextra -Werror -pthread -Iinclude bench/c/rtt_cost.c -Ltarget/release -lnetrt \
		-Wl,-rpath,$(CURDIR)/target/release -o target/c-bench/rtt_cost
	bench/c/rtt_cost.sh target/c-bench/rtt_cost 5000 async
	bench/c/rtt_cost.sh target/c-bench/rtt_cost 5000 one

## bench-syndication: feed parse throughput on ~10 MB RSS 2.0 and Atom 1.0 feeds written by feedgen,
## netrt vs the feed-rs crate and vs Python feedparser (bench/src/syndication.rs).
bench-syndication: deps
	.venv/bin/python tests/peers/make_feeds.py target/synd-bench --items $(or $(ITEMS),22000)
	NETRT_BENCH_PAIRS=$(or $(PAIRS),7) $(CARGO) run -q --release -p netrt-bench --bin syndication -- target/synd-bench

## bench-transfer: download throughput of a 1 GiB random file from nginx on loopback, the
## background-transfer engine vs `curl -o FILE`, interleaved (bench/src/transfer.rs); SIZE_MB
## changes the size (the file is made once in target/transfer-bench). Then the daemon's figures
## (broker/examples/transfer_bench.rs): memory per queued transfer (QUEUED=1000) and the gaps
## between progress reports around the app's exit. Not part of `make bench`.
bench-transfer: deps
	@mkdir -p target/transfer-bench
	@want=$$(( $(or $(SIZE_MB),1024) * 1048576 )); f=target/transfer-bench/data.bin; \
	  [ -f $$f ] && [ "$$(stat -c %s $$f)" -eq "$$want" ] || head -c "$$want" /dev/urandom > $$f
	NETRT_BENCH_PAIRS=$(or $(PAIRS),5) $(CARGO) run -q --release -p netrt-bench --bin transfer -- target/transfer-bench
	$(CARGO) build -q --release -p netrt-broker --bin netrt-brokerd --example transfer_bench
	QUEUED=$(or $(QUEUED),1000) target/release/examples/transfer_bench

## bench-python: the Python projection vs asyncio streams (installs the package into .venv first),
## then memory per accepted connection and large-write memory (bench/python/conn_memory.py),
## then MessageWebSocket vs the websockets client (bench/python/ws_bench.py).
bench-python: test-python
	.venv/bin/python bench/python/bench.py --pairs $(or $(PAIRS),5)
	@# Memory per accepted connection against asyncio, and the large-write peaks.
	.venv/bin/python bench/python/conn_memory.py --pairs $(or $(PAIRS),3)
	@# WebSocket echo: netrt's MessageWebSocket vs the websockets client, both to the Rust echo server.
	$(CARGO) build -q --release -p netrt-bench
	.venv/bin/python bench/python/ws_bench.py --server target/release/netrt-bench --pairs $(or $(PAIRS),5)

clean:
	$(CARGO) clean
