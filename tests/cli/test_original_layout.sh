#!/usr/bin/env bash
# tests/cli/test_original_layout.sh - a workspace laid out as the original
# Ratatouille's (issue 16, items 1, 2, 7, 12; tests/fixtures/original/b):
# silver/events.sql + events.yaml beside a folder events/ of README.md,
# docs/ and tests/; silver/sales.sql + sales.yaml beside sales/pipeline.sql
# (the same SQL) + sales/config.yaml (every key of sales.yaml): one pipeline
# each, the folder's files used and the flat ones told; `-- @name:
# silver_events`; a quoted watermark; refs without a layer. It lists, runs
# twice (the second incremental), tests and documents.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
cp -R "$RAT_SOURCE_DIR/tests/fixtures/original/b/pipelines/." "$p/"
cp -R "$RAT_SOURCE_DIR/tests/fixtures/original/b/landing" "$ws/"

run list -w shop
expect_rc 0
expect_eq "$(grep -c '^silver\.' "$T_DIR/out")" "2"
expect_out "silver.events"
expect_err "rat: warning: pipelines/silver/sales.sql is ignored: pipelines/silver/sales/pipeline.sql, the same, is used (delete one)"
expect_err "rat: warning: pipelines/silver/sales.yaml is ignored: pipelines/silver/sales/config.yaml is used (it has every key of it; where they differ, its values win)"

RAT_NOW="2024-01-02 00:00:00" run run -w shop
expect_rc 0
expect_out "pipelines/silver/sales.sql is ignored"
expect_eq "$(ws_csv shop 'SELECT event_id, event_type FROM silver.events ORDER BY 1')" "e1,CLICK e2,VIEW"
expect_eq "$(ws_csv shop 'SELECT txn_id, total_amount FROM silver.sales')" "T1,20.00"
expect_eq "$(ws_csv shop 'SELECT sum(events) FROM gold.daily_events')" "2"

# the second run is incremental: the quoted watermark is the bare stamp
printf 'event_id,user_id,event_type,ts\ne3,u4,purchase,2024-01-02 09:00:00\n' > "$ws/landing/raw_events/day2.csv"
run run -w shop --dry-run silver.events
expect_rc 0
expect_out "AND _ingested_at > '2024-01-02 00:00:00+00'"
RAT_NOW="2024-01-03 00:00:00" run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT count(*) FROM silver.events')" "3"

run test -w shop
expect_rc 0
expect_out "PASS  unit/drops_events_without_id"
expect_out "PASS  unit/new_events_only"
expect_out "PASS  quality/known_types"
run docs generate -w shop
expect_rc 0
expect_file "$p/silver/events/README.md"
run list -w shop
expect_rc 0

# a flat key config.yaml lacks: an error at the key; different SQL: an error naming both
echo "materialized: view" >> "$p/silver/sales.yaml"
run list -w shop
expect_rc 1
expect_err "rat: error: pipelines/silver/sales.yaml:6:1: materialized: not in pipelines/silver/sales/config.yaml, which is used instead of this file (move the key there, or delete pipelines/silver/sales.yaml)"
cp "$RAT_SOURCE_DIR/tests/fixtures/original/b/pipelines/silver/sales.yaml" "$p/silver/"
echo "  AND unit_price > 0" >> "$p/silver/sales.sql"
run list -w shop
expect_rc 1
expect_err "rat: error: pipelines/silver/sales.sql and pipelines/silver/sales/pipeline.sql both define silver.sales: keep one"
