#!/usr/bin/env bash
# tests/cli/test_landing_names.sh - a landing file's name is a name, never a
# glob pattern (issue 15, item 5): with s*.csv beside sa.csv and sb.csv, and
# a[1].csv beside a1.csv, bronze ingests each file exactly once, its own
# rows only, and names it by its own name in the filename column; the same
# on the next run with one more such file.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
land="$ws/landing/sales"
mkdir -p "$land"
cat > "$p/bronze/sales.sql" <<'SQL'
-- @materialized: incremental
-- @landing: sales
SELECT id, parse_filename(filename) AS file FROM read_csv({{ landing_files }}, header = true, filename = true)
SQL
printf 'id\n1\n' > "$land/s*.csv"
printf 'id\n2\n3\n' > "$land/sa.csv"
printf 'id\n4\n' > "$land/sb.csv"
printf 'id\n5\n' > "$land/a1.csv"
printf 'id\n6\n' > "$land/a[1].csv"
run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT id, file FROM bronze.sales ORDER BY id')" \
	"1,s*.csv 2,sa.csv 3,sa.csv 4,sb.csv 5,a1.csv 6,a[1].csv"
# the next run reads the new file only, a pattern of every other one
printf 'id\n7\n' > "$land/?[a-z]*.csv"
run run -w shop
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT count(*), sum(id) FROM bronze.sales')" "7,28"
expect_eq "$(ws_csv shop "SELECT id FROM bronze.sales WHERE file = '?[a-z]*.csv'")" "7"
