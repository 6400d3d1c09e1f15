#!/usr/bin/env bash
# tests/cli/test_original_testing.sh - forms of workspaces written for the original
# Ratatouille (issue 16, items 8, 9, 13, 14), on the fixture workspace
# tests/fixtures/original/shop (its silver/sales): unit tests that name their mock files
# (-- @mocks: mocks/bronze_sales.yaml), mock tables named layer_table, two
# mocks of one table, @expect_columns as the listed columns, `rat test -p NAME`
# without a layer, repeated -t, a selection that matches nothing, the README
# markers <!-- MANUAL CONTENT START/END -->, {layer.table} in rat query
# and rat shell, and .xlsx mocks (a table per sheet) and their errors.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

mkdir -p "$RAT_WORKSPACES"
cp -R "$RAT_SOURCE_DIR/tests/fixtures/original/shop" "$RAT_WORKSPACES/"
ws="$RAT_WORKSPACES/shop"
tests="$ws/pipelines/silver/sales/tests"

# -p NAME finds the pipeline in whichever layer has it; each test reads the mock file it names
run test -w shop -p sales
expect_rc 0
expect_out "PASS  unit/test_basic"
expect_out "PASS  unit/test_edge_cases"
expect_out "PASS  unit/test_excel"
expect_out "PASS  quality/positive_amounts"
expect_out "11 tests: 4 passed, 0 failed, 0 warned, 0 errors, 7 skipped"

# the pipeline is in silver only: silver/sales is the same selection
run test -w shop -p silver/sales -o json
expect_rc 0
expect_out '"total": 11'

# -t unit -t quality: both apply (before, the last one alone did)
run test -w shop -t unit -t quality
expect_rc 0
expect_out "PASS  unit/test_basic"
expect_out "SKIP  quality/no_negative_totals"
run test -w shop -t unit
expect_rc 0
expect_no_out "quality/no_negative_totals"

# a selection that runs no test is an error, not "0 tests"
run test -w shop -p raw_sales -t unit
expect_rc 1
expect_err "no unit test in raw_sales"
run test -w shop -p nope
expect_rc 1
expect_err "no pipeline nope"

# the bare name in rat docs generate -p and in rat run's selectors too
run docs generate -w shop -p sales
expect_rc 0
expect_out "Documented 1 pipeline: "
expect_file "$ws/pipelines/silver/sales/docs/data_dictionary.md"
run run -w shop --dry-run +sales
expect_rc 0
expect_out "-- bronze.raw_sales"
expect_out "-- silver.sales"
expect_no_out "-- gold."
# a name two layers have: each command names both
printf 'SELECT event_id FROM {{ ref(%s) }}\n' "'silver.events'" > "$ws/pipelines/silver/daily_events.sql"
run test -w shop -p daily_events
expect_rc 1
expect_err "rat: error: more than one layer has a pipeline 'daily_events' (silver.daily_events, gold.daily_events): name one as layer.name"
run docs generate -w shop -p daily_events
expect_rc 1
expect_err "rat: error: more than one layer has a pipeline 'daily_events' (silver.daily_events, gold.daily_events): name one as layer.name"
run run -w shop --dry-run daily_events+
expect_rc 1
expect_err "rat: error: selector 'daily_events+': more than one layer has a pipeline 'daily_events' (silver.daily_events, gold.daily_events)"
# the layer says which
run test -w shop -p daily_events -l gold
expect_rc 0
expect_out "SKIP  freshness"
expect_out "gold.daily_events is not built on workspace/shop yet"
expect_no_out "silver.daily_events"
rm "$ws/pipelines/silver/daily_events.sql"

# a test without @mocks reads the whole mocks folder: two files of one table are an error
cat > "$tests/unit/test_everything.sql" <<'SQL'
-- @expect_count: 2
SQL
run test -w shop -p sales -t unit
expect_rc 1
expect_out "mock table bronze.raw_sales is also in pipelines/silver/sales/tests/mocks/"
expect_out "(two mocks of one table: give each test the file it reads, -- @mocks: mocks/<file>)"
rm "$tests/unit/test_everything.sql"

# @mocks: a file that is not there, and a path out of the tests folder
cat > "$tests/unit/test_missing.sql" <<'SQL'
-- @mocks: mocks/nothing.yaml
-- @expect_count: 1
SQL
run test -w shop -p sales -t unit
expect_rc 1
expect_out "pipelines/silver/sales/tests/unit/test_missing.sql: @mocks: no file mocks/nothing.yaml in pipelines/silver/sales/tests (nor in its mocks/)"
printf -- '-- @mocks: ../../../bronze/raw_sales.sql\n-- @expect_count: 1\n' > "$tests/unit/test_missing.sql"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "pipelines/silver/sales/tests/unit/test_missing.sql:1: @mocks: a mock file is a path inside the tests folder (mocks/<file>), not outside it"
printf -- '-- @mocks: mocks/notes.txt\n-- @expect_count: 1\n' > "$tests/unit/test_missing.sql"
printf 'hello\n' > "$tests/mocks/notes.txt"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "pipelines/silver/sales/tests/mocks/notes.txt: not a mock file (.yaml, .yml, .csv, .json, .parquet, .xlsx or .py)"
rm "$tests/unit/test_missing.sql" "$tests/mocks/notes.txt"

