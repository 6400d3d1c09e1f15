#!/usr/bin/env bash
# tests/cli/test_drop.sh - `rat drop TABLE` (issue 14 item 4): one catalog
# commit on the workspace's branch removes a table or view, asking nothing;
# --dry-run commits nothing; older commits still read it; the next run
# rebuilds a pipeline's table from scratch (a bronze table re-ingests every
# landing file, so a poisoned first build can be started over); `rat vacuum`
# then deletes the dropped table's files; errors name the table.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
head_of() { ws_head shop; }
csv() { ws_csv shop "$@"; }

mkdir -p "$ws/landing/sales"
printf 'id,amount\n1,10\n' > "$ws/landing/sales/a.csv"
printf 'id,amount\n2,20\n' > "$ws/landing/sales/b.csv"
cat > "$p/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
cat > "$p/gold/top.sql" <<'SQL'
-- @materialized: view
SELECT max(amount) AS top FROM {{ ref('bronze.sales') }}
SQL
run run -w shop
expect_rc 0
before="$(head_of)"

# --dry-run: says what, commits nothing
run drop bronze.sales -w shop --dry-run
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "Would drop table bronze.sales from workspace/shop; nothing written."
expect_eq "$(head_of)" "$before"

# the drop: one commit, no question asked (stdin is not read)
run drop bronze.sales -w shop </dev/null
expect_rc 0
expect_out "Dropped table bronze.sales from workspace/shop (commit $(head_of))."
expect_out "Older commits still read it (rat query --ref); its files stay until \`rat vacuum\`."
expect_out "pipelines/bronze/sales.sql builds it again, from scratch, on the next \`rat run\`."
expect_eq "$("$RAT_BIN" log -w shop -n 1 | grep -c 'drop bronze.sales')" "1"
run tables -w shop
expect_no_out "bronze.sales"
run query -w shop "SELECT * FROM bronze.sales"
expect_rc 1
expect_err "bronze.sales"
expect_eq "$(csv --ref "$before" 'SELECT count(*) FROM bronze.sales')" "2"

# a view drops the same way
run drop gold.top -w shop
expect_rc 0
expect_out "Dropped view gold.top from workspace/shop"

# the next run builds it again from every landing file
run run -w shop
expect_rc 0
expect_out "bronze.sales                 ok       create"
expect_eq "$(csv 'SELECT count(*), sum(amount) FROM bronze.sales')" "2,30"
expect_eq "$(csv 'SELECT top FROM gold.top')" "20"

# errors
run drop bronze.nope -w shop
expect_rc 1
expect_err "rat: error: drop bronze.nope: no table bronze.nope on workspace/shop"
run drop sales -w shop
expect_rc 1
expect_err "rat: error: drop sales: 'sales' is not a table name (layer.table or namespace.table)"
run drop -w shop
expect_rc 2
expect_err "rat drop: wants one TABLE (layer.table)"

# vacuum deletes what the dropped table left when no ref reads it any more
echo "SELECT 1 AS x" > "$p/silver/gone.sql"
run run -w shop silver.gone
expect_rc 0
gone="$(ls "$RAT_HOME/warehouse/shop/silver/gone/data" | head -1)"
expect_file "$RAT_HOME/warehouse/shop/silver/gone/data/$gone"
rm "$p/silver/gone.sql"
run drop silver.gone -w shop
expect_rc 0
run vacuum -w shop --older-than 0
expect_rc 0
expect_no_file "$RAT_HOME/warehouse/shop/silver/gone/data/$gone"
