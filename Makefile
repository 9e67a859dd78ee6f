# The two commands of the README: `make run` and `make test`. Everything else supports them.
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build build-all build-asan build-fuzz run test clean bench crash-test

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

# Release build of the server; the binary is build/tern.
build: configure
	@cmake --build build -j $(JOBS) --target tern

# Everything in the release tree: the binary, unit tests, benchmarks.
build-all: configure
	@cmake --build build -j $(JOBS)

# The sanitizer configuration (-fsanitize=address,undefined) the test suite also runs.
build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTERN_SANITIZE=ON -DTERN_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)

# libFuzzer targets for the pure parsers (clang).
build-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DTERN_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

run: build
	./build/tern serve

# The whole suite: unit + integration tests on the release build and again under
# AddressSanitizer/UBSan, then a short smoke run of every fuzz target.
test: build-all build-asan build-fuzz
	cd build && ctest --output-on-failure -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)
	scripts/fuzz-smoke build-fuzz 15

clean:
	rm -rf build build-asan build-fuzz

# Benchmarks against Postfix on 127.0.0.1 (bench/README.md; knobs in scripts/bench). Not part of
# `make test`; about 15 minutes on 2 cores.
bench: build
	@cmake --build build -j $(JOBS) --target queue_fill
	scripts/bench

# The long crash-safety run: 20 kill -9 under load with reconciliation, then a full disk.
crash-test: build
	scripts/crash-test --kills 20
