#!/usr/bin/env bash
# fuzz/run.sh - build the fuzz targets with clang and libFuzzer, run each
# for a while over its corpus, and fail if any crashed. `make fuzz` runs it.
#
#   fuzz/run.sh [TARGET...]        (default: every target)
#
# FUZZ_SECONDS  seconds per target (default 600)
# FUZZ_JOBS     targets run at once (default 1)
# FUZZ_BUILD    build folder (default build/fuzz)
# FUZZ_ARGS     extra libFuzzer options (e.g. "-jobs=2" or "-only_ascii=1")
#
# New inputs that libFuzzer finds go to $FUZZ_BUILD/corpus/<target>/, not to
# the committed fuzz/corpus/<target>/ (merge a minimised set by hand, see
# fuzz/README.md). Crash inputs go to $FUZZ_BUILD/artifacts/<target>/, logs
# to $FUZZ_BUILD/logs/<target>.log.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-1}
build=${FUZZ_BUILD:-build/fuzz}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	targets=(workspace_yaml pipeline_config template metadata_json avro_manifest semver s3_xml)
fi

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
CC=${CC:-clang} cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DRAT_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_targets -j "$(nproc 2>/dev/null || echo 2)"

# One target: libFuzzer over the scratch corpus (first: where new inputs go)
# and the committed one. libFuzzer's exit status (0 unless something
# crashed) goes to logs/<target>.status.
run_one() {
	local t=$1 dict=() extra=() status=0
	[ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
	# Avro C asks malloc for any length a damaged record states and copes
	# with NULL (see fuzz_avro_manifest.c): no libFuzzer limit per malloc
	[ "$t" = avro_manifest ] && extra=(-malloc_limit_mb=1048576)
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	"$build/bin/fuzz_$t" "$build/corpus/$t" "fuzz/corpus/$t" "${dict[@]}" "${extra[@]}" \
		-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t/" ${FUZZ_ARGS:-} >"$build/logs/$t.log" 2>&1 ||
		status=$?
	echo "$status" >"$build/logs/$t.status"
}

echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time; logs in $build/logs/"
for t in "${targets[@]}"; do
	[ -x "$build/bin/fuzz_$t" ] || { echo "fuzz: no target '$t'" >&2; exit 2; }
	mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "$build/logs"
	rm -f "$build/logs/$t.status"
done
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	run_one "$t" &
done
wait

failed=0
printf '%-16s %-6s %12s %10s %8s\n' target result execs exec/s corpus
for t in "${targets[@]}"; do
	result=ok
	[ "$(cat "$build/logs/$t.status" 2>/dev/null)" = 0 ] || { result=CRASH; failed=1; }
	log="$build/logs/$t.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	corpus=$(find "$build/corpus/$t" "fuzz/corpus/$t" -type f | wc -l)
	printf '%-16s %-6s %12s %10s %8s\n' "$t" "$result" "${execs:-?}" "${rate:-?}" "$corpus"
	if [ "$result" = CRASH ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 | sed 's/^/    /'
		ls "$build/artifacts/$t/" | sed "s|^|    $build/artifacts/$t/|"
	fi
done
exit $failed
