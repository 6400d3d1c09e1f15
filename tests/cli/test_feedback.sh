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
