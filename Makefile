# netrt — the two set-up commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# Per-step time limits: a hang fails the step instead of eating CI's 90 minutes.
RUST_TEST_TIMEOUT ?= 1500

.PHONY: all build deps demo test lint test-rust bench clean

all: build

deps:
	@bash tests/install-deps.sh

build: deps
	$(CARGO) build --workspace

## demo: build and run the loopback tour (sockets, DataWriter/DataReader, UDP, error codes).
demo: deps
	$(CARGO) run -q -p netrt --example tour

## test: install what the tests need, then lint and run every suite.
test: deps lint test-rust
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	timeout $(RUST_TEST_TIMEOUT) $(CARGO) test --workspace --no-fail-fast

## bench: interleaved netrt-vs-baseline runs; results go to BENCHMARKS.md by hand.
bench: deps
	$(CARGO) run --release -p netrt-bench

clean:
	$(CARGO) clean
