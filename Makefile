# netrt — the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# Per-step time limits: a hang fails the step instead of eating CI's 90 minutes.
RUST_TEST_TIMEOUT ?= 1500

.PHONY: all build deps demo demo-c test lint header header-check header-tool ffi test-rust test-c bench clean

CBINDGEN_VERSION := 0.29.4

all: build

deps:
	@bash tests/install-deps.sh

build: deps
	$(CARGO) build --workspace

## demo: build and run the loopback tour (sockets, DataWriter/DataReader, UDP, TLS, error
## codes), then the C echo example through libnetrt.
demo: deps
	$(CARGO) run -q -p netrt --example tour
	@$(MAKE) -s demo-c

ffi:
	$(CARGO) build -q -p netrt-ffi

demo-c: ffi
	@mkdir -p target/c-examples
	@ln -sf libnetrt.so target/debug/libnetrt.so.0
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude examples/c/listener_echo.c -Ltarget/debug -lnetrt \
		-Wl,-rpath,$(CURDIR)/target/debug -o target/c-examples/listener_echo
	target/c-examples/listener_echo

## header: regenerate include/netrt.h with the pinned cbindgen (never from build.rs).
header-tool:
	@cbindgen --version 2>/dev/null | grep -qx "cbindgen $(CBINDGEN_VERSION)" || \
		$(CARGO) install -q cbindgen --version =$(CBINDGEN_VERSION) --locked

header: header-tool
	cbindgen --quiet --config ffi/cbindgen.toml --crate netrt-ffi --output include/netrt.h ffi

header-check: header-tool
	@mkdir -p target
	cbindgen --quiet --config ffi/cbindgen.toml --crate netrt-ffi --output target/netrt.h.check ffi
	@diff -u include/netrt.h target/netrt.h.check || { echo "include/netrt.h is stale: run make header"; exit 1; }

## test: install what the tests need, then lint and run every suite.
test: deps lint header-check test-rust test-c
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	timeout $(RUST_TEST_TIMEOUT) $(CARGO) test --workspace --no-fail-fast

## test-c: the C suite against libnetrt, plain, under ASan+UBSan, and under valgrind.
test-c: ffi
	timeout 1200 tests/c/run.sh all

## bench: interleaved netrt-vs-baseline runs; results go to BENCHMARKS.md by hand.
bench: deps
	$(CARGO) run --release -p netrt-bench

clean:
	$(CARGO) clean
