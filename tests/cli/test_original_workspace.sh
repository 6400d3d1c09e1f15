#!/usr/bin/env bash
# tests/cli/test_original_workspace.sh - a workspace written for the original
# Ratatouille runs unchanged (issue 16, docs/migrating.md): the fixture
# tests/fixtures/original/shop, every form of the original's syntax in one
# workspace (its README lists which file shows which), copied as it is into
# RAT_WORKSPACES. It lists, runs twice (the second incremental), tests and
# documents cleanly; then the layout's two errors: a key only the flat YAML
# has, and a flat SQL that differs from the folder's.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

mkdir -p "$RAT_WORKSPACES"
cp -R "$RAT_SOURCE_DIR/tests/fixtures/original/shop" "$RAT_WORKSPACES/"
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"

run workspace list
expect_rc 0
expect_out "shop  workspace/shop"

# workspace.yaml: defaults.resource_profile is the original's profile file, duckdb: applied
run workspace show -w shop --json
expect_rc 0
expect_json "d['resources']['profile']" pi "d['resources']['max_parallel_pipelines']" 1 \
	"d['resources']['threads']" 1

# items 1, 2, 12: one pipeline per name, the flat duplicates of silver/sales told
run list -w shop
expect_rc 0
expect_out "6 pipelines"
expect_out "silver.events                sql      incremental      2 bronze.raw_events"
expect_out "silver.sales                 sql      table            5 bronze.raw_sales"
expect_out "gold.store_sales             sql      table            2 silver.sales"
expect_err "rat: warning: pipelines/silver/sales.sql is ignored: pipelines/silver/sales/pipeline.sql, the same, is used (delete one)"
expect_err "rat: warning: pipelines/silver/sales.yaml is ignored: pipelines/silver/sales/config.yaml is used (it has every key of it; where they differ, its values win)"
run list -w shop --json
expect_rc 0
expect_json "[x['name'] for x in d]" '["raw_events","raw_sales","events","sales","daily_events","store_sales"]' \
	"d[3]['path']" "pipelines/silver/sales/pipeline.sql" "len(d[3]['warnings'])" 2 \
	"d[3]['warnings'][0]" "pipelines/silver/sales.sql is ignored: pipelines/silver/sales/pipeline.sql, the same, is used (delete one)" \
	"d[1]['warnings']" "[]"

# the first run: every pipeline built, every check of config.yaml passes (item 3)
RAT_NOW="2024-01-02 00:00:00" run run -w shop
expect_rc 0
expect_out "silver.sales                 ok       create                 2          2   +1/-0    5/5"
expect_err "rat: warning: profile pi ($ws/profiles/pi.yaml): not applied: resources.duckdb.temp_directory"
expect_eq "$(ws_csv shop 'SELECT event_id, event_type FROM silver.events ORDER BY 1')" "e1,CLICK e2,VIEW"
expect_eq "$(ws_csv shop 'SELECT txn_id, total_amount FROM silver.sales ORDER BY 1')" "T1,20.00 T4,4.00"
expect_eq "$(ws_csv shop 'SELECT store_id, sales, revenue FROM gold.store_sales ORDER BY 1')" \
	"S1,1,20.00 S2,1,4.00"
expect_eq "$(ws_csv shop 'SELECT sum(events) FROM gold.daily_events')" "2"

# the second run is incremental: the quoted watermark (item 7) is the bare stamp
printf 'event_id,user_id,event_type,ts\ne3,u4,purchase,2024-01-02 09:00:00\n' \
	> "$ws/landing/raw_events/day2.csv"
printf 'txn_id,store_id,customer_email,quantity,unit_price\nT5,S1,eve@shop.example,3,2.00\n' \
	> "$ws/landing/sales/day2.csv"
run run -w shop --dry-run silver.events
expect_rc 0
expect_out "AND _ingested_at > '2024-01-02 00:00:00+00'"
RAT_NOW="2024-01-03 00:00:00" run run -w shop
expect_rc 0
expect_out "bronze.raw_events            ok       append                 1          4"
expect_out "silver.events                ok       merge                  1          3"
expect_eq "$(ws_csv shop 'SELECT event_id FROM silver.events ORDER BY 1')" "e1 e2 e3"
expect_eq "$(ws_csv shop 'SELECT store_id, sales, revenue FROM gold.store_sales ORDER BY 1')" \
	"S1,2,26.00 S2,1,4.00"

