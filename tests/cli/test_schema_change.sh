#!/usr/bin/env bash
# tests/cli/test_schema_change.sh - a table's columns over its life (P4,
# S2, issue 14 item 4):
# - a `table` pipeline whose column changes type (string -> int) rebuilds
#   with the new type, as a schema change; the older commit still reads the
#   old type with --ref;
# - an incremental table refuses the change by default (on_schema_change:
#   fail), naming each column and how to allow it; -f rebuilds it;
# - a header-only first landing file (every column a string) no longer
#   poisons bronze: the table holds no rows, so the next file rebuilds it
#   with the real types; a type change on a table with rows is refused, and
#   -f takes it;
# - on_schema_change: ignore, append_new_columns and sync_all_columns, as an
#   annotation and in the YAML; an unknown value names the four.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
sed -i 's/retention_days: .*/retention_days: null/' "$ws/workspace.yaml"
head_of() { ws_head shop; }
csv() { ws_csv shop "$@"; }

# a table pipeline: string -> int on the next run, no -f needed (it rebuilds every run)
echo "SELECT '1' AS x, 'a' AS label" > "$p/silver/kinds.sql"
run run -w shop
expect_rc 0
before="$(head_of)"
echo "SELECT 1 AS x" > "$p/silver/kinds.sql"
run run -w shop
expect_rc 0
expect_out "silver.kinds                 ok       overwrite"
expect_eq "$(csv 'SELECT x, typeof(x) FROM silver.kinds')" "1,INTEGER"
run describe silver.kinds -w shop
expect_out "Columns:
  x INTEGER"
expect_no_out "label"
# time travel reads the old commit with its own schema
expect_eq "$(csv --ref "$before" 'SELECT x, typeof(x), label FROM silver.kinds')" "1,VARCHAR,a"
# and the same with -f
echo "SELECT 'one' AS x" > "$p/silver/kinds.sql"
run run -w shop -f silver.kinds
expect_rc 0
expect_eq "$(csv 'SELECT x, typeof(x) FROM silver.kinds')" "one,VARCHAR"

# bronze fed a header-only file first: every column is a string
mkdir -p "$ws/landing/sales"
printf 'id,amount\n' > "$ws/landing/sales/a.csv"
cat > "$p/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
SELECT * FROM read_csv({{ landing_files }}, header = true)
SQL
run run -w shop bronze.sales
expect_rc 0
run describe bronze.sales -w shop
expect_out "  id VARCHAR"
printf 'id,amount\n1,2.5\n' > "$ws/landing/sales/b.csv"
# it holds no rows, so its next build is a full one (is_incremental() is false): the real types
run run -w shop bronze.sales
expect_rc 0
expect_out "bronze.sales                 ok       overwrite"
expect_eq "$(csv 'SELECT id, amount, typeof(id), typeof(amount) FROM bronze.sales')" "1,2.5,BIGINT,DOUBLE"
# (a.csv stays ingested: it is not read again)
run runs show "$(sed -n 's/^Run \([^ ]*\) on .*/\1/p' "$T_DIR/out")" -w shop --json
expect_json 'd["steps"][0]["files_ingested"]' 1
# with rows, a type change is refused by default, and -f rebuilds it
printf 'id,amount\nx6,3\n' > "$ws/landing/sales/c.csv"
good="$(head_of)"
run run -w shop bronze.sales
expect_rc 1
expect_err "rat: error: bronze.sales (pipelines/bronze/sales.sql): column 'id' is long in the table but string in the query: a column's type changes in place only from int to long, float to double or to a wider decimal; cast it in the query, or rebuild the table with \`rat run -f bronze.sales\`, which replaces its schema"
expect_eq "$(head_of)" "$good"
run run -w shop -f bronze.sales
expect_rc 0
expect_eq "$(csv "SELECT string_agg(id, ' ' ORDER BY id), typeof(any_value(id)) FROM bronze.sales")" "1 x6,VARCHAR"
rm "$ws/landing/sales/c.csv"
run run -w shop -f bronze.sales
expect_rc 0
expect_eq "$(csv 'SELECT id, amount, typeof(id), typeof(amount) FROM bronze.sales')" "1,2.5,BIGINT,DOUBLE"
# a type cannot change in place under any on_schema_change: the hint is -f
printf -- "-- @on_schema_change: sync_all_columns\n" | cat - "$p/bronze/sales.sql" > "$p/bronze/s.tmp"
mv "$p/bronze/s.tmp" "$p/bronze/sales.sql"
printf 'id,amount\nx7,3\n' > "$ws/landing/sales/c.csv"
run run -w shop bronze.sales
expect_rc 1
expect_err "rat: error: bronze.sales (pipelines/bronze/sales.sql): column 'id' is long in the table but string in the query: a column's type changes in place only from int to long, float to double or to a wider decimal; cast it in the query, or rebuild the table with \`rat run -f bronze.sales\`, which replaces its schema"
rm "$ws/landing/sales/c.csv"

