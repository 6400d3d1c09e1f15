#!/usr/bin/env bash
# tests/cli/test_partition_values.sh - awkward values of a string partition
# column (issue 15, item 12): the string 'NULL' and a real NULL in one run
# (the run failed: `cannot move …/p=NULL/…`), '', '/', '..', '%', '=', 'a/b',
# non-ASCII. Each is a partition of its own and reads back exactly: the
# string stays the string, NULL stays NULL.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
cat > "$p/silver/parts.sql" <<'SQL'
-- @partition_by: p
SELECT id, p FROM (VALUES (1, 'NULL'), (2, NULL), (3, ''), (4, '/'), (5, '..'), (6, '%'),
  (7, '='), (8, 'a/b'), (9, 'é€'), (10, 'null'), (11, '%2F'), (12, 'x y')) t(id, p)
SQL

run run -w shop
expect_rc 0
expect_out "silver.parts                 ok       create                12         12  +12/-0      -"
run describe silver.parts -w shop
expect_out "Partitioning:  p"
expect_out "Files:         12 "
expect_eq "$(ws_csv shop "SELECT string_agg(id || ':' || coalesce('[' || p || ']', 'NULL'), ' ' ORDER BY id) FROM silver.parts")" \
	"1:[NULL] 2:NULL 3:[] 4:[/] 5:[..] 6:[%] 7:[=] 8:[a/b] 9:[é€] 10:[null] 11:[%2F] 12:[x y]"
# a filter on each picks its own rows
expect_eq "$(ws_csv shop "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM silver.parts WHERE p = 'NULL'")" "1"
expect_eq "$(ws_csv shop "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM silver.parts WHERE p IS NULL")" "2"
# every data file stays inside the table's data/ folder
data="$RAT_HOME/warehouse/shop/silver/parts/data"
expect_eq "$(find "$RAT_HOME/warehouse/shop/silver" -name '*.parquet' | grep -cv "^$data/p=[^/]*/data-[^/]*\.parquet$" || true)" "0"

# a second run rebuilds it the same
run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop "SELECT count(*), count(p), count(DISTINCT p) FROM silver.parts")" "12,11,11"
