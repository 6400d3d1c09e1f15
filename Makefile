# Makefile - a thin front for CMake/CTest. `make demo` and `make test` set up a
# fresh machine first (scripts/deps.sh), so they are the only two commands a
# newcomer needs.
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
BUILD     ?= build/release
ASAN      ?= build/asan
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?= --output-on-failure -j $(JOBS)

.PHONY: all deps build asan test test-release test-asan demo clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DRAT_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

test-release: build
	cd $(BUILD) && ctest $(CTEST_ARGS)

test-asan: asan
	cd $(ASAN) && ctest $(CTEST_ARGS)

# The whole suite, then the whole suite again under ASan+UBSan.
test: test-release test-asan

demo: build
	@examples/demo.sh $(BUILD)/bin/rat

clean:
	rm -rf build
