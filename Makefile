# Makefile - a thin front for CMake/CTest. `make demo` and `make test` set up a
# fresh machine first (scripts/deps.sh), so they are the only two commands a
# newcomer needs.
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
BUILD     ?= build/release
ASAN      ?= build/asan
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?= --output-on-failure -j $(JOBS)
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 1

.PHONY: all deps build asan test test-release test-asan demo bench fuzz clean python

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DRAT_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# The Python package, into $(BUILD)/python (docs/python.md): import it with
# PYTHONPATH=$(BUILD)/python /usr/bin/python3, or pip-install bindings/python.
python: build
	@cmake --build $(BUILD) --target python
	@echo "ratatouille: PYTHONPATH=$(abspath $(BUILD))/python /usr/bin/python3"

test-release: build
	cd $(BUILD) && ctest $(CTEST_ARGS)

test-asan: asan
	cd $(ASAN) && ctest $(CTEST_ARGS)

# The whole suite, then the whole suite again under ASan+UBSan.
test: test-release test-asan

demo: build
	@examples/demo.sh $(BUILD)/bin/rat

# The benchmark (bench/README.md): median figures over BENCH_RUNS runs on
# BENCH_ROWS generated rows; prints the table, writes bench/results/latest.md.
bench: build
	@cmake --build $(BUILD) -j $(JOBS) --target bench_programs
	@bench/run.sh $(BUILD)

# libFuzzer (clang) in build/fuzz: every fuzz target for FUZZ_SECONDS each
# (`make fuzz FUZZ_SECONDS=30` for a quick pass); fails if one crashes.
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) fuzz/run.sh

clean:
	rm -rf build
