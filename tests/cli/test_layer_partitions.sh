#!/usr/bin/env bash
# tests/cli/test_layer_partitions.sh - a layer's default partition_by (issue
# 14, item 15): applied to the layer's tables that have its columns
# (transforms such as month(col) included); for a table that lacks one, the
# run says so on the step (`rat run`, `rat runs show`, the JSON record)
# instead of ignoring it silently.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset RAT_NOW

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
# the guide's "Layers" example: bronze partitioned by _date, which raw sales lack
sed -i 's/    partition_by: \[_ingested_date\]/    partition_by: [_date]/' "$ws/workspace.yaml"
sed -i 's/    retention_days: 365/    retention_days: 365\n    partition_by: [month(_date)]/' "$ws/workspace.yaml"
mkdir -p "$ws/landing/sales"
printf 'sale_id,amount,sold_at\n1,3.5,2024-01-05\n2,4,2024-02-10\n' > "$ws/landing/sales/a.csv"
cat > "$ws/pipelines/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$ws/pipelines/silver/sales.sql" <<'SQL'
SELECT sale_id, amount, CAST(sold_at AS DATE) AS _date FROM {{ ref('bronze.sales') }}
SQL
warning="layers.bronze.partition_by: _date is not a column of bronze.sales; the table is not partitioned"

run run -w shop
expect_rc 0
expect_out "    warning: $warning"
expect_no_out "silver.sales; the table is not partitioned"
id="$(sed -n 's/^Run \([^ ]*\) on .*/\1/p' "$T_DIR/out")"
[ -n "$id" ] || fail "no run id in the output"
run runs show "$id" -w shop
expect_rc 0
expect_out "    warning: $warning"
run runs show "$id" -w shop --json
expect_rc 0
T_CHECKS=$((T_CHECKS + 1))
python3 - "$T_DIR/out" "$warning" <<'PY' || fail "the JSON record lacks the warning"
import json, sys
run = json.load(open(sys.argv[1]))
steps = {s["pipeline"]: s for s in run["steps"]}
assert steps["bronze.sales"]["warnings"] == sys.argv[2], steps["bronze.sales"]["warnings"]
assert steps["silver.sales"]["warnings"] is None, steps["silver.sales"]["warnings"]
PY
run describe bronze.sales -w shop
expect_out "Partitioning:  none"
# a transform of a column the table has is applied
run describe silver.sales -w shop
expect_out "Partitioning:  month(_date)"
