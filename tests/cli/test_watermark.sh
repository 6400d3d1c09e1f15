#!/usr/bin/env bash
# tests/cli/test_watermark.sh - the README's incremental pattern cannot skip
# rows (issue 14, item 2): is_incremental() is false while the target holds
# no rows (a header-only first landing file made silver empty, and silver's
# watermark then filtered every later row away); bronze's _ingested_at never
# goes backwards for a table, whatever RAT_NOW says (a backfill under an
# earlier RAT_NOW appended rows that silver never merged); and a watermark
# over a column holding no value yet keeps every row.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
p="$ws/pipelines"
csv() { "$RAT_BIN" query -w shop --format csv "$1" | tr -d '\r' | tail -n +2 | paste -sd' '; }

mkdir -p "$ws/landing/sales"
cat > "$p/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
SELECT * FROM read_csv({{ landing_files }}, header = true, columns = {'sale_id': 'INTEGER', 'amount': 'DOUBLE'})
SQL
cat > "$p/silver/sales.sql" <<'SQL'
-- @materialized: incremental
-- @unique_key: sale_id
SELECT sale_id, amount, _ingested_at FROM {{ ref('bronze.sales') }}
{% if is_incremental() %} WHERE _ingested_at > {{ watermark('_ingested_at') }} {% endif %}
SQL
cat > "$p/gold/total.sql" <<'SQL'
SELECT count(*) AS sales, sum(amount) AS amount FROM {{ ref('silver.sales') }}
SQL

# a header-only first file: every table is created empty
printf 'sale_id,amount\n' > "$ws/landing/sales/a.csv"
RAT_NOW="2024-03-10 00:00:00" run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT count(*) FROM silver.sales')" "0"

# the rows that land next reach silver and gold
printf 'sale_id,amount\n1,10\n2,20\n' > "$ws/landing/sales/b.csv"
RAT_NOW="2024-03-10 01:00:00" run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT count(*), sum(amount) FROM silver.sales')" "2,30.0"
expect_eq "$(csv 'SELECT sales, amount FROM gold.total')" "2,30.0"

# a backfill under an earlier RAT_NOW: its stamps stay above the table's newest
printf 'sale_id,amount\n3,30\n' > "$ws/landing/sales/c.csv"
RAT_NOW="2024-03-09 00:00:00" run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT count(*), sum(amount) FROM silver.sales')" "3,60.0"
expect_eq "$(csv "SELECT count(*) FROM bronze.sales WHERE _ingested_at <= TIMESTAMPTZ '2024-03-10 01:00:00+00'")" "2"
expect_eq "$(csv 'SELECT count(DISTINCT _ingested_at) FROM bronze.sales')" "2"

# a watermark column that holds no value yet keeps every row
cat > "$p/silver/notes.sql" <<'SQL'
-- @materialized: incremental
SELECT sale_id, CAST(NULL AS TIMESTAMP) AS noted_at FROM {{ ref('bronze.sales') }}
{% if is_incremental() %} WHERE sale_id > 0 AND coalesce(noted_at, TIMESTAMP '2000-01-01') > {{ watermark('noted_at') }} {% endif %}
SQL
export RAT_NOW="2024-03-11 00:00:00" # (retention counts from there)
run run -w shop silver.notes
expect_rc 0
expect_eq "$(csv 'SELECT count(*) FROM silver.notes')" "3"
run run -w shop --dry-run -f silver.notes
expect_rc 0
expect_out "1. silver.notes:"
run run -w shop --dry-run silver.notes
expect_rc 0
expect_out "CAST('-infinity' AS TIMESTAMP)"
