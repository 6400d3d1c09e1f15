#!/usr/bin/env bash
# tests/cli/test_sql_writes.sh - SQL from a user writes no file (issue 15,
# item 1): the allowed folders of a session are the workspace's own tables
# and its subscriptions' versions, so a COPY ... TO there would destroy them.
# Three attacks, each refused before it runs with nothing changed: COPY with
# PARTITION_BY and OVERWRITE onto the workspace's warehouse folder; a
# subscriber overwriting the owner's published version file; a data file of
# a table rewritten in place (a tag's sum would change). EXPORT DATABASE,
# ATTACH, PREPARE/EXECUTE and EXPLAIN ANALYZE likewise. The same refusal in
# `rat shell` and in `rat run` (a pipeline's SQL that closes librat's
# parentheses); rat write's query fails before anything runs; the library's
# own writes (tables, runs, publishing) go on.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

for w in a b; do
	run init "$w"
	expect_rc 0
done
wa="$RAT_WORKSPACES/a"
sed -i '/^products:/,$d' "$wa/workspace.yaml"
cat >> "$wa/workspace.yaml" <<'YAML'
products:
  - name: kpis
    source: gold.kpis
    access:
      - workspace: b
        level: read
YAML
printf 'subscriptions:\n  - product: a/kpis\n    alias: kpis\n    version_constraint: "^1.0.0"\n' \
	>> "$RAT_WORKSPACES/b/workspace.yaml"
cat > "$wa/pipelines/gold/kpis.sql" <<'SQL'
SELECT i AS day, i * 100 AS revenue FROM range(1, 4) t(i)
SQL
run run -w a
expect_rc 0
run tag create v1 -w a
expect_rc 0
run products publish kpis -w a --changelog "first"
expect_rc 0

# what must not change: every file and folder under the warehouse and _products, files by content
snapshot() {
	find "$RAT_HOME/warehouse" | sort
	find "$RAT_HOME/warehouse" -type f -print0 | sort -z | xargs -0 sha256sum
}
snapshot > "$T_DIR/before"
sums() { echo "$(ws_csv a 'SELECT sum(revenue) FROM gold.kpis') $(ws_csv b 'SELECT sum(revenue) FROM products.kpis')"; }
expect_eq "$(sums)" "600 600"
tables="$(dirname "$(dirname "$(find "$RAT_HOME/warehouse" -path '*gold/kpis/data/*.parquet' | head -1)")")"
warehouse_a="${tables%/gold/kpis}"
version_file="$(find "$RAT_HOME/warehouse/_products" -name 'data-*.parquet' | head -1)"
data_file="$(find "$tables/data" -name '*.parquet' | head -1)"
[ -n "$version_file" ] && [ -n "$data_file" ] || fail "fixture files not found"

refusal="is refused: SQL in a workspace session writes no file (results leave through the command's own output, e.g. rat query --output FILE; tables are written with rat write; a file is read with read_csv(), read_parquet() or read_json())"
attack() { # WORKSPACE SQL EXPECTED-MESSAGE
	run query -w "$1" "$2"
	expect_rc 1
	expect_err "rat: error: $3"
	snapshot > "$T_DIR/after"
	cmp -s "$T_DIR/before" "$T_DIR/after" || fail "files changed by: $2"
}
# 1. every table file of a, deleted and replaced by one partition
attack a "COPY (SELECT 1 AS p, 2 AS v) TO '$warehouse_a' (FORMAT parquet, PARTITION_BY (p), OVERWRITE true)" \
	"COPY $refusal"
# 2. b overwrites the version it subscribes to
attack b "COPY (SELECT 1 AS day, 1 AS revenue) TO '$version_file' (FORMAT parquet)" "COPY $refusal"
# 3. a data file rewritten with the same field ids: the branch's and the tag's sums would change
attack a "COPY (SELECT 1::BIGINT AS day, 0::BIGINT AS revenue) TO '$data_file' (FORMAT parquet, FIELD_IDS {day: 1, revenue: 2})" \
	"COPY $refusal"
# the other writers, and a COPY hidden behind PREPARE / EXECUTE, EXPLAIN ANALYZE or a comment
attack a "EXPORT DATABASE '$warehouse_a/export'" "EXPORT DATABASE $refusal"
attack a "ATTACH '$warehouse_a/x.duckdb' AS x" "ATTACH $refusal"
attack a "SELECT 1; PREPARE p AS COPY (SELECT 1) TO '$data_file'; EXECUTE p" "statement 2: PREPARE $refusal"
attack a "COPY gold.kpis TO '$data_file'" "COPY $refusal"
attack a "EXPLAIN ANALYZE COPY (SELECT 1 AS p) TO '$data_file' (FORMAT parquet)" "COPY $refusal"
attack a "EXPLAIN (ANALYZE, FORMAT json) COPY (SELECT 1 AS p) TO '$data_file' (FORMAT parquet)" "COPY $refusal"
attack a "/* a comment first */ copy (SELECT 1 AS p) TO '$data_file' (FORMAT parquet)" "COPY $refusal"
attack a "; EXPLAIN ANALYZE COPY (SELECT 1 AS p) TO '$data_file' (FORMAT parquet)" "COPY $refusal"
# rat shell, its statements read from standard input
printf "COPY (SELECT 1 AS p) TO '%s' (FORMAT parquet);\nSELECT 'after' AS still;\n" "$data_file" |
	"$RAT_BIN" shell -w a >"$T_DIR/out" 2>"$T_DIR/err" || true
expect_err "COPY $refusal"
snapshot > "$T_DIR/after"
cmp -s "$T_DIR/before" "$T_DIR/after" || fail "files changed by rat shell"
expect_no_file "$warehouse_a/export"
expect_no_file "$warehouse_a/x.duckdb"
expect_eq "$(sums)" "600 600"
expect_eq "$(ws_csv a --ref v1 'SELECT sum(revenue) FROM gold.kpis')" "600"

# the same in a run: a pipeline's SQL that closes the parentheses librat wraps it in
evil="SELECT 1 AS x) LIMIT 0; COPY (SELECT 1 AS p) TO '$data_file' (FORMAT parquet); SELECT * FROM (SELECT 1 AS x"
cat > "$wa/pipelines/gold/evil.sql" <<SQL
$evil
SQL
run run -w a -s gold.evil
expect_rc 1
expect_err "COPY $refusal"
rm "$wa/pipelines/gold/evil.sql"
snapshot > "$T_DIR/after"
cmp -s "$T_DIR/before" "$T_DIR/after" || fail "a run changed files"
# rat write's query is planned alone first: the same text fails to parse
run write gold.other -w a --sql "$evil"
expect_rc 1
snapshot | grep -v "/gold/other$" > "$T_DIR/after" # (a failed write leaves its table's empty folder)
cmp -s "$T_DIR/before" "$T_DIR/after" || fail "a write changed files"

# librat's own writes go on: a table written by hand, a run, a new version
run write gold.other -w a --sql "SELECT 7 AS x"
expect_rc 0
run run -w a -f
expect_rc 0
run products publish kpis -w a --changelog "again" --version 1.0.1
expect_rc 0
expect_eq "$(ws_csv a 'SELECT x FROM gold.other') $(sums)" "7 600 600"