# on_schema_change, on an incremental silver table
printf 'id,amount\n2,4\n' > "$ws/landing/sales/d.csv"
write_silver() { # $1: the annotation's value (none: the default), $2: the select list
	{
		echo "-- @materialized: incremental"
		[ -n "$1" ] && echo "-- @on_schema_change: $1"
		echo "SELECT $2 FROM {{ ref('bronze.sales') }}"
		echo "{% if is_incremental() %}WHERE _ingested_at > {{ watermark('_ingested_at') }}{% endif %}"
	} > "$p/silver/sales.sql"
}
write_silver "" "id, amount, _ingested_at"
run run -w shop
expect_rc 0
added() { printf 'id,amount\n%s,1\n' "$1" > "$ws/landing/sales/n$1.csv"; }
# fail (the default): a new and a missing column, both named
added 3
write_silver "" "id, amount * 2 AS doubled, _ingested_at"
run run -w shop
expect_rc 1
expect_err "rat: error: silver.sales (pipelines/silver/sales.sql): the query's columns differ from the table's: new column 'doubled' (double); missing column 'amount'; on_schema_change is fail: set it to append_new_columns, sync_all_columns or ignore (in pipelines/silver/sales.sql), or rebuild the table with \`rat run -f silver.sales\`, which replaces its schema"
# ignore: the new column is not written, the missing one is NULL
write_silver "ignore" "id, amount * 2 AS doubled, _ingested_at"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT id, coalesce(amount::VARCHAR, '"'NULL'"') FROM silver.sales ORDER BY id')" "1,2.5 2,4.0 3,NULL"
run describe silver.sales -w shop
expect_no_out "doubled"
# append_new_columns: added; older rows read NULL
added 4
write_silver "append_new_columns" "id, amount, amount * 2 AS doubled, _ingested_at"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT id, coalesce(doubled::VARCHAR, '"'-'"') FROM silver.sales ORDER BY id')" "1,- 2,- 3,- 4,2.0"
# sync_all_columns, from the YAML (over the annotation): amount leaves the schema
added 5
write_silver "fail" "id, amount * 2 AS doubled, _ingested_at"
echo "on_schema_change: sync_all_columns" > "$p/silver/sales.yaml"
run run -w shop
expect_rc 0
run describe silver.sales -w shop
expect_no_out "  amount"
expect_out "  doubled DOUBLE"
expect_eq "$(csv 'SELECT id, doubled FROM silver.sales WHERE id = 5')" "5,2.0"
# an unknown value names the four
echo "on_schema_change: append" > "$p/silver/sales.yaml"
run run -w shop
expect_rc 1
expect_err "pipelines/silver/sales.yaml:1:19: on_schema_change: 'append' is not one of fail, append_new_columns, ignore, sync_all_columns"