# every test passes (unit tests on the mock files they name, .xlsx included; quality tests,
# on the table and on mocks; tests[] with expect; freshness as mappings, at RAT_NOW)
RAT_NOW="2024-01-03 01:00:00" run test -w shop
expect_rc 0
expect_out "23 tests: 23 passed, 0 failed, 0 warned, 0 errors, 0 skipped"
expect_out "PASS  unit/new_events_only"
expect_out "PASS  unit/test_excel"
expect_out "PASS  quality/positive_amounts"
expect_out "PASS  tests[no_zero_quantity]"
# warn_after: {hours: 6}: seven hours later, a warning; the workspace default (12 h) elsewhere
RAT_NOW="2024-01-03 07:00:00" run test -w shop -p sales -t quality
expect_rc 0
expect_out "WARN  freshness"
expect_out "newest data is 7.0h old (warn after 6h)"
RAT_NOW="2024-01-03 13:00:00" run test -w shop -p store_sales -t quality
expect_rc 0
expect_out "newest data is 13.0h old (warn after 12h)"

# documents: the manual section between the original's markers kept (item 13), pii_type
# (item 5), the documentation mapping's tags and rules (item 6)
run docs generate -w shop
expect_rc 0
expect_out "Documented 6 pipelines"
readme="$p/silver/sales/README.md"
expect_eq "$(sed -n '/<!-- manual:start -->/,/<!-- manual:end -->/p' "$readme")" \
	"$(printf '%s\n' '<!-- manual:start -->' '## Notes' \
		'Ask #data-oncall before changing how totals are computed.' '<!-- manual:end -->')"
T_CHECKS=$((T_CHECKS + 4))
grep -qF "| customer_email | " "$p/silver/sales/docs/data_dictionary.md" &&
	grep -qF "yes (email)" "$p/silver/sales/docs/data_dictionary.md" ||
	fail "the data dictionary lacks pii_type: $(cat "$p/silver/sales/docs/data_dictionary.md")"
grep -qF 'Tags: `sales`, `finance`, `daily`' "$p/silver/sales/docs/business_rules.md" ||
	fail "the business rules lack the tags"
grep -qF "### positive_quantities" "$p/silver/sales/docs/business_rules.md" ||
	fail "the business rules lack the rule"
grep -qF "Older than 6h is a warning." "$p/silver/sales/docs/business_rules.md" ||
	fail "the freshness mapping is not documented"
# the docs written beside the flat pipelines are the original's layout: it still lists and runs
expect_file "$p/bronze/raw_sales/README.md"
run list -w shop
expect_rc 0
expect_out "6 pipelines"
run docs generate -w shop
expect_rc 0
expect_out "0 files written, 25 unchanged"
RAT_NOW="2024-01-03 02:00:00" run run -w shop
expect_rc 0

# {layer.table} in rat query (item 13)
run query -w shop -o csv --lf "SELECT count(*) AS n FROM {silver.sales}"
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "$(printf 'n\n3')"

# a key config.yaml lacks: an error at the key; different SQL: an error naming both
echo "materialized: view" >> "$p/silver/sales.yaml"
run list -w shop
expect_rc 1
expect_err "rat: error: pipelines/silver/sales.yaml:6:1: materialized: not in pipelines/silver/sales/config.yaml, which is used instead of this file (move the key there, or delete pipelines/silver/sales.yaml)"
cp "$RAT_SOURCE_DIR/tests/fixtures/original/shop/pipelines/silver/sales.yaml" "$p/silver/"
echo "  AND unit_price > 0" >> "$p/silver/sales.sql"
run list -w shop
expect_rc 1
expect_err "rat: error: pipelines/silver/sales.sql and pipelines/silver/sales/pipeline.sql both define silver.sales: keep one"
