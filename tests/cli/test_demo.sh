#!/usr/bin/env bash
# tests/cli/test_demo.sh - the demo workspace end to end (what `make demo`
# runs): the first run builds every layer and publishes; a second run
# ingests nothing and changes no table; one new CSV in landing is the only
# file the next run ingests, and its late corrections are merged (P5, P7).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

set +e
bash "$RAT_SOURCE_DIR/examples/demo.sh" "$RAT_BIN" "$T_DIR/demo" >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 0
expect_out "gold.daily_kpis              sql      table            4 silver.sales"
expect_out "6707 total"
expect_out "bronze.sales                 ok       create              3540       3540"
expect_out "│ 2024-03-01 │    489 │    953 │       3580.70 │          7.32 │      3 │"
expect_out "bronze.sales                 skipped  no new files"
expect_out "gold.daily_kpis              skipped  up to date"

export RAT_HOME="$T_DIR/demo/.rat" RAT_WORKSPACES="$T_DIR/demo/workspaces"
ws="$RAT_WORKSPACES/demo"
head_of() { "$RAT_BIN" log -w demo -n 1 | cut -c1-12; }

# layer defaults: bronze by _ingested_date, silver by _date (one file a day)
run describe silver.sales -w demo
expect_out "Partitioning:  _date"
expect_out "Files:         7"
run describe bronze.sales -w demo
expect_out "Partitioning:  _ingested_date"

# the second run published nothing: the branch head is the first run's commit
run log -w demo
expect_rc 0
[ "$(grep -c ' run 2' "$T_DIR/out")" -eq 1 ] || fail "expected exactly one run commit"
T_CHECKS=$((T_CHECKS + 1))
before="$(head_of)"
run run -w demo
expect_rc 0
expect_eq "$(head_of)" "$before"

# one new day: only its files are ingested
sh "$ws/scripts/generate_landing.sh" 2024-03-08 1
run run -w demo
expect_rc 0
expect_out "bronze.sales                 ok       append               523       4063"
expect_out "bronze.web_events            ok       append"
newest="$("$RAT_BIN" runs -w demo -n 1 | sed -n 2p | cut -d' ' -f1)"
run runs show "$newest" -w demo --json
expect_rc 0
node -e '
const run = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const sales = run.steps.find(s => s.pipeline === "bronze.sales");
const silver = run.steps.find(s => s.pipeline === "silver.sales");
if (run.status !== "success" || sales.files_ingested !== 1 || silver.operation !== "merge" ||
    silver.files_removed !== 1) { console.error(JSON.stringify(run, null, 1)); process.exit(1); }
' "$T_DIR/out" || fail "the run record does not show one file ingested and one rewritten"
T_CHECKS=$((T_CHECKS + 1))
# the late corrections replaced the day-before rows (merge on sale_id)
run query -w demo --format csv "SELECT count(*) AS n, sum(quantity) AS q FROM silver.sales
	WHERE _date = DATE '2024-03-07' AND sold_at = TIMESTAMP '2024-03-07 12:00:00'"
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'n,q\n5,20')"
run query -w demo --format csv "SELECT count(*) - count(DISTINCT sale_id) AS dupes FROM silver.sales"
expect_eq "$(tr -d '\r' < "$T_DIR/out")" "$(printf 'dupes\n0')"

# rat test passes on the demo; breaking one silver rule fails exactly its unit tests
run test -w demo
expect_rc 0
expect_out "PASS  unit/latest_version_wins"
expect_out "PASS  unit/incremental_reads_new_rows_only"
expect_out "PASS  quality/amounts_add_up"
expect_out " 0 failed, 0 warned, 0 errors, 0 skipped"
sed -i 's/WHERE quantity > 0/WHERE quantity >= 0/' "$ws/pipelines/silver/sales/pipeline.sql"
run test -w demo
expect_rc 1
expect_eq "$(grep -c '^  FAIL\|^  ERROR' "$T_DIR/out")" "2"
expect_out "FAIL  unit/latest_version_wins"
expect_out "FAIL  unit/incremental_reads_new_rows_only"
expect_out 'unexpected: {"sale_id":3,"quantity":0}'
sed -i 's/WHERE quantity >= 0/WHERE quantity > 0/' "$ws/pipelines/silver/sales/pipeline.sql"
