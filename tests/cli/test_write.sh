#!/usr/bin/env bash
# tests/cli/test_write.sh - writing a table by hand (issue 14 item 11):
# - SQL in `rat query` cannot change a table of the workspace: CREATE TABLE
#   silver.x AS ..., CREATE OR REPLACE VIEW, INSERT, UPDATE, DELETE, DROP,
#   ALTER and COPY ... FROM into a layer are refused before they run, naming
#   rat write and rat drop; temporary tables, the session's own tables
#   and CTEs stay allowed; COPY ... TO is refused (a session writes no
#   file: issue 15) and the rows leave through --output;
# - `rat write TABLE --sql QUERY` writes a table in one commit, --append
#   adds rows, --sql - and --file read the query; a pipeline's table passes
#   its checks first (a failing one writes nothing and says where the rows
#   are kept), and its next run rebuilds it.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
head_of() { ws_head shop; }
csv() { ws_csv shop "$@"; }
hint="SQL in a session cannot change the workspace's tables (it would change this session's copy only, and save nothing): write a table with \`rat write LAYER.TABLE --sql QUERY\` (--append to add rows; rat_engine_write_table() in C), drop one with \`rat drop LAYER.TABLE\`"

echo "SELECT 1 AS id, 10 AS amount" > "$p/silver/orders.sql"
run run -w shop
expect_rc 0
before="$(head_of)"

# refused before it runs, and nothing looks written
refused() { # SQL WHAT: the refusal names WHAT, the branch and the session are as they were
	run query -w shop "$1"
	expect_rc 1
	expect_eq "$(cat "$T_DIR/err")" "rat: error: $2: $hint"
	expect_eq "$(head_of)" "$before"
}
refused "CREATE TABLE silver.x AS SELECT 1 AS a" "CREATE TABLE silver.x"
refused "CREATE OR REPLACE VIEW silver.orders AS SELECT 2 AS id" "CREATE VIEW silver.orders"
refused "INSERT INTO silver.orders VALUES (2, 20)" "INSERT INTO silver.orders"
refused "UPDATE silver.orders SET amount = 0" "UPDATE silver.orders"
refused "DELETE FROM silver.orders" "DELETE FROM silver.orders"
refused "DROP TABLE silver.orders" "DROP silver.orders"
refused "ALTER VIEW silver.orders RENAME TO o" "ALTER silver.orders"
refused "COPY silver.orders FROM '$ws/landing/none.csv'" "COPY silver.orders"
refused "SELECT 1; CREATE TABLE gold.kpis (a INT); SELECT 2" "statement 2: CREATE TABLE gold.kpis"
echo "CREATE TABLE bronze.raw AS SELECT 1 AS a" | "$RAT_BIN" query -w shop - >"$T_DIR/out" 2>"$T_DIR/err" && fail "stdin DDL ran"
expect_err "rat: error: CREATE TABLE bronze.raw: $hint"
run tables -w shop
expect_no_out "silver.x"
expect_no_out "bronze.raw"
# the session's own objects stay allowed
expect_eq "$(csv "CREATE TEMP TABLE t AS SELECT * FROM silver.orders; INSERT INTO t VALUES (2, 20); SELECT sum(amount) FROM t")" "30"
expect_eq "$(csv "CREATE TABLE scratch AS SELECT 5 AS a; SELECT a FROM scratch")" "5"
expect_eq "$(csv "WITH c AS (SELECT amount * 2 AS d FROM silver.orders) SELECT d FROM c")" "20"
run query -w shop "COPY silver.orders TO '$ws/landing/export.csv'"
expect_rc 1
expect_err "rat: error: COPY is refused: SQL in a workspace session writes no file"
expect_no_file "$ws/landing/export.csv"
run query -w shop "SELECT * FROM silver.orders" --format csv --output "$T_DIR/export.csv"
expect_rc 0
expect_eq "$(tr -d '\r' < "$T_DIR/export.csv" | tail -1)" "1,10"

# rat write: the query's rows as a table, in one commit
run write silver.cleaned_sales -w shop --sql "SELECT id, amount * 1.5 AS price FROM silver.orders"
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "Wrote 1 row to silver.cleaned_sales on workspace/shop (commit $(head_of)); it has 1 row."
expect_eq "$("$RAT_BIN" log -w shop -n 1 | grep -c 'write silver.cleaned_sales')" "1"
expect_eq "$(csv 'SELECT id, price FROM silver.cleaned_sales')" "1,15.0"
# --append, with the query on standard input
echo "SELECT 2 AS id, 3.0 AS price" | "$RAT_BIN" write silver.cleaned_sales -w shop --sql - --append >"$T_DIR/out" 2>"$T_DIR/err" || fail "append from stdin"
expect_out "Wrote 1 row to silver.cleaned_sales on workspace/shop"
expect_out "it has 2 rows."
# --file; without --append the rows replace the table, and its schema
echo "SELECT 'one' AS id" > "$T_DIR/q.sql"
run write silver.cleaned_sales -w shop --file "$T_DIR/q.sql"
expect_rc 0
expect_eq "$(csv 'SELECT id, typeof(id) FROM silver.cleaned_sales')" "one,VARCHAR"
# an append cannot change a type
run write silver.cleaned_sales -w shop --sql "SELECT 7 AS id" --append
expect_rc 1
expect_err "rat: error: write silver.cleaned_sales: column 'id' is string in the table but int in the query: a column's type changes in place only from int to long, float to double or to a wider decimal; cast it in the query, or overwrite the table (rat write without --append), which replaces its schema"

# a pipeline's table: its error-severity checks first
cat > "$p/silver/orders.yaml" <<'YAML'
columns:
  - name: amount
    tests: [positive]
YAML
good="$(head_of)"
run write silver.orders -w shop --sql "SELECT 3 AS id, -5 AS amount"
expect_rc 1
expect_err "rat: error: write silver.orders: checks failed in pipelines/silver/orders.yaml: positive(amount) (1 rows); nothing was written to workspace/shop, and the new version is kept on run/shop/write-"
expect_eq "$(head_of)" "$good"
kept="$(sed -n 's/.*kept on \(run\/shop\/write-[^ ]*\) .*/\1/p' "$T_DIR/err")"
expect_eq "$(csv --ref "$kept" 'SELECT amount FROM silver.orders')" "-5"
run write silver.orders -w shop --sql "SELECT 3 AS id, 5 AS amount"
expect_rc 0
expect_out "Checks: 1 passed, 0 warned."
expect_eq "$(csv 'SELECT id FROM silver.orders')" "3"
# the pipeline's next run builds it again
run run -w shop
expect_rc 0
expect_out "silver.orders                ok       overwrite"
expect_eq "$(csv 'SELECT id FROM silver.orders')" "1"

# usage
run write silver.x -w shop
expect_rc 2
expect_err "rat write: give the query: --sql QUERY or --file FILE"
run write silver.x -w shop --sql "SELECT 1" --file "$T_DIR/q.sql"
expect_rc 2
expect_err "rat write: give --sql or --file, not both"
run write silver.x -w shop --file "$T_DIR/missing.sql"
expect_rc 1
expect_err "rat: error: write: cannot read $T_DIR/missing.sql: No such file or directory"
run write x -w shop --sql "SELECT 1"
expect_rc 1
expect_err "rat: error: write x: 'x' is not a table name (layer.table or namespace.table)"
