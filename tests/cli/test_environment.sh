#!/usr/bin/env bash
# tests/cli/test_environment.sh - what a workspace takes from the environment
# reaches every place that uses it: env_var() in a pipeline's SQL, the
# environment an executable pipeline runs with, USER as a run's author, and
# RAT_NOW as the time of runs, commits and snapshots (config/env.c captures
# the environment once, when the workspace loads).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
csv() { "$RAT_BIN" query -w shop --format csv "$1" | tr -d '\r' | tail -n +2 | paste -sd' '; }

cat > "$p/bronze/regions.sql" <<'SQL'
SELECT '{{ env_var("SHOP_REGION") }}' AS region, '{{ env_var("RAT_VAR_UNSET", "none") }}' AS other
SQL
cat > "$p/bronze/from_shell.sh" <<'SH'
#!/bin/sh
printf 'region\n%s\n' "$SHOP_REGION" > "$RAT_OUTPUT_DIR/rows.csv"
SH
# a workspace reads the variables it lists (docs/workspaces.md: env_vars)
echo "env_vars: [SHOP_REGION]" >> "$ws/workspace.yaml"

# a variable without a default that is not set fails the run, naming it
run run -w shop
expect_rc 1
expect_err "environment variable 'SHOP_REGION' is not set"

export SHOP_REGION=eu-west USER=alice RAT_NOW="2024-03-01 10:00:00"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT region, other FROM bronze.regions')" "eu-west,none"
expect_eq "$(csv 'SELECT region FROM bronze.from_shell')" "eu-west"

# RAT_NOW dates the commit, the snapshot and the run; USER signs the commit
run log -w shop -n 1
expect_out "2024-03-01 10:00"
expect_out "alice"
run history bronze.regions -w shop
expect_out "2024-03-01 10:00"
run runs -w shop
expect_out "20240301T100000"
