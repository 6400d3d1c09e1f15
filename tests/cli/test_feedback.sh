#!/usr/bin/env bash
# tests/cli/test_feedback.sh - what rat tells a new user while it works
# (issue 14, item 16): `rat runs` keeps its columns in line whatever the id's
# length; a profile that gives the engine more memory than the machine has
# is a warning, with the figures, where a session or a run starts (once);
# the progress of `rat run` on a terminal (through a pseudo-terminal):
# elapsed time ticking while a pipeline runs, rows when it ends, and
# NO_COLOR taking the colour away but not the progress line.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
echo "SELECT 1 AS x" > "$ws/pipelines/silver/one.sql"
run run -w shop
expect_rc 0

# --- rat runs: a long id widens its column ---------------------------------
first="$(ls "$RAT_HOME/runs/shop")"
long="20991231T235959.999Z-backfill-of-march-2024-from-the-old-warehouse"
sed "s/\"${first%.json}\"/\"$long\"/" "$RAT_HOME/runs/shop/$first" > "$RAT_HOME/runs/shop/$long.json"
run runs -w shop
expect_rc 0
expect_out "$long"
# STATUS, STARTED and PIPELINES start at the same column on every line
for head in STATUS "STARTED (UTC)" PIPELINES; do
	T_CHECKS=$((T_CHECKS + 1))
	awk -v head="$head" 'NR == 1 { c = index($0, head) }
		NR > 1 && (substr($0, c - 2, 2) != "  " || substr($0, c, 1) == " ") { bad = 1 }
		END { exit bad || NR != 3 }' "$T_DIR/out" || fail "column $head is out of line"
done
expect_eq "$(sed -n 2p "$T_DIR/out" | cut -d' ' -f1)" "$long"

# --- memory: a profile asking for more than any machine has -----------------
mkdir -p "$ws/profiles"
cat > "$ws/profiles/huge.yaml" <<'YAML'
extends: small
description: more than any machine
resources:
  max_memory_mb: 16777216
  duckdb_memory_mb: 16777216
YAML
sed -i 's/^  profile: small$/  profile: huge/' "$ws/workspace.yaml"
machine_mb="$("$RAT_BIN" workspace show -w shop --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["resources"]["machine_memory_mb"])')"
[ "$machine_mb" -gt 0 ] || fail "no machine memory: $machine_mb"
machine_gib="$(python3 -c "m = $machine_mb; print('%d GiB' % (m // 1024) if m % 1024 == 0 else '%.1f GiB' % (m / 1024))")"
warning="rat: warning: profile huge gives the engine 16384 GiB (duckdb_memory_mb 16777216); this machine has $machine_gib"
run query -w shop "SELECT 42 AS answer"
expect_rc 0
expect_out "42"
expect_eq "$(cat "$T_DIR/err")" "$warning"
run preview silver.one -w shop
expect_rc 0
expect_eq "$(cat "$T_DIR/err")" "$warning"
run test -w shop
expect_rc 0
expect_eq "$(cat "$T_DIR/err")" "$warning"
run workspace show -w shop
expect_rc 0
expect_out "  machine memory          $machine_gib (less than the engine's memory_limit)"
# capped by max_memory_mb: that is the key named
sed -i 's/^  max_memory_mb: 16777216$/  max_memory_mb: 8388608/' "$ws/profiles/huge.yaml"
run query -w shop "SELECT 1"
expect_rc 0
expect_err "rat: warning: profile huge gives the engine 8192 GiB (max_memory_mb 8388608); this machine has $machine_gib"
# a profile that fits says nothing
sed -i 's/^  profile: huge$/  profile: tiny/' "$ws/workspace.yaml"
run query -w shop "SELECT 1"
expect_rc 0
expect_eq "$(cat "$T_DIR/err")" ""

# --- the progress of rat run, on a terminal and not -------------------------
cat > "$ws/pipelines/bronze/slow.sh" <<'SH'
sleep 3
printf 'k\n1\n2\n3\n' > "$RAT_OUTPUT_DIR/a.csv"
SH
# drive ARGS...: rat ARGS in a pseudo-terminal until it exits; the screen in
# $T_DIR/screen, the bytes with their escape sequences in $T_DIR/raw
drive() {
	echo wait | python3 "$RAT_SOURCE_DIR/tests/support/pty_drive.py" --timeout 60 \
		--raw "$T_DIR/raw" "$T_DIR/screen" -- "$RAT_BIN" "$@" || fail "pty_drive: rat $*"
	cp "$T_DIR/screen" "$T_DIR/out"
}
drive run -w shop -f
expect_out "exit 0"
# the status line: done of all, time since the start, rows so far, each running pipeline's time
expect_out "[0/2] 0s, 0 rows written; running bronze.slow (0s)"
expect_out "running bronze.slow (2s)" # redrawn while it runs
expect_out "ok      bronze.slow                  create     3 rows in "
expect_out "3 rows written"
expect_out "Published to workspace/shop"
T_CHECKS=$((T_CHECKS + 1))
grep -q $'\033\\[32mok' "$T_DIR/raw" || fail "no colour on a terminal"
T_CHECKS=$((T_CHECKS + 1))
grep -q $'\r\033\\[K\\[' "$T_DIR/raw" || fail "the status line is not redrawn in place"
# NO_COLOR takes the colour away, not the progress
NO_COLOR=1 drive run -w shop -f
expect_out "exit 0"
expect_out "running bronze.slow (2s)"
T_CHECKS=$((T_CHECKS + 1))
! grep -q $'\033\\[3[0-9]m' "$T_DIR/raw" || fail "colour despite NO_COLOR"
# not a terminal: plain lines, no status line
run run -w shop -f
expect_rc 0
expect_err "start   bronze.slow"
expect_err "ok      bronze.slow                  overwrite  3 rows in "
T_CHECKS=$((T_CHECKS + 1))
! grep -q $'\r' "$T_DIR/err" || fail "a status line off the terminal"

# --- a run's parallel sessions together ---------------------------------------
# each session gets the engine's memory: just over half the machine, twice at once
half=$((machine_mb / 2 + 1024))
printf 'extends: small\nresources:\n  max_memory_mb: %s\n  duckdb_memory_mb: %s\n  max_parallel_pipelines: 2\n' \
	"$half" "$half" > "$ws/profiles/halves.yaml"
sed -i 's/^  profile: tiny$/  profile: halves/' "$ws/workspace.yaml"
half_gib="$(python3 -c "m = $half; print('%d GiB' % (m // 1024) if m % 1024 == 0 else '%.1f GiB' % (m / 1024))")"
both_gib="$(python3 -c "m = 2 * $half; print('%d GiB' % (m // 1024) if m % 1024 == 0 else '%.1f GiB' % (m / 1024))")"
run run -w shop silver.one
expect_rc 0
expect_err "rat: warning: profile halves runs up to 2 pipelines at once with $half_gib each ($both_gib); this machine has $machine_gib"
T_CHECKS=$((T_CHECKS + 1))
[ "$(grep -c warning "$T_DIR/err")" -eq 1 ] || fail "warned more than once"
# one session alone fits
run query -w shop "SELECT 1"
expect_rc 0
expect_eq "$(cat "$T_DIR/err")" ""
