#!/usr/bin/env bash
# bench/run.sh - what `make bench` runs after building (bench/README.md).
#
#   bench/run.sh [BUILD_DIR]        (default build/release)
#
# Needs the release build's rat, raw_duckdb and bench_tool (the Makefile's
# bench target builds them), and python3 (which scripts/deps.sh installs).
# Settings come from the environment: BENCH_ROWS, BENCH_RUNS, ... (see
# bench/run.py). Prints the table and writes bench/results/latest.md.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build/release}"
case "$build" in /*) ;; *) build="$top/$build" ;; esac

for program in rat raw_duckdb bench_tool frame_read; do
	if [ ! -x "$build/bin/$program" ]; then
		echo "bench: $build/bin/$program is missing: run 'make bench'" >&2
		exit 1
	fi
done
exec python3 "$top/bench/run.py" --build "$build"