# @expect_columns: the listed columns must be there (others may be); a missing one is named
cat > "$tests/unit/test_columns.sql" <<'SQL'
-- @mocks: mocks/bronze_sales.yaml
-- @expect_columns: [total_amount, nope, txn_id]
SQL
run test -w shop -p sales -t unit
expect_rc 1
expect_out "FAIL  unit/test_columns"
expect_out "the result has no column nope (@expect_columns; it has txn_id, store_id, customer_email, quantity, unit_price, total_amount)"
# @expect_exact_columns: exactly these, in order
printf -- '-- @mocks: mocks/bronze_sales.yaml\n-- @expect_exact_columns: [txn_id, total_amount]\n' \
	> "$tests/unit/test_columns.sql"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "columns [txn_id, store_id, customer_email, quantity, unit_price, total_amount], expected exactly [txn_id, total_amount]"
# @expect rows compared on @expect_columns only: a differing total is not looked at
printf -- '%s\n' '-- @mocks: mocks/bronze_sales_edge_cases.yaml' \
	'-- @expect: [{txn_id: T9, total_amount: 999}]' '-- @expect_columns: [txn_id]' \
	> "$tests/unit/test_columns.sql"
run test -w shop -p sales -t unit
expect_rc 0
printf -- '%s\n' '-- @mocks: mocks/bronze_sales_edge_cases.yaml' \
	'-- @expect: [{store_id: S9}]' '-- @expect_columns: [txn_id, total_amount]' \
	> "$tests/unit/test_columns.sql"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "the expected rows have none of the columns of @expect_columns (txn_id, total_amount)"
rm "$tests/unit/test_columns.sql"

# .xlsx mocks: a sheet not named layer_table, a file that is no workbook, one over the cap
mocks="$tests/mocks"
python3 "$RAT_SOURCE_DIR/tests/support/mkxlsx.py" "$mocks/other.xlsx" "Sheet1=a;1"
printf -- '-- @mocks: mocks/other.xlsx\n-- @expect_count: 1\n' > "$tests/unit/test_xlsx.sql"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "pipelines/silver/sales/tests/mocks/other.xlsx, sheet 'Sheet1': mock table 'Sheet1' is not layer.table"
printf 'not a zip\n' > "$mocks/other.xlsx"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "pipelines/silver/sales/tests/mocks/other.xlsx: xlsx2csv could not read it (exit status 1): Invalid xlsx file: pipelines/silver/sales/tests/mocks/other.xlsx"
truncate -s 33M "$mocks/other.xlsx"
run test -w shop -p sales -t unit
expect_rc 1
expect_out "pipelines/silver/sales/tests/mocks/other.xlsx: an .xlsx mock is at most 32 MiB"
rm "$mocks/other.xlsx" "$tests/unit/test_xlsx.sql"

# {layer.table} in rat query and rat shell; a brace in a string or a comment stays as written
run run -w shop
expect_rc 0
run query -w shop -o csv --lf "SELECT '{silver.sales}' AS written, count(*) AS n FROM {silver.sales} -- {gold.x}"
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "$(printf 'written,n\n{silver.sales},2')"
printf 'SELECT count(*) AS n FROM {bronze.raw_sales};\n' | "$RAT_BIN" shell -w shop -o csv --lf \
	>"$T_DIR/out" 2>"$T_DIR/err"
expect_eq "$(cat "$T_DIR/out")" "$(printf 'n\n4')"

# the original's README markers: the section between them is the manual section
cat > "$ws/pipelines/silver/sales/README.md" <<'MD'
# silver_sales

Generated by the original.

<!-- MANUAL CONTENT START -->
## Notes by Tom
Ask #data-oncall before changing the total.
<!-- MANUAL CONTENT END -->
MD
run docs generate -w shop -p silver/sales
expect_rc 0
readme="$ws/pipelines/silver/sales/README.md"
expect_eq "$(sed -n '/<!-- manual:start -->/,/<!-- manual:end -->/p' "$readme")" \
	"$(printf '%s\n' '<!-- manual:start -->' '## Notes by Tom' \
		'Ask #data-oncall before changing the total.' '<!-- manual:end -->')"
T_CHECKS=$((T_CHECKS + 1))
! grep -q "Generated by the original" "$readme" || fail "the old generated text stayed"
